// TFTSR's logs on the incident page: upload by file picker or drag and drop, one request per
// file with its own progress bar (XMLHttpRequest upload progress into a <progress> element),
// and the dialog that shows a log's redacted text. Uploads go to the JSON API with the page's
// CSRF token; the log list is then swapped in from the Logs tab, the tab bar's counts out of band. Every
// listener is on the document, so htmx swaps of the page need no rebinding.
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  function errorMessage(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.error && body.error.message) return body.error.message;
    } catch (e) { /* not JSON */ }
    if (xhr.status === 413) return "The file is too large.";
    return "The upload failed (HTTP " + xhr.status + ").";
  }

  // addItem adds a line for a file to the upload list: its name, a progress bar and a status.
  function addItem(list, file) {
    var li = document.createElement("li");
    li.className = "log-upload-item";
    var name = document.createElement("span");
    name.className = "log-upload-name";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload of " + file.name);
    var state = document.createElement("span");
    state.className = "log-upload-state";
    state.textContent = "Waiting…";
    li.appendChild(name);
    li.appendChild(bar);
    li.appendChild(state);
    list.appendChild(li);
    return { li: li, bar: bar, state: state };
  }

  function finish(item, ok, text) {
    item.li.classList.add(ok ? "ok" : "error");
    item.state.textContent = text;
    if (ok) item.bar.value = 100;
  }

  // uploadOne sends one file and resolves with whether it was stored.
  function uploadOne(url, file, item) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRF-Token", document.body.dataset.csrf || "");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (ev) {
        if (ev.lengthComputable) item.bar.value = Math.round(ev.loaded * 100 / ev.total);
      });
      xhr.upload.addEventListener("load", function () {
        item.state.textContent = "Processing…";
      });
      xhr.onload = function () {
        if (xhr.status === 201) {
          var n = 1;
          try {
            var body = JSON.parse(xhr.responseText);
            if (body && body.items) n = body.items.length;
          } catch (e) { /* a single log */ }
          finish(item, true, n === 1 ? "Uploaded" : "Uploaded: " + n + " logs");
          resolve(true);
        } else {
          finish(item, false, errorMessage(xhr));
          resolve(false);
        }
      };
      xhr.onerror = function () {
        finish(item, false, "The portal could not be reached. Check your connection and try again.");
        resolve(false);
      };
      item.state.textContent = "Uploading…";
      var form = new FormData();
      form.append("file", file, file.name);
      xhr.send(form);
    });
  }

  // uploadAll uploads files one after another, each with its own bar, then refreshes the list.
  function uploadAll(files) {
    var section = byId("logs");
    var list = byId("log-uploads");
    if (!section || !list || !files.length) return;
    list.querySelectorAll(".log-upload-item.ok").forEach(function (li) { li.remove(); });
    var items = files.map(function (f) { return addItem(list, f); });
    var stored = 0;
    var chain = Promise.resolve();
    files.forEach(function (file, i) {
      chain = chain.then(function () {
        return uploadOne(section.dataset.uploadUrl, file, items[i]).then(function (ok) { if (ok) stored++; });
      });
    });
    chain.then(function () {
      if (stored > 0) refresh(section, list);
    });
  }

  // refresh swaps in the log list from the Logs tab; its tab bar and header come out of band.
  function refresh(section, list) {
    var logList = byId("log-list");
    if (!logList || !window.htmx) return;
    window.htmx.ajax("GET", section.dataset.refreshUrl, {
      source: list, target: logList, select: "#log-list", swap: "outerHTML"
    });
  }

  document.addEventListener("change", function (ev) {
    if (ev.target && ev.target.id === "log-file" && ev.target.files.length) {
      uploadAll(Array.prototype.slice.call(ev.target.files));
      ev.target.value = "";
    }
  });

  // Drag and drop onto the drop zone.
  function dropZone(ev) {
    return ev.target && ev.target.closest ? ev.target.closest("#log-drop") : null;
  }
  document.addEventListener("dragover", function (ev) {
    var zone = dropZone(ev);
    if (!zone) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "copy";
    zone.classList.add("dragging");
  });
  document.addEventListener("dragleave", function (ev) {
    var zone = dropZone(ev);
    if (zone && !zone.contains(ev.relatedTarget)) zone.classList.remove("dragging");
  });
  document.addEventListener("drop", function (ev) {
    var zone = dropZone(ev);
    if (!zone) return;
    ev.preventDefault();
    zone.classList.remove("dragging");
    uploadAll(Array.prototype.slice.call(ev.dataTransfer.files));
  });

  // The View dialog arrives by htmx into its slot: open it modally, and empty the slot when it
  // closes.
  document.addEventListener("htmx:afterSwap", function (ev) {
    var slot = ev.detail.target;
    if (!slot || slot.id !== "log-dialog-slot") return;
    var dialog = slot.querySelector("dialog");
    if (!dialog || typeof dialog.showModal !== "function") return;
    dialog.addEventListener("close", function () { slot.innerHTML = ""; });
    dialog.showModal();
  });
})();

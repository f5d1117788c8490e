// TFTSR's images on the incident page: upload by file picker, drag and drop, or clipboard paste
// (anywhere on the page outside a text field), with a progress bar, and the dialog that shows an
// image at full size. Uploads go to the JSON API with the page's CSRF token; the gallery is then
// swapped in from the Images tab, the tab bar's counts out of band. Every listener is on the document, so
// htmx swaps of the page need no rebinding.
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  function setStatus(text, isError) {
    var el = byId("image-status");
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("error", !!isError);
  }

  // acknowledged reports whether the uploader ticked the box saying they checked the images for
  // personal data, and points them at it when not. The server refuses uploads without it too.
  function acknowledged() {
    var box = byId("image-ack");
    if (box && box.checked) return true;
    setStatus("Images cannot be redacted automatically. Tick the box to confirm that you checked them for personal data, then try again.", true);
    var warning = byId("image-pii-warning");
    if (warning) warning.classList.add("attention");
    if (box) box.focus();
    return false;
  }

  function errorMessage(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.error && body.error.message) return body.error.message;
    } catch (e) { /* not JSON */ }
    if (xhr.status === 413) return "The image is too large.";
    return "The upload failed (HTTP " + xhr.status + ").";
  }

  function readAsDataURL(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(new Error("The pasted image could not be read.")); };
      reader.readAsDataURL(file);
    });
  }

  // send POSTs body to url and resolves with the finished request, showing upload progress.
  function send(url, body, contentType) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      var bar = byId("image-progress");
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRF-Token", document.body.dataset.csrf || "");
      xhr.setRequestHeader("Accept", "application/json");
      if (contentType) xhr.setRequestHeader("Content-Type", contentType);
      xhr.upload.addEventListener("progress", function (ev) {
        if (bar && ev.lengthComputable) bar.value = Math.round(ev.loaded * 100 / ev.total);
      });
      xhr.onload = function () { resolve(xhr); };
      xhr.onerror = function () { reject(new Error("The portal could not be reached. Check your connection and try again.")); };
      xhr.send(body);
    });
  }

  // uploadOne sends a file: a pasted image as base64 JSON, a chosen or dropped file as a form.
  function uploadOne(section, file, isPaste) {
    if (isPaste) {
      return readAsDataURL(file).then(function (dataURL) {
        return send(section.dataset.pasteUrl, JSON.stringify({
          base64_data: dataURL, file_name: "", pii_warning_acknowledged: true
        }), "application/json");
      });
    }
    var form = new FormData();
    form.append("pii_warning_acknowledged", "true");
    form.append("file", file, file.name);
    return send(section.dataset.uploadUrl, form);
  }

  var busy = false;

  // uploadAll uploads files one after another, then refreshes the gallery.
  function uploadAll(files, isPaste) {
    var section = byId("images");
    if (!section || !files.length) return false;
    if (busy) {
      setStatus("Wait for the current upload to finish.", true);
      return false;
    }
    if (!acknowledged()) return false;
    var warning = byId("image-pii-warning");
    if (warning) warning.classList.remove("attention");
    busy = true;
    var bar = byId("image-progress");
    if (bar) { bar.hidden = false; bar.value = 0; }
    var uploaded = 0, failures = [];
    var chain = Promise.resolve();
    files.forEach(function (file, i) {
      var name = isPaste ? "the pasted image" : file.name;
      chain = chain.then(function () {
        setStatus("Uploading " + name + (files.length > 1 ? " (" + (i + 1) + " of " + files.length + ")" : "") + "…");
        if (bar) bar.value = 0;
        return uploadOne(section, file, isPaste).then(function (xhr) {
          if (xhr.status === 201) uploaded++;
          else failures.push(name + ": " + errorMessage(xhr));
        }, function (err) {
          failures.push(name + ": " + err.message);
        });
      });
    });
    chain.then(function () {
      busy = false;
      if (bar) bar.hidden = true;
      if (failures.length) setStatus(failures.join(" "), true);
      else setStatus(uploaded === 1 ? "Image uploaded." : uploaded + " images uploaded.");
      if (uploaded > 0) refresh(section);
    });
    return true;
  }

  // refresh swaps in the gallery from the Images tab; its tab bar and header come out of band.
  function refresh(section) {
    var gallery = byId("image-gallery");
    if (!gallery || !window.htmx) return;
    window.htmx.ajax("GET", section.dataset.refreshUrl, {
      source: gallery, target: gallery, select: "#image-gallery", swap: "outerHTML"
    });
  }

  // The file picker uploads what was chosen; without the acknowledgement the choice waits for it.
  document.addEventListener("change", function (ev) {
    var input = byId("image-file");
    if (!input) return;
    if (ev.target === input || (ev.target.id === "image-ack" && ev.target.checked && input.files.length)) {
      if (uploadAll(Array.prototype.slice.call(input.files), false)) input.value = "";
    }
  });

  // Drag and drop onto the drop zone.
  function dropZone(ev) {
    return ev.target && ev.target.closest ? ev.target.closest("#image-drop") : null;
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
    uploadAll(Array.prototype.slice.call(ev.dataTransfer.files), false);
  });

  // isTextField reports whether el takes typed or pasted text, where a paste must stay text.
  function isTextField(el) {
    if (!el || el.nodeType !== 1) return false;
    if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
    if (el.tagName === "INPUT") return !/^(checkbox|radio|button|submit|reset|file|range|color|image|hidden)$/i.test(el.type);
    return false;
  }

  // A pasted image anywhere on the incident page, outside text fields, is uploaded.
  document.addEventListener("paste", function (ev) {
    if (!byId("image-file")) return;
    var target = ev.target && ev.target.nodeType === 1 ? ev.target : document.activeElement;
    if (isTextField(target)) return;
    var data = ev.clipboardData;
    if (!data) return;
    var files = [], i;
    for (i = 0; data.items && i < data.items.length; i++) {
      var item = data.items[i];
      if (item.kind === "file" && item.type.indexOf("image/") === 0) {
        var f = item.getAsFile();
        if (f) files.push(f);
      }
    }
    for (i = 0; !files.length && data.files && i < data.files.length; i++) {
      if (data.files[i].type.indexOf("image/") === 0) files.push(data.files[i]);
    }
    if (!files.length) return;
    ev.preventDefault();
    uploadAll(files, true);
  });

  // The full-size view: a thumbnail opens the dialog (a modified click opens a tab as usual).
  document.addEventListener("click", function (ev) {
    var dialog = byId("image-dialog");
    if (!dialog || !ev.target.closest) return;
    var link = ev.target.closest("a.image-open");
    if (link && typeof dialog.showModal === "function") {
      if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
      ev.preventDefault();
      var name = link.dataset.imageName || "";
      var img = byId("image-dialog-img");
      img.src = link.getAttribute("href");
      img.alt = name;
      byId("image-dialog-title").textContent = name;
      byId("image-dialog-link").href = link.getAttribute("href");
      dialog.showModal();
    } else if (ev.target === dialog || ev.target.closest(".image-dialog-close")) {
      dialog.close();
    }
  });
})();

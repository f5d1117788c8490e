// TFTSR's Ollama settings page: picks the visitor's platform for the install guide, and pulls a
// model with a live progress bar. The pull posts to the JSON API with Accept: text/event-stream
// and reads the progress events from the response as they arrive; the form still works without
// this script (the page then waits for the pull to finish).
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  // guessPlatform maps the browser's platform to an install guide.
  function guessPlatform() {
    var p = ((navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || "").toLowerCase();
    if (p.indexOf("mac") >= 0) return "macos";
    if (p.indexOf("win") >= 0) return "windows";
    return "linux";
  }

  function showGuide(platform) {
    document.querySelectorAll(".ollama-guide").forEach(function (el) {
      el.hidden = el.getAttribute("data-platform") !== platform;
    });
  }

  function initGuides() {
    var sel = byId("ollama-platform");
    if (!sel || sel.getAttribute("data-ready")) return;
    sel.setAttribute("data-ready", "true");
    sel.value = guessPlatform();
    showGuide(sel.value);
    sel.addEventListener("change", function () { showGuide(sel.value); });
  }

  // parseEvents splits complete events off the front of buf; it returns them and the rest.
  function parseEvents(buf) {
    var events = [];
    buf = buf.replace(/\r\n/g, "\n");
    var end;
    while ((end = buf.indexOf("\n\n")) >= 0) {
      var block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      var ev = { name: "message", data: [] };
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event: ") === 0) ev.name = line.slice(7);
        else if (line.indexOf("data: ") === 0) ev.data.push(line.slice(6));
      });
      if (ev.data.length) events.push({ name: ev.name, data: ev.data.join("\n") });
    }
    return { events: events, rest: buf };
  }

  var pulling = false;

  function setInfo(text, failed) {
    var info = byId("ollama-pull-info");
    info.textContent = text;
    info.classList.toggle("form-error", !!failed);
  }

  function refreshModels() {
    if (window.htmx) {
      window.htmx.ajax("GET", "/settings/ollama/models", { target: "#ollama-models", swap: "outerHTML" });
    }
  }

  function errorMessage(body, fallback) {
    try {
      var e = JSON.parse(body).error;
      if (e && e.message) return e.message;
    } catch (_) { /* not JSON */ }
    return fallback;
  }

  function pull(name) {
    if (pulling) return;
    var bar = byId("ollama-pull-progress");
    var button = byId("ollama-pull-submit");
    pulling = true;
    button.setAttribute("aria-busy", "true");
    button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    bar.setAttribute("data-state", "pulling");
    setInfo("Starting the pull of " + name + "…", false);

    var finish = function (text, failed) {
      pulling = false;
      button.removeAttribute("aria-busy");
      button.disabled = false;
      bar.setAttribute("data-state", failed ? "failed" : "done");
      setInfo(text, failed);
      if (!failed) refreshModels();
    };

    fetch("/api/v1/ollama/models/pull", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "text/event-stream",
        "X-CSRF-Token": document.body.getAttribute("data-csrf") || ""
      },
      body: JSON.stringify({ name: name })
    }).then(function (resp) {
      if (!resp.ok || !resp.body) {
        return resp.text().then(function (t) { finish(errorMessage(t, "The pull failed (" + resp.status + ")."), true); });
      }
      var reader = resp.body.getReader();
      var decoder = new TextDecoder();
      var buf = "";
      var ended = false;
      var step = function () {
        return reader.read().then(function (r) {
          if (r.value) buf += decoder.decode(r.value, { stream: true });
          var parsed = parseEvents(buf);
          buf = parsed.rest;
          parsed.events.forEach(function (ev) {
            var data;
            try { data = JSON.parse(ev.data); } catch (_) { return; }
            if (ev.name === "progress") {
              bar.value = data.percent;
              setInfo(data.status + " — " + data.percent + "%", false);
            } else if (ev.name === "done") {
              ended = true;
              bar.value = 100;
              finish("Pulled " + name + ".", false);
            } else if (ev.name === "error") {
              ended = true;
              finish((data.error && data.error.message) || "The pull failed.", true);
            }
          });
          if (r.done) {
            if (!ended) finish("The connection ended before the pull finished.", true);
            return;
          }
          return step();
        });
      };
      return step();
    }).catch(function () {
      finish("The connection to the portal was lost.", true);
    });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!window.fetch || !window.TextDecoder || !form) return;
    var input = byId("ollama-pull-name");
    if (form.id === "ollama-pull-form") {
      ev.preventDefault();
      pull(input.value.trim());
    } else if (form.classList && form.classList.contains("ollama-pull-one")) {
      ev.preventDefault();
      input.value = form.querySelector("input[name=name]").value;
      pull(input.value);
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initGuides);
  } else {
    initGuides();
  }
  document.addEventListener("htmx:load", initGuides);
})();

// TFTSR's document editor: a warning before leaving with unsaved changes. The saved text is the
// text the page loaded with, updated when a save succeeds (the status line says "saved").
(function () {
  "use strict";

  var saved = null;

  function editor() { return document.getElementById("doc-content"); }

  function remember() {
    var ta = editor();
    saved = ta ? ta.value : null;
  }

  document.addEventListener("DOMContentLoaded", remember);
  document.addEventListener("htmx:load", function (ev) {
    if (ev.detail.elt && ev.detail.elt.querySelector && ev.detail.elt.querySelector("#doc-content")) remember();
  });
  document.addEventListener("htmx:afterSwap", function (ev) {
    var status = document.getElementById("doc-status");
    if (status && status.getAttribute("data-state") === "saved") remember();
  });
  // A plain form submission (save or restore) leaves the page on purpose.
  document.addEventListener("submit", function (ev) {
    if (ev.target && ev.target.id !== "doc-form") return;
    if (ev.target.getAttribute("hx-post") === null) remember();
  });
  document.addEventListener("click", function (ev) {
    if (ev.target.closest && ev.target.closest(".doc-versions form button")) {
      var ta = editor();
      if (ta && saved !== null && ta.value !== saved && !window.confirm("Discard your unsaved changes and restore this version?")) {
        ev.preventDefault();
      } else {
        remember();
      }
    }
  });

  window.addEventListener("beforeunload", function (ev) {
    var ta = editor();
    if (!ta || saved === null || ta.value === saved) return;
    ev.preventDefault();
    ev.returnValue = "";
  });
})();

// TFTSR's small scripts: the header search's keyboard shortcuts and dropdown, and toasts.
(function () {
  "use strict";

  // Small screens: the menu button folds the sidebar's navigation away. The class "js" on the
  // root element shows the button and folds the panel; without scripts the navigation stays open.
  document.documentElement.classList.add("js");
  function navToggle() { return document.querySelector(".nav-toggle"); }
  function setNavOpen(open) {
    var btn = navToggle();
    if (!btn) return;
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    btn.closest(".sidebar").classList.toggle("nav-open", open);
  }
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest(".nav-toggle");
    if (btn) setNavOpen(btn.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (ev) {
    var btn = navToggle();
    if (ev.key !== "Escape" || !btn || btn.getAttribute("aria-expanded") !== "true") return;
    setNavOpen(false);
    btn.focus();
  });

  function searchInput() { return document.getElementById("header-search"); }
  function searchResults() { return document.getElementById("search-results"); }

  document.addEventListener("keydown", function (ev) {
    var input = searchInput();
    if (!input) return;
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) || document.activeElement.isContentEditable;
    if (ev.key === "/" && !typing) {
      ev.preventDefault();
      input.focus();
      input.select();
    } else if (ev.key === "Escape" && document.activeElement === input) {
      searchResults().innerHTML = "";
      input.blur();
    }
  });

  // Close the search dropdown on a click elsewhere.
  document.addEventListener("click", function (ev) {
    var res = searchResults();
    if (res && !ev.target.closest(".search")) res.innerHTML = "";
  });

  // Toasts: the close button removes one; informational toasts leave by themselves.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest(".toast-close");
    if (btn) btn.closest(".toast").remove();
  });
  document.addEventListener("htmx:afterSwap", function (ev) {
    var t = ev.detail.target;
    if (t && t.id === "toasts") {
      t.querySelectorAll(".toast:not(.error)").forEach(function (el) {
        setTimeout(function () { el.remove(); }, 5000);
      });
    }
  });

  // Triage chat: Enter sends, Shift+Enter starts a new line (not while an input method is
  // composing). On touch screens Enter stays a new line and the Send button sends, as in
  // phone chat apps.
  var coarsePointer = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  document.addEventListener("keydown", function (ev) {
    if (coarsePointer || ev.key !== "Enter" || ev.shiftKey || ev.isComposing || ev.target.id !== "chat-message") return;
    var form = ev.target.form;
    if (!form || ev.target.value.trim() === "") return;
    ev.preventDefault();
    form.requestSubmit();
  });

  // Triage chat: clear the form once a message is sent, and keep the newest message in view.
  document.addEventListener("htmx:afterRequest", function (ev) {
    var form = ev.detail.elt;
    if (form && form.id === "chat-form" && ev.detail.successful) form.reset();
  });
  document.addEventListener("htmx:afterSwap", function (ev) {
    var log = document.getElementById("chat-log");
    if (log && ev.detail.target && log.contains(ev.detail.target)) log.scrollTop = log.scrollHeight;
  });
  document.addEventListener("htmx:sseMessage", function () {
    var log = document.getElementById("chat-log");
    if (log) log.scrollTop = log.scrollHeight;
  });

  // Copy buttons: data-copy holds the text (a reply's Markdown). The clipboard API needs a secure
  // context; elsewhere a hidden textarea and execCommand do it.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-copy]");
    if (!btn) return;
    var text = btn.getAttribute("data-copy");
    var done = function (ok) {
      var label = btn.textContent;
      btn.textContent = ok ? "Copied" : "Copy failed";
      btn.setAttribute("data-copied", ok ? "true" : "false");
      setTimeout(function () { btn.textContent = label; btn.removeAttribute("data-copied"); }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallbackCopy(text)); });
    } else {
      done(fallbackCopy(text));
    }
  });
  function fallbackCopy(text) {
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.className = "offscreen";
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    ta.remove();
    return ok;
  }

  // Lazy thumbnails: an img with data-src gets its src only once it scrolls into view, so a long
  // list of attachments loads only the images a person looks at.
  var lazyObserver = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      var img = entry.target;
      lazyObserver.unobserve(img);
      img.src = img.dataset.src;
      img.removeAttribute("data-src");
    });
  }, { rootMargin: "50px" }) : null;
  function observeLazy(root) {
    (root || document).querySelectorAll("img[data-src]").forEach(function (img) {
      if (lazyObserver) {
        lazyObserver.observe(img);
      } else {
        img.src = img.dataset.src;
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { observeLazy(document); });
  document.addEventListener("htmx:load", function (ev) { observeLazy(ev.detail.elt); });

  // A network failure gets a toast too.
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("toasts");
    if (!box) return;
    var div = document.createElement("div");
    div.className = "toast error";
    div.setAttribute("role", "alert");
    var span = document.createElement("span");
    span.textContent = "The portal could not be reached. Check your connection and try again.";
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "toast-close";
    btn.setAttribute("aria-label", "Dismiss");
    btn.textContent = "×";
    div.appendChild(span);
    div.appendChild(btn);
    box.appendChild(div);
  });
  // The profile's "Use this browser's zone" button fills in the zone the browser is set to.
  function browserZone(root) {
    (root || document).querySelectorAll("[data-browser-zone]").forEach(function (btn) {
      var zone = "";
      try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
      if (!zone) return;
      btn.hidden = false;
      btn.textContent = "Use this browser\u2019s zone (" + zone + ")";
      btn.addEventListener("click", function () {
        var input = document.getElementById("time-zone");
        if (input) { input.value = zone; input.focus(); }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { browserZone(document); });
  document.addEventListener("htmx:load", function (ev) { if (ev.detail.elt !== document.body) browserZone(ev.detail.elt); });
  // Dialogs (views.Dialog): [data-dialog-open=ID] opens one, [data-dialog-close] inside closes it.
  document.addEventListener("click", function (ev) {
    var opener = ev.target.closest && ev.target.closest("[data-dialog-open]");
    if (opener) {
      var d = document.getElementById(opener.getAttribute("data-dialog-open"));
      if (d && d.showModal && !d.open) d.showModal();
      return;
    }
    var closer = ev.target.closest && ev.target.closest("[data-dialog-close]");
    if (closer) {
      var dlg = closer.closest("dialog");
      if (dlg) dlg.close();
    }
  });
})();

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
    if (!form || form.id !== "chat-form" || !ev.detail.successful) return;
    // The provider chosen stays chosen (the portal remembers it for next time too).
    var sel = form.querySelector("select[name=config]");
    var chosen = sel ? sel.value : null;
    form.reset();
    if (sel) sel.value = chosen;
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

  // Busy buttons: a button (or a link styled as one) with data-busy starts a slow action; while it
  // runs the button says data-busy ("Testing…"), shows Pico's spinner through aria-busy, and is
  // disabled, so a second click cannot start it again. htmx requests mark it from
  // beforeRequest to afterRequest (hx-disabled-elt disables it as well, also without this
  // script's help); plain form submissions from submit until the next page.
  function busyButton(elt) {
    if (!elt || !elt.matches) return null;
    return elt.matches("[data-busy]") ? elt : elt.querySelector("[data-busy]");
  }
  function setBusy(btn) {
    if (!btn || btn.getAttribute("aria-busy") === "true") return;
    btn.setAttribute("data-idle-label", btn.textContent);
    btn.textContent = btn.getAttribute("data-busy");
    btn.setAttribute("aria-busy", "true");
    btn.setAttribute("aria-disabled", "true");
    if (btn.tagName === "BUTTON") btn.disabled = true;
  }
  function clearBusy(btn) {
    if (!btn || btn.getAttribute("aria-busy") !== "true") return;
    btn.textContent = btn.getAttribute("data-idle-label");
    btn.removeAttribute("data-idle-label");
    btn.removeAttribute("aria-busy");
    btn.removeAttribute("aria-disabled");
    if (btn.tagName === "BUTTON") btn.disabled = false;
  }
  document.addEventListener("htmx:beforeRequest", function (ev) { setBusy(busyButton(ev.detail.elt)); });
  document.addEventListener("htmx:afterRequest", function (ev) { clearBusy(busyButton(ev.detail.elt)); });
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (ev.defaultPrevented || form.hasAttribute("hx-post")) return;
    var btn = ev.submitter && ev.submitter.matches("[data-busy]") ? ev.submitter : null;
    // Disabled only after the submission has taken the form's values.
    if (btn) setTimeout(function () { setBusy(btn); }, 0);
  });
  // A page restored from the back-forward cache is not busy any more.
  window.addEventListener("pageshow", function (ev) {
    if (ev.persisted) document.querySelectorAll("[data-busy][aria-busy=true]").forEach(clearBusy);
  });

  // Downloads that take a while (a PDF export): a link with data-download fetches the file and
  // hands it to the browser as a download, busy until the whole file has arrived; a failure is
  // a toast with the portal's message instead of a broken download. Without this script the
  // link is a plain download link.
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest("a[data-download]");
    if (!link || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || !window.fetch || !window.URL.createObjectURL) return;
    ev.preventDefault();
    if (link.getAttribute("aria-busy") === "true") return;
    setBusy(link);
    fetch(link.href, { credentials: "same-origin" }).then(function (resp) {
      if (!resp.ok) {
        return resp.text().then(function (body) { throw new Error(errorText(body) || "The download failed (" + resp.status + ")."); });
      }
      return resp.blob().then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = fileName(resp.headers.get("Content-Disposition")) || link.getAttribute("download") || "download";
        a.className = "offscreen";
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(a.href); }, 60000);
        link.setAttribute("data-downloaded", a.download);
      });
    }).catch(function (err) {
      toast(err.message || "The download failed.");
    }).then(function () { clearBusy(link); });
  });
  // fileName returns the file name of a Content-Disposition header, or "".
  function fileName(cd) {
    if (!cd) return "";
    var m = /filename\*=UTF-8''([^;]+)/i.exec(cd);
    if (m) { try { return decodeURIComponent(m[1]); } catch (e) { /* fall through */ } }
    m = /filename="?([^";]+)"?/i.exec(cd);
    return m ? m[1] : "";
  }
  // errorText returns the message of an error page or fragment the portal sent.
  function errorText(body) {
    var doc = new DOMParser().parseFromString(body, "text/html");
    var el = doc.querySelector(".error-page p") || doc.querySelector(".toast span");
    return el ? el.textContent.trim() : "";
  }

  // toast shows an error toast with text.
  function toast(text) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var div = document.createElement("div");
    div.className = "toast error";
    div.setAttribute("role", "alert");
    var span = document.createElement("span");
    span.textContent = text;
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "toast-close";
    btn.setAttribute("aria-label", "Dismiss");
    btn.textContent = "×";
    div.appendChild(span);
    div.appendChild(btn);
    box.appendChild(div);
  }

  // A network failure gets a toast too.
  document.addEventListener("htmx:sendError", function () {
    toast("The portal could not be reached. Check your connection and try again.");
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

// The incident page's tabs (the ARIA tabs pattern over links that htmx loads): Left/Right move
// to the previous or next tab, Home and End to the first or last, and open it; Space opens the
// focused tab. After a tab's panel is swapped in, the selected tab has the focus and the panel's
// top is in view below the sticky header. A change made on the page (a form sent with htmx)
// makes the tab bar reload its counts.
(function () {
  "use strict";

  function tabsOf(tab) {
    var list = tab.closest('[role="tablist"]');
    return list ? Array.prototype.slice.call(list.querySelectorAll('[role="tab"]')) : [];
  }

  document.addEventListener("keydown", function (ev) {
    var tab = ev.target.closest && ev.target.closest('[role="tab"]');
    if (!tab || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var tabs = tabsOf(tab);
    var i = tabs.indexOf(tab);
    var next;
    switch (ev.key) {
      case "ArrowRight": next = tabs[(i + 1) % tabs.length]; break;
      case "ArrowLeft": next = tabs[(i - 1 + tabs.length) % tabs.length]; break;
      case "Home": next = tabs[0]; break;
      case "End": next = tabs[tabs.length - 1]; break;
      case " ": next = tab; break;
      default: return;
    }
    ev.preventDefault();
    tabs.forEach(function (t) { t.tabIndex = t === next ? 0 : -1; });
    next.focus();
    if (next.getAttribute("aria-selected") !== "true" || ev.key === " ") next.click();
  });

  var tabSwapped = false;
  document.addEventListener("htmx:beforeRequest", function (ev) {
    if (ev.detail.elt && ev.detail.elt.getAttribute && ev.detail.elt.getAttribute("role") === "tab") tabSwapped = true;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!tabSwapped) return;
    var panel = document.getElementById("issue-panel");
    var bar = document.getElementById("issue-tabs");
    if (!panel) return;
    tabSwapped = false;
    var selected = document.querySelector('#issue-tabs [role="tab"][aria-selected="true"]');
    if (selected) {
      selected.focus({ preventScroll: true });
    }
    // What stays stuck at the top ends with the tab bar (and the sticky header's border); the
    // panel's top goes a little below it.
    var sticky = document.querySelector(".issue-sticky");
    var below = Math.max(bar ? bar.getBoundingClientRect().bottom : 0, sticky ? sticky.getBoundingClientRect().bottom : 0) + 8;
    var top = panel.getBoundingClientRect().top;
    if (top < below) window.scrollBy(0, Math.floor(top - below));
  });

  // The tab bar scrolls sideways inside itself on a narrow screen: keep the selected tab in it.
  function revealSelectedTab() {
    var tab = document.querySelector('#issue-tabs [role="tab"][aria-selected="true"]');
    var list = tab && tab.parentElement;
    if (!list || list.scrollWidth <= list.clientWidth) return;
    var left = tab.offsetLeft - list.offsetLeft;
    if (left < list.scrollLeft || left + tab.offsetWidth > list.scrollLeft + list.clientWidth) {
      list.scrollLeft = Math.max(0, left - (list.clientWidth - tab.offsetWidth) / 2);
    }
  }
  document.addEventListener("DOMContentLoaded", revealSelectedTab);
  document.addEventListener("htmx:afterSettle", revealSelectedTab);
  window.addEventListener("resize", revealSelectedTab);

  // A successful change sent with htmx from inside the incident page reloads the tab bar.
  document.addEventListener("htmx:afterRequest", function (ev) {
    var cfg = ev.detail.requestConfig;
    var elt = ev.detail.elt;
    if (!ev.detail.successful || !cfg || cfg.verb === "get" || !elt || !elt.closest) return;
    var detail = document.getElementById("issue-detail");
    var bar = document.getElementById("issue-tabs");
    if (detail && bar && detail.contains(elt) && window.htmx) window.htmx.trigger(bar, "issue-changed");
  });

  // The sticky header sits below the sticky top bar, whose height the layout sets.
  function topbarHeight() {
    var bar = document.querySelector(".topbar");
    if (bar) document.documentElement.style.setProperty("--topbar-h", bar.offsetHeight + "px");
  }
  document.addEventListener("DOMContentLoaded", topbarHeight);
  window.addEventListener("resize", topbarHeight);
})();

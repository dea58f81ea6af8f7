/* Member pages: the quick exit, and a history that keeps nothing.
 *
 * Quick exit: the "Leave this site" button, or Shift pressed three times within five
 * seconds, counted as each key comes up (any other key starts the count again, so
 * typing capital letters never triggers it); each press shows on the bar and is
 * announced to screen readers. Leaving clears every form, blanks the page, remembers
 * in this tab that the member left (history_guard.js), replaces this history entry
 * with a neutral site and goes there.
 *
 * History: moving between member pages replaces the current entry instead of adding
 * one (links and the code form by location.replace; the check-in is sent with fetch
 * and its answer shown in place), so the whole visit is one entry, which leaving
 * replaces. A form shown again (Back, the back/forward cache) is emptied first.
 * Without JavaScript the site still works; the history then keeps each page, as the
 * "Browsing safely" page says. */
(function () {
  "use strict";

  var PRESSES_NEEDED = 3;
  var PRESS_WINDOW_MS = 5000;
  var MEMBER_PATHS = /^\/(g\/|c\/|c$|help$|safety$|accessibility$)/;
  var leaving = false;
  var presses = 0;
  var pressTimer = null;
  var otherKeyDown = false;

  function exitUrl() {
    return document.body.getAttribute("data-quick-exit-url") || "https://www.bbc.co.uk/weather";
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function clearForms() {
    var fields = document.querySelectorAll("input, textarea, select");
    Array.prototype.forEach.call(fields, function (field) {
      if (field.type === "hidden" || field.type === "submit" || field.type === "button") {
        return;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = false;
      } else if (field.tagName === "SELECT") {
        field.selectedIndex = -1;
      } else {
        field.value = "";
      }
    });
    Array.prototype.forEach.call(document.forms, function (form) {
      form.reset();
    });
  }

  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    if (leaving) {
      return;
    }
    leaving = true;
    clearForms();
    document.title = "";
    document.body.classList.add("quick-exit-leaving");
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    try {
      window.sessionStorage.clear();
      window.sessionStorage.setItem("quick-exit-left", "1");
    } catch (storageOff) {
      /* storage disabled: nothing to clear, nothing to remember */
    }
    window.location.replace(exitUrl());
  }

  /* --- Shift three times ------------------------------------------------------ */

  function showPresses(count) {
    var indicator = byId("quick-exit-presses");
    var status = byId("quick-exit-status");
    if (indicator) {
      indicator.hidden = count === 0;
      Array.prototype.forEach.call(indicator.children, function (dot, index) {
        dot.classList.toggle("pressed", index < count);
      });
    }
    if (status) {
      var remaining = PRESSES_NEEDED - count;
      status.textContent =
        count === 0 ? "" : remaining <= 0 ? status.getAttribute("data-leaving") : status.getAttribute("data-remaining-" + remaining);
    }
  }

  function resetPresses() {
    presses = 0;
    if (pressTimer) {
      window.clearTimeout(pressTimer);
      pressTimer = null;
    }
    showPresses(0);
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") {
      otherKeyDown = true;
      if (presses) {
        resetPresses();
      }
    }
  });

  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") {
      otherKeyDown = false;
      return;
    }
    if (otherKeyDown) {
      return; /* Shift with a letter: typing, not a press of its own */
    }
    presses += 1;
    if (presses === 1) {
      pressTimer = window.setTimeout(resetPresses, PRESS_WINDOW_MS);
    }
    showPresses(presses);
    if (presses >= PRESSES_NEEDED) {
      leave(event);
    }
  });

  /* --- The sticky bar and keyboard focus ------------------------------------ */

  /* The bar's height (it grows when its text wraps or is zoomed) is measured, not
   * assumed: CSS uses it for scroll-padding-top, so a field or heading scrolled to by
   * keyboard or an in-page link shows below the bar. */
  function measureBar() {
    var bar = byId("quick-exit-bar");
    if (bar) {
      document.documentElement.style.setProperty("--bar-height", bar.offsetHeight + "px");
    }
  }
  measureBar();
  window.addEventListener("resize", measureBar);
  if (window.ResizeObserver) {
    var observer = new window.ResizeObserver(measureBar);
    var observeBar = function () {
      var bar = byId("quick-exit-bar");
      if (bar) {
        observer.observe(bar);
      }
    };
    observeBar();
    document.addEventListener("member:page", observeBar);
  }

  /* Focus moved by keyboard onto a field already on screen but under the bar: the
   * browser does not scroll then, so move the page just enough. Never for a tap or a
   * click: a press on an option's words focuses <main> (tabindex -1) for a moment,
   * and scrolling then would move the page under the finger and lose the tap. */
  var lastPointer = 0;
  function pointerPressed() {
    lastPointer = Date.now();
  }
  document.addEventListener("pointerdown", pointerPressed, true);
  document.addEventListener("mousedown", pointerPressed, true);
  document.addEventListener("touchstart", pointerPressed, { capture: true, passive: true });

  function byKeyboard(target) {
    try {
      return target.matches(":focus-visible");
    } catch (unsupported) {
      return true;
    }
  }

  document.addEventListener("focusin", function (event) {
    var target = event.target;
    var bar = byId("quick-exit-bar");
    if (!bar || bar.contains(target) || Date.now() - lastPointer < 1000 || !byKeyboard(target)) {
      return;
    }
    var barBottom = bar.getBoundingClientRect().bottom;
    var top = target.getBoundingClientRect().top;
    if (top < barBottom + 8) {
      window.scrollBy(0, top - barBottom - 8);
    }
  });

  /* --- One history entry for the whole visit ------------------------------- */

  function isMemberUrl(url) {
    return url.origin === window.location.origin && MEMBER_PATHS.test(url.pathname) && !/\.ics$/.test(url.pathname);
  }

  function showPage(html, url) {
    var page = new window.DOMParser().parseFromString(html, "text/html");
    if (!page.body || !page.body.classList.contains("member")) {
      return false;
    }
    document.title = page.title;
    document.documentElement.replaceChild(document.adoptNode(page.body), document.body);
    if (url && url !== window.location.href) {
      window.history.replaceState(null, "", url);
    }
    window.scrollTo(0, 0);
    measureBar();
    var handled = false;
    var shown = new window.CustomEvent("member:page", { cancelable: true });
    handled = !document.dispatchEvent(shown);
    if (!handled) {
      var main = byId("main");
      if (main) {
        main.focus({ preventScroll: true });
      }
    }
    return true;
  }

  var sending = false;

  function sendInPlace(form) {
    if (sending) {
      return; /* a second tap on Send while the first is on its way */
    }
    sending = true;
    var body = new window.URLSearchParams(new window.FormData(form));
    window
      .fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        cache: "no-store",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("text/html") !== 0) {
          throw new Error("not a page");
        }
        return response.text().then(function (html) {
          if (!showPage(html, response.url)) {
            throw new Error("not a member page");
          }
        });
      })
      .catch(function () {
        form.submit(); /* the page as the browser would get it without this script */
      })
      .then(function () {
        sending = false;
      });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#quick-exit")) {
      leave(event);
      return;
    }
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    if (link.target || link.hasAttribute("download") || link.getAttribute("href").charAt(0) === "#") {
      return;
    }
    var url = new window.URL(link.href);
    if (isMemberUrl(url)) {
      event.preventDefault();
      window.location.replace(url.href);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !window.fetch || !window.URLSearchParams) {
      return;
    }
    var action = new window.URL(form.action || window.location.href);
    if (!isMemberUrl(action)) {
      return;
    }
    event.preventDefault();
    if ((form.getAttribute("method") || "get").toLowerCase() === "post") {
      sendInPlace(form);
    } else {
      action.search = new window.URLSearchParams(new window.FormData(form)).toString();
      window.location.replace(action.href);
    }
  });

  /* A form shown again (Back to this page, or the back/forward cache) starts empty:
   * nobody else should see what was ticked or typed. */
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      clearForms();
    }
  });
  window.addEventListener("pagehide", function () {
    if (!sending) {
      clearForms();
    }
  });

  /* Everything above is in place: a tap from now on keeps the visit one history entry
   * (browser tests wait for this before tapping, as a script loaded with "defer" runs
   * a moment after the page is drawn). */
  document.documentElement.setAttribute("data-member-script", "ready");
})();

/* Quick exit for member pages: the "Leave this site" button, or Shift pressed three
 * times in a row (any other key in between starts the count again, so typing
 * capital letters never triggers it). It blanks the page, clears every form,
 * replaces this history entry with a neutral site and goes there. */
(function () {
  "use strict";

  var body = document.body;
  var exitUrl = body.getAttribute("data-quick-exit-url") || "https://www.bbc.co.uk/weather";
  var bar = document.getElementById("quick-exit-bar");
  var button = document.getElementById("quick-exit");
  var shiftPresses = 0;
  var lastShift = 0;
  var SHIFT_WINDOW_MS = 2000;
  var leaving = false;

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
    body.classList.add("quick-exit-leaving");
    while (body.firstChild) {
      body.removeChild(body.firstChild);
    }
    try {
      window.sessionStorage.clear();
    } catch (ignored) {
      /* storage may be disabled; nothing to clear then */
    }
    window.location.replace(exitUrl);
  }

  if (button) {
    button.addEventListener("click", leave);
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") {
      shiftPresses = 0;
      return;
    }
    if (event.repeat) {
      return;
    }
    var now = Date.now();
    shiftPresses = now - lastShift <= SHIFT_WINDOW_MS ? shiftPresses + 1 : 1;
    lastShift = now;
    if (shiftPresses >= 3) {
      leave(event);
    }
  });

  /* The bar is sticky at the top. Its height (it grows when its text wraps or is
   * zoomed) is measured, not assumed: CSS uses it for scroll-padding-top, so a field
   * or heading scrolled to by keyboard or an in-page link shows below the bar. */
  function measureBar() {
    if (bar) {
      document.documentElement.style.setProperty("--bar-height", bar.offsetHeight + "px");
    }
  }
  measureBar();
  window.addEventListener("resize", measureBar);
  if (bar && window.ResizeObserver) {
    new window.ResizeObserver(measureBar).observe(bar);
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
      return Date.now() - lastPointer > 1000;
    }
  }

  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (!bar || target === button || bar.contains(target) || Date.now() - lastPointer < 1000) {
      return;
    }
    if (!byKeyboard(target)) {
      return;
    }
    var barBottom = bar.getBoundingClientRect().bottom;
    var top = target.getBoundingClientRect().top;
    if (top < barBottom + 8) {
      window.scrollBy(0, top - barBottom - 8);
    }
  });

  /* A page restored from the back/forward cache after leaving stays blank. */
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && leaving) {
      window.location.replace(exitUrl);
    }
  });
})();

// Readings sit behind a <details> disclosure so members choose when to read them.
// A closed <details> prints nothing, so open every passage for printing (and put
// back the ones that were closed afterwards), and wire the "Print" buttons.
// The include that loads this file appears once per session on a member page, so
// the script may run several times: only the first run wires anything.
(function () {
  "use strict";
  if (document.documentElement.hasAttribute("data-readings-ready")) {
    return;
  }
  document.documentElement.setAttribute("data-readings-ready", "");
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = [];
    document.querySelectorAll("details.reading-details:not([open])").forEach(function (el) {
      el.open = true;
      reopened.push(el);
    });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (el) { el.open = false; });
    reopened = [];
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) {
      window.print();
    }
  });
  function showPrintButtons() {
    document.querySelectorAll("[data-print]").forEach(function (el) { el.hidden = false; });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showPrintButtons);
  } else {
    showPrintButtons();
  }
})();

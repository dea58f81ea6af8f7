// Readings sit behind a <details> disclosure so members choose when to read them.
// A closed <details> prints nothing, so open every passage for printing (and put
// back the ones that were closed afterwards), and wire the "Print" buttons.
(function () {
  "use strict";
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
  document.querySelectorAll("[data-print]").forEach(function (el) { el.hidden = false; });
})();

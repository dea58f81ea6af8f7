/* A table wider than its box (.table-scroll) scrolls inside it; this says so above it
 * ("Scroll sideways to see every column.", words from the page so they are translated)
 * for as long as it is wider, rechecked when the window changes size. The shadows at
 * the box's edges (trends.css) show it too, without this script. */
(function () {
  "use strict";
  var script = document.currentScript;
  var words = (script && script.getAttribute("data-hint")) || "";
  var boxes = document.querySelectorAll(".table-scroll");

  function check() {
    Array.prototype.forEach.call(boxes, function (box) {
      var wider = box.scrollWidth > box.clientWidth + 1;
      var hint = box.previousElementSibling;
      if (!hint || !hint.classList.contains("scroll-hint")) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = words;
        box.parentNode.insertBefore(hint, box);
      }
      hint.hidden = !wider;
      box.classList.toggle("is-wider", wider);
    });
  }

  var waiting = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(waiting);
    waiting = window.setTimeout(check, 150);
  });
  check();
})();

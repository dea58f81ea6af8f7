/* The "Print" button of the member-link cards: the browser's own print, shown only when
 * this script runs (the browser's menu prints the page as well). */
(function () {
  "use strict";
  var button = document.getElementById("print-cards");
  if (button && window.print) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  }
})();

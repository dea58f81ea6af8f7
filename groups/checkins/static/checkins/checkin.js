/* Progressive enhancement only: the form works the same without it. After a failed
   send, move focus to the error summary so screen readers announce it and keyboard
   users start there; a summary link then focuses its field rather than only
   scrolling to it. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.focus();
      var question = field.closest(".question");
      (question || field).scrollIntoView({ block: "start" });
    }
  });
})();

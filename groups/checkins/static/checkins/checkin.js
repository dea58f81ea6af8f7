/* Progressive enhancement only: the form works the same without it. After a failed
   send, move focus to the error summary so screen readers announce it and keyboard
   users start there, unless the answers called for help: then the help section at
   the top takes focus (the summary follows it). A summary link focuses its field
   rather than only scrolling to it. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) {
    return;
  }
  var help = document.querySelector(".help-shown .help-now");
  (help || summary).focus();
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

/* Progressive enhancement only: the form works the same without it. After a failed
   send, move focus to the error summary so screen readers announce it and keyboard
   users start there, unless the answers called for help: then the help section at
   the top takes focus (the summary follows it). A summary link focuses its field
   rather than only scrolling to it. quick_exit.js shows the answer to a send in
   place and says so with a "member:page" event; the same focus rules apply then. */
(function () {
  "use strict";

  function focusFirst() {
    var help = document.querySelector(".help-shown .help-now");
    var summary = document.getElementById("error-summary");
    var target = help || summary;
    if (target) {
      target.focus();
    }
    return Boolean(target);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#error-summary a[href^='#']");
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

  document.addEventListener("member:page", function (event) {
    if (focusFirst()) {
      event.preventDefault();
    }
  });

  if (document.getElementById("error-summary")) {
    focusFirst();
  }
})();

/* "Copy" beside an address (templates/includes/copy_field.html): copies it with the
 * clipboard API where the browser allows it; otherwise (an older browser, a page not
 * served securely, a refusal) selects the text and says how to copy it. The words come
 * from the template, so they are translated with the page. */
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-copy-target]");
  Array.prototype.forEach.call(buttons, function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(field.id + "-status");
    button.hidden = false;

    function say(words) {
      status.textContent = words;
    }
    function select() {
      field.focus();
      field.setSelectionRange(0, field.value.length);
      say(button.getAttribute("data-selected"));
    }

    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () {
          say(button.getAttribute("data-copied"));
        }, select);
      } else {
        select();
      }
    });
    // A tap or click in the field takes all of it, not a word of it.
    field.addEventListener("click", function () {
      field.setSelectionRange(0, field.value.length);
    });
  });
})();

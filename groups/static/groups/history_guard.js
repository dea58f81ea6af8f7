/* Loaded in the <head> of every member page, before anything is drawn. After "Leave
 * this site", this tab remembers (sessionStorage, gone when the tab closes) that the
 * member left. A member page reached again by Back or Forward then shows nothing: it
 * hides itself at once and goes to the neutral site in its place. A new visit (a link
 * opened or typed) forgets it, so the member can always come back on purpose. */
(function () {
  "use strict";
  var KEY = "quick-exit-left";
  var script = document.currentScript;
  var exitUrl = (script && script.getAttribute("data-quick-exit-url")) || "https://www.bbc.co.uk/weather";

  function navigationType() {
    try {
      var entry = window.performance.getEntriesByType("navigation")[0];
      return entry ? entry.type : "navigate";
    } catch (unsupported) {
      return "navigate";
    }
  }

  function leaveAgain() {
    document.documentElement.style.visibility = "hidden";
    window.location.replace(exitUrl);
  }

  try {
    if (window.sessionStorage.getItem(KEY)) {
      if (navigationType() === "back_forward") {
        leaveAgain();
      } else {
        window.sessionStorage.removeItem(KEY);
      }
    }
  } catch (storageOff) {
    /* storage disabled: the page is shown; the history still holds one entry */
  }

  /* A page brought back whole from the back/forward cache runs no script again. */
  window.addEventListener("pageshow", function (event) {
    try {
      if (event.persisted && window.sessionStorage.getItem(KEY)) {
        leaveAgain();
      }
    } catch (storageOff) {
      /* nothing to check */
    }
  });
})();

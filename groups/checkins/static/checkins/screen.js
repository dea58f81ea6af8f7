/* The room screen: the count of answers so far, refreshed every five seconds while
 * the page is shown. A number only; the page works (with the count as it loaded)
 * without this script. */
(function () {
  "use strict";
  var count = document.getElementById("screen-count");
  if (!count || !window.fetch) {
    return;
  }
  var url = count.getAttribute("data-count-url");

  function refresh() {
    if (document.hidden) {
      return;
    }
    window
      .fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && data.text && count.textContent !== data.text) {
          count.textContent = data.text;
        }
      })
      .catch(function () {
        /* offline for a moment: keep the last count */
      });
  }

  window.setInterval(refresh, 5000);
})();

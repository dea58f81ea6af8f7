/* The room screen: the count of answers so far, refreshed every five seconds while
 * the page is shown (a number only), and a full-screen button where the browser has
 * one. When the check-in closes (from another tab, or its time is up) the page
 * reloads and says so, so the QR code never stays up for a code that stopped
 * working. The page works, with the count as it loaded, without this script. */
(function () {
  "use strict";
  var full = document.getElementById("screen-fullscreen");
  if (full && document.documentElement.requestFullscreen) {
    full.hidden = false;
    full.addEventListener("click", function () {
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        document.documentElement.requestFullscreen().catch(function () {});
      }
    });
  }

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
        if (!data) {
          return;
        }
        if (data.open === false) {
          window.location.reload();
          return;
        }
        if (data.text && count.textContent !== data.text) {
          count.textContent = data.text;
        }
      })
      .catch(function () {
        /* offline for a moment: keep the last count */
      });
  }

  window.setInterval(refresh, 5000);
})();

// Polls the export's status and shows the download link when it is ready.
(function () {
  "use strict";
  var root = document.getElementById("export");
  if (!root) return;
  var url = root.getAttribute("data-status-url");
  var bar = document.getElementById("export-progress");
  var label = document.getElementById("export-label");
  var download = document.getElementById("export-download");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.value = data.progress;
        bar.textContent = data.progress + "%";
        label.textContent = data.label;
        if (data.status === "done") {
          download.hidden = false;
        } else if (data.status !== "failed") {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  if (download.hidden) poll();
})();

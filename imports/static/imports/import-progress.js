// Import progress: ask the server every two seconds and reload the page when the import
// has finished or failed. Without JavaScript the page has a "Check again" link instead.
(function () {
  "use strict";
  var panel = document.querySelector("[data-import-progress-url]");
  if (!panel) {
    return;
  }
  var url = panel.getAttribute("data-import-progress-url");
  var message = panel.querySelector("[data-import-progress-message]");
  var bar = panel.querySelector("progress");
  function check() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) {
          return;
        }
        if (data.status !== "importing") {
          window.location.reload();
          return;
        }
        if (bar) {
          bar.value = data.progress;
          bar.textContent = data.progress + "%";
        }
        if (message && data.message) {
          message.textContent = data.message;
        }
        window.setTimeout(check, 2000);
      })
      .catch(function () {
        window.setTimeout(check, 5000);
      });
  }
  window.setTimeout(check, 1500);
})();

// Background work in progress (a report compiling, a spreadsheet importing): ask the server every
// two seconds and reload the page once the work is no longer in the state named by
// data-progress-while. Without JavaScript the page has a "Check again" link instead.
(function () {
  "use strict";
  var panel = document.querySelector("[data-progress-url]");
  if (!panel) {
    return;
  }
  var url = panel.getAttribute("data-progress-url");
  var running = panel.getAttribute("data-progress-while");
  var message = panel.querySelector("[data-progress-message]");
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
        if (data.status !== running) {
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

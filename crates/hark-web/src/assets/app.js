// hark dashboard: progressive enhancement only; every page works without this script.
// - forms with data-confirm ask before submitting (deletes, merges, secret rotation);
// - filter selects apply on change;
// - "copy" buttons copy the text of the element they name.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      e.preventDefault();
    }
  });
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.tagName === "SELECT" && el.form && el.form.classList.contains("filters")) {
      el.form.submit();
    }
  });
  document.addEventListener("click", function (e) {
    var button = e.target.closest("button[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent).then(function () {
        button.textContent = "Copied";
      });
    }
  });
})();

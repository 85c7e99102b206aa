/* Small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // htmx requests carry the CSRF token from the page's meta tag (no inline script: strict CSP).
  var csrf = document.querySelector('meta[name="csrf-token"]');
  document.addEventListener("DOMContentLoaded", function () {
    if (csrf && document.body) {
      document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": csrf.content }));
    }
  });

  // <form data-confirm="Delete this ask?"> asks before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Copy buttons: <button data-copy-target="#id">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button || !navigator.clipboard) return;
    var field = document.querySelector(button.getAttribute("data-copy-target"));
    if (!field) return;
    navigator.clipboard.writeText(field.value || field.textContent).then(function () {
      button.textContent = "Copied";
    });
  });

  // After an in-place swap, move focus to the new content so keyboard and
  // screen-reader users know where they are.
  document.addEventListener("htmx:afterSwap", function (event) {
    var focusable = event.detail.target.querySelector("[data-autofocus]");
    if (focusable) focusable.focus();
  });
})();

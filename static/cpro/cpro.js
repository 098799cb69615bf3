// Small behaviours without inline scripts (the CSP forbids them): print buttons, confirmations.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-cpro-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("form[data-cpro-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-cpro-confirm"))) { event.preventDefault(); }
    });
  });
});

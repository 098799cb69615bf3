// « Tous » / « Aucun » on the declaration of a period (the whole level or one class), the count of learners
// chosen, and a submit button that sends its form once (the server also makes a second post harmless).
(function () {
  "use strict";
  function count(form) {
    var out = form.querySelector("[data-cpro-count-learners]");
    if (out) { out.textContent = form.querySelectorAll('input[name="learners"]:checked').length; }
  }
  document.querySelectorAll("form[data-cpro-declare]").forEach(function (form) {
    form.querySelectorAll("[data-cpro-select]").forEach(function (button) {
      button.addEventListener("click", function () {
        var scope = document.getElementById(button.getAttribute("data-cpro-scope")) || form;
        var on = button.getAttribute("data-cpro-select") === "all";
        scope.querySelectorAll('input[name="learners"]').forEach(function (box) { box.checked = on; });
        count(form);
      });
    });
    form.addEventListener("change", function () { count(form); });
    form.addEventListener("submit", function () {
      var button = form.querySelector("[data-cpro-once]");
      if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
    });
  });
})();

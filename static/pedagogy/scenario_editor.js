// Scenario editor: filter the référentiel's items as one types (accents and case ignored), live counters.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("[data-cpro-scenario-editor]");
  if (!form) { return; }
  var fold = function (text) {
    return (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  };
  var input = document.querySelector("[data-cpro-filter]");
  var items = form.querySelectorAll("[data-cpro-item]");
  var apply = function () {
    var needle = fold(input.value.trim());
    items.forEach(function (item) {
      item.hidden = needle !== "" && fold(item.getAttribute("data-cpro-item")).indexOf(needle) === -1;
    });
  };
  if (input) {
    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); } });
    apply();
  }
  var count = function () {
    ["tasks", "competencies", "criteria"].forEach(function (name) {
      var target = form.querySelector('[data-cpro-count="' + name + '"]');
      if (target) { target.textContent = form.querySelectorAll('input[name="' + name + '"]:checked').length; }
    });
  };
  form.addEventListener("change", count);
});

// Show the protective-custody fields only for categories that need them.
(function () {
  function update(form) {
    var select = form.querySelector("select[name=category]");
    var box = form.querySelector(".custody-fields");
    if (!select || !box) return;
    var codes = JSON.parse(form.dataset.custodyIds || "[]");
    box.hidden = codes.indexOf(Number(select.value)) === -1;
  }
  function bind(root) {
    root.querySelectorAll("form.counter-form").forEach(function (form) {
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:afterSwap", function (event) { bind(event.target); });
})();

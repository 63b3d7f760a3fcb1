/* Recording a patrol: choosing another group reloads the form with that group's members and vehicles. */
(function () {
  "use strict";
  const select = document.getElementById("id_group");
  if (!select) return;
  select.addEventListener("change", function () {
    window.location.search = "?group=" + encodeURIComponent(select.value);
  });
})();

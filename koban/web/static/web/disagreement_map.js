/* The towns where derived beats and the police's labels disagree, on a map (run page of a derivation).
 * Drawn when the page loads and again when the run's status is swapped in as it finishes. */
(function () {
  "use strict";

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  const SHADES = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];

  function draw(element) {
    if (element.classList.contains("map-ready")) return;
    const data = JSON.parse(document.getElementById(element.dataset.disagreements).textContent);
    const map = L.map(element, { zoomControl: true });
    element.classList.add("map-ready", "no-tiles");
    const layer = L.geoJSON(data, {
      style: function (f) {
        const p = f.properties;
        const share = p.rows ? 1 - p.agreeing / p.rows : 0;
        return { color: "#555", weight: 1, fillColor: SHADES[Math.min(4, Math.floor(share * 5))], fillOpacity: 0.7 };
      },
      onEachFeature: function (f, l) {
        const p = f.properties;
        const labels = Object.entries(p.labels || {}).map(function ([box, n]) {
          return escapeHtml(box) + " " + escapeHtml(n);
        }).join(", ");
        l.bindTooltip(escapeHtml(p.town) + " → " + escapeHtml(p.box) + " (" + escapeHtml(p.agreeing) + "/" +
          escapeHtml(p.rows) + ")<br>" + labels);
      },
    }).addTo(map);
    const bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20] });
  }

  function drawAll() { document.querySelectorAll("[data-disagreements]").forEach(draw); }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.body.addEventListener("htmx:afterSwap", drawAll);
  drawAll();
})();

/* Incident counts on a map: sized circles for boxes, shaded beats. No base tiles: the map is the data. */
(function () {
  "use strict";

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // Five shades from light to dark blue, by the share of the largest count.
  const SHADES = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];

  function shade(count, most) {
    if (!most) return SHADES[0];
    return SHADES[Math.min(SHADES.length - 1, Math.floor((count / most) * SHADES.length))];
  }

  function draw(element) {
    const data = JSON.parse(document.getElementById(element.dataset.counts).textContent);
    const map = L.map(element, { zoomControl: true });
    element.classList.add("map-ready", "no-tiles");
    const most = Math.max.apply(null, [0].concat(data.features.map(function (f) { return f.properties.incidents; })));
    function label(f) {
      return escapeHtml(f.properties.name) + ": " + escapeHtml(f.properties.incidents);
    }
    const layer = L.geoJSON(data, {
      style: function (f) {
        return { color: "#333", weight: 1, fillColor: shade(f.properties.incidents, most), fillOpacity: 0.75 };
      },
      pointToLayer: function (f, latlng) {
        // Circle area proportional to the count (radius by the square root).
        const radius = 4 + 26 * Math.sqrt(most ? f.properties.incidents / most : 0);
        return L.circleMarker(latlng, { radius: radius, color: "#08519c", weight: 1, fillColor: "#3182bd", fillOpacity: 0.6 });
      },
      onEachFeature: function (f, l) { l.bindTooltip(label(f)); },
    }).addTo(map);
    const bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20] });
    } else {
      map.setView([35.68, 139.76], 10);
    }
  }

  document.querySelectorAll("[data-counts]").forEach(draw);
})();

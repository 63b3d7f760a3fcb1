/* The map of one incident's page: the incident's point, its beat's outline and its box, drawn from the
 * GeoJSON embedded in the page (vector shapes: no tile server is needed). */
(function () {
  "use strict";

  function init() {
    const element = document.getElementById("incident-map");
    const source = document.getElementById("incident-map-config");
    if (!element || !source || typeof L === "undefined") return;
    const config = JSON.parse(source.textContent);
    const map = L.map(element, { scrollWheelZoom: false });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else {
      element.classList.add("no-tiles");
    }
    const shown = L.featureGroup().addTo(map);
    if (config.beat) {
      L.geoJSON(config.beat, { style: { color: "#4e79a7", weight: 2, fillOpacity: 0.08 } })
        .bindTooltip(config.labels.beat)
        .addTo(shown);
    }
    if (config.box) {
      const box = config.box.coordinates;
      L.circleMarker([box[1], box[0]], { radius: 7, color: "#10294f", fillColor: "#10294f", fillOpacity: 0.9 })
        .bindTooltip(config.labels.box)
        .addTo(shown);
    }
    if (config.incident) {
      const point = config.incident.coordinates;
      L.circleMarker([point[1], point[0]], { radius: 9, color: "#b3261e", fillColor: "#e15759", fillOpacity: 0.9 })
        .bindTooltip(config.labels.incident, { permanent: true, direction: "top" })
        .addTo(shown);
    }
    const bounds = shown.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
    } else {
      map.setView([35.68, 139.76], 12);
    }
    element.dataset.ready = String(shown.getLayers().length);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/* Alert maps: show an alert's area, or draw polygons into a hidden GeoJSON field (new alert, sign-up).
 * Vector layers only unless a tile URL is configured. */
(function () {
  "use strict";

  function start(element) {
    const configElement = document.getElementById(element.dataset.alertMap);
    const config = configElement ? JSON.parse(configElement.textContent) : null;
    const map = L.map(element).setView([35.68, 139.76], 12);
    if (config && config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else {
      element.classList.add("no-tiles");
    }
    const area = config && (config.type === "Feature" ? config : config.area);
    if (area) {
      const layer = L.geoJSON(area, { style: { color: "#c0392b", weight: 2 } }).addTo(map);
      if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [20, 20] });
    }
    const input = element.dataset.input && document.getElementById(element.dataset.input);
    if (!input || !L.Control.Draw) return;
    const drawn = new L.FeatureGroup().addTo(map);
    map.addControl(new L.Control.Draw({
      draw: { polygon: { shapeOptions: { color: "#c0392b" } }, polyline: false, rectangle: false, circle: false, marker: false, circlemarker: false },
      edit: { featureGroup: drawn },
    }));
    function store() {
      const polygons = [];
      drawn.eachLayer(function (layer) { polygons.push(layer.toGeoJSON().geometry.coordinates); });
      input.value = polygons.length ? JSON.stringify({ type: "MultiPolygon", coordinates: polygons }) : "";
      element.dataset.polygons = String(polygons.length);
    }
    map.on(L.Draw.Event.CREATED, function (event) { drawn.addLayer(event.layer); store(); });
    map.on(L.Draw.Event.EDITED, store);
    map.on(L.Draw.Event.DELETED, store);
  }

  document.querySelectorAll("[data-alert-map]").forEach(function (element) {
    try { start(element); } catch (error) { console.error(error); element.classList.add("map-error"); }
  });
})();

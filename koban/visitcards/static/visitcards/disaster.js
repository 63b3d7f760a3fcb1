/* Disaster safety check map: draw the affected area (Leaflet.draw polygon) into the form's hidden
 * input, or show the area of an open check. Vector layers only unless a tile URL is configured. */
(function () {
  "use strict";

  function setUp(element) {
    const config = JSON.parse(document.getElementById(element.dataset.disasterMap).textContent);
    const map = L.map(element, { zoomControl: true });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else {
      element.classList.add("no-tiles");
    }
    map.setView([35.68, 139.76], 11);
    fetch(config.layers.beats, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { features: [] }; })
      .then(function (data) {
        const beats = L.geoJSON(data, { style: { color: "#555", weight: 1, fill: false } }).addTo(map);
        if (!element.dataset.area && beats.getBounds().isValid()) map.fitBounds(beats.getBounds());
      })
      .catch(function (e) { console.error(e); })
      .finally(function () { element.classList.add("map-loaded"); });
    if (element.dataset.area) {
      const area = L.geoJSON(JSON.parse(JSON.parse(document.getElementById(element.dataset.area).textContent)),
        { style: { color: "#b3261e", weight: 2 } }).addTo(map);
      map.fitBounds(area.getBounds(), { padding: [20, 20] });
    }
    const inputId = element.dataset.areaInput;
    if (inputId && L.Control.Draw) {
      const input = document.getElementById(inputId);
      const drawn = new L.FeatureGroup().addTo(map);
      map.addControl(new L.Control.Draw({
        draw: { polygon: { shapeOptions: { color: "#b3261e" } }, polyline: false, rectangle: false, circle: false, marker: false, circlemarker: false },
        edit: { featureGroup: drawn },
      }));
      function store() {
        let geometry = null;
        drawn.eachLayer(function (layer) { geometry = layer.toGeoJSON().geometry; });
        input.value = geometry ? JSON.stringify(geometry) : "";
        element.dataset.drawn = geometry ? "1" : "0";
      }
      map.on(L.Draw.Event.CREATED, function (event) { drawn.clearLayers(); drawn.addLayer(event.layer); store(); });
      map.on(L.Draw.Event.EDITED, store);
      map.on(L.Draw.Event.DELETED, store);
    }
    element.classList.add("map-ready");
  }

  document.querySelectorAll("[data-disaster-map]").forEach(setUp);
})();

/* Intake map: click to place the incident; the latitude and longitude fields follow, and typing in
 * them moves the marker. Beats and boxes are drawn from the GeoJSON API for orientation. */
(function () {
  "use strict";

  async function fetchAll(url) {
    const features = [];
    let next = url;
    while (next) {
      const response = await fetch(next, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return { type: "FeatureCollection", features: features };
      const page = await response.json();
      features.push.apply(features, page.features || []);
      next = page.next || null;
    }
    return { type: "FeatureCollection", features: features };
  }

  function init() {
    const element = document.getElementById("intake-map");
    if (!element || typeof L === "undefined") return;
    const config = JSON.parse(document.getElementById("intake-map-config").textContent);
    const lat = document.getElementById("id_lat");
    const lon = document.getElementById("id_lon");
    const map = L.map(element).setView([35.68, 139.76], 10);
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else {
      element.classList.add("no-tiles");
    }
    let marker = null;
    function place(latlng, pan) {
      if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng).addTo(map);
      if (pan) map.panTo(latlng);
    }
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
      place(event.latlng, false);
    });
    function typed() {
      const y = parseFloat(lat.value), x = parseFloat(lon.value);
      if (isFinite(y) && isFinite(x) && Math.abs(y) <= 90 && Math.abs(x) <= 180) place([y, x], true);
    }
    lat.addEventListener("change", typed);
    lon.addEventListener("change", typed);
    Promise.all([fetchAll(config.layers.beats), fetchAll(config.layers.boxes)]).then(function (layers) {
      const beats = L.geoJSON(layers[0], { style: { color: "#4e79a7", weight: 1, fillOpacity: 0.08 } }).addTo(map);
      L.geoJSON(layers[1], {
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { radius: 5, color: "#10294f", fillOpacity: 0.9 })
            .bindTooltip(feature.properties.name);
        },
      }).addTo(map);
      if (beats.getLayers().length) map.fitBounds(beats.getBounds());
      typed();
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();

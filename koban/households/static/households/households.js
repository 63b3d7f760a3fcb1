/* Household visit pages: the worklist route, placing an address by clicking, and the coverage map.
 * Vector layers only (no tile server unless the deployment configures one). */
(function () {
  "use strict";

  function json(id) { return JSON.parse(document.getElementById(id).textContent); }

  function baseMap(element) {
    const config = json(element.dataset.mapConfig);
    const map = L.map(element, { zoomControl: true });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else {
      element.classList.add("no-tiles");
    }
    element.classList.add("map-ready");
    return map;
  }

  function fit(map, layer, fallback) {
    const bounds = layer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12] }); } else { map.setView(fallback, 15); }
  }

  function worklistMap(element) {
    const route = json(element.dataset.route);
    const map = baseMap(element);
    const group = L.featureGroup().addTo(map);
    L.geoJSON(route.beats, { style: { color: "#555", weight: 2, fill: false, dashArray: "6 4" } }).addTo(group);
    L.polyline(route.line.map(function (p) { return [p[1], p[0]]; }), { color: "#1f5fbf", weight: 3 }).addTo(group);
    L.circleMarker([route.box[1], route.box[0]], { radius: 8, color: "#c0392b", fillOpacity: 0.9 }).addTo(group);
    route.stops.forEach(function (stop) {
      const icon = L.divIcon({ className: "route-number", html: String(stop.n), iconSize: [20, 20] });
      const marker = L.marker([stop.lat, stop.lon], { icon: icon, title: stop.label }).addTo(group);
      marker.on("click", function () {
        const item = document.getElementById("stop-" + stop.id);
        if (item) { item.scrollIntoView({ behavior: "smooth" }); }
      });
    });
    fit(map, group, [route.box[1], route.box[0]]);
    element.classList.add("map-loaded");
  }

  function placeMap(element) {
    const beats = json(element.dataset.placeMap);
    const map = baseMap(element);
    const outline = L.geoJSON(beats, { style: { color: "#1f5fbf", weight: 2, fillOpacity: 0.05 } }).addTo(map);
    fit(map, outline, [35.68, 139.76]);
    const lon = document.getElementById("id_lon");
    const lat = document.getElementById("id_lat");
    let marker = null;
    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
      lon.value = latlng.lng.toFixed(6);
      lat.value = latlng.lat.toFixed(6);
    }
    if (lon.value && lat.value) { place(L.latLng(parseFloat(lat.value), parseFloat(lon.value))); }
    map.on("click", function (event) { place(event.latlng); });
    outline.on("click", function (event) { place(event.latlng); });
    element.classList.add("map-loaded");
  }

  function colour(share) {
    if (share === null || share === undefined) { return "#bbbbbb"; }
    if (share >= 0.8) { return "#1a9850"; }
    if (share >= 0.6) { return "#91cf60"; }
    if (share >= 0.4) { return "#fee08b"; }
    if (share >= 0.2) { return "#fc8d59"; }
    return "#d73027";
  }

  function coverageMap(element) {
    const beats = json(element.dataset.coverageMap);
    const map = baseMap(element);
    const layer = L.geoJSON(beats, {
      style: function (f) { return { color: "#444", weight: 1, fillColor: colour(f.properties.share_visited), fillOpacity: 0.6 }; },
      onEachFeature: function (f, l) {
        const p = f.properties;
        const share = p.share_visited === null || p.share_visited === undefined ? "—" : Math.round(p.share_visited * 100) + " %";
        l.bindTooltip(String(p.code) + ": " + share + " (" + p.households + ")");
      },
    }).addTo(map);
    fit(map, layer, [35.68, 139.76]);
    element.classList.add("map-loaded");
  }

  document.querySelectorAll("[data-route]").forEach(worklistMap);
  document.querySelectorAll("[data-place-map]").forEach(placeMap);
  document.querySelectorAll("[data-coverage-map]").forEach(coverageMap);
})();

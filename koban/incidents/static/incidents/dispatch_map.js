/* Dispatch panel map: the incident, the suggested officers and patrol cars, and their ways to it.
 * Configuration comes from a json_script element. Road ways are solid, straight lines dashed. No base
 * tiles unless the deployment configures a tile URL, so the map works with no tile server. Leaflet is
 * loaded here only when the page has not loaded it already. */
(function () {
  "use strict";

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function withLeaflet(config, then) {
    if (window.L) return then();
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = config.leafletCss;
    document.head.appendChild(css);
    const script = document.createElement("script");
    script.src = config.leafletJs;
    script.onload = then;
    document.head.appendChild(script);
  }

  function tooltip(config, c) {
    const minutes = (c.travel_s / 60).toFixed(1);
    const how = config.labels[c.method] || c.method;
    return escapeHtml(c.label) + " · " + escapeHtml(c.box_name) + "<br>" +
      escapeHtml(minutes + " " + config.labels.min) + " · " + Math.round(c.distance_m) + " m " + escapeHtml(how);
  }

  function draw(element, config) {
    const map = L.map(element, { zoomControl: true });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else {
      element.classList.add("no-tiles");
    }
    const here = [config.incident.lat, config.incident.lon];
    const bounds = L.latLngBounds([here]);
    config.candidates.forEach(function (c, i) {
      const road = c.method === "road";
      const line = c.route.coordinates.map(function (p) { return [p[1], p[0]]; });
      L.polyline(line, {
        className: "dispatch-route " + (road ? "route-road" : "route-straight"),
        color: i === 0 ? "#1a7f37" : "#4e79a7",
        weight: i === 0 ? 5 : 3,
        opacity: 0.85,
        dashArray: road ? null : "6 6",
      }).bindTooltip(tooltip(config, c)).addTo(map);
      const start = line[line.length - 1];
      L.circleMarker(start, {
        className: "dispatch-candidate " + c.kind + (c.preempts ? " preempts" : ""),
        radius: c.kind === "unit" ? 8 : 6,
        color: "#fff",
        weight: 2,
        fillColor: c.preempts ? "#b26b00" : (c.kind === "unit" ? "#10294f" : "#4e79a7"),
        fillOpacity: 1,
      }).bindTooltip(tooltip(config, c)).addTo(map);
      line.forEach(function (p) { bounds.extend(p); });
    });
    L.circleMarker(here, {
      className: "dispatch-incident", radius: 9, color: "#fff", weight: 2, fillColor: "#b3261e", fillOpacity: 1,
    }).bindTooltip(escapeHtml(config.incident.label)).addTo(map);
    map.fitBounds(bounds.pad(0.15), { maxZoom: 17 });
    L.control.scale({ imperial: false }).addTo(map);
    element.dataset.routes = String(config.candidates.length);
  }

  function start() {
    document.querySelectorAll("[data-dispatch-map]").forEach(function (element) {
      const config = JSON.parse(document.getElementById(element.dataset.dispatchMap).textContent);
      withLeaflet(config, function () { draw(element, config); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

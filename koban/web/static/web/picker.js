/* Map picker (koban.lib.widgets.MapPickerInput): tap the map to set a place; the latitude and longitude
 * fields of the same form follow, and typing in them moves the marker. Leaflet is loaded on demand when
 * the page has not loaded it; the beats are drawn for orientation, so no tile server is needed. */
(function () {
  "use strict";

  function loadLeaflet(element) {
    if (typeof L !== "undefined") return Promise.resolve();
    if (!loadLeaflet.pending) {
      loadLeaflet.pending = new Promise(function (resolve, reject) {
        const css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = element.dataset.leafletCss;
        document.head.appendChild(css);
        const script = document.createElement("script");
        script.src = element.dataset.leafletJs;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loadLeaflet.pending;
  }

  async function fetchAll(url) {
    const features = [];
    let next = url;
    while (next) {
      const response = await fetch(next, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) break;
      const page = await response.json();
      features.push.apply(features, page.features || []);
      next = page.next || null;
    }
    return { type: "FeatureCollection", features: features };
  }

  function field(element, name) {
    const scope = element.closest("form") || document;
    return scope.querySelector("input[name='" + name + "']");
  }

  function typedPoint(lat, lon) {
    const y = parseFloat(lat.value), x = parseFloat(lon.value);
    return isFinite(y) && isFinite(x) && Math.abs(y) <= 90 && Math.abs(x) <= 180 ? L.latLng(y, x) : null;
  }

  function picker(element) {
    const lat = field(element, element.dataset.latName);
    const lon = field(element, element.dataset.lonName);
    if (!lat || !lon) return;
    const map = L.map(element, { tap: true }).setView([35.68, 139.76], 10);
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, { attribution: element.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else {
      element.classList.add("no-tiles");
    }
    let marker = null;
    function place(latlng, pan) {
      if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng).addTo(map);
      if (pan) map.setView(latlng, Math.max(map.getZoom(), 15));
    }
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
      place(event.latlng, false);
      lat.dispatchEvent(new Event("input", { bubbles: true }));
    });
    function typed() {
      const point = typedPoint(lat, lon);
      if (point) place(point, true);
    }
    lat.addEventListener("change", typed);
    lon.addEventListener("change", typed);
    fetchAll(element.dataset.beatsUrl).then(function (beats) {
      const layer = L.geoJSON(beats, {
        style: { color: "#4e79a7", weight: 1, fillOpacity: 0.06 },
        onEachFeature: function (feature, shape) {
          // A tap inside a beat still places the point (the shape would otherwise take the click).
          shape.on("click", function (event) { map.fire("click", event); });
        },
      }).addTo(map);
      const point = typedPoint(lat, lon);
      if (point) place(point, true);
      else if (layer.getLayers().length) map.fitBounds(layer.getBounds());
      element.classList.add("map-loaded");
    });
  }

  function start() {
    const elements = document.querySelectorAll("[data-map-picker]:not(.picker-started)");
    elements.forEach(function (element) { element.classList.add("picker-started"); });
    if (!elements.length) return;
    loadLeaflet(elements[0]).then(function () {
      elements.forEach(function (element) {
        try { picker(element); } catch (error) { console.error(error); element.classList.add("map-failed"); }
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

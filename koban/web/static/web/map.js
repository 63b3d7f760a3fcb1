/* Koban network map: vector layers from the GeoJSON API, drawn with Leaflet.
 * No base tiles unless the deployment configures a tile URL, so the map works offline. */
(function () {
  "use strict";

  const KIND_COLOURS = ["#1f5fbf", "#c0392b", "#2e8b57", "#8e44ad", "#d35400"];
  const BEAT_COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  async function fetchAll(url) {
    // The API pages GeoJSON; follow "next" links until the collection is complete.
    const features = [];
    let next = url;
    while (next) {
      const response = await fetch(next, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      const page = await response.json();
      features.push.apply(features, page.features || []);
      next = page.next || null;
    }
    return { type: "FeatureCollection", features: features };
  }

  function kindColour(config, kind) {
    const codes = Object.keys(config.kinds);
    const index = Math.max(0, codes.indexOf(kind));
    return KIND_COLOURS[index % KIND_COLOURS.length];
  }

  async function drawMap(element) {
    const config = JSON.parse(document.getElementById(element.dataset.mapConfig).textContent);
    const map = L.map(element, { zoomControl: true });
    element.classList.add("map-ready");
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else {
      element.classList.add("no-tiles");
    }
    map.setView([35.68, 139.76], 10);
    const labels = config.labels;
    const overlays = {};
    const loaded = {};
    const tasks = Object.entries(config.layers).map(async function ([name, url]) {
      try {
        loaded[name] = await fetchAll(url);
      } catch (error) {
        console.error(error);
        loaded[name] = { type: "FeatureCollection", features: [] };
      }
    });
    await Promise.all(tasks);

    const areas = L.geoJSON(loaded.areas, {
      style: { color: "#555", weight: 2, fill: false, dashArray: "6 4" },
      onEachFeature: function (f, layer) { layer.bindTooltip(escapeHtml(f.properties.name)); },
    });
    const towns = L.geoJSON(loaded.towns, {
      style: { color: "#999", weight: 0.6, fillOpacity: 0 },
      onEachFeature: function (f, layer) {
        layer.bindPopup("<strong>" + escapeHtml(f.properties.name) + "</strong><br>" +
          escapeHtml(labels.population) + ": " + escapeHtml(f.properties.population) + "<br>" +
          escapeHtml(labels.households) + ": " + escapeHtml(f.properties.households));
      },
    });
    const beats = L.geoJSON(loaded.beats, {
      style: function (f) {
        const focus = config.focusBeat && f.id === config.focusBeat;
        return {
          className: "beat-shape",
          color: focus ? "#111" : "#333",
          weight: focus ? 3 : 1,
          fillColor: BEAT_COLOURS[f.properties.box % BEAT_COLOURS.length],
          fillOpacity: focus ? 0.45 : 0.25,
        };
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(escapeHtml(f.properties.box_name) + " (" + escapeHtml(f.properties.code) + ")");
      },
    });
    const stations = L.geoJSON(loaded.stations, {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 9, color: "#000", weight: 2, fillColor: "#ffd400", fillOpacity: 1 });
      },
      onEachFeature: function (f, layer) { layer.bindTooltip(escapeHtml(f.properties.name)); },
    });
    const boxes = L.geoJSON(loaded.boxes, {
      pointToLayer: function (f, latlng) {
        const kind = config.kinds[f.properties.kind] || {};
        return L.circleMarker(latlng, {
          className: "box-marker box-" + f.properties.kind,
          radius: kind.residential ? 5 : 6,
          color: "#fff", weight: 1.5,
          fillColor: kindColour(config, f.properties.kind), fillOpacity: 1,
        });
      },
      onEachFeature: function (f, layer) {
        const url = config.boxUrl.replace("/0/", "/" + f.id + "/");
        layer.bindPopup("<strong>" + escapeHtml(f.properties.name) + "</strong> · " + escapeHtml(f.properties.kind_label) +
          "<br>" + escapeHtml(labels.station) + ": " + escapeHtml(f.properties.station_name) +
          "<br><a href='" + url + "'>" + escapeHtml(labels.open) + "</a>");
      },
    });

    [areas, beats, stations, boxes].forEach(function (layer) { layer.addTo(map); });
    overlays[labels.areas] = areas;
    overlays[labels.towns] = towns;
    overlays[labels.beats] = beats;
    overlays[labels.stations] = stations;
    overlays[labels.boxes] = boxes;
    L.control.layers(null, overlays, { collapsed: !!config.compact }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);

    let bounds = null;
    if (config.focusBeat) {
      beats.eachLayer(function (layer) { if (layer.feature.id === config.focusBeat) bounds = layer.getBounds(); });
    }
    if (!bounds && config.focusBox) {
      boxes.eachLayer(function (layer) { if (layer.feature.id === config.focusBox) bounds = L.latLngBounds([layer.getLatLng()]).pad(0.02); });
    }
    if (!bounds) {
      const all = L.featureGroup([beats, boxes, areas]);
      if (all.getBounds().isValid()) bounds = all.getBounds();
    }
    if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 });
    element.dataset.beats = String(loaded.beats.features.length);
    element.dataset.boxes = String(loaded.boxes.features.length);
    element.classList.add("map-loaded");
  }

  document.querySelectorAll("[data-map-config]").forEach(function (element) {
    drawMap(element).catch(function (error) { console.error(error); element.classList.add("map-error"); });
  });
})();

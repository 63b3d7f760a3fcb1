/* Patrol maps: draw a route (Leaflet.draw), show a patrol with its stops, observations and cards,
 * and colour a beat's streets by coverage. Vector layers only unless a tile URL is configured. */
(function () {
  "use strict";

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function baseMap(element, config) {
    const map = L.map(element, { zoomControl: true });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else {
      element.classList.add("no-tiles");
    }
    map.setView([35.68, 139.76], 12);
    let bounds = null;
    if (config.beat) {
      const beat = L.geoJSON(config.beat, { style: { color: "#555", weight: 2, fill: false, dashArray: "6 4" } }).addTo(map);
      bounds = beat.getBounds();
    }
    return { map: map, bounds: bounds };
  }

  function fit(map, bounds) {
    if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20] });
  }

  function fillCoordinates(latlng) {
    // Clicking the map fills the longitude/latitude of the forms under it.
    document.querySelectorAll("input[name$='lon']").forEach(function (input) { input.value = latlng.lng.toFixed(6); });
    document.querySelectorAll("input[name$='lat']").forEach(function (input) { input.value = latlng.lat.toFixed(6); });
  }

  function drawMode(element, config) {
    const made = baseMap(element, config);
    const map = made.map;
    const drawn = new L.FeatureGroup().addTo(map);
    const input = document.getElementById(config.routeInput);
    if (input && input.value) {
      try { L.geoJSON(JSON.parse(input.value)).eachLayer(function (l) { drawn.addLayer(l); }); } catch (e) { console.error(e); }
    }
    map.addControl(new L.Control.Draw({
      draw: { polyline: { shapeOptions: { color: "#1f5fbf", weight: 4 } }, polygon: false, rectangle: false, circle: false, marker: false, circlemarker: false },
      edit: { featureGroup: drawn },
    }));
    function store() {
      const lines = [];
      drawn.eachLayer(function (layer) {
        const geometry = layer.toGeoJSON().geometry;
        if (geometry.type === "LineString") lines.push(geometry.coordinates);
      });
      input.value = lines.length ? JSON.stringify({ type: "MultiLineString", coordinates: lines }) : "";
      element.dataset.lines = String(lines.length);
    }
    map.on(L.Draw.Event.CREATED, function (event) { drawn.addLayer(event.layer); store(); });
    map.on(L.Draw.Event.EDITED, store);
    map.on(L.Draw.Event.DELETED, store);
    fit(map, made.bounds);
  }

  function tapMode(element, config) {
    // Phone first: each tap on the map adds a corner of the route, and the server joins the corners
    // along the streets (straight lines where no street is near, and the page says so). No Ctrl-click,
    // no drawing toolbar: "Undo" drops the last corner, "Clear" starts again.
    const made = baseMap(element, config);
    const map = made.map;
    if (config.streets) {
      // The streets under the drawing, so the officer sees where the route can go.
      L.geoJSON(config.streets, { interactive: false, style: { color: "#8a94a3", weight: 3, opacity: 0.8, className: "street" } }).addTo(map);
    }
    const input = document.getElementById(config.routeInput);
    const form = document.getElementById(config.form);
    const note = document.getElementById(config.snapNote);
    const line = L.polyline([], { color: "#1f5fbf", weight: 5, className: "patrol-route" }).addTo(map);
    const corners = L.layerGroup().addTo(map);
    let taps = [];
    let asked = 0;
    function tell(text) {
      note.textContent = text || "";
      note.hidden = !text;
    }
    function show(coordinates) {
      line.setLatLngs(coordinates.map(function (c) { return [c[1], c[0]]; }));
      input.value = coordinates.length >= 2 ? JSON.stringify({ type: "MultiLineString", coordinates: [coordinates] }) : "";
      element.dataset.corners = String(taps.length);
    }
    function redraw() {
      corners.clearLayers();
      taps.forEach(function (t) {
        L.circleMarker([t[1], t[0]], { radius: 6, color: "#10294f", fillColor: "#fff", fillOpacity: 1, className: "route-corner", interactive: false }).addTo(corners);
      });
      show(taps);
      if (taps.length < 2 || !config.snapUrl) { element.dataset.snapped = "0/0"; return; }
      const mine = ++asked;
      const token = form.querySelector("input[name=csrfmiddlewaretoken]");
      delete element.dataset.snapped;
      fetch(config.snapUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token ? token.value : "" },
        body: JSON.stringify({ points: taps }),
      }).then(function (response) {
        return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
      }).then(function (result) {
        if (mine !== asked) return; // an answer for an earlier set of corners arrived late
        if (!result.ok) { tell(result.answer.error || ""); return; }
        show(result.answer.coordinates);
        tell(result.answer.note || (config.streets ? "" : config.noStreets));
        element.dataset.snapped = result.answer.on_roads.filter(Boolean).length + "/" + result.answer.on_roads.length;
      }).catch(function (error) { console.error(error); });
    }
    map.on("click", function (event) {
      taps.push([Number(event.latlng.lng.toFixed(7)), Number(event.latlng.lat.toFixed(7))]);
      redraw();
    });
    document.querySelectorAll("[data-route-undo]").forEach(function (button) {
      button.addEventListener("click", function () { taps.pop(); redraw(); });
    });
    document.querySelectorAll("[data-route-clear]").forEach(function (button) {
      button.addEventListener("click", function () { taps = []; redraw(); });
    });
    if (input.value) {
      // Back from a refused form: the route drawn before (already along the streets) is the start.
      try { taps = JSON.parse(input.value).coordinates[0] || []; } catch (e) { taps = []; }
      show(taps);
    }
    if (!config.streets) tell(config.noStreets || "");
    fit(map, made.bounds);
  }

  function detailMode(element, config) {
    const made = baseMap(element, config);
    const map = made.map;
    const data = config.patrol;
    const route = L.geoJSON(data.route, { style: { color: "#1f5fbf", weight: 4 } }).addTo(map);
    const layers = [
      ["stops", "#2e8b57"], ["observations", "#c0392b"], ["cards", "#8e44ad"],
    ];
    layers.forEach(function (pair) {
      L.geoJSON({ type: "FeatureCollection", features: data[pair[0]] }, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 7, color: pair[1], fillOpacity: 0.8, className: "patrol-" + pair[0] });
        },
        onEachFeature: function (f, layer) { layer.bindTooltip(escapeHtml(f.properties.label)); },
      }).addTo(map);
    });
    fit(map, route.getBounds());
    map.on("click", function (event) { fillCoordinates(event.latlng); });
  }

  function coverageMode(element, config) {
    const made = baseMap(element, config);
    const map = made.map;
    if (config.coverage) {
      const layer = L.geoJSON(config.coverage, {
        style: function (f) {
          const covered = f.properties.covered;
          const isLine = f.geometry.type.indexOf("Line") >= 0;
          return isLine
            ? { color: covered ? "#2e8b57" : "#c0392b", weight: 5, className: covered ? "segment-covered" : "segment-uncovered" }
            : { color: covered ? "#2e8b57" : "#c0392b", weight: 1, fillOpacity: 0.3, className: covered ? "cell-covered" : "cell-uncovered" };
        },
        onEachFeature: function (f, layer) {
          const p = f.properties;
          layer.bindTooltip(escapeHtml((p.name || "") + (p.fraction != null ? " " + Math.round(p.fraction * 100) + "%" : "")));
        },
      }).addTo(map);
      fit(map, made.bounds || layer.getBounds());
    } else {
      fit(map, made.bounds);
    }
  }

  document.querySelectorAll("[data-patrol-map]").forEach(function (element) {
    const config = JSON.parse(document.getElementById(element.dataset.patrolMap).textContent);
    try {
      if (config.mode === "draw") drawMode(element, config);
      else if (config.mode === "tap") tapMode(element, config);
      else if (config.mode === "detail") detailMode(element, config);
      else if (config.mode === "coverage") coverageMode(element, config);
      element.classList.add("map-loaded");
    } catch (error) {
      console.error(error);
      element.classList.add("map-failed");
    }
  });
})();

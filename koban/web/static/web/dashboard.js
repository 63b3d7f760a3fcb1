/* Box dashboard map: the beat outline and the latest incidents by category, last 7 or 30 days.
 * Same pattern as map.js: configuration from a json_script element, no base tiles unless the
 * deployment configures a tile URL, so the page works offline. */
(function () {
  "use strict";

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function drawDashboardMap(element) {
    const config = JSON.parse(document.getElementById(element.dataset.dashboardMap).textContent);
    const map = L.map(element, { zoomControl: true });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else {
      element.classList.add("no-tiles");
    }
    map.setView([35.68, 139.76], 12);
    const beats = L.geoJSON(config.beats, {
      style: { className: "beat-shape", color: "#1b2430", weight: 2, fillColor: "#4e79a7", fillOpacity: 0.08 },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(escapeHtml(config.labels.beat) + " " + escapeHtml(f.properties.code));
      },
    }).addTo(map);
    if (config.box) {
      L.circleMarker([config.box.lat, config.box.lon], {
        className: "box-marker", radius: 7, color: "#fff", weight: 2, fillColor: "#10294f", fillOpacity: 1,
      }).bindTooltip(escapeHtml(config.box.name)).addTo(map);
    }
    if (beats.getBounds().isValid()) map.fitBounds(beats.getBounds(), { padding: [16, 16], maxZoom: 17 });
    L.control.scale({ imperial: false }).addTo(map);

    // Unpatrolled streets lie under the incident points.
    map.createPane("uncovered").style.zIndex = 350;

    async function showUncovered() {
      if (!config.uncoveredUrl) return;
      const response = await fetch(config.uncoveredUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error("unpatrolled streets: HTTP " + response.status);
      const uncovered = await response.json();
      L.geoJSON(uncovered, {
        pane: "uncovered",
        // Streets are lines; a beat without street data is covered by grid cells (polygons).
        style: function (f) {
          const line = /LineString$/.test(f.geometry.type);
          return line
            ? { className: "uncovered-street", color: "#b3261e", weight: 3, opacity: 0.8 }
            : { className: "uncovered-cell", stroke: false, fillColor: "#b3261e", fillOpacity: 0.15 };
        },
        onEachFeature: function (f, layer) {
          layer.bindTooltip(escapeHtml(f.properties.name || config.labels.uncovered));
        },
      }).addTo(map);
      element.dataset.uncovered = String(uncovered.features.length);
    }
    showUncovered().catch(function (error) { console.error(error); });

    const points = L.layerGroup().addTo(map);
    const cache = {};

    async function show(days) {
      element.classList.remove("map-loaded");
      if (!cache[days]) {
        const response = await fetch(config.pointsUrl + "?days=" + days, {
          credentials: "same-origin", headers: { Accept: "application/json" },
        });
        if (!response.ok) throw new Error("incidents: HTTP " + response.status);
        cache[days] = await response.json();
      }
      points.clearLayers();
      cache[days].features.forEach(function (f) {
        const [lon, lat] = f.geometry.coordinates;
        L.circleMarker([lat, lon], {
          className: "incident-point", radius: 5, color: "#fff", weight: 1,
          fillColor: f.properties.colour, fillOpacity: 0.9,
        }).bindPopup(escapeHtml(f.properties.category) + "<br>" + escapeHtml(f.properties.received_at)).addTo(points);
      });
      element.dataset.days = String(days);
      element.dataset.points = String(cache[days].features.length);
      element.classList.add("map-loaded");
    }

    const section = element.closest(".dash-section") || document;
    const table = section.querySelector("table.counts");
    section.querySelectorAll(".window-toggle [data-days]").forEach(function (button) {
      button.addEventListener("click", function () {
        const days = Number(button.dataset.days);
        section.querySelectorAll(".window-toggle [data-days]").forEach(function (other) {
          const active = other === button;
          other.classList.toggle("active", active);
          other.setAttribute("aria-pressed", active ? "true" : "false");
        });
        if (table) table.dataset.daysShown = String(days);
        show(days).catch(function (error) { console.error(error); element.classList.add("map-error"); });
      });
    });
    // New incidents appear without a reload: the shown period is fetched again now and then, while
    // the page is visible (a phone in a pocket does not poll).
    if (config.refreshSeconds) {
      setInterval(function () {
        if (document.visibilityState !== "visible") return;
        const days = Number(element.dataset.days || config.windows[0]);
        delete cache[days];
        show(days).catch(function (error) { console.error(error); });
      }, config.refreshSeconds * 1000);
    }
    return show(config.windows[0]);
  }

  // The live cards poll (hx-trigger "every Ns"); a hidden tab skips its polls and catches up at once
  // when it is shown again, so a phone in a pocket costs the server nothing.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    const card = event.detail.elt;
    if (document.visibilityState === "hidden" && card.classList && card.classList.contains("dash-section")) {
      event.preventDefault();
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible" || !window.htmx) return;
    document.querySelectorAll(".dash-section[hx-get]").forEach(function (card) {
      window.htmx.trigger(document.body, "refresh-" + card.dataset.section);
    });
  });

  document.querySelectorAll("[data-dashboard-map]").forEach(function (element) {
    drawDashboardMap(element).catch(function (error) { console.error(error); element.classList.add("map-error"); });
  });
})();

/* The public request form's map: click to set the pin (it fills the longitude and latitude fields), and
 * see same-category requests already made nearby. The public request page shows its (maybe blurred) place. */
(function () {
  "use strict";

  function tiles(map, config) {
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
  }

  let latest = 0;

  function showSimilar(form, element) {
    const box = document.getElementById("voice-similar");
    const category = form.querySelector("[name=category]");
    const lon = form.querySelector("[name=lon]").value;
    const lat = form.querySelector("[name=lat]").value;
    if (!box || !category || !category.value || !lon || !lat) return;
    const code = category.value;
    const asked = ++latest;
    const url = element.dataset.similarUrl + "?" + new URLSearchParams({ category: code, lon: lon, lat: lat });
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        if (asked !== latest) return; // an answer for an earlier pin arrived late
        const list = box.querySelector("ul");
        list.replaceChildren();
        (data.results || []).forEach(function (item) {
          const li = document.createElement("li");
          // textContent, never innerHTML: residents' words are shown as text.
          li.textContent = item.requested_on + " · " + item.category + " · " + item.status +
            (item.description ? " · " + item.description : "");
          list.appendChild(li);
        });
        box.hidden = !data.results || !data.results.length;
      })
      .catch(function () { box.hidden = true; });
  }

  function formMap(element) {
    const config = JSON.parse(document.getElementById(element.dataset.mapConfig).textContent);
    const form = element.closest("form");
    const lonInput = form.querySelector("[name=lon]");
    const latInput = form.querySelector("[name=lat]");
    const map = L.map(element).setView([config.center[1], config.center[0]], config.zoom);
    tiles(map, config);
    (config.beats || []).forEach(function (outline) {
      L.geoJSON(outline, { style: { weight: 1, fill: false, color: "#4e79a7" } }).addTo(map);
    });
    let marker = null;
    function place(lat, lon) {
      if (marker) marker.setLatLng([lat, lon]); else marker = L.marker([lat, lon]).addTo(map);
      lonInput.value = lon.toFixed(6);
      latInput.value = lat.toFixed(6);
      showSimilar(form, element);
    }
    if (lonInput.value && latInput.value) place(parseFloat(latInput.value), parseFloat(lonInput.value));
    map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng); });
    form.querySelector("[name=category]").addEventListener("change", function () { showSimilar(form, element); });
  }

  function publicMap(element) {
    const lat = parseFloat(element.dataset.lat), lon = parseFloat(element.dataset.lon);
    const map = L.map(element).setView([lat, lon], 16);
    if (element.dataset.approximate === "1") {
      L.circle([lat, lon], { radius: 100 }).addTo(map);
    } else {
      L.marker([lat, lon]).addTo(map);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("voice-map");
    if (form) formMap(form);
    const shown = document.getElementById("voice-public-map");
    if (shown) publicMap(shown);
  });
})();

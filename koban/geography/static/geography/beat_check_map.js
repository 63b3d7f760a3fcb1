// The beat check confirmation page: the version's beats and each problem as vector layers (no tiles).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("beat-check-data").textContent);
  var map = L.map("beat-check-map");
  var colours = { overlap: "#d62728", gap: "#ff7f0e", dropped: "#9467bd", no_beat: "#000", several_beats: "#000" };
  var beats = L.geoJSON(data.beats, {
    style: { color: "#3366cc", weight: 1, fillOpacity: 0.08, className: "check-beat" },
    onEachFeature: function (feature, layer) { layer.bindTooltip(feature.properties.code); },
  }).addTo(map);
  var problems = L.geoJSON(data.problems, {
    style: function (feature) {
      var colour = colours[feature.properties.kind] || "#d62728";
      return { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.5, className: "check-problem check-" + feature.properties.kind };
    },
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, { radius: 7, className: "check-problem check-" + feature.properties.kind });
    },
    onEachFeature: function (feature, layer) { layer.bindPopup(feature.properties.text); },
  }).addTo(map);
  var bounds = problems.getBounds().isValid() ? problems.getBounds() : beats.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds.pad(0.2));
  } else {
    map.setView([35.68, 139.76], 10);
  }
  L.control.scale().addTo(map);
  document.getElementById("beat-check-map").dataset.ready = String(problems.getLayers().length);
})();

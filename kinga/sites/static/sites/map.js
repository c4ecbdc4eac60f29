/* Mine sites map: Leaflet + markercluster, coloured by child-labour status, works without tiles (offline). */
(function () {
  "use strict";
  var el = document.getElementById("site-map");
  if (!el || !window.L) { return; }
  var COLOURS = { blue: "#2f6db5", green: "#2e7d32", yellow: "#c99700", red: "#c62828", expired: "#7a7a7a" };
  var labels = JSON.parse(document.getElementById("status-labels").textContent);
  var map = L.map(el, { preferCanvas: true, maxZoom: 18 }).setView([-4.0, 24.0], 5);
  var tileUrl = el.dataset.tileUrl;
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 18, attribution: el.dataset.tileAttribution || "" }).addTo(map);
  }
  // Without tiles the points stand on a plain background; the scale still tells distances.
  L.control.scale({ imperial: false }).addTo(map);
  map.attributionControl.addAttribution(el.dataset.credit);

  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "legend");
    Object.keys(COLOURS).forEach(function (code) {
      var row = document.createElement("div");
      var dot = document.createElement("i");
      dot.style.background = COLOURS[code];
      row.appendChild(dot);
      row.appendChild(document.createTextNode(labels[code]));
      div.appendChild(row);
    });
    var ring = document.createElement("div");
    ring.textContent = "◎ " + el.dataset.childrenLabel;
    div.appendChild(ring);
    return div;
  };
  legend.addTo(map);

  var clusters = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false });
  map.addLayer(clusters);

  function siteUrl(uuid) { return el.dataset.siteUrl + uuid + "/"; }

  function load() {
    var form = document.getElementById("site-filters");
    var params = new URLSearchParams(new FormData(form));
    fetch(el.dataset.url + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        clusters.clearLayers();
        var markers = [];
        var bounds = [];
        data.sites.forEach(function (s) {
          var marker = L.circleMarker([s[1], s[2]], {
            radius: 7, color: s[4] ? "#000" : "#fff", weight: s[4] ? 3 : 1,
            fillColor: COLOURS[s[3]] || "#999", fillOpacity: 0.9
          });
          var popup = document.createElement("div");
          var link = document.createElement("a");
          link.href = siteUrl(s[0]);
          link.textContent = s[5] + " (" + s[6] + ")";
          popup.appendChild(link);
          popup.appendChild(document.createElement("br"));
          popup.appendChild(document.createTextNode(labels[s[3]] + (s[4] ? " · " + el.dataset.childrenLabel : "")));
          marker.bindPopup(popup);
          markers.push(marker);
          bounds.push([s[1], s[2]]);
        });
        clusters.addLayers(markers);
        if (bounds.length) { map.fitBounds(bounds, { maxZoom: 11, padding: [20, 20] }); }
        document.getElementById("map-count").textContent = data.sites.length + " " + el.dataset.countLabel;
      });
  }
  document.getElementById("site-filters").addEventListener("submit", function (e) {
    e.preventDefault();
    history.replaceState(null, "", "?" + new URLSearchParams(new FormData(e.target)).toString());
    load();
  });
  load();
})();

/* Mine sites map: Leaflet + markercluster, coloured by child-labour status, works without tiles (offline): its
   background is drawn from Kinga's own small layers (the chief towns of Lualaba, a graticule, the scale). */
(function () {
  "use strict";
  var el = document.getElementById("site-map");
  if (!el || !window.L) { return; }
  var COLOURS = { blue: "#2f6db5", green: "#2e7d32", yellow: "#c99700", red: "#c62828", expired: "#7a7a7a" };
  // A cluster takes the colour of the worst status inside it, so a red site is never hidden in a green bubble.
  var SEVERITY = { red: 4, yellow: 3, expired: 2, blue: 1, green: 0 };
  var labels = JSON.parse(document.getElementById("status-labels").textContent);
  var map = L.map(el, { preferCanvas: true, maxZoom: 18 }).setView([-4.0, 24.0], 5);
  var tileUrl = el.dataset.tileUrl;
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 18, attribution: el.dataset.tileAttribution || "" }).addTo(map);
  }
  // Without tiles the points stand on a plain background; the scale still tells distances.
  L.control.scale({ imperial: false }).addTo(map);
  map.attributionControl.addAttribution(el.dataset.credit);
  if (el.dataset.townsCredit) { map.attributionControl.addAttribution(el.dataset.townsCredit); }

  // Graticule every degree over Lualaba and its neighbours: without tiles it gives the eye a frame. Its labels
  // follow the edges of the view (west for latitudes, north for longitudes) so that they stay readable.
  var grid = L.layerGroup().addTo(map);
  var latLabels = [], lonLabels = [];
  function gridLabel(text) {
    return L.marker([0, 0], { interactive: false, keyboard: false,
      icon: L.divIcon({ className: "grid-label", html: text, iconSize: null, iconAnchor: [-4, -2] }) });
  }
  var lat, lon;
  for (lat = -14; lat <= -5; lat += 1) {
    L.polyline([[lat, 19], [lat, 30]], { color: "#9aa5b1", weight: 1, dashArray: "3 4", interactive: false }).addTo(grid);
    latLabels.push([lat, gridLabel(Math.abs(lat) + "° S").addTo(grid)]);
  }
  for (lon = 19; lon <= 30; lon += 1) {
    L.polyline([[-14, lon], [-5, lon]], { color: "#9aa5b1", weight: 1, dashArray: "3 4", interactive: false }).addTo(grid);
    lonLabels.push([lon, gridLabel(lon + "° E").addTo(grid)]);
  }
  function placeGridLabels() {
    var b = map.getBounds();
    latLabels.forEach(function (l) { l[1].setLatLng([l[0], b.getWest()]); });
    lonLabels.forEach(function (l) { l[1].setLatLng([b.getNorth(), l[0]]); });
  }
  map.on("moveend", placeGridLabels);
  placeGridLabels();
  if (el.dataset.townsUrl) {
    fetch(el.dataset.townsUrl).then(function (r) { return r.json(); }).then(function (towns) {
      towns.features.forEach(function (f) {
        var c = f.geometry.coordinates;
        L.circleMarker([c[1], c[0]], {
          radius: f.properties.seat ? 4 : 3, color: "#1d2430", weight: 1, fillColor: "#fff", fillOpacity: 1,
          interactive: false
        }).bindTooltip(f.properties.name, {
          permanent: true, direction: "right", className: "town-label", offset: [4, 0]
        }).addTo(grid);
      });
    });
  }

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

  var clusters = L.markerClusterGroup({
    chunkedLoading: true, showCoverageOnHover: false,
    iconCreateFunction: function (cluster) {
      var worst = "green", children = false;
      cluster.getAllChildMarkers().forEach(function (m) {
        if (SEVERITY[m.options.status] > SEVERITY[worst]) { worst = m.options.status; }
        children = children || m.options.children;
      });
      var n = cluster.getChildCount();
      var size = n < 10 ? 30 : n < 100 ? 36 : 42;
      return L.divIcon({
        html: "<span>" + n + "</span>", iconSize: L.point(size, size),
        className: "site-cluster status-" + worst + (children ? " with-children" : "")
      });
    }
  });
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
            fillColor: COLOURS[s[3]] || "#999", fillOpacity: 0.9, status: s[3], children: !!s[4]
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

/* The social map: one marker per result (same order as the list), tiles only when a tile server is set. */
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("social-map");
    var data = document.getElementById("social-map-markers");
    if (!box || !data || typeof L === "undefined") { return; }
    var markers = JSON.parse(data.textContent);
    L.Icon.Default.imagePath = box.dataset.images || (document.querySelector("link[href*='leaflet.css']").href.replace(/leaflet\.css.*$/, "images/"));
    box.dataset.markers = String(markers.length);
    var map = L.map(box, {scrollWheelZoom: false});
    if (box.dataset.tiles) {
      L.tileLayer(box.dataset.tiles, {maxZoom: 19, attribution: box.dataset.attribution}).addTo(map);
    }
    var points = [];
    markers.forEach(function (m, i) {
      var marker = L.marker([m.lat, m.lon], {title: m.name, alt: m.name}).addTo(map);
      var link = document.createElement("a");
      link.href = m.url;
      link.textContent = (i + 1) + ". " + m.name;
      var popup = document.createElement("div");
      popup.appendChild(link);
      popup.appendChild(document.createElement("br"));
      popup.appendChild(document.createTextNode(m.discipline + (m.distance !== null ? " · " + m.distance + " km" : "")));
      marker.bindPopup(popup);
      points.push([m.lat, m.lon]);
    });
    if (points.length) {
      map.fitBounds(points, {padding: [30, 30], maxZoom: 15});
    } else {
      map.setView([50.85, 4.35], 8);
    }
    box.dataset.markers = String(points.length);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

/* The open map (server_stub/citymap): Leaflet with the configured base map, the chosen layers'
   objects as clustered markers, published residents' reports, and an object card in a popup.
   Everything it needs comes from data- attributes of #city-map (the page's CSP allows no inline script). */
(function () {
  "use strict";
  var box = document.getElementById("city-map");
  if (!box || !window.L) { return; }
  var d = box.dataset;
  var centre = d.center.split(",").map(Number);
  var map = L.map(box, {center: centre, zoom: Number(d.zoom), maxZoom: Number(d.maxZoom)});
  // Leaflet 1.9.4 cancels a tile's download by pointing it at a data: URL, which the page's CSP
  // (img-src 'self' and the tile server) refuses; here a tile no longer wanted is only removed.
  var StrictTileLayer = L.TileLayer.extend({
    _abortLoading: function () {
      for (var key in this._tiles) {
        var tile = this._tiles[key];
        if (tile.coords.z !== this._tileZoom && !tile.el.complete) {
          tile.el.onload = tile.el.onerror = L.Util.falseFn;
          L.DomUtil.remove(tile.el);
          delete this._tiles[key];
          this.fire("tileabort", {tile: tile.el, coords: tile.coords});
        }
      }
    },
    _removeTile: function (key) { return L.GridLayer.prototype._removeTile.call(this, key); },
    _tileReady: function (coords, err, tile) { return L.GridLayer.prototype._tileReady.call(this, coords, err, tile); }
  });
  new StrictTileLayer(d.tiles, {maxZoom: Number(d.maxZoom), attribution: d.attribution, subdomains: "abc"})
    .addTo(map);
  var chosen = d.chosen ? d.chosen.split(",") : [];
  // the static files have hashed names, so Leaflet cannot guess its icons' addresses: the page gives them
  var icon = L.icon({iconUrl: d.iconUrl, iconRetinaUrl: d.iconRetinaUrl, shadowUrl: d.shadowUrl,
                     iconSize: [25, 41], iconAnchor: [12, 41], popupAnchor: [1, -34], tooltipAnchor: [16, -28],
                     shadowSize: [41, 41]});

  function row(dl, label, value) {
    var dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = label;
    dd.textContent = value === null || value === undefined ? "" : String(value);
    dl.appendChild(dt);
    dl.appendChild(dd);
  }

  function card(title, subtitle, fields, href) {
    var div = document.createElement("div"), h = document.createElement("h2"), p = document.createElement("p");
    div.className = "map-card";
    h.textContent = title;
    p.textContent = subtitle;
    div.appendChild(h);
    div.appendChild(p);
    var dl = document.createElement("dl");
    fields.forEach(function (f) { row(dl, f[0], f[1]); });
    div.appendChild(dl);
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = d.moreText;
      div.appendChild(a);
    }
    return div;
  }

  var cluster = L.markerClusterGroup({showCoverageOnHover: false});
  map.addLayer(cluster);

  function getJSON(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }

  function addLayer(layer) {
    return getJSON(layer.url).then(function (fc) {
      fc.features.forEach(function (f) {
        var c = f.geometry.coordinates;
        var fields = layer.attributes.map(function (a) { return [a.label || a.name, f.properties[a.name]]; });
        var m = L.marker([c[1], c[0]], {icon: icon, title: f.properties.name, alt: f.properties.name});
        m.bindPopup(card(f.properties.name, layer.title, fields, d.objectUrl.replace("{id}", String(f.id))));
        cluster.addLayer(m);
      });
    });
  }

  var jobs = [getJSON(d.layersUrl).then(function (layers) {
    return Promise.all(layers.filter(function (la) { return chosen.indexOf(la.slug) >= 0; }).map(addLayer));
  })];
  if (d.reportsUrl) {
    jobs.push(getJSON(d.reportsUrl).then(function (fc) {
      fc.features.forEach(function (f) {
        var c = f.geometry.coordinates;
        var m = L.circleMarker([c[1], c[0]], {radius: 9, color: "#ffffff", weight: 2, fillColor: "#8a1c00",
                                              fillOpacity: 0.9});
        m.bindPopup(card(f.properties.kind_display, d.reportsTitle,
                         [[d.statusText, f.properties.status_display], [d.descriptionText, f.properties.description]],
                         null));
        m.addTo(map);
      });
    }));
  }
  Promise.all(jobs).then(function () { box.setAttribute("data-loaded", "1"); },
                         function (err) { box.setAttribute("data-error", String(err)); });
}());

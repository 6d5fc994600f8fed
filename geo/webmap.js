/* The app's web maps in the browser: the layers that change with the filters, drawn from data kept here.
 *
 * Large layers that do not depend on the filters (commune boundaries, hazard zones) arrive once per
 * dataset version from a URL and stay in this page; a filter change then sends only what changed
 * (which zones to show, the commune colours, the households) and the map is redrawn in place.
 * Every text given here was escaped by the server: it is shown as HTML, as folium would.
 * After a redraw, <html data-geo-drawn> holds the redraw's stamp (a bench waits for it).
 */
window.geoMap = window.geoMap || (function () {
  var fetched = {};  // URL -> promise of its FeatureCollection, fetched once
  var built = {};    // key -> a zone's Leaflet layer, built once
  var shown = {fitted: null, legend: null, overlays: null, zoneWords: null};

  function source(data) {
    if (typeof data !== 'string') return Promise.resolve(data);
    if (!fetched[data]) {
      fetched[data] = fetch(data, {cache: 'force-cache'}).then(function (response) {
        if (!response.ok) throw new Error(data + ': HTTP ' + response.status);
        return response.json();
      });
    }
    return fetched[data];
  }

  function fit(map, bounds) {
    var key = JSON.stringify(bounds);
    if (bounds && shown.fitted !== key) {
      shown.fitted = key;
      map.fitBounds(bounds);
    }
  }

  function legend(map, html, position) {
    if (shown.legend) map.removeControl(shown.legend);
    var control = L.control({position: position});
    control.onAdd = function () {
      var box = L.DomUtil.create('div');
      box.innerHTML = html;
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
    shown.legend = control;
  }

  function overlays(map, layers) {
    if (shown.overlays) map.removeControl(shown.overlays);
    shown.overlays = L.control.layers(null, layers, {collapsed: true}).addTo(map);
  }

  /* Commune names at their inner point, shown from zoom spec.labelZoom on (one zoom handler per page). */
  function labels(map, group, collection, zoom) {
    var layer = L.layerGroup();
    collection.features.forEach(function (feature) {
      var p = feature.properties;
      if (!p.at) return;
      L.marker(p.at, {interactive: false, keyboard: false, icon: L.divIcon({className: '', iconSize: null,
        html: '<span style="position:absolute;transform:translate(-50%,-50%);white-space:nowrap;font:11px sans-serif;'
          + 'color:#222;text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 2px #fff">' + p.tip + '</span>'})}).addTo(layer);
    });
    shown.labels = {layer: layer, group: group, zoom: zoom};
    function update() {
      var now = shown.labels;
      if (map.getZoom() >= now.zoom) now.group.addLayer(now.layer); else now.group.removeLayer(now.layer);
    }
    if (!shown.labelHandler) {
      shown.labelHandler = true;
      map.on('zoomend', function () { update(); });
    }
    update();
  }

  /* District boundaries as lines over the communes, when the units have districts. */
  function districts(group, data) {
    if (!data) return Promise.resolve();
    var layer = L.geoJSON(null, {interactive: false, style: {color: '#252525', weight: 2, fill: false}});
    group.addLayer(layer);
    return source(data).then(function (collection) { layer.addData(collection); });
  }

  /* A commune's tooltip: its name and code, then each label with the row's text (all escaped by the server). */
  function tooltip(feature, labels, row) {
    var lines = [[labels[0], feature.properties.tip], [labels[1], feature.properties.ma_xa]];
    for (var i = 2; i < labels.length; i++) lines.push([labels[i], row ? row[i] : '–']);
    return '<table>' + lines.map(function (l) { return '<tr><th>' + l[0] + ' </th><td>' + l[1] + ' </td></tr>'; })
      .join('') + '</table>';
  }

  /* Communes: coloured by rows[code] = [fill, dashed, texts of labels 2...], or outlined with their name. */
  function communes(map, group, spec) {
    var layer = L.geoJSON(null, {
      style: function (feature) {
        if (!spec.rows) return {fillOpacity: 0, color: '#666666', weight: 0.6};
        var row = spec.rows[feature.properties.ma_xa] || spec.missing;
        return {fillColor: row[0], fillOpacity: 0.8, color: '#555555', weight: 0.8, dashArray: row[1] ? '4 3' : null};
      },
      onEachFeature: function (feature, part) {
        part.bindTooltip(spec.rows ? tooltip(feature, spec.labels, spec.rows[feature.properties.ma_xa])
          : feature.properties.tip, {sticky: true});
        if (spec.rows) {
          part.on('mouseover', function () { part.setStyle({weight: 3, color: '#000000'}); });
          part.on('mouseout', function () { layer.resetStyle(part); });
        }
      }
    });
    group.addLayer(layer);
    return source(spec.data).then(function (collection) {
      layer.addData(collection);
      labels(map, group, collection, spec.labelZoom);
    });
  }

  /* Hazard zones of the chosen types at or above the chosen level, one group per type, levels in order. Each zone's
   * layer is built once; its tooltip reads the words of the latest drawing (a language change rebuilds nothing). */
  function zones(group, spec) {
    var groups = {};
    shown.zoneWords = spec;
    spec.types.forEach(function (type) { groups[type] = L.featureGroup().addTo(group); });
    return source(spec.data).then(function (collection) {
      collection.features.forEach(function (feature, i) {
        var p = feature.properties;
        if (!groups[p.hazard_type] || p.level < spec.min) return;
        var key = spec.key + '#' + i;
        if (!built[key]) {
          var colour = spec.colours[p.level];
          built[key] = L.geoJSON(feature, {style: {fillColor: colour, fillOpacity: 0.65, color: colour, weight: 0.5}})
            .bindTooltip(function () {
              return shown.zoneWords.names[p.hazard_type] + ': ' + shown.zoneWords.levels[p.level];
            }, {sticky: true});
        }
        groups[p.hazard_type].addLayer(built[key]);
      });
      return groups;
    });
  }

  /* The buffer: for each type shown, its zones at the minimum level or above grown by the filter's distance, as
   * dashed outlines that take no pointer events (a household inside them counts as affected). */
  function buffer(group, spec, types) {
    if (!spec) return Promise.resolve(null);
    var layer = L.featureGroup().addTo(group);
    return source(spec.data).then(function (collection) {
      collection.features.forEach(function (feature) {
        if (types.indexOf(feature.properties.hazard_type) < 0) return;
        layer.addLayer(L.geoJSON(feature, {interactive: false,
                                           style: {fill: false, color: spec.colour, weight: 2, dashArray: '6 4'}}));
      });
      return layer;
    });
  }

  /* Put layers that arrived late under those already drawn, keeping their own order (a canvas draws in order). */
  function toBack(layer) {
    if (layer.getLayers) layer.getLayers().slice().reverse().forEach(toBack);
    else if (layer.bringToBack) layer.bringToBack();
  }

  /* Households: [lat, lon, status] triples as integer steps of 1/scale degree from the previous one, drawn into
   * group (on the map: a cluster group off the map checks each new marker against all those waiting, n^2).
   * Resolves once every household is in its cluster (clustering goes in chunks, the page stays responsive). */
  function households(group, spec) {
    var done;
    var clustered = new Promise(function (resolve) { done = resolve; });
    var layer = spec.cluster ? L.markerClusterGroup({
      disableClusteringAtZoom: 15, chunkedLoading: true,
      chunkProgress: function (processed, total) { if (processed >= total) done(); },
      iconCreateFunction: function (cluster) {  // a colour of its own, never a hazard level's
        var n = cluster.getChildCount(), size = n < 100 ? 34 : n < 1000 ? 40 : 48;
        return L.divIcon({html: '<div style="background:' + spec.groupColour + ';color:#fff;border-radius:50%;'
          + 'font:bold 12px sans-serif;width:' + size + 'px;height:' + size + 'px;line-height:' + size + 'px;'
          + 'text-align:center;border:2px solid #fff;box-shadow:0 0 3px rgba(0,0,0,.5)">'
          + n.toLocaleString(spec.locale) + '</div>', className: '', iconSize: L.point(size, size)});
      }
    }) : L.featureGroup();
    var lat = 0, lon = 0, points = spec.points, markers = [];
    for (var i = 0; i < points.length; i += 3) {
      lat += points[i];
      lon += points[i + 1];
      var at = [lat / spec.scale, lon / spec.scale], value = points[i + 2];
      markers.push(spec.grid
        ? L.circleMarker(at, {radius: 3 + 2 * Math.log2(value), weight: 1, color: '#333333', fillColor: spec.groupColour,
                              fillOpacity: 0.6, value: value})
        : L.circleMarker(at, {radius: 4, weight: 1, color: '#333333', fillColor: spec.colours[value], fillOpacity: 0.9,
                              value: value}));
    }
    // One tooltip for the whole layer, its text from the household under the pointer (a tooltip per household
    // was thousands of objects and listeners to build at each redraw); clusters show their count on their icon.
    layer.bindTooltip(function (marker) {
      var value = marker.options.value;
      return spec.grid ? value.toLocaleString(spec.locale) + ' ' + spec.unit : spec.names[value];
    });
    layer.addTo(group);
    if (spec.cluster && markers.length) layer.addLayers(markers, true);  // no event per marker: none is listened to
    else {
      markers.forEach(function (m) { layer.addLayer(m); });
      done();
    }
    return {layer: layer, clustered: clustered};
  }

  /* Resettlement sites: [lat, lon, colour, label] each. */
  function sites(spec) {
    var layer = L.featureGroup();
    spec.sites.forEach(function (s) {
      L.circleMarker([s[0], s[1]], {radius: 9, weight: 3, color: s[2], fillColor: s[2], fillOpacity: 0.35})
        .bindTooltip(s[3]).addTo(layer);
    });
    return layer;
  }

  function drawn(pending, stamp) {
    return Promise.all(pending).then(function () {
      document.documentElement.setAttribute('data-geo-drawn', stamp);
    });
  }

  /* The indicator map: communes coloured by status, the legend. */
  function indicator(map, group, spec) {
    fit(map, spec.fit);
    legend(map, spec.legend, 'topright');
    return drawn([communes(map, group, spec.communes), districts(group, spec.districts)], spec.stamp);
  }

  /* The risk map: commune outlines and zones under the households and sites, the legend and the layer list. */
  function risk(map, group, spec) {
    fit(map, spec.fit);
    group.addTo(map);  // before its layers (the caller adds it again: nothing then)
    var outline = L.featureGroup().addTo(group);
    var homes = households(group, spec.households), places = sites(spec.sites).addTo(group);
    legend(map, spec.legend, 'bottomright');
    var loaded = Promise.all([communes(map, outline, spec.communes), zones(group, spec.zones),
                              districts(outline, spec.districts), buffer(group, spec.buffer, spec.zones.types)])
    .then(function (results) {
      var groups = results[1], grown = results[3], layers = {}, below = [outline];
      layers[spec.words.communes] = outline;
      spec.zones.types.forEach(function (type) {
        below.push(groups[type]);
        layers[spec.zones.names[type]] = groups[type];
      });
      if (grown) {  // over the zones, under the households
        below.push(grown);
        layers[spec.buffer.name] = grown;
      }
      below.reverse().forEach(toBack);
      layers[spec.words.households] = homes.layer;
      layers[spec.words.sites] = places;
      overlays(map, layers);
    });
    return drawn([loaded, homes.clustered], spec.stamp);
  }

  return {indicator: indicator, risk: risk};
})();

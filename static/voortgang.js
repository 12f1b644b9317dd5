// Voortgang charts (Vega-Lite, vendored under /static/vendor/vega); labels come from the page.
(function () {
  "use strict";
  var nl = {decimal: ",", thousands: ".", grouping: [3], currency: ["€ ", ""]};
  // every visible word comes from the page (message catalogue), in the page language
  var T = JSON.parse(document.getElementById("voortgang-labels").textContent);
  var SOORT = T.soort;
  var nl = T.lang === "nl" ? nl : {decimal: ".", thousands: ",", grouping: [3], currency: ["€ ", ""]};
  var base = {$schema: "https://vega.github.io/schema/vega-lite/v6.json", width: "container", height: 300,
              config: {locale: {number: nl}, axis: {labelFontSize: 12, titleFontSize: 12}, legend: {orient: "bottom"}}};
  function spec(extra) { return Object.assign({}, base, extra); }

  var charts = {
    "grafiek-startjaar": function (rows) {
      rows = rows.filter(function (r) { return r.startjaar !== null; });
      if (!rows.length) { return null; }  // the LMVW release gives no start year: said in words, no empty axes
      var data = [];
      rows.forEach(function (r) {
        data.push({jaar: String(r.startjaar), soort: T.hard, woningen: r.netto_hard, doel: r.doel});
        data.push({jaar: String(r.startjaar), soort: T.zacht, woningen: r.netto_zacht, doel: r.doel});
        data.push({jaar: String(r.startjaar), soort: T.onbekend,
                   woningen: r.netto_woningen - r.netto_hard - r.netto_zacht, doel: r.doel});
      });
      return spec({description: T.startjaar_titel, data: {values: data},
        layer: [
          {mark: {type: "bar", tooltip: true}, encoding: {
            x: {field: "jaar", type: "ordinal", title: T.startjaar},
            y: {field: "woningen", type: "quantitative", aggregate: "sum", title: T.woningen},
            color: {field: "soort", type: "nominal", title: null,
                    scale: {domain: [T.hard, T.zacht, T.onbekend], range: ["#01689b", "#8fcae7", "#cccccc"]}}}},
          {mark: {type: "rule", color: "#d52b1e", strokeWidth: 2}, encoding: {y: {field: "doel", aggregate: "max", type: "quantitative"}}},
          {mark: {type: "text", color: "#d52b1e", align: "left", dx: 4, dy: -6, fontWeight: "bold"},
           encoding: {x: {value: 0}, y: {field: "doel", aggregate: "max", type: "quantitative"},
                      text: {field: "doel", aggregate: "max", type: "quantitative", format: ",.0f"}}}
        ]});
    },
    "grafiek-betaalbaar": function (rows) {
      var data = [], order = rows.map(function (r) { return r.gebied; });
      rows.forEach(function (r) {
        data.push({gebied: r.gebied, maat: T.betaalbaar, aandeel: r.aandeel_betaalbaar, doel: r.doel_betaalbaar});
        data.push({gebied: r.gebied, maat: T.sociaal, aandeel: r.aandeel_sociaal, doel: r.doel_sociaal});
      });
      return spec({description: T.betaalbaar_titel, data: {values: data},
        height: {step: 24}, width: "container",
        encoding: {y: {field: "gebied", type: "nominal", sort: order, title: null},
                   yOffset: {field: "maat"}},
        layer: [
          {mark: {type: "bar", tooltip: true}, encoding: {
            x: {field: "aandeel", type: "quantitative", title: T.aandeel, axis: {format: "%"},
                scale: {domain: [0, 1]}},
            color: {field: "maat", type: "nominal", title: null, scale: {range: ["#39870c", "#e17000"]}}}},
          {mark: {type: "tick", thickness: 3, color: "#d52b1e"}, encoding: {
            x: {field: "doel", type: "quantitative"}, tooltip: [{field: "maat"}, {field: "doel", format: ".0%", title: T.doel}]}}
        ]});
    },
    "grafiek-hardheid": function (rows) {
      var data = [];
      rows.forEach(function (r) {
        data.push({provincie: r.provincie, soort: T.hard, woningen: r.netto_hard});
        data.push({provincie: r.provincie, soort: T.zacht, woningen: r.netto_zacht});
        data.push({provincie: r.provincie, soort: T.onbekend, woningen: r.netto_onbekend});
      });
      return spec({description: T.hardheid_titel, data: {values: data},
        mark: {type: "bar", tooltip: true}, encoding: {
          y: {field: "provincie", type: "nominal", title: null},
          x: {field: "woningen", type: "quantitative", title: T.woningen},
          color: {field: "soort", type: "nominal", title: null,
                  scale: {domain: [T.hard, T.zacht, T.onbekend], range: ["#01689b", "#8fcae7", "#cccccc"]}}}});
    },
    "grafiek-wijzigingen": function (rows) {
      var data = rows.map(function (r) { return {soort: SOORT[r.soort] || r.soort, plannen: r.plannen}; });
      return spec({description: T.wijzigingen_titel, data: {values: data},
        mark: {type: "bar", tooltip: true, color: "#01689b"}, encoding: {
          y: {field: "soort", type: "nominal", sort: "-x", title: null},
          x: {field: "plannen", type: "quantitative", title: T.plannen}}});
    }
  };

  // Vega (about 250 KB compressed, and most of a second of a phone's CPU to start and draw) loads
  // when the first chart comes near the screen, and each chart draws when it does: the text above
  // the charts shows at once and a visitor who never scrolls down downloads none of it.
  var VEGA = ["/static/vendor/vega/vega.min.js", "/static/vendor/vega/vega-lite.min.js",
              "/static/vendor/vega/vega-embed.min.js"];
  var vegaReady = null;
  function loadVega() {
    if (!vegaReady) {
      vegaReady = Promise.all(VEGA.map(function (src) {
        return new Promise(function (resolve, reject) {
          var script = document.createElement("script");
          script.src = src;
          script.async = false;  // downloaded together, run in this order (vega-lite needs vega)
          script.onload = resolve;
          script.onerror = function () { reject(new Error(src)); };
          document.head.appendChild(script);
        });
      }));
    }
    return vegaReady;
  }

  function draw(id) {
    var el = document.getElementById(id);
    fetch(el.dataset.query).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (rows) {
      var spec = rows.length ? charts[id](rows) : null;
      if (!spec) {
        el.classList.add("grafiek-leeg");
        el.textContent = (T.leeg && T.leeg[id]) || T.geen_gegevens;
        return;
      }
      return loadVega().then(function () { return vegaEmbed(el, spec, {renderer: "svg", actions: false}); });
    }).catch(function (err) {
      el.classList.add("grafiek-fout");
      el.textContent = T.fout + " " + err;
    });
  }

  if (!("IntersectionObserver" in window)) {
    Object.keys(charts).forEach(draw);
    return;
  }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        draw(entry.target.id);
      }
    });
  }, {rootMargin: "200px 0px"});
  Object.keys(charts).forEach(function (id) { observer.observe(document.getElementById(id)); });
})();

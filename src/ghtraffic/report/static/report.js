// ghtraffic static report: draws each page's charts (uPlot) from the data embedded in
// the page, sorts and filters the repository table. Reads no file and calls no server,
// so the pages work from file:// and offline.
(function () {
  "use strict";

  var LABELS = {
    views: "Views", views_unique: "Unique visitors", clones: "Clones",
    clones_unique: "Unique cloners", stars: "Stars", forks: "Forks"
  };
  var ORDER = ["views", "views_unique", "clones", "clones_unique", "stars", "forks"];
  var charts = [];

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function seconds(day) {
    return Date.parse(day + "T00:00:00Z") / 1000;
  }

  function readData() {
    var node = document.getElementById("report-data");
    try { return node ? JSON.parse(node.textContent) : {}; } catch (e) { return {}; }
  }

  function draw(el, block) {
    el.innerHTML = "";
    if (!block || !block.days || !block.days.length) {
      var empty = document.createElement("p");
      empty.className = "muted nochart";
      empty.textContent = "Nothing archived for this chart.";
      el.appendChild(empty);
      el.dataset.drawn = "empty";
      return;
    }
    if (typeof uPlot === "undefined") {
      var missing = document.createElement("p");
      missing.className = "muted nochart";
      missing.textContent = "The chart library (assets/uPlot.iife.min.js) did not load.";
      el.appendChild(missing);
      return;
    }
    var palette = [css("--c1"), css("--c2"), css("--c3"), css("--c4")];
    var names = ORDER.filter(function (n) { return n in block.series; });
    var data = [block.days.map(seconds)].concat(names.map(function (n) { return block.series[n]; }));
    var axis = { stroke: css("--muted"), grid: { stroke: css("--grid"), width: 1 }, ticks: { show: false } };
    var opts = {
      width: Math.max(el.clientWidth, 200),
      height: parseInt(el.dataset.height || "220", 10),
      cursor: { points: { size: 6 } },
      legend: { live: true },
      scales: { x: { time: true } },
      axes: [axis, Object.assign({ size: 56 }, axis)],
      series: [{}].concat(names.map(function (n, i) {
        return {
          label: LABELS[n] || n,
          stroke: palette[i % palette.length],
          width: 2,
          fill: i === 0 ? css("--fill") : undefined,
          spanGaps: false,
          points: { show: block.days.length < 40 }
        };
      }))
    };
    charts.push({ el: el, plot: new uPlot(opts, data, el) });
    el.dataset.drawn = "chart";
  }

  function drawAll() {
    charts.forEach(function (c) { c.plot.destroy(); });
    charts = [];
    var data = readData();
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      draw(el, data[el.dataset.chart]);
    });
  }

  function initTables() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      table.querySelectorAll("th[data-sort]").forEach(function (th, index) {
        th.tabIndex = 0;
        function sort() {
          var numeric = th.dataset.sort === "num";
          var descending = th.getAttribute("aria-sort") !== "descending";
          table.querySelectorAll("th").forEach(function (o) { o.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", descending ? "descending" : "ascending");
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = a.cells[index].dataset.value, y = b.cells[index].dataset.value;
            var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
            return descending ? -order : order;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        }
        th.addEventListener("click", sort);
        th.addEventListener("keydown", function (e) {
          if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
        });
      });
    });
    document.querySelectorAll("input[data-filter]").forEach(function (input) {
      var table = document.getElementById(input.dataset.filter);
      if (!table) { return; }
      input.addEventListener("input", function () {
        var text = input.value.trim().toLowerCase();
        Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
          r.hidden = text !== "" && r.dataset.name.indexOf(text) < 0;
        });
      });
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      charts.forEach(function (c) {
        c.plot.setSize({ width: Math.max(c.el.clientWidth, 200), height: c.plot.height });
      });
    }, 150);
  });

  // Colours come from the stylesheet: draw again when the light/dark preference changes.
  if (window.matchMedia) {
    var scheme = window.matchMedia("(prefers-color-scheme: dark)");
    if (scheme.addEventListener) { scheme.addEventListener("change", drawAll); }
  }

  function start() {
    drawAll();
    initTables();
    document.documentElement.dataset.ready = "true";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

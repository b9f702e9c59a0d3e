// ghtraffic static report: draws each page's charts (uPlot) from the data embedded in
// the page, sorts and filters the repository table. Reads no file and calls no server,
// so the pages work from file:// and offline.
(function () {
  "use strict";

  function readData() {
    var node = document.getElementById("report-data");
    try { return node ? JSON.parse(node.textContent) : {}; } catch (e) { return {}; }
  }

  // Charts are drawn by charts.js (the dashboard's): legends with figures, days as days.
  function drawAll() {
    GhtCharts.destroyAll();
    var data = readData();
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      GhtCharts.draw(el, data[el.dataset.chart]);
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

// ghtraffic dashboard: charts (uPlot), table sorting and filtering, live updates (SSE).
(function () {
  "use strict";

  var charts = [];
  var LABELS = {
    views: "Views", views_unique: "Unique visitors", clones: "Clones",
    clones_unique: "Unique cloners", stars: "Stars", forks: "Forks"
  };

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function seconds(day) {
    return Date.parse(day + "T00:00:00Z") / 1000;
  }

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function eventMarks(events) {
    return {
      hooks: {
        draw: [function (u) {
          if (!events || !events.length) { return; }
          var ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = css("--event");
          ctx.setLineDash([4, 4]);
          ctx.lineWidth = 1.5 * devicePixelRatio;
          events.forEach(function (e) {
            var x = Math.round(u.valToPos(seconds(e.date), "x", true));
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
          });
          ctx.restore();
        }]
      }
    };
  }

  function draw(el, block, events) {
    if (typeof uPlot === "undefined" || !block) { return; }
    var palette = [css("--c1"), css("--c2"), css("--c3"), css("--c4")];
    var ORDER = ["views", "views_unique", "clones", "clones_unique", "stars", "forks"];
    var names = ORDER.filter(function (n) { return n in block.series; });
    var data = [block.days.map(seconds)].concat(names.map(function (n) { return block.series[n]; }));
    var axis = { stroke: css("--muted"), grid: { stroke: css("--grid"), width: 1 }, ticks: { show: false } };
    var opts = {
      width: Math.max(el.clientWidth, 200),
      height: parseInt(el.dataset.height || "220", 10),
      cursor: { points: { size: 6 } },
      legend: { live: true },
      scales: { x: { time: true } },
      axes: [axis, Object.assign({ size: 50 }, axis)],
      series: [{}].concat(names.map(function (n, i) {
        return {
          label: LABELS[n] || n,
          stroke: palette[i % palette.length],
          width: 2,
          fill: i === 0 ? css("--fill") : undefined,
          spanGaps: false,
          points: { show: block.days.length < 40 }
        };
      })),
      plugins: [eventMarks(events)]
    };
    el.innerHTML = "";
    charts.push({ el: el, plot: new uPlot(opts, data, el) });
  }

  function initCharts() {
    charts.forEach(function (c) { c.plot.destroy(); });
    charts = [];
    var overview = document.querySelector('[data-chart="overview"]');
    if (overview) { draw(overview, readJSON("chart-overview")); }
    var repo = document.querySelector('[data-chart="repo"]');
    if (repo) {
      var data = readJSON("chart-repo");
      var grain = document.body.dataset.grain || "daily";
      document.querySelectorAll("[data-grain]").forEach(function (b) {
        b.classList.toggle("on", b.dataset.grain === grain);
      });
      draw(repo, data[grain], grain === "daily" ? data.events : []);
      var stars = document.querySelector('[data-chart="stars"]');
      if (stars) { draw(stars, data.stars); }
    }
  }

  function initTables() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      table.querySelectorAll("th[data-sort]").forEach(function (th, index) {
        th.tabIndex = 0;
        th.addEventListener("click", function () {
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

  function init() {
    initCharts();
    initTables();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-grain]") : null;
    if (button) {
      document.body.dataset.grain = button.dataset.grain;
      initCharts();
    }
  });

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      charts.forEach(function (c) {
        c.plot.setSize({ width: Math.max(c.el.clientWidth, 200), height: c.plot.height });
      });
    }, 150);
  });

  // Live updates: on a change event, fetch this page again and swap its main region.
  var refreshing = false, pending = false;
  function refresh() {
    if (refreshing) { pending = true; return; }
    refreshing = true;
    fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html").getElementById("main");
        var main = document.getElementById("main");
        var active = document.activeElement;
        if (next && main && !(active && main.contains(active) && active.tagName === "INPUT")) {
          main.innerHTML = next.innerHTML;
          document.body.dataset.liveUpdates = String(parseInt(document.body.dataset.liveUpdates || "0", 10) + 1);
          main.classList.remove("flash");
          void main.offsetWidth;
          main.classList.add("flash");
          init();
        }
      })
      .catch(function () { /* the next change tries again */ })
      .then(function () {
        refreshing = false;
        if (pending) { pending = false; refresh(); }
      });
  }

  function connect() {
    var url = document.body.dataset.liveUrl;
    if (!url || typeof EventSource === "undefined") { return; }
    var source = new EventSource(url);
    var badge = document.getElementById("live");
    var timer = null;
    source.addEventListener("hello", function () {
      if (badge) { badge.hidden = false; }
      document.body.dataset.live = "connected";
    });
    source.addEventListener("change", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
    source.onerror = function () { if (badge) { badge.hidden = true; } };
  }

  function start() {
    init();
    connect();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

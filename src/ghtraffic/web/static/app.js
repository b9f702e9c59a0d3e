// ghtraffic dashboard: charts (uPlot), the overview's table (filtered, sorted and paged by
// the server), live updates (SSE).
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

  // The overview's table is filtered, sorted and paged by the server (its links work
  // without a script); here the same URLs are fetched with fragment=table and the table
  // is swapped in place, the address kept in step with it.
  var tableRequest = 0;

  function loadTable(href, how, focusKey) {
    var region = document.querySelector("[data-table-region]");
    if (!region) { location.href = href; return; }
    var target = new URL(href, location.href);
    target.searchParams.delete("fragment");
    var url = new URL(target.href);
    url.searchParams.set("fragment", "table");
    var mine = ++tableRequest;
    region.setAttribute("aria-busy", "true");
    fetch(url.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) {
        // signed out meanwhile (a redirect to the login page): load the page itself
        return r.ok && !r.redirected ? r.text() : Promise.reject(r.status);
      })
      .then(function (html) {
        if (mine !== tableRequest) { return; }
        // a live update may have replaced the page's main region meanwhile
        region = document.querySelector("[data-table-region]") || region;
        region.innerHTML = html;
        var address = target.pathname + target.search;
        if (how === "push") { history.pushState({ table: true }, "", address); }
        else if (how === "replace") { history.replaceState({ table: true }, "", address); }
        syncFilterForm(target);
        region.dataset.loads = String(parseInt(region.dataset.loads || "0", 10) + 1);
        if (focusKey) {
          var again = region.querySelector('[data-key="' + focusKey + '"]');
          if (again) { again.focus(); }
        }
      })
      .catch(function () { if (mine === tableRequest) { location.href = target.href; } })
      .then(function () {
        if (mine === tableRequest) { region.removeAttribute("aria-busy"); }
      });
  }

  // The filter form's fields, as the address says (after a link cleared them, say).
  function syncFilterForm(target) {
    var form = document.querySelector("form[data-table-form]");
    if (!form) { return; }
    Array.prototype.forEach.call(form.querySelectorAll("input[name]"), function (input) {
      if (input.type === "hidden" || input === document.activeElement) { return; }
      input.value = target.searchParams.get(input.name) || "";
    });
  }

  // The address with the filter form's fields applied: the order and range stay, the
  // page goes back to the first.
  function filteredHref(form) {
    var target = new URL(location.href);
    Array.prototype.forEach.call(form.querySelectorAll("input[name]"), function (input) {
      if (input.type === "hidden") { return; }
      var value = input.value.trim();
      if (value) { target.searchParams.set(input.name, value); }
      else { target.searchParams.delete(input.name); }
    });
    target.searchParams.delete("page");
    return target.href;
  }

  function initTable() {
    var region = document.querySelector("[data-table-region]");
    if (!region) { return; }
    region.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-table-link]") : null;
      if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
        return;
      }
      event.preventDefault();
      loadTable(link.href, "push", link.dataset.key);
    });
    var form = document.querySelector("form[data-table-form]");
    if (!form) { return; }
    var timer = null;
    function later() {
      clearTimeout(timer);
      timer = setTimeout(function () { loadTable(filteredHref(form), "replace"); }, 250);
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      loadTable(filteredHref(form), "replace");
    });
    var search = form.querySelector("input[data-filter]");
    if (search) {
      search.addEventListener("input", function () {
        // At once among the rows shown, then every visible repository from the server.
        var text = search.value.trim().toLowerCase();
        var table = document.getElementById(search.dataset.filter);
        if (table) {
          Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
            r.hidden = text !== "" && r.dataset.name.indexOf(text) < 0;
          });
        }
        later();
      });
    }
    Array.prototype.forEach.call(form.querySelectorAll("input[data-bound]"), function (input) {
      input.addEventListener("input", later);
    });
  }

  window.addEventListener("popstate", function () {
    if (document.querySelector("[data-table-region]")) { loadTable(location.href, null); }
  });

  function init() {
    initCharts();
    initTable();
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

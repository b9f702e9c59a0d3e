// ghtraffic charts, shared by the dashboard and the static report: uPlot with a legend that
// shows the range's figures without a pointer (totals, or the newest value of a level such
// as stars) and the hovered point's while hovering, days labelled as days, a right axis for
// series of another size (clones beside views), a partial first or last period drawn
// dashed, stacked areas, and labelled spike markers that show their story on click or tap.
//
// A chart's data ("block"), as the server writes it:
//   days: ["2025-01-01", ...]        first day of each point
//   grain: "day" | "week" | "month"  what one point covers
//   series: {name: [number|null]}    in drawing order
//   order: [name]                    drawing order (JSON objects lose theirs)
//   span: [first, last]              the days the points cover (weeks, months)
//   summary: "sum" | "last"          the legend's figure at rest
//   right: [name]                    series on the right axis
//   stacked: true                    series stacked as areas
//   partial_first, partial_last      the first or last point covers part of its period
//   labels: {name: "Label"}          labels beyond the known metrics
//   dashed: [name]                   series drawn dashed (an earlier period)
//   colour_of: {name: other}         a series drawn in another's colour
//   events: [{date, metric, value, baseline, threshold, referrer, url}]
(function (global) {
  "use strict";

  var LABELS = {
    views: "Views", views_unique: "Unique visitors", clones: "Clones",
    clones_unique: "Unique cloners", stars: "Stars", forks: "Forks", watchers: "Watchers",
    open_issues: "Open issues", views_unique_14d: "Unique visitors (14 days)",
    clones_unique_14d: "Unique cloners (14 days)"
  };
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var DAY = 86400;
  var charts = [];

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function seconds(day) {
    return Date.parse(day + "T00:00:00Z") / 1000;
  }

  function number(value) {
    return value === null || value === undefined ? "no data" : Math.round(value).toLocaleString("en-US");
  }

  function dayText(ts, withYear, withWeekday) {
    var d = new Date(ts * 1000);
    var text = d.getUTCDate() + " " + MONTHS[d.getUTCMonth()];
    if (withYear) { text += " " + d.getUTCFullYear(); }
    return withWeekday ? WEEKDAYS[d.getUTCDay()] + " " + text : text;
  }

  function pointText(block, ts) {
    if (block.grain === "month") {
      var d = new Date(ts * 1000);
      return MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
    }
    if (block.grain === "week") { return "week of " + dayText(ts, true); }
    return dayText(ts, true, true);
  }

  // x-axis ticks of whole days, weeks, months or years, labelled as such (never hours)
  function timeAxis(axis) {
    return Object.assign({}, axis, {
      space: 60,
      incrs: [DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 90 * DAY, 180 * DAY, 365 * DAY],
      values: function (u, splits, i, space, incr) {
        var years = {};
        return splits.map(function (ts) {
          var d = new Date(ts * 1000);
          if (incr >= 365 * DAY) { return String(d.getUTCFullYear()); }
          if (incr >= 30 * DAY) {
            var y = d.getUTCFullYear(), first = !years[y];
            years[y] = true;
            return MONTHS[d.getUTCMonth()] + (first ? " " + y : "");
          }
          return dayText(ts, false);
        });
      }
    });
  }

  // y-axis ticks of whole numbers, at least a few of them even for a flat line
  function countAxis(axis, scale, side) {
    return Object.assign({}, axis, {
      scale: scale,
      side: side,
      size: 56,
      incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5,
        1e6, 2e6, 5e6, 1e7, 1e8, 1e9],
      values: function (u, splits) {
        return splits.map(function (v) {
          if (Math.abs(v) >= 1e6) { return (v / 1e6).toLocaleString("en-US") + "M"; }
          if (Math.abs(v) >= 1e4) { return (v / 1e3).toLocaleString("en-US") + "k"; }
          return v.toLocaleString("en-US");
        });
      }
    });
  }

  function countRange(u, min, max) {
    if (min === null || max === null) { return [0, 4]; }
    var low = min >= 0 && min < (max - min) * 2 ? 0 : min;
    var span = Math.max(max - low, 4);
    var top = low + span * 1.1;
    return [Math.max(0, Math.floor(low)), Math.ceil(top)];
  }

  // The legend: a line per series, with the range's figure or the hovered point's.
  function Legend(el, block, names, colors, dashed) {
    this.block = block;
    this.names = names;
    var node = document.createElement("div");
    node.className = "legend";
    this.head = document.createElement("div");
    this.head.className = "legend-head";
    node.appendChild(this.head);
    this.items = names.map(function (name, i) {
      var item = document.createElement("span");
      item.className = "legend-item";
      item.dataset.series = name;
      var swatch = document.createElement("i");
      swatch.className = "swatch";
      swatch.style.background = colors[i];
      var label = document.createElement("span");
      label.textContent = (block.labels && block.labels[name]) || LABELS[name] || name;
      var value = document.createElement("b");
      value.className = "legend-value";
      item.appendChild(swatch);
      item.appendChild(label);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(value);
      node.appendChild(item);
      return value;
    });
    if (dashed) {
      var note = document.createElement("span");
      note.className = "legend-note";
      note.textContent = "dashed: a period not yet complete";
      node.appendChild(note);
    }
    el.appendChild(node);
    this.show(null);
  }

  Legend.prototype.show = function (idx) {
    var block = this.block, days = block.days;
    if (idx === null || idx === undefined) {
      var bounds = block.span || [days[0], days[days.length - 1]];
      var span = dayText(seconds(bounds[0]), true) + (bounds[1] !== bounds[0] ? " – " + dayText(seconds(bounds[1]), true) : "");
      this.head.textContent = (block.summary === "last" ? "Newest, " : "Total, ") + span;
      this.items.forEach(function (node, i) {
        var values = block.series[this.names[i]];
        var figure = null;
        if (block.summary === "last") {
          for (var k = values.length - 1; k >= 0; k--) {
            if (values[k] !== null && values[k] !== undefined) { figure = values[k]; break; }
          }
        } else {
          values.forEach(function (v) { if (v !== null && v !== undefined) { figure = (figure || 0) + v; } });
        }
        node.textContent = number(figure);
      }, this);
      return;
    }
    var partial = (block.partial_last && idx === days.length - 1) || (block.partial_first && idx === 0);
    this.head.textContent = pointText(block, seconds(days[idx])) + (partial ? " (not complete)" : "");
    this.items.forEach(function (node, i) {
      node.textContent = number(block.series[this.names[i]][idx]);
    }, this);
  };

  function eventText(e) {
    var times = e.baseline > 0 ? (e.value / e.baseline).toFixed(1) + "× the usual " + number(e.baseline) : "usual " + number(e.baseline);
    var text = dayText(seconds(e.date), true, true) + ": " + number(e.value) + " " + e.metric + ", " + times;
    return text + (e.referrer ? "; grew most from " + e.referrer : "");
  }

  function markers(events, popover) {
    return {
      hooks: {
        draw: [function (u) {
          if (!events || !events.length) { return; }
          var ctx = u.ctx, ratio = devicePixelRatio;
          ctx.save();
          ctx.strokeStyle = ctx.fillStyle = css("--event");
          ctx.lineWidth = 1.5 * ratio;
          ctx.font = (11 * ratio) + "px " + getComputedStyle(document.body).fontFamily;
          ctx.textBaseline = "top";
          var byDay = {};
          events.forEach(function (e) {  // one marker a day, naming every metric that spiked
            if (byDay[e.date]) { byDay[e.date].metric += ", " + e.metric; }
            else { byDay[e.date] = { date: e.date, metric: e.metric }; }
          });
          var freeFrom = -Infinity;  // a label never covers the one before it
          Object.keys(byDay).sort().forEach(function (day) {
            var e = byDay[day];
            var x = Math.round(u.valToPos(seconds(e.date), "x", true));
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) { return; }
            ctx.setLineDash([4 * ratio, 3 * ratio]);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top + 14 * ratio);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.setLineDash([]);
            var label = "▲ " + e.metric;
            var width = ctx.measureText(label).width;
            var left = Math.max(u.bbox.left, Math.min(x - width / 2, u.bbox.left + u.bbox.width - width));
            if (left < freeFrom) {  // too close: the marker alone, its figures in the popover
              label = "▲";
              width = ctx.measureText(label).width;
              left = x - width / 2;
              if (left < freeFrom) { return; }
            }
            ctx.fillText(label, left, u.bbox.top);
            freeFrom = left + width + 4 * ratio;
          });
          ctx.restore();
        }],
        ready: [function (u) {
          if (!events || !events.length) { return; }
          u.over.addEventListener("click", function (ev) {
            var rect = u.over.getBoundingClientRect();
            var x = ev.clientX - rect.left, best = null, bestGap = 16;
            events.forEach(function (e) {
              var gap = Math.abs(u.valToPos(seconds(e.date), "x") - x);
              if (gap <= bestGap) { best = e; bestGap = gap; }
            });
            popover(best, x);
          });
        }]
      }
    };
  }

  function makePopover(el) {
    var box = document.createElement("div");
    box.className = "mark-popover";
    box.setAttribute("role", "status");
    box.hidden = true;
    el.appendChild(box);
    return function (e, x) {
      if (!e) { box.hidden = true; return; }
      box.textContent = "";
      var text = document.createElement("p");
      text.textContent = "Spike: " + eventText(e) + ".";
      box.appendChild(text);
      if (e.url) {
        var link = document.createElement("a");
        link.href = e.url;
        link.textContent = "See it among the events";
        box.appendChild(link);
      }
      box.style.left = Math.max(0, Math.min(x - 120, el.clientWidth - 260)) + "px";
      box.hidden = false;
      el.dataset.popover = e.date;
    };
  }

  function stack(data, count) {
    var out = [data[0]];
    var sums = data[0].map(function () { return 0; });
    for (var i = 1; i <= count; i++) {
      sums = sums.map(function (s, k) { return s + (data[i][k] || 0); });
      out.push(sums.slice());
    }
    return out;
  }

  // The last (or first) stretch of a series as its own dashed series; the plain one stops
  // where the partial period starts.
  function splitPartial(values, last) {
    var solid = values.slice(), dashed = values.map(function () { return null; });
    var n = values.length;
    if (n < 2) { return [solid, null]; }
    if (last) {
      dashed[n - 2] = values[n - 2];
      dashed[n - 1] = values[n - 1];
      solid[n - 1] = null;
    } else {
      dashed[0] = values[0];
      dashed[1] = values[1];
      solid[0] = null;
    }
    return [solid, dashed];
  }

  function draw(el, block) {
    el.innerHTML = "";
    el.classList.add("chart-box");
    if (!block || !block.days || !block.days.length) {
      var empty = document.createElement("p");
      empty.className = "muted nochart";
      empty.textContent = "Nothing archived for this chart in this range.";
      el.appendChild(empty);
      el.dataset.drawn = "empty";
      return null;
    }
    if (typeof uPlot === "undefined") {
      var missing = document.createElement("p");
      missing.className = "muted nochart";
      missing.textContent = "The chart library did not load.";
      el.appendChild(missing);
      return null;
    }
    var palette = [css("--c1"), css("--c2"), css("--c3"), css("--c4"), css("--c5"), css("--c6")];
    var names = block.order || Object.keys(block.series);
    var right = block.right || [];
    var colors = [];
    var shared = block.colour_of || {};
    names.forEach(function (n) {
      var own = names.filter(function (m) { return !shared[m]; }).indexOf(n);
      colors.push(shared[n] ? colors[names.indexOf(shared[n])] : palette[own % palette.length]);
    });
    var dashed = block.dashed || [];
    var axis = { stroke: css("--muted"), grid: { stroke: css("--grid"), width: 1 }, ticks: { show: false } };
    var xs = block.days.map(seconds);
    var data = [xs].concat(names.map(function (n) { return block.series[n]; }));
    if (block.stacked) { data = stack(data, names.length); }
    var partial = !block.stacked && (block.partial_last || block.partial_first) && xs.length > 1;
    var series = [{}], columns = [xs], bands = [];
    names.forEach(function (n, i) {
      var scale = right.indexOf(n) >= 0 ? "y2" : "y";
      var base = {
        label: (block.labels && block.labels[n]) || LABELS[n] || n,
        scale: scale,
        stroke: colors[i],
        width: 2,
        spanGaps: false,
        points: { show: xs.length < 40 }
      };
      if (dashed.indexOf(n) >= 0) { base.dash = [6, 4]; }
      if (block.stacked) {
        base.fill = colors[i] + "55";
        if (i > 0) { bands.push({ series: [i + 1, i], fill: colors[i] + "55" }); base.fill = undefined; }
      } else if (i === 0) {
        base.fill = css("--fill");
      }
      if (partial) {
        var parts = splitPartial(data[i + 1], block.partial_last);
        columns.push(parts[0]);
        series.push(base);
        columns.push(parts[1]);
        series.push(Object.assign({}, base, { label: base.label + " (not complete)", dash: [5, 4], fill: undefined }));
      } else {
        columns.push(data[i + 1]);
        series.push(base);
      }
    });
    var axes = [timeAxis(axis), countAxis(axis, "y", 3)];
    var scales = { x: { time: true }, y: { range: countRange } };
    if (right.length) {
      axes.push(Object.assign(countAxis(axis, "y2", 1), { grid: { show: false } }));
      scales.y2 = { range: countRange };
    }
    var holder = document.createElement("div");
    holder.className = "chart-plot";
    el.appendChild(holder);
    var popover = makePopover(el);
    var legend;
    var opts = {
      width: Math.max(el.clientWidth, 200),
      height: parseInt(el.dataset.height || "220", 10),
      cursor: { points: { size: 6 }, drag: { x: false, y: false } },
      legend: { show: false },
      scales: scales,
      axes: axes,
      series: series,
      bands: bands,
      plugins: [markers(block.events, popover)],
      hooks: {
        setCursor: [function (u) { if (legend) { legend.show(u.cursor.idx); } }]
      }
    };
    var plot = new uPlot(opts, columns, holder);
    legend = new Legend(el, block, names, colors, partial);
    plot.over.addEventListener("mouseleave", function () { legend.show(null); });
    el.dataset.drawn = "chart";
    var chart = { el: el, plot: plot };
    charts.push(chart);
    return chart;
  }

  function destroyAll() {
    charts.forEach(function (c) { c.plot.destroy(); });
    charts = [];
  }

  function resizeAll() {
    charts.forEach(function (c) {
      c.plot.setSize({ width: Math.max(c.el.clientWidth, 200), height: c.plot.height });
    });
  }

  var resizeTimer = null;
  global.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(resizeAll, 150);
  });

  global.GhtCharts = { draw: draw, destroyAll: destroyAll, eventText: eventText };
})(window);

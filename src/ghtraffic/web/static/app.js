// ghtraffic dashboard: charts (uPlot), the overview's table (filtered, sorted and paged by
// the server), live updates (SSE).
(function () {
  "use strict";

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // Every [data-json] element is a chart of that JSON script's data (its data-path and
  // data-key pick one block); grain buttons switch data-key, remembered across live updates.
  var grains = {};

  function initCharts() {
    if (!window.GhtCharts) { return; }
    GhtCharts.destroyAll();
    var cache = {};
    document.querySelectorAll("[data-json]").forEach(function (el) {
      var id = el.dataset.json;
      if (!(id in cache)) { cache[id] = readJSON(id); }
      var data = cache[id];
      var name = el.id.replace(/^plot-/, "");
      if (grains[name]) { el.dataset.key = grains[name]; }
      if (data && el.dataset.path) { data = data[el.dataset.path]; }
      if (data && el.dataset.key) { data = data[el.dataset.key]; }
      GhtCharts.draw(el, data);
    });
    document.querySelectorAll("[data-grain]").forEach(function (b) {
      var target = document.getElementById("plot-" + b.dataset.for);
      var on = !!target && target.dataset.key === b.dataset.grain;
      b.classList.toggle("on", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
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
      grains[button.dataset.for] = button.dataset.grain;
      initCharts();
    }
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

  // The badge says whether live updates arrive: "live", or "offline, reconnecting" while
  // the stream is down (the browser retries; a stream it gave up on is opened again).
  function liveState(state) {
    var badge = document.getElementById("live");
    document.body.dataset.live = state;
    if (!badge) { return; }
    badge.hidden = false;
    badge.classList.toggle("offline", state !== "connected");
    badge.textContent = state === "connected" ? "live" : "offline, reconnecting";
  }

  var retry = 1000;
  function connect() {
    var url = document.body.dataset.liveUrl;
    if (!url || typeof EventSource === "undefined") { return; }
    var source = new EventSource(url);
    var timer = null;
    source.addEventListener("hello", function () {
      retry = 1000;
      var wasOffline = document.body.dataset.live === "offline";
      liveState("connected");
      if (wasOffline) { refresh(); }  // changes missed while offline
    });
    source.addEventListener("change", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
    source.onerror = function () {
      liveState("offline");
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 30000);
      }
    };
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

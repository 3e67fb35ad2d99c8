// The timeline page: draws the events on a time axis, one lane per kind, and lists them; filters by kind,
// target and disease. Every label goes into the page as text (textContent), never as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var events = data.events;
  var kinds = data.kinds;
  var axis = document.getElementById("axis");
  var list = document.getElementById("list");
  var count = document.getElementById("count");
  var targetBox = document.getElementById("target");
  var diseaseBox = document.getElementById("disease");
  var shown = {};

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function day(iso) {
    var p = iso.split("-");
    return Date.UTC(+p[0], +p[1] - 1, +p[2]);
  }

  function options(box, values) {
    values.forEach(function (v) {
      var o = el("option", "", v);
      o.value = v;
      box.appendChild(o);
    });
  }

  var allTargets = {}, allDiseases = {};
  events.forEach(function (e) {
    e.targets.forEach(function (t) { allTargets[t] = 1; });
    e.diseases.forEach(function (d) { allDiseases[d] = 1; });
  });
  options(targetBox, Object.keys(allTargets).sort());
  options(diseaseBox, Object.keys(allDiseases).sort(function (a, b) { return a.localeCompare(b); }));

  var fieldset = document.getElementById("kinds");
  kinds.forEach(function (k, i) {
    shown[k] = true;
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset.kind = k;
    box.addEventListener("change", function () { shown[k] = box.checked; draw(); });
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + k + " (" + events.filter(function (e) { return e.kind === k; }).length + ")"));
    fieldset.appendChild(label);
  });
  targetBox.addEventListener("change", draw);
  diseaseBox.addEventListener("change", draw);

  function visible(e) {
    if (!shown[e.kind]) return false;
    if (targetBox.value && e.targets.indexOf(targetBox.value) < 0) return false;
    if (diseaseBox.value && e.diseases.indexOf(diseaseBox.value) < 0) return false;
    return true;
  }

  function select(i) {
    Array.prototype.forEach.call(document.querySelectorAll(".selected"), function (x) { x.classList.remove("selected"); });
    var item = document.getElementById("event-" + i);
    var dot = document.getElementById("dot-" + i);
    if (item) { item.classList.add("selected"); item.scrollIntoView({block: "nearest"}); }
    if (dot) dot.classList.add("selected");
  }

  function describe(e) {
    var parts = [];
    if (e.what) parts.push(e.what);
    if (e.therapies.length) parts.push(e.therapies.join(", "));
    if (e.targets.length) parts.push("target " + e.targets.join(", "));
    if (e.diseases.length) parts.push(e.diseases.join(", "));
    return parts.join(" · ");
  }

  function draw() {
    axis.textContent = "";
    list.textContent = "";
    var picked = [];
    events.forEach(function (e, i) { if (visible(e)) picked.push(i); });
    count.textContent = picked.length + " of " + events.length + " events shown";
    if (!picked.length) return;
    var lo = new Date(day(events[picked[0]].date)).getUTCFullYear();
    var hi = new Date(day(events[picked[picked.length - 1]].date)).getUTCFullYear() + 1;
    var start = Date.UTC(lo, 0, 1), end = Date.UTC(hi, 0, 1);
    function x(iso) { return (9 + 89 * (day(iso) - start) / (end - start)) + "%"; }
    var ticks = el("div", "ticks");
    for (var y = lo; y <= hi; y++) {
      var pos = x(y + "-01-01");
      var label = el("span", "tick-label", String(y));
      label.style.left = pos;
      ticks.appendChild(label);
    }
    kinds.forEach(function (k, ki) {
      if (!shown[k]) return;
      var lane = el("div", "lane");
      lane.appendChild(el("span", "lane-name", k));
      for (var y = lo; y <= hi; y++) {
        var t = el("div", "tick");
        t.style.left = x(y + "-01-01");
        lane.appendChild(t);
      }
      picked.forEach(function (i) {
        var e = events[i];
        if (e.kind !== k) return;
        var dot = el("button", "dot k" + ki + " " + e.precision);
        dot.type = "button";
        dot.id = "dot-" + i;
        dot.style.left = x(e.date);
        dot.title = e.shown + " " + e.label + (describe(e) ? " — " + describe(e) : "");
        dot.setAttribute("aria-label", dot.title);
        dot.addEventListener("click", function () { select(i); });
        lane.appendChild(dot);
      });
      axis.appendChild(lane);
    });
    axis.appendChild(ticks);
    picked.forEach(function (i) {
      var e = events[i];
      var li = el("li");
      li.id = "event-" + i;
      li.dataset.kind = e.kind;
      li.appendChild(el("span", "when", e.shown));
      li.appendChild(el("span", "kind", e.kind));
      li.appendChild(el("span", "label", e.label));
      var meta = describe(e);
      if (meta) li.appendChild(el("span", "meta", " — " + meta));
      if (e.sources.length) {
        var s = el("div", "sources");
        s.appendChild(document.createTextNode("sources: "));
        e.sources.forEach(function (src) {
          if (/^https?:\/\//.test(src[1])) {
            var a = el("a", "", src[0]);
            a.href = src[1];
            a.rel = "noopener noreferrer";
            s.appendChild(a);
          } else {
            s.appendChild(el("span", "", src[0]));
          }
        });
        li.appendChild(s);
      }
      li.addEventListener("click", function () { select(i); });
      list.appendChild(li);
    });
  }

  draw();
  document.body.dataset.ready = "1";
})();

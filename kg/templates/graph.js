// The graph page's behaviour: draw, search, filter by class, highlight a neighbourhood, show details.
// Every name and quote comes from curated data or news: it reaches the page only as text nodes
// (createTextNode / textContent) or canvas text, never as HTML.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("graph-data").textContent);
  const classes = data.classes;        // [{label, curie, color, border, shape, symbol}]
  const props = data.properties;       // property labels
  const sources = data.sources;        // source labels
  const N = data.nodes;                // [curie, label, class, x, y, [synonyms]]
  const E = data.edges;                // [from, to, property, inferred (0/1), [sources], disputed: why ("" if accepted)]
  const details = data.details;        // per node: null or {facts: [[p, v]], claims: [[source, p, value, quote, negated, rank, reason]]}
  const large = N.length > data.large_above;
  const ASSERTED = "#8a94a6", INFERRED = "#c27c0e", DISPUTED = "#c0392b", DIM = "rgba(190,196,205,0.35)", DIM_TEXT = "rgba(60,60,60,0.25)";

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.appendChild(document.createTextNode(String(text)));
    if (cls) e.className = cls;
    return e;
  }

  function edgeColor(e) {
    return e[5] ? DISPUTED : e[3] === 1 ? INFERRED : ASSERTED;
  }

  function nodeColor(c) {
    return {background: c.color, border: c.border, highlight: {background: c.color, border: "#111"},
            hover: {background: c.color, border: "#111"}};
  }

  const visNodes = new Array(N.length);
  for (let i = 0; i < N.length; i++) {
    const n = N[i], c = classes[n[2]];
    visNodes[i] = {id: i, label: n[1], x: n[3], y: n[4], shape: c.shape, color: nodeColor(c)};
  }
  const visEdges = new Array(E.length);
  for (let i = 0; i < E.length; i++) {
    const e = E[i];
    visEdges[i] = {id: i, from: e[0], to: e[1], label: data.physics ? props[e[2]] + (e[5] ? " (disputed)" : "") : undefined,
                   dashes: e[5] ? [2, 4] : e[3] === 1, color: {color: edgeColor(e), highlight: "#1d2330", hover: "#1d2330"}};
  }
  const nodes = new vis.DataSet(visNodes);
  const edges = new vis.DataSet(visEdges);

  const options = {
    autoResize: true,
    nodes: {size: 12, borderWidth: 1, font: {size: 13, face: "system-ui, sans-serif", color: "#1d2330"}},
    edges: {width: 1, arrows: {to: {enabled: true, scaleFactor: 0.45}}, selectionWidth: 1.5,
            font: {size: 10, color: "#4b5260", strokeWidth: 3, align: "middle"},
            // Curves cost a bezier per edge on every frame; straight lines once the picture is precomputed.
            smooth: data.physics ? {type: "continuous", roundness: 0.3} : false},
    layout: {improvedLayout: false},
    interaction: {hover: true, tooltipDelay: 120, hideEdgesOnDrag: large, hideEdgesOnZoom: large,
                  navigationButtons: false, keyboard: false},
    physics: data.physics
      ? {enabled: true, solver: "barnesHut",
         barnesHut: {gravitationalConstant: -6000, centralGravity: 0.25, springLength: 150, springConstant: 0.03, avoidOverlap: 0.4},
         stabilization: {enabled: true, iterations: 150, updateInterval: 50, fit: true}}
      : {enabled: false},
  };
  const container = document.getElementById("graph");
  const network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
  if (data.physics) {
    // Settle briefly, then freeze: dragging a node should move that node, not the whole picture.
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      // fit() frames the nodes, not their labels: step back a little so the outer labels show whole.
      network.moveTo({scale: network.getScale() * 0.85});
    });
  }

  // ---------------------------------------------------------------- edge labels where they can be read
  // vis-network measures every edge label on every frame, even when too small to draw: on a precomputed
  // page (hundreds of nodes and more) that tripled the time to the first picture. There, only the edges
  // in view get their label, once the view is close enough to read them.
  const LABEL_SCALE = 0.5, MAX_LABELS = 1500;
  let labelled = new Set();

  function labelVisibleEdges() {
    if (data.physics) return;
    const want = new Set();
    if (network.getScale() >= LABEL_SCALE) {
      const a = network.DOMtoCanvas({x: 0, y: 0});
      const b = network.DOMtoCanvas({x: container.clientWidth, y: container.clientHeight});
      const at = network.getPositions();
      const inView = function (i) { const p = at[i]; return p && p.x >= a.x && p.x <= b.x && p.y >= a.y && p.y <= b.y; };
      for (let k = 0; k < E.length && want.size < MAX_LABELS; k++) {
        if (inView(E[k][0]) || inView(E[k][1])) want.add(k);
      }
    }
    const updates = [];
    labelled.forEach(function (k) { if (!want.has(k)) updates.push({id: k, label: undefined}); });
    want.forEach(function (k) { if (!labelled.has(k)) updates.push({id: k, label: props[E[k][2]]}); });
    labelled = want;
    if (updates.length) edges.update(updates);
  }

  let relabel = null;
  function relabelSoon() { clearTimeout(relabel); relabel = setTimeout(labelVisibleEdges, 150); }
  network.on("zoom", relabelSoon);
  network.on("dragEnd", relabelSoon);
  network.on("animationFinished", relabelSoon);

  // ---------------------------------------------------------------- tooltips (DOM text only)
  const tooltip = document.getElementById("tooltip");

  function nodeTip(i) {
    const n = N[i], d = details[i], box = el("div", null, "tip");
    box.appendChild(el("div", n[1], "name"));
    box.appendChild(el("div", classes[n[2]].label + " · " + n[0], "meta"));
    if (n[5].length) box.appendChild(el("div", "Also: " + n[5].join("; ")));
    if (d) {
      const facts = d.facts.slice(0, 6);
      if (facts.length) {
        const ul = el("ul");
        facts.forEach(function (f) { ul.appendChild(el("li", f[0] + ": " + f[1])); });
        box.appendChild(ul);
      }
      const quoted = d.claims.filter(function (c) { return c[3]; }).slice(0, 3);
      quoted.forEach(function (c) {
        box.appendChild(el("blockquote", "\u201c" + c[3] + "\u201d"));
        box.appendChild(el("div", "\u2014 " + sources[c[0]], "meta"));
      });
      if (d.claims.length > quoted.length) {
        box.appendChild(el("div", d.claims.length + " statements from sources: click for all", "more"));
      }
    }
    return box;
  }

  function edgeTip(i) {
    const e = E[i], box = el("div", null, "tip");
    box.appendChild(el("div", N[e[0]][1] + " \u2014 " + props[e[2]] + " \u2192 " + N[e[1]][1], "name"));
    if (e[5]) {
      box.appendChild(el("div", "disputed: the graph does not accept this link", "disputed"));
      box.appendChild(el("div", e[5]));
      box.appendChild(el("div", "claimed by: " + e[4].map(function (s) { return sources[s]; }).join("; "), "meta"));
    } else if (e[3] === 1) box.appendChild(el("div", "inferred by a rule (no source states it)", "meta"));
    else box.appendChild(el("div", "stated by: " + e[4].map(function (s) { return sources[s]; }).join("; "), "meta"));
    return box;
  }

  function showTip(content, pointer) {
    tooltip.replaceChildren(content);
    const r = container.getBoundingClientRect();
    tooltip.hidden = false;
    const x = Math.min(r.left + pointer.x + 14, window.innerWidth - tooltip.offsetWidth - 8);
    const y = Math.min(r.top + pointer.y + 14, window.innerHeight - tooltip.offsetHeight - 8);
    tooltip.style.left = Math.max(4, x) + "px";
    tooltip.style.top = Math.max(4, y) + "px";
  }
  function hideTip() { tooltip.hidden = true; }

  network.on("hoverNode", function (p) { showTip(nodeTip(p.node), p.pointer.DOM); });
  network.on("hoverEdge", function (p) { showTip(edgeTip(p.edge), p.pointer.DOM); });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  // ---------------------------------------------------------------- neighbourhood highlight
  let dimmed = false;

  function highlight(i) {
    const near = new Set(network.getConnectedNodes(i));
    near.add(i);
    const nodeUpdates = [], edgeUpdates = [];
    for (let j = 0; j < N.length; j++) {
      const keep = near.has(j);
      if (keep) nodeUpdates.push({id: j, color: nodeColor(classes[N[j][2]]), font: {color: "#1d2330"}});
      else nodeUpdates.push({id: j, color: DIM, font: {color: DIM_TEXT}});
    }
    for (let k = 0; k < E.length; k++) {
      const e = E[k], keep = e[0] === i || e[1] === i;
      edgeUpdates.push({id: k, color: {color: keep ? edgeColor(e) : DIM},
                        font: {color: keep ? "#4b5260" : "rgba(0,0,0,0)"}});
    }
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
    dimmed = true;
  }

  function resetHighlight() {
    if (!dimmed) return;
    const nodeUpdates = [], edgeUpdates = [];
    for (let j = 0; j < N.length; j++) nodeUpdates.push({id: j, color: nodeColor(classes[N[j][2]]), font: {color: "#1d2330"}});
    for (let k = 0; k < E.length; k++) {
      edgeUpdates.push({id: k, color: {color: edgeColor(E[k])}, font: {color: "#4b5260"}});
    }
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
    dimmed = false;
  }

  // ---------------------------------------------------------------- details panel
  const panel = document.getElementById("details");

  function linkButton(j) {
    const b = el("button", N[j][1], "link");
    b.type = "button";
    b.addEventListener("click", function () { select(j); });
    return b;
  }

  function showDetails(i) {
    const n = N[i], d = details[i];
    panel.replaceChildren();
    panel.appendChild(el("p", n[1], "title"));
    panel.appendChild(el("p", classes[n[2]].label + " \u00b7 " + n[0], "meta"));
    if (n[5].length) {
      panel.appendChild(el("h3", "Also called"));
      panel.appendChild(el("p", n[5].join("; ")));
    }
    if (d && d.facts.length) {
      panel.appendChild(el("h3", "Facts"));
      const dl = el("dl");
      d.facts.forEach(function (f) { dl.appendChild(el("dt", f[0])); dl.appendChild(el("dd", f[1])); });
      panel.appendChild(dl);
    }
    const links = [];
    for (let k = 0; k < E.length; k++) {
      const e = E[k];
      if (e[0] === i || e[1] === i) links.push(e);
    }
    if (links.length) {
      panel.appendChild(el("h3", "Links (" + links.length + ")"));
      const ul = el("ul");
      links.slice(0, 200).forEach(function (e) {
        const li = el("li");
        const out = e[0] === i;
        li.appendChild(el("span", (out ? "" : "\u2190 ") + props[e[2]] + (out ? " \u2192 " : " ")));
        li.appendChild(linkButton(out ? e[1] : e[0]));
        if (e[3] === 1) li.appendChild(el("span", " (inferred)", "meta"));
        if (e[5]) {
          li.appendChild(el("span", " (disputed)", "disputed"));
          li.appendChild(el("div", e[5], "meta"));
        }
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    }
    if (d && d.claims.length) {
      panel.appendChild(el("h3", "What the sources say (" + d.claims.length + ")"));
      const ul = el("ul");
      d.claims.forEach(function (c) {
        const li = el("li");
        if (c[4]) li.appendChild(el("span", "not ", "negated"));
        li.appendChild(el("span", c[1] + ": " + c[2]));
        if (c[3]) li.appendChild(el("blockquote", "\u201c" + c[3] + "\u201d"));
        li.appendChild(el("div", "\u2014 " + sources[c[0]] + (c[5] ? " \u00b7 " + c[5] : ""), "meta"));
        if (c[6]) li.appendChild(el("div", c[6], "disputed"));
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    }
    panel.hidden = false;
  }

  function select(i) {
    hideTip();
    network.selectNodes([i]);
    highlight(i);
    showDetails(i);
    network.focus(i, {scale: Math.max(network.getScale(), 0.9), animation: large ? false : {duration: 350}});
    relabelSoon();
  }

  network.on("click", function (p) {
    if (p.nodes.length) {
      highlight(p.nodes[0]);
      showDetails(p.nodes[0]);
    } else if (!p.edges.length) {
      resetHighlight();
      panel.hidden = true;
    }
  });

  // ---------------------------------------------------------------- legend and class filter
  const counts = classes.map(function () { return 0; });
  const byClass = classes.map(function () { return []; });
  for (let i = 0; i < N.length; i++) { counts[N[i][2]]++; byClass[N[i][2]].push(i); }
  const hiddenClass = classes.map(function () { return false; });
  const list = document.getElementById("legend-list");
  const boxes = [];
  classes.forEach(function (c, ci) {
    if (!counts[ci]) return;
    const li = el("li"), label = el("label"), box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset.cls = c.curie;
    box.addEventListener("change", function () { setClassShown(ci, box.checked); });
    boxes.push(box);
    const swatch = el("span", c.symbol, "swatch");
    swatch.style.color = c.color;
    label.appendChild(box);
    label.appendChild(swatch);
    label.appendChild(el("span", c.label));
    label.appendChild(el("span", counts[ci], "count"));
    li.appendChild(label);
    list.appendChild(li);
  });

  function setClassShown(ci, shown) {
    hiddenClass[ci] = !shown;
    nodes.update(byClass[ci].map(function (j) { return {id: j, hidden: !shown}; }));
  }
  document.getElementById("show-all").addEventListener("click", function () {
    boxes.forEach(function (b) { b.checked = true; });
    classes.forEach(function (_, ci) { if (hiddenClass[ci]) setClassShown(ci, true); });
  });

  // ---------------------------------------------------------------- search by any name
  const haystack = N.map(function (n) { return [n[1]].concat(n[5]).map(function (s) { return s.toLowerCase(); }); });
  const input = document.getElementById("search-box");
  const results = document.getElementById("search-results");

  function search(text) {
    const q = text.trim().toLowerCase();
    if (!q) return [];
    const found = [];
    for (let i = 0; i < N.length; i++) {
      if (hiddenClass[N[i][2]]) continue;
      const names = haystack[i];
      let rank = 3, which = -1;
      for (let k = 0; k < names.length; k++) {
        const s = names[k];
        const r = s === q ? 0 : s.startsWith(q) ? 1 : s.indexOf(q) >= 0 ? 2 : 3;
        if (r < rank) { rank = r; which = k; }
      }
      if (rank < 3) found.push({node: i, rank: rank, synonym: which > 0 ? N[i][5][which - 1] : null});
    }
    found.sort(function (a, b) { return a.rank - b.rank || N[a.node][1].localeCompare(N[b.node][1]); });
    return found.slice(0, 25);
  }

  function showResults() {
    const found = search(input.value);
    results.replaceChildren();
    if (!input.value.trim()) { results.hidden = true; return; }
    if (!found.length) results.appendChild(el("li", "nothing is called that", "none"));
    found.forEach(function (f) {
      const li = el("li"), b = el("button");
      b.type = "button";
      b.dataset.node = N[f.node][0];
      b.appendChild(document.createTextNode(N[f.node][1] + " "));
      b.appendChild(el("span", classes[N[f.node][2]].label, "cls"));
      if (f.synonym) b.appendChild(el("div", "also called " + f.synonym, "why"));
      b.addEventListener("click", function () { results.hidden = true; select(f.node); });
      li.appendChild(b);
      results.appendChild(li);
    });
    results.hidden = false;
  }

  let pending = null;
  input.addEventListener("input", function () {
    clearTimeout(pending);
    pending = setTimeout(showResults, large ? 120 : 0);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      clearTimeout(pending);
      const found = search(input.value);
      if (found.length) { results.hidden = true; select(found[0].node); }
    } else if (ev.key === "Escape") {
      input.value = "";
      results.hidden = true;
    }
  });

  // ---------------------------------------------------------------- start
  network.once("afterDrawing", function () { window.kg.drawn = true; });
  if (data.focus >= 0) {
    network.once("afterDrawing", function () {
      network.selectNodes([data.focus]);
      highlight(data.focus);
      showDetails(data.focus);
    });
  }
  window.kg = {network: network, nodes: nodes, edges: edges, data: data, search: search, select: select, drawn: false};
  window.network = network;
})();

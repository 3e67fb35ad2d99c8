// The app's one script: suggestions as you type, sortable tables, the SPARQL editor. Text only ever goes into
// the page as text (textContent), never as markup.
"use strict";

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

function entityHref(curie) {
  return "/entity/" + encodeURIComponent(curie).replace(/%3A/g, ":");
}

// Suggestions: the top search box links to entity pages; an entity field of a form takes the CURIE.
function attachSuggest(input) {
  const list = input.parentElement.querySelector(".suggestions");
  if (!list) return;
  const inForm = input.id !== "q";
  let timer = null, asked = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = input.value.trim();
      const mine = ++asked;
      if (!text) { list.hidden = true; return; }
      const only = input.dataset.class ? "&class=" + encodeURIComponent(input.dataset.class) : "";
      const response = await fetch("/api/suggest?q=" + encodeURIComponent(text) + only);
      if (mine !== asked || !response.ok) return;
      const found = await response.json();
      list.replaceChildren();
      for (const f of found) {
        const li = el("li");
        const a = el("a", f.label, {href: entityHref(f.curie)});
        a.dataset.curie = f.curie;
        li.append(a, el("span", " " + [f.cls, f.matched ? "“" + f.matched + "”" : ""].filter(Boolean).join(" · "), {class: "muted"}));
        if (inForm) {
          a.addEventListener("click", (event) => { event.preventDefault(); input.value = f.curie; list.hidden = true; });
        }
        list.append(li);
      }
      list.hidden = found.length === 0;
    }, 120);
  });
  input.addEventListener("keydown", (event) => { if (event.key === "Escape") list.hidden = true; });
  document.addEventListener("click", (event) => { if (!list.contains(event.target) && event.target !== input) list.hidden = true; });
}

function cellKey(cell) {
  const text = cell.textContent.trim();
  const number = Number(text);
  return text !== "" && !Number.isNaN(number) ? [0, number, ""] : [1, 0, text.toLowerCase()];
}

function makeSortable(table) {
  const head = table.tHead;
  if (!head) return;
  Array.from(head.rows[0].cells).forEach((th, column) => {
    th.classList.add("sort");
    th.tabIndex = 0;
    const sort = () => {
      const body = table.tBodies[0];
      const down = th.getAttribute("aria-sort") === "ascending";
      for (const other of head.rows[0].cells) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", down ? "descending" : "ascending");
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        const x = cellKey(a.cells[column]), y = cellKey(b.cells[column]);
        const order = x[0] - y[0] || x[1] - y[1] || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0);
        return down ? -order : order;
      });
      body.append(...rows);
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (event) => { if (event.key === "Enter") sort(); });
  });
}

function termText(term) {
  if (!term) return "";
  return term.type === "bnode" ? "_:" + term.value : term.value;
}

function curieOf(iri, prefixes) {
  for (const [prefix, ns] of prefixes) if (iri.startsWith(ns) && iri.length > ns.length) return prefix + ":" + iri.slice(ns.length);
  return null;
}

function setupEditor() {
  const form = document.getElementById("editor-form");
  if (!form) return;
  const area = document.getElementById("sparql");
  const error = document.getElementById("sparql-error");
  const errorLine = document.getElementById("sparql-error-line");
  const status = document.getElementById("sparql-status");
  const table = document.getElementById("sparql-results");
  const prefixes = Array.from(document.querySelectorAll("code[title]")).map((c) => [c.textContent.replace(/:$/, ""), c.title])
    .sort((a, b) => b[1].length - a[1].length);
  document.getElementById("example").addEventListener("change", (event) => {
    const option = event.target.selectedOptions[0];
    if (option && option.dataset.text) area.value = option.dataset.text;
  });
  area.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true; errorLine.hidden = true;
    table.replaceChildren();
    status.textContent = "running…";
    const started = performance.now();
    const response = await fetch("/sparql", {method: "POST", body: new URLSearchParams({query: area.value}),
      headers: {"Accept": "application/sparql-results+json, text/turtle;q=0.5"}});
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (!response.ok) {
      const message = (await response.text()).trim();
      status.textContent = "";
      error.textContent = message;
      error.hidden = false;
      const at = /^line (\d+)(?:, column (\d+))?/.exec(message);
      if (at) {
        const line = area.value.split("\n")[Number(at[1]) - 1] || "";
        const column = at[2] ? Number(at[2]) : 0;
        errorLine.textContent = at[1] + " | " + line + (at[2] ? "\n" + " ".repeat(at[1].length + 3 + Math.max(0, column - 1)) + "^" : "");
        errorLine.hidden = false;
        const lines = area.value.split("\n");
        const offset = lines.slice(0, Number(at[1]) - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, column - 1);
        area.focus();
        area.setSelectionRange(offset, offset + 1);
      }
      return;
    }
    const kind = response.headers.get("content-type") || "";
    if (!kind.includes("json")) {
      const text = await response.text();
      const row = table.insertRow(); row.insertCell().append(el("pre", text));
      status.textContent = "graph answer in " + seconds + " s";
      return;
    }
    const data = await response.json();
    if ("boolean" in data) {
      status.textContent = "answer: " + data.boolean + " (" + seconds + " s)";
      return;
    }
    const vars = data.head.vars;
    const head = table.createTHead().insertRow();
    for (const v of vars) head.append(el("th", v));
    const body = table.createTBody();
    for (const binding of data.results.bindings) {
      const row = body.insertRow();
      for (const v of vars) {
        const cell = row.insertCell();
        const term = binding[v];
        const curie = term && term.type === "uri" ? curieOf(term.value, prefixes) : null;
        if (curie) cell.append(el("a", curie, {href: entityHref(curie)}));
        else cell.textContent = termText(term);
      }
    }
    const n = data.results.bindings.length;
    status.textContent = n + " row" + (n === 1 ? "" : "s") + " in " + seconds + " s";
    makeSortable(table);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-suggest]").forEach(attachSuggest);
  document.querySelectorAll("table.sortable").forEach(makeSortable);
  setupEditor();
});

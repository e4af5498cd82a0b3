// detente workbench: edit a scenario, watch the zone of agreement, compare with the baseline.
// Everything is drawn with textContent (never innerHTML with data) and talks to the server
// only (no network beyond it). State-changing requests carry the page's token.
"use strict";

const TOKEN = document.querySelector('meta[name="detente-token"]').content;
// the figures' colour-blind-safe palette (detente.plotting.palette); its last entry is the
// baseline's grey, which no model takes
const COLOURS = JSON.parse(document.querySelector('meta[name="detente-palette"]').content);
const BASELINE_GREY = COLOURS.pop();
const $ = (id) => document.getElementById(id);
const state = {
  key: null, view: null, sets: {}, pins: new Set(), whatIfs: new Set(), refused: {}, lastEdited: null,
  baseline: null, whatif: null, baselineRun: null, whatifRun: null,
  job: null, seq: 0, models: { baseline: null, whatif: null },
};

async function api(path, opts = {}) {
  const headers = Object.assign({ "X-Detente-Token": TOKEN }, opts.headers || {});
  const r = await fetch(path, Object.assign({}, opts, { headers, credentials: "same-origin" }));
  const type = r.headers.get("content-type") || "";
  const body = type.includes("json") ? await r.json() : await r.text();
  if (!r.ok) {
    const err = new Error((body && body.error) || r.statusText);
    err.status = r.status;
    err.problems = (body && body.problems) || [String(body)];
    throw err;
  }
  return body;
}
const post = (path, data) => api(path, {
  method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data),
});

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
const fmt = (x, d = 3) => (x === null || x === undefined ? "—" : typeof x === "number" ? +x.toPrecision(d) + "" : String(x));
const status = (text) => { $("status").textContent = text; };
function showProblems(err) {
  const box = $("problems");
  if (!err) { box.hidden = true; box.textContent = ""; return; }
  box.hidden = false;
  box.textContent = (err.problems || [err.message]).join("\n");
}

// ----- inputs ------------------------------------------------------------------------------
function inputs() {
  return {
    scenario: state.key,
    sets: Object.entries(state.sets).map(([p, v]) => `${p}=${v}`),
    pins: [...state.pins], what_ifs: [...state.whatIfs],
    seed: parseInt($("seed").value || "0", 10) || 0,
  };
}
function describeChanges() {
  const i = inputs();
  const parts = [...i.sets, ...i.pins.map((p) => `pin ${p}`), ...i.what_ifs.map((w) => `what-if ${w}`)];
  $("changes").textContent = parts.length ? "Changes: " + parts.join(", ") : "No changes: the what-if is the baseline.";
}

// ----- the editor --------------------------------------------------------------------------
function renderEditor() {
  const v = state.view;
  $("scenario-title").textContent = v.title;
  $("scenario-question").textContent = v.question || "";
  const wi = $("what-ifs"); wi.replaceChildren();
  for (const [name, desc] of Object.entries(v.what_ifs)) {
    wi.append(el("label", { class: "toggle", title: desc },
      el("input", { type: "checkbox", id: `wi-${name}`, "data-what-if": name, onchange: (e) => {
        e.target.checked ? state.whatIfs.add(name) : state.whatIfs.delete(name); changed();
      } }), ` ${name} `), el("br"));
  }
  const rl = $("red-lines"); rl.replaceChildren();
  for (const a of v.actors) {
    if (a.veto || Object.keys(a.red_lines).length) {
      rl.append(el("label", {}, el("input", { type: "checkbox", checked: a.veto, id: `veto-${a.id}`, onchange: (e) => {
        if (e.target.checked === a.veto) delete state.sets[`${a.id}.veto`]; else state.sets[`${a.id}.veto`] = e.target.checked;
        changed();
      } }), ` ${a.label} can veto`), el("br"));
    }
    for (const [iid, r] of Object.entries(a.red_lines)) {
      const path = `${a.id}.red_lines.${iid}`;
      rl.append(el("label", {}, el("input", { type: "checkbox", checked: true, id: `rl-${path}`, "data-path": path, onchange: (e) => {
        if (e.target.checked) delete state.sets[path]; else state.sets[path] = "none";
        changed();
      } }), ` ${a.label}: red line ${iid} ${r.op} ${fmt(r.bound)}`), el("br"));
    }
  }
  renderNumbers();
}
function renderNumbers() {
  const body = $("numbers").tBodies[0]; body.replaceChildren();
  const filter = $("filter").value.trim().toLowerCase();
  for (const n of state.view.numbers) {
    if (filter && !n.path.toLowerCase().includes(filter)) continue;
    if (n.path.includes(".red_lines.")) continue; // edited above, with its removal
    const edited = n.path in state.sets;
    const refused = state.refused[n.path];
    const prov = el("tr", { class: "prov", hidden: true },
      el("td", { colspan: 5 }, !n.source ? "no source given" : n.source.startsWith(`${n.kind}:`) ? n.source : `${n.kind}: ${n.source}`));
    const row = el("tr", { class: edited ? "edited" : refused ? "refused" : "", "data-path": n.path },
      el("td", {}, n.path),
      el("td", {}, el("input", { type: "number", step: "any", value: edited ? state.sets[n.path] : refused ? refused.value : n.value, "aria-label": n.path,
        onchange: (e) => {
          const x = e.target.value;
          delete state.refused[n.path];
          if (x === "" || Number(x) === n.value) delete state.sets[n.path]; else { state.sets[n.path] = x; state.lastEdited = n.path; }
          row.className = n.path in state.sets ? "edited" : ""; changed();
        } })),
      el("td", { class: "num" }, n.low === n.high ? "—" : `${fmt(n.low)}–${fmt(n.high)}`),
      el("td", {}, el("input", { type: "checkbox", checked: state.pins.has(n.path), "aria-label": `pin ${n.path}`, onchange: (e) => {
        e.target.checked ? state.pins.add(n.path) : state.pins.delete(n.path); changed();
      } })),
      el("td", {}, el("button", { type: "button", class: "src", title: "where this number comes from", onclick: () => { prov.hidden = !prov.hidden; } }, "src")));
    body.append(row);
    if (refused) body.append(el("tr", { class: "refusal", "data-refused": n.path }, el("td", { colspan: 5 }, `refused, not applied: ${refused.message}`)));
    body.append(prov);
  }
}

// ----- results (plotly.js 3 and later read an axis title only as { text }) ----------------
function zoneBox(id, d, other) {
  const box = $(id); box.replaceChildren();
  if (!d) return;
  if (d.error) { box.append(el("p", { class: "closed" }, d.error)); return; }
  const hl = (key, val, o) => el("span", { class: other && JSON.stringify(val) !== JSON.stringify(o) ? "changed" : "" }, fmt(val));
  const open = d.zone_nonempty;
  box.append(
    el("div", { class: "verdict " + (open ? "open" : "closed"), "data-open": open ? "true" : "false" },
      open ? "Zone of agreement: open" : "Zone of agreement: closed"),
    el("div", {}, "P(zone non-empty) ", hl("p", d.p_zone_nonempty, other && other.p_zone_nonempty)),
    el("div", {}, "gap ", hl("gap", d.gap && d.gap.point, other && other.gap && other.gap.point)),
    el("div", {}, "blockers: ", (d.blockers || []).map((b) => b.detail || b.kind).join("; ") || "none"));
}
function leverTable(id, d, other) {
  const t = $(id); t.replaceChildren();
  if (!d || d.error) return;
  const before = {}; for (const l of (other && other.levers) || []) before[l.name] = l;
  t.append(el("tr", {}, el("th", {}, "lever"), el("th", { class: "num" }, "P(zone)"), el("th", { class: "num" }, "Δ")));
  for (const l of d.levers || []) {
    const o = before[l.name];
    const diff = other && (!o || Math.abs((o.p_zone_nonempty || 0) - (l.p_zone_nonempty || 0)) > 1e-9 || Math.abs((o.delta || 0) - (l.delta || 0)) > 1e-9);
    t.append(el("tr", { class: diff ? "changed" : "", "data-lever": l.name },
      el("td", { title: l.change }, l.name), el("td", { class: "num" }, fmt(l.p_zone_nonempty)), el("td", { class: "num" }, fmt(l.delta))));
  }
}
function renderZones() {
  const b = state.baseline && state.baseline.diagnosis, w = state.whatif && state.whatif.diagnosis;
  zoneBox("zone-baseline", b, null); zoneBox("zone-whatif", w, b);
  leverTable("levers-baseline", b, null); leverTable("levers-whatif", w, b);
}
function renderForecasts() {
  const b = state.models.baseline, w = state.models.whatif;
  const t = $("forecasts"); t.replaceChildren();
  if (!w) return;
  const issues = state.view.issues.map((i) => i.id);
  t.append(el("tr", {}, el("th", {}, "model"), issues.map((i) => el("th", { class: "num" }, i))));
  const base = {}; for (const f of b || []) base[f.model] = f;
  const traces = [];
  let k = 0;
  for (const f of w) {
    if (!f.outcome) { t.append(el("tr", {}, el("td", {}, f.model), el("td", { colspan: issues.length }, f.error || ""))); continue; }
    const o = base[f.model] && base[f.model].outcome;
    t.append(el("tr", {}, el("td", {}, f.model), issues.map((i) => {
      const changedCell = o && JSON.stringify(o[i]) !== JSON.stringify(f.outcome[i]);
      return el("td", { class: "num" + (changedCell ? " changed" : ""), title: o ? `baseline ${fmt(o[i])}` : "" }, fmt(f.outcome[i]));
    })));
    if (o) traces.push({ x: issues.map((i) => o[i]), y: issues, name: f.model + " (baseline)", mode: "markers", type: "scatter", marker: { color: BASELINE_GREY, size: 9 }, showlegend: false, hoverinfo: "x+name" });
    // one palette colour per model, never the baseline's grey; shapes repeat only past the palette
    const symbols = ["diamond", "circle", "square", "triangle-up", "triangle-down", "cross", "x", "star"];
    traces.push({ x: issues.map((i) => f.outcome[i]), y: issues, name: f.model, mode: "markers", type: "scatter",
      marker: { size: 9, color: COLOURS[k % COLOURS.length], symbol: symbols[k % symbols.length], line: { width: 0.5, color: "#000" } } });
    k++;
  }
  if (window.Plotly) Plotly.react("forecast-plot", traces, { margin: { l: 150, r: 10, t: 10, b: 30 }, height: 320, xaxis: { title: { text: "outcome on the issue's scale" } } }, { displaylogo: false, responsive: true });
}
function renderJob(summary, baseSummary) {
  const t = $("outlook"); t.replaceChildren();
  const c = $("claims"); c.replaceChildren();
  if (!summary) return;
  const hz = summary.outlook || [];
  const bh = {}; for (const h of (baseSummary && baseSummary.outlook) || []) bh[h.month] = h;
  if (hz.length) {
    t.append(el("tr", {}, ["month", "P(talks)", "P(agreement)", "P(crisis)"].map((h) => el("th", { class: "num" }, h))));
    for (const h of hz) {
      const b = bh[h.month];
      t.append(el("tr", {}, el("td", { class: "num" }, `${h.month} (${h.date})`), ["talks", "agreement", "crisis"].map((k) =>
        el("td", { class: "num" + (b && Math.abs(b[k] - h[k]) > 1e-9 ? " changed" : ""), title: b ? `baseline ${fmt(b[k])}` : "" }, fmt(h[k])))));
    }
    const lines = [];
    for (const [k, color] of [["talks", COLOURS[0]], ["agreement", COLOURS[2]], ["crisis", COLOURS[3]]]) {
      if (baseSummary && baseSummary.outlook) lines.push({ x: baseSummary.outlook.map((h) => h.month), y: baseSummary.outlook.map((h) => h[k]), name: k + " (baseline)", line: { color, dash: "dot" } });
      lines.push({ x: hz.map((h) => h.month), y: hz.map((h) => h[k]), name: k, line: { color } });
    }
    if (window.Plotly) Plotly.react("outlook-plot", lines, { margin: { l: 50, r: 10, t: 10, b: 40 }, height: 300, xaxis: { title: { text: "months" } }, yaxis: { title: { text: "probability" }, range: [0, 1] } }, { displaylogo: false, responsive: true });
  } else if (summary.missing && summary.missing.outlook) {
    t.append(el("tr", {}, el("td", {}, "Outlook: " + summary.missing.outlook)));
  }
  const bc = {}; for (const x of (baseSummary && baseSummary.claims) || []) bc[x.id] = x;
  if (summary.claims.length) c.append(el("tr", {}, ["claim", "", "verdict", "robustness"].map((h) => el("th", {}, h))));
  for (const x of summary.claims) {
    const b = bc[x.id];
    const encoded = x.evidence === "encoding";
    c.append(el("tr", { class: encoded ? "encoded" : "", "data-claim": x.id }, el("td", {}, x.id), el("td", {}, x.text),
      el("td", { class: b && b.verdict !== x.verdict ? "changed" : "" }, x.verdict,
        encoded ? el("span", { class: "evidence-encoding", title: "the verdict restates the scenario's inputs: not a finding" }, "encoded in the scenario") : ""),
      el("td", { class: "num" }, fmt(x.robustness, 2))));
  }
}

// ----- computing ---------------------------------------------------------------------------
async function analyse(which, data) {
  // the zone first (the server computes one request at a time in Python), then the models
  const seq = data.seq;
  const stale = () => seq !== state.seq && which === "whatif";
  const zone = await post("/api/analyse", Object.assign({}, data.inputs, { part: "zone" }));
  if (stale()) return;
  state[which] = zone; renderZones();
  if (data.t0) status(`zone updated in ${Math.round(performance.now() - data.t0)} ms; computing the forecasts…`);
  const models = await post("/api/analyse", Object.assign({}, data.inputs, { part: "models" }));
  if (stale()) return;
  state.models[which] = models.forecasts; renderForecasts();
}
let timer = null;
function changed() {
  describeChanges();
  clearTimeout(timer);
  timer = setTimeout(recompute, 50);
}
async function recompute() {
  const seq = ++state.seq;
  const t0 = performance.now();
  const data = { seq, inputs: inputs(), t0 };
  status("computing the zone of agreement…");
  try {
    showProblems(null);
    await analyse("whatif", data);
    if (seq === state.seq) status(`zone and forecasts updated in ${Math.round(performance.now() - t0)} ms`);
    if (seq === state.seq) startJob("what-if", data.inputs, "whatif");
  } catch (err) {
    if (seq !== state.seq) return;
    if (refuse(err)) { renderNumbers(); describeChanges(); status("the change was refused (shown beside it)"); recompute(); return; }
    showProblems(err); status("the change was refused");
  }
}
// a refused number edit is shown beside its number and taken out of the changes (the what-if
// runs without it); returns whether any edit was taken out
function refuse(err) {
  const lines = err.problems || [err.message];
  let paths = Object.keys(state.sets).filter((p) => lines.some((l) => l.includes(p)));
  if (!paths.length && state.lastEdited in state.sets) paths = [state.lastEdited];
  for (const p of paths) {
    state.refused[p] = { value: state.sets[p], message: lines.filter((l) => l.includes(p)).join("; ") || lines.join("; ") };
    delete state.sets[p];
  }
  return paths.length > 0;
}
async function startJob(label, inp, which) {
  if (state.job && which === "whatif") { try { await post(`/api/jobs/${state.job}/cancel`, {}); } catch (e) { /* finished */ } }
  let job;
  const seq = state.seq;
  try { job = await post("/api/jobs", Object.assign({}, inp, { label })); } catch (err) {
    // too many jobs at once (cancelled ones finish their current step first): try again
    if (err.status === 429 && (which === "baseline" || seq === state.seq)) {
      $("job-step").textContent = `${label}: waiting for a free slot`;
      setTimeout(() => { if (which === "baseline" || seq === state.seq) startJob(label, inp, which); }, 500);
    } else showProblems(err);
    return;
  }
  if (which === "whatif") state.job = job.id;
  $("job-cancel").disabled = false;
  const key = state.key;
  const poll = async () => {
    const j = await api(`/api/jobs/${job.id}`);
    if (which === "whatif" && state.job !== job.id) return;
    if (key !== state.key) return; // a job of the scenario the page has left
    $("job-progress").max = j.total; $("job-progress").value = j.done;
    $("job-step").textContent = `${label}: ${j.status === "running" ? j.step : j.status}` + (j.error ? ` — ${j.error}` : "");
    if (j.status === "running" || j.status === "queued") { setTimeout(poll, 250); return; }
    $("job-cancel").disabled = true;
    if (j.status === "done") {
      if (which === "baseline") { state.baselineRun = j.run_id; state.baselineSummary = j.result; }
      else { state.whatifRun = j.run_id; state.whatifSummary = j.result; }
      renderJob(state.whatifSummary || state.baselineSummary, state.whatifSummary ? state.baselineSummary : null);
      loadRuns();
    }
  };
  poll();
}

// ----- runs --------------------------------------------------------------------------------
async function loadRuns() {
  let rows;
  try { rows = await api("/api/runs"); } catch (err) { return; }
  const body = $("runs").tBodies[0]; body.replaceChildren();
  for (const r of rows) {
    const changes = [...r.sets, ...r.pins.map((p) => `pin ${p}`), ...r.what_ifs.map((w) => `what-if ${w}`)].join(", ");
    body.append(el("tr", { "data-run": r.id }, el("td", {}, r.id), el("td", {}, r.label || r.command), el("td", {}, r.scenario || ""),
      el("td", {}, changes || "—"), el("td", {}, r.created),
      el("td", {},
        el("button", { type: "button", class: "reopen", onclick: () => reopen(r) }, "reopen"), " ",
        el("a", { href: `/api/runs/${r.id}/report.html`, download: `detente-run-${r.id}.html`, class: "download-html", "data-run": r.id }, "HTML"), " ",
        el("a", { href: `/api/runs/${r.id}/result.json`, download: `detente-run-${r.id}.json`, class: "download-json" }, "JSON"))));
  }
}
async function reopen(r) {
  // the run's own scenario: bundled by name, an upload (or an authored case) from its stored text
  const opened = await post(`/api/runs/${r.id}/scenario`, {});
  if (opened.key !== state.key) await fillScenarios(opened.key);
  state.sets = {}; state.refused = {}; state.pins = new Set(r.pins); state.whatIfs = new Set(r.what_ifs);
  for (const s of r.sets) { const i = s.indexOf("="); state.sets[s.slice(0, i)] = s.slice(i + 1); }
  if (r.seed !== null) $("seed").value = r.seed;
  renderEditor(); syncToggles(); changed();
}
function syncToggles() {
  for (const box of document.querySelectorAll("[data-what-if]")) box.checked = state.whatIfs.has(box.dataset.whatIf);
  for (const box of document.querySelectorAll("#red-lines input[data-path]")) box.checked = state.sets[box.dataset.path] !== "none";
}
async function compare() {
  const t = $("diff"); t.replaceChildren();
  const t0 = Date.now();
  while (!state.baselineRun || !state.whatifRun) {
    if (Date.now() - t0 > 600000) { status("the background jobs have not recorded both runs"); return; }
    status("waiting for the background jobs to record both runs…");
    await new Promise((done) => setTimeout(done, 250));
  }
  status(`comparing run ${state.baselineRun} with run ${state.whatifRun}`);
  const d = await api(`/api/runs/${state.baselineRun}/diff/${state.whatifRun}`);
  t.append(el("tr", {}, el("th", {}, "what"), el("th", {}, `baseline (run ${d.a})`), el("th", {}, `what-if (run ${d.b})`)));
  for (const [title, rows] of [["Input changes", d.inputs], ["Result changes", d.results]]) {
    t.append(el("tr", {}, el("th", { colspan: 3 }, `${title}: ${rows.length || "none"}`)));
    for (const r of rows) t.append(el("tr", { class: "diff-row" }, el("td", {}, r.what), el("td", {}, fmt(r.a, 4)), el("td", { class: "changed" }, fmt(r.b, 4))));
  }
  if (d.identical_results) t.append(el("tr", {}, el("td", { colspan: 3 }, "identical results")));
}

// ----- scenarios ---------------------------------------------------------------------------
async function loadScenario(key) {
  const v = await api(`/api/scenario?name=${encodeURIComponent(key)}`);
  state.key = key; state.view = v; state.sets = {}; state.refused = {}; state.pins = new Set(); state.whatIfs = new Set();
  state.baseline = state.whatif = null; state.models = { baseline: null, whatif: null };
  state.baselineRun = state.whatifRun = state.baselineSummary = state.whatifSummary = null;
  $("scenario-select").value = key;
  $("job-step").textContent = ""; $("job-progress").value = 0;
  renderEditor(); describeChanges();
  document.dispatchEvent(new CustomEvent("detente:scenario", { detail: { key } })); // sens.js
  const data = { seq: ++state.seq, inputs: inputs() };
  status("computing the baseline…");
  await analyse("baseline", data);
  state.whatif = state.baseline; state.models.whatif = state.models.baseline;
  renderZones(); renderForecasts();
  status("ready");
  startJob("baseline", data.inputs, "baseline");
}
async function fillScenarios(select) {
  const s = await api("/api/scenarios");
  const sel = $("scenario-select"); sel.replaceChildren();
  for (const n of s.bundled) sel.append(el("option", { value: n }, n));
  for (const u of s.uploads) sel.append(el("option", { value: u.key }, `${u.name} (upload)`));
  await loadScenario(select || s.default);
}
async function upload(file) {
  try {
    const buf = await file.arrayBuffer();
    const r = await api("/api/upload", { method: "POST", headers: { "X-Filename": file.name, "Content-Type": "application/octet-stream" }, body: buf });
    showProblems(null);
    await fillScenarios(r.key);
  } catch (err) { showProblems(err); status("the upload was refused"); }
}

// ----- the resizable editor column ------------------------------------------------------------
function setEditorWidth(px) {
  const main = $("main"); const w = main.clientWidth;
  const clamped = Math.max(260, Math.min(px, w * 0.8));
  main.style.setProperty("--editor-width", `${Math.round(clamped)}px`);
  try { localStorage.setItem("detente-editor-width", String(Math.round(clamped))); } catch (e) { /* private mode */ }
  if (window.Plotly) for (const id of ["forecast-plot", "outlook-plot"]) if ($(id).data) Plotly.Plots.resize(id);
}
function splitter() {
  const bar = $("splitter");
  let start = null;
  bar.addEventListener("pointerdown", (e) => { start = { x: e.clientX, w: $("editor").getBoundingClientRect().width }; bar.setPointerCapture(e.pointerId); bar.classList.add("dragging"); });
  bar.addEventListener("pointermove", (e) => { if (start) setEditorWidth(start.w + e.clientX - start.x); });
  bar.addEventListener("pointerup", () => { start = null; bar.classList.remove("dragging"); });
  bar.addEventListener("keydown", (e) => {
    const w = $("editor").getBoundingClientRect().width;
    if (e.key === "ArrowLeft") setEditorWidth(w - 40); else if (e.key === "ArrowRight") setEditorWidth(w + 40);
  });
  let saved = null; try { saved = localStorage.getItem("detente-editor-width"); } catch (e) { /* private mode */ }
  if (saved) setEditorWidth(Number(saved));
}

window.addEventListener("DOMContentLoaded", () => {
  splitter();
  $("scenario-select").addEventListener("change", (e) => loadScenario(e.target.value).catch(showProblems));
  $("upload").addEventListener("change", (e) => e.target.files[0] && upload(e.target.files[0]));
  $("seed").addEventListener("change", changed);
  $("filter").addEventListener("input", renderNumbers);
  $("reset").addEventListener("click", () => { state.sets = {}; state.refused = {}; state.pins = new Set(); state.whatIfs = new Set(); renderEditor(); changed(); });
  $("job-cancel").addEventListener("click", () => state.job && post(`/api/jobs/${state.job}/cancel`, {}));
  $("compare").addEventListener("click", () => compare().catch(showProblems));
  $("refresh-runs").addEventListener("click", loadRuns);
  fillScenarios().then(loadRuns).catch((err) => { showProblems(err); status("could not load"); });
});

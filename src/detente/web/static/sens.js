// detente workbench: "what drives it". Global sensitivity of one quantity of the loaded case
// with the page's changes (sets, pins, what-ifs, seed), run as a background job by the server
// (the same computation as `detente sensitivity ... --json`); this file only renders its JSON:
// the plain-words finding, a bar chart of the indices with their intervals, the table, the
// notes and the command line that reproduces the numbers.
// Uses el(), api(), post(), fmt(), $, state, inputs(), describeChanges and COLOURS of app.js.
"use strict";

const sens = { key: null, info: null, job: null, result: null, inputs: null, nTouched: false, showAll: false, attempt: 0, url: null, blob: null };

function sensKinds() {
  return { zone: "Zone of agreement", forecast: "Model forecasts", outlook: "Outlook (crisis dynamics)", claim: "Claims (margin of the first condition)" };
}
async function sensLoad(key) {
  // a job of the case the page leaves would hold a slot of the server to no end: cancel it
  if (sens.job && !$("sens-cancel").disabled) post(`/api/jobs/${sens.job}/cancel`, {}).catch(() => {});
  sens.key = key; sens.info = null; sens.result = null; sens.job = null; sensRenderResult();
  $("sens-cancel").disabled = true; $("sens-run").disabled = false;
  $("sens-step").textContent = ""; $("sens-progress").value = 0;
  const sel = $("sens-quantity"); sel.replaceChildren();
  let info;
  try { info = await api(`/api/sensitivity/quantities?name=${encodeURIComponent(key)}`); } catch (err) { $("sens-hint").textContent = err.message; return; }
  if (sens.key !== key) return;
  sens.info = info;
  const groups = {};
  for (const q of info.quantities) {
    if (!groups[q.kind]) { groups[q.kind] = el("optgroup", { label: sensKinds()[q.kind] || q.kind }); sel.append(groups[q.kind]); }
    groups[q.kind].append(el("option", { value: q.quantity, title: q.label }, `${q.quantity} — ${q.label}`));
  }
  if (!$("sens-runs").value) $("sens-runs").value = info.runs;
  // a file that states no ranges (KTAB, exchange tables) has nothing to vary without a spread
  $("sens-spread").value = info.uncertain_inputs ? "" : "0.1";
  sensHint();
}
function sensQuantity() {
  const v = $("sens-quantity").value;
  return sens.info ? sens.info.quantities.find((q) => q.quantity === v) : null;
}
function sensHint() {
  const q = sensQuantity(); const info = sens.info;
  if (!q || !info) return;
  const method = $("sens-method").value;
  const n = parseInt($("sens-n").value || "0", 10) || 0;
  const spread = parseFloat($("sens-spread").value) > 0;
  const d = spread ? info.numbers : info.uncertain_inputs;
  const points = n * (d + (method === "sobol" ? 2 : 1));
  const inputsWord = spread ? "numbers, each given a range by the spread" : "uncertain inputs";
  $("sens-runs-label").hidden = !q.simulates;
  const runs = parseInt($("sens-runs").value || "0", 10) || 0;
  const cost = q.simulates ? `each runs the simulation ${runs} times` : q.vectorised ? "computed in batches (fast)" : "each runs the model once";
  $("sens-hint").textContent = `${q.label}: at most ${points.toLocaleString()} design points (n=${n} × (${d} ${inputsWord} + ${method === "sobol" ? 2 : 1}); only the inputs it reads are varied), ${cost}.` +
    (method === "sobol" ? " Sobol needs n a power of two." : "") +
    (info.uncertain_inputs ? "" : " This case states no ranges: the spread gives every number one (+-10% of its scale by default).");
}

async function sensRun() {
  const q = sensQuantity();
  if (!q) return;
  const body = Object.assign({}, inputs(), {
    quantity: q.quantity, method: $("sens-method").value,
    n: parseInt($("sens-n").value || "0", 10), runs: parseInt($("sens-runs").value || "0", 10) || undefined,
  });
  const spread = parseFloat($("sens-spread").value);
  if (spread > 0) body.spread = spread;
  if (sens.job) { try { await post(`/api/jobs/${sens.job}/cancel`, {}); } catch (e) { /* finished */ } }
  let job;
  const key0 = sens.key, attempt = ++sens.attempt;
  for (;;) {
    try { job = await post("/api/sensitivity", body); break; } catch (err) {
      // every slot taken (the page's own report jobs, cancelled ones ending their step): wait
      if (err.status === 429 && sens.key === key0 && attempt === sens.attempt) {
        $("sens-step").textContent = `what drives ${body.quantity}: waiting for a free slot (${err.message})`;
        await new Promise((done) => setTimeout(done, 500));
        continue;
      }
      if (attempt === sens.attempt) $("sens-step").textContent = `refused: ${(err.problems || [err.message]).join("; ")}`;
      return;
    }
  }
  if (attempt !== sens.attempt || sens.key !== key0) { post(`/api/jobs/${job.id}/cancel`, {}).catch(() => {}); return; }
  sens.job = job.id; sens.inputs = body;
  $("sens-cancel").disabled = false; $("sens-run").disabled = true;
  $("sens-command").textContent = "";
  const key = sens.key;
  const poll = async () => {
    let j;
    try { j = await api(`/api/jobs/${job.id}`); } catch (err) { $("sens-step").textContent = err.message; return; }
    if (sens.job !== job.id || key !== sens.key) return;
    $("sens-progress").max = j.total; $("sens-progress").value = j.done;
    $("sens-step").textContent = `what drives ${body.quantity}: ${j.status === "running" ? j.step : j.status} (${fmt(j.seconds)} s)` + (j.error ? ` — ${j.error}` : "");
    if (j.status === "running" || j.status === "queued") { setTimeout(poll, 300); return; }
    $("sens-cancel").disabled = true; $("sens-run").disabled = false;
    if (j.status === "done") { sens.result = j.result; sensRenderResult(); }
  };
  poll();
}

const sensKey = (d) => (d.method === "sobol" ? "total" : "mu_star");
const sensCI = (x, iv, d = 3) => (x === null || x === undefined ? "—" : `${fmt(x, d)}` + (iv ? ` [${fmt(iv[0], 2)}, ${fmt(iv[1], 2)}]` : ""));

function sensRenderResult() {
  const d = sens.result;
  const t = $("sens-table"); t.replaceChildren();
  const notes = $("sens-notes"); notes.replaceChildren();
  $("sens-words").textContent = "";
  $("sens-meta").textContent = "";
  if (window.Plotly && $("sens-plot").data) Plotly.purge("sens-plot");
  $("sens-plot").replaceChildren();
  $("sens-download").hidden = true;
  if (!d) return;
  const sobol = d.method === "sobol"; const key = sensKey(d);
  $("sens-words").textContent = d.words;
  const on = sens.inputs || {};
  const changes = [...(on.sets || []), ...(on.pins || []).map((p) => `pin ${p}`), ...(on.what_ifs || []).map((w) => `what-if ${w}`)];
  $("sens-meta").textContent = `${d.label} on ${d.scenario} (${changes.length ? changes.join(", ") : "no changes"}): ${d.method}, n=${d.n}, ` +
    `${d.n_evaluations.toLocaleString()} evaluations, seed ${d.seed}; mean ${fmt(d.mean, 4)}, variance ${fmt(d.variance, 4)}` +
    (d.left_out.length ? `; ${d.left_out.length} inputs it does not read left out` : "");
  const nonzero = d.inputs.filter((r) => Math.abs(r[key] || 0) > 5e-4);
  const rows = sens.showAll ? d.inputs : nonzero;
  const head = sobol ? ["input", "first order [95%]", "total [95%]", ""] : ["input", "mu* [95%]", "mu", "sigma", ""];
  t.append(el("tr", {}, head.map((h, i) => el("th", { class: i ? "num" : "" }, h))));
  const top = Math.max(1e-12, ...d.inputs.map((r) => Math.abs(r[key] || 0)));
  for (const r of rows) {
    const v = Math.max(0, r[key] || 0);
    const bar = el("span", { class: "sens-bar", style: `width:${Math.round(100 * Math.min(1, v / (sobol ? 1 : top)))}px` });
    const name = el("td", { title: r.input }, r.label, el("br"), el("span", { class: "dim sens-path" }, r.input));
    const cells = sobol
      ? [sensCI(r.first, r.first_interval), sensCI(r.total, r.total_interval)]
      : [sensCI(r.mu_star, r.mu_star_interval), fmt(r.mu), fmt(r.sigma)];
    t.append(el("tr", { "data-input": r.input }, name, cells.map((c) => el("td", { class: "num" }, c)), el("td", {}, bar)));
  }
  const hidden = d.inputs.length - nonzero.length;
  if (hidden) {
    t.append(el("tr", {}, el("td", { colspan: head.length, class: "dim" },
      el("label", {}, el("input", { type: "checkbox", id: "sens-all", checked: sens.showAll, onchange: (e) => { sens.showAll = e.target.checked; sensRenderResult(); } }),
        ` show every input (${hidden} with index 0: read by the quantity, moving nothing over the ranges)`))));
  }
  for (const n of d.notes) notes.append(el("li", {}, n));
  $("sens-command").textContent = d.command ? `Same numbers from the command line: ${d.command}` : "";
  // the result as the command's --json writes it (without the page's "command")
  if (sens.url) URL.revokeObjectURL(sens.url);
  const plain = Object.assign({}, d); delete plain.command;
  sens.blob = new Blob([JSON.stringify(plain, null, 2) + "\n"], { type: "application/json" });
  sens.url = URL.createObjectURL(sens.blob);
  const dl = $("sens-download"); dl.href = sens.url; dl.hidden = false;
  dl.download = `what-drives-${d.scenario}-${d.quantity.replace(/[^A-Za-z0-9_.-]+/g, "_")}.json`;
  sensPlot(d, nonzero.slice(0, 12));
}
function sensPlot(d, rows) {
  if (!window.Plotly || !rows.length) return;
  const sobol = d.method === "sobol";
  const y = rows.map((r) => r.label).reverse();
  const trace = (k, name, colour) => {
    const rs = rows.slice().reverse();
    const x = rs.map((r) => r[k] || 0);
    const iv = rs.map((r, i) => r[`${k}_interval`] || [x[i], x[i]]);
    return { type: "bar", orientation: "h", name, x, y, marker: { color: colour },
      error_x: { type: "data", symmetric: false, array: iv.map((v, i) => Math.max(0, v[1] - x[i])), arrayminus: iv.map((v, i) => Math.max(0, x[i] - v[0])), color: "#444" } };
  };
  const traces = sobol ? [trace("first", "first order", COLOURS[1 % COLOURS.length]), trace("total", "total", COLOURS[0])] : [trace("mu_star", "mu*", COLOURS[0])];
  // plotly.js 3 and later read an axis title only as { text }
  const xaxis = { title: { text: sobol ? "Sobol index (share of the variance), 95% interval" : "Morris mu* (mean absolute elementary effect), 95% interval" }, zeroline: true, automargin: true };
  Plotly.react("sens-plot", traces, {
    barmode: "group", height: 110 + 34 * rows.length, margin: { l: 260, r: 10, t: 30, b: 60 }, xaxis,
    yaxis: { automargin: true }, title: { text: `What drives ${d.label}`, font: { size: 13 } },
    legend: { orientation: "h", x: 1, xanchor: "right", y: 1.02, yanchor: "bottom" }, showlegend: sobol,
  }, { displaylogo: false, responsive: true });
}

window.addEventListener("DOMContentLoaded", () => {
  document.addEventListener("detente:scenario", (e) => sensLoad(e.detail.key));
  $("sens-quantity").addEventListener("change", sensHint);
  $("sens-method").addEventListener("change", () => {
    if (!sens.nTouched && sens.info) $("sens-n").value = sens.info.default_n[$("sens-method").value];
    sensHint();
  });
  $("sens-n").addEventListener("input", () => { sens.nTouched = true; sensHint(); });
  $("sens-runs").addEventListener("input", sensHint);
  $("sens-spread").addEventListener("input", sensHint);
  $("sens-run").addEventListener("click", () => sensRun().catch((err) => { $("sens-step").textContent = err.message; }));
  $("sens-cancel").addEventListener("click", () => sens.job && post(`/api/jobs/${sens.job}/cancel`, {}));
});

// detente workbench: the case editor. Builds a scenario file in the page (actors, issues with
// their anchors, stances, red lines, vetoes, the status quo, named what-ifs and claims, every
// number with its range and provenance); the server writes it as YAML and reads it back with the
// reader behind `detente validate`, so the problems shown are validate's own, with their lines.
// Uses el(), api(), post(), $ and fillScenarios() of app.js.
"use strict";

const author = { doc: null, name: "my-case", catalogue: null, timer: null, seq: 0, answer: null, url: null };

const emptyCase = () => ({ meta: { id: "my-case", title: "", question: "" }, issues: [], actors: [], status_quo: {} });
const itemKey = (item, k) => (item && typeof item.id === "string" ? item.id : `[${k}]`);
const blankStance = () => ({ position: { value: "" }, salience: { value: "" } });
const freshId = (stem, items) => { let n = items.length + 1; while (items.some((x) => x.id === `${stem}${n}`)) n++; return `${stem}${n}`; };
const parseNum = (s) => { const t = String(s).trim(); return t !== "" && !isNaN(Number(t)) ? Number(t) : t; };

// ----- a number with its range and provenance ---------------------------------------------
const PROV = ["judgement", "quote", "fact", "imported", "calibrated"];
function asQuantity(q) { return q !== null && typeof q === "object" ? q : (q === undefined || q === "" ? { value: "" } : { value: q }); }
function provKind(q) { return PROV.find((k) => k in q) || ""; }
// a quantity editor bound to holder[key]; `field` is the location validate names it by
function quantity(holder, key, field, label) {
  const q = asQuantity(holder[key]);
  const save = () => { holder[key] = q; touched(); };
  const kind = provKind(q);
  const rng = Array.isArray(q.range) ? q.range : ["", ""];
  const setRange = (i, v) => {
    const r = Array.isArray(q.range) ? q.range.slice() : ["", ""];
    r[i] = v === "" ? "" : parseNum(v);
    if (r[0] === "" && r[1] === "") delete q.range; else q.range = r;
    save();
  };
  const text = el("input", { type: "text", class: "q-text", placeholder: "reason, quote or fact", value: kind ? q[kind] : "", "aria-label": `${label} provenance`,
    oninput: (e) => { const k = provKind(q) || "judgement"; q[k] = e.target.value; save(); } });
  const locator = el("input", { type: "text", class: "q-loc", placeholder: "at / cite", value: q.at || q.cite || "", hidden: !(kind === "quote" || kind === "fact"),
    "aria-label": `${label} locator`, oninput: (e) => { const k = provKind(q) === "quote" ? "at" : "cite"; if (e.target.value) q[k] = e.target.value; else delete q[k]; save(); } });
  const kindSel = el("select", { "aria-label": `${label} provenance kind`, onchange: (e) => {
    const old = provKind(q); const t = old ? q[old] : "";
    for (const k of [...PROV, "at", "cite"]) delete q[k];
    if (e.target.value) { q[e.target.value] = t || text.value; if ((e.target.value === "quote" || e.target.value === "fact") && locator.value) q[e.target.value === "quote" ? "at" : "cite"] = locator.value; }
    locator.hidden = !(e.target.value === "quote" || e.target.value === "fact");
    save();
  } }, el("option", { value: "" }, "no source"), PROV.map((k) => el("option", { value: k, selected: k === kind }, k)));
  return el("span", { class: "quantity", "data-field": field },
    el("input", { type: "text", inputmode: "decimal", class: "q-value", value: q.value, "aria-label": label, "data-q": field,
      oninput: (e) => { q.value = parseNum(e.target.value); save(); } }),
    el("span", { class: "q-range", title: "plausible range used by the uncertainty analyses (blank: certain)" }, " [",
      el("input", { type: "text", inputmode: "decimal", class: "q-low", value: rng[0], "aria-label": `${label} range low`, oninput: (e) => setRange(0, e.target.value) }), "–",
      el("input", { type: "text", inputmode: "decimal", class: "q-high", value: rng[1], "aria-label": `${label} range high`, oninput: (e) => setRange(1, e.target.value) }), "] "),
    kindSel, " ", text, " ", locator, el("span", { class: "field-error" }));
}
function textInput(obj, key, label, attrs = {}) {
  const { optional, ...rest } = attrs;
  return el("input", Object.assign({ type: "text", value: obj[key] ?? "", "aria-label": label, placeholder: label, oninput: (e) => {
    if (e.target.value === "" && optional) delete obj[key]; else obj[key] = e.target.value;
    touched();
  } }, rest));
}
const removeButton = (what, fn) => el("button", { type: "button", class: "remove", title: `remove ${what}`, "aria-label": `remove ${what}`, onclick: () => { fn(); renderAuthor(); touched(); } }, "✕");
const addButton = (what, id, fn) => el("button", { type: "button", class: "add", id, onclick: () => { fn(); renderAuthor(); touched(); } }, `+ ${what}`);
const block = (field, ...children) => el("div", { class: "item", "data-field": field }, ...children, el("div", { class: "field-error" }));

// ----- the sections ------------------------------------------------------------------------
function renameIssue(oldId, newId) {
  if (oldId === newId) return;
  const moveKey = (m) => { if (m && oldId in m) { m[newId] = m[oldId]; delete m[oldId]; } };
  for (const a of author.doc.actors) { moveKey(a.stances); moveKey(a.red_lines); }
  moveKey(author.doc.status_quo);
}
function issueBlock(issue, k) {
  const f = `issues.${itemKey(issue, k)}`;
  const anchors = Object.entries(issue.anchors || {}).sort((x, y) => Number(x[0]) - Number(y[0]));
  const anchorRows = anchors.map(([at, lab]) => el("div", { class: "anchor" },
    el("input", { type: "text", inputmode: "decimal", class: "anchor-at", value: isNaN(Number(at)) ? at : String(Number(at)), "aria-label": `anchor point of ${issue.id}`, onchange: (e) => {
      const m = {}; for (const [a2, l2] of Object.entries(issue.anchors)) m[a2 === at ? e.target.value : a2] = l2; issue.anchors = m; renderAuthor(); touched();
    } }),
    el("input", { type: "text", class: "anchor-label", value: lab, "aria-label": `anchor label of ${issue.id} at ${at}`, oninput: (e) => { issue.anchors[at] = e.target.value; touched(); } }),
    removeButton(`anchor ${at}`, () => { delete issue.anchors[at]; if (!Object.keys(issue.anchors).length) delete issue.anchors; })));
  let oldId = issue.id;
  return block(f,
    el("div", { class: "row" },
      el("input", { type: "text", class: "issue-id id", value: issue.id, "aria-label": "issue id", placeholder: "id", oninput: (e) => { issue.id = e.target.value; touched(); },
        onchange: (e) => { renameIssue(oldId, e.target.value); oldId = e.target.value; renderAuthor(); touched(); } }),
      textInput(issue, "label", "label", { class: "issue-label" }),
      removeButton(`issue ${issue.id}`, () => {
        author.doc.issues.splice(k, 1);
        for (const a of author.doc.actors) { if (a.stances) delete a.stances[issue.id]; if (a.red_lines) delete a.red_lines[issue.id]; }
        delete author.doc.status_quo[issue.id];
      })),
    el("div", { class: "row" }, "scale ",
      el("input", { type: "text", inputmode: "decimal", class: "issue-low small", value: issue.low ?? 0, "aria-label": `${issue.id} scale low`, oninput: (e) => { issue.low = parseNum(e.target.value); touched(); } }), " to ",
      el("input", { type: "text", inputmode: "decimal", class: "issue-high small", value: issue.high ?? 100, "aria-label": `${issue.id} scale high`, oninput: (e) => { issue.high = parseNum(e.target.value); touched(); } }), " ",
      textInput(issue, "direction", "direction (what higher means)", { optional: true, class: "wide" })),
    el("div", { class: "anchors" }, el("span", { class: "dim" }, "anchors (named scale points): "), anchorRows,
      addButton("anchor", null, () => {
        issue.anchors = issue.anchors || {};
        const used = new Set(Object.keys(issue.anchors).map(Number));
        const lo = Number(issue.low ?? 0), hi = Number(issue.high ?? 100);
        const at = [lo, hi, (lo + hi) / 2, lo + (hi - lo) / 4, lo + 3 * (hi - lo) / 4].find((x) => !used.has(x));
        issue.anchors[String(at ?? "")] = "";
      })));
}
function stanceRows(actor, f) {
  const rows = [];
  for (const issue of author.doc.issues) {
    const iid = issue.id; const st = actor.stances && actor.stances[iid];
    const sf = `${f}.stances.${iid}`;
    if (!st) {
      rows.push(el("div", { class: "stance none" }, el("b", {}, iid), " no stance ",
        el("button", { type: "button", class: "add add-stance", "data-issue": iid, onclick: () => { actor.stances = actor.stances || {}; actor.stances[iid] = { position: { value: "" }, salience: { value: "" } }; renderAuthor(); touched(); } }, "+ stance")));
      continue;
    }
    rows.push(el("div", { class: "stance", "data-field": sf }, el("b", {}, iid),
      removeButton(`stance on ${iid}`, () => { delete actor.stances[iid]; }),
      el("div", {}, "position ", quantity(st, "position", `${sf}.position`, `${actor.id} position on ${iid}`)),
      el("div", {}, "salience ", quantity(st, "salience", `${sf}.salience`, `${actor.id} salience on ${iid}`)),
      el("div", { class: "field-error" })));
  }
  return rows;
}
function redLineRows(actor, f) {
  actor.red_lines = actor.red_lines || {};
  return author.doc.issues.map((issue) => {
    const iid = issue.id; const rl = actor.red_lines[iid];
    const rf = `${f}.red_lines.${iid}`;
    const op = el("select", { class: "red-op", "aria-label": `${actor.id} red line on ${iid}`, onchange: (e) => {
      if (!e.target.value) delete actor.red_lines[iid];
      else actor.red_lines[iid] = Object.assign(actor.red_lines[iid] || { bound: { value: "" } }, { op: e.target.value });
      renderAuthor(); touched();
    } }, el("option", { value: "" }, "no red line"), [">=", "<="].map((o) => el("option", { value: o, selected: rl && rl.op === o }, o)));
    return el("div", { class: "red-line", "data-field": rf }, `${iid} `, op, " ", rl ? quantity(rl, "bound", rf, `${actor.id} red line bound on ${iid}`) : "", el("div", { class: "field-error" }));
  });
}
function actorBlock(actor, k) {
  const f = `actors.${itemKey(actor, k)}`;
  return block(f,
    el("div", { class: "row" },
      el("input", { type: "text", class: "actor-id id", value: actor.id, "aria-label": "actor id", placeholder: "id", oninput: (e) => { actor.id = e.target.value; touched(); }, onchange: () => renderAuthor() }),
      textInput(actor, "label", "label", { class: "actor-label" }),
      el("label", { title: "a veto player must agree to any deal" }, el("input", { type: "checkbox", class: "actor-veto", checked: !!actor.veto, onchange: (e) => { if (e.target.checked) actor.veto = true; else delete actor.veto; touched(); } }), " veto"),
      removeButton(`actor ${actor.id}`, () => author.doc.actors.splice(k, 1))),
    el("div", {}, "capability ", quantity(actor, "capability", `${f}.capability`, `${actor.id} capability`)),
    el("details", { open: true }, el("summary", {}, "stances"), stanceRows(actor, f)),
    el("details", { class: "red-lines", open: Object.keys(actor.red_lines || {}).length > 0 }, el("summary", {}, "red lines"), redLineRows(actor, f)));
}
function statusQuoRows() {
  const sq = author.doc.status_quo = author.doc.status_quo || {};
  return author.doc.issues.map((issue) => el("div", { class: "sq", "data-field": `status_quo.${issue.id}` }, `${issue.id} `,
    issue.id in sq ? [quantity(sq, issue.id, `status_quo.${issue.id}`, `status quo of ${issue.id}`), removeButton(`status quo of ${issue.id}`, () => { delete sq[issue.id]; })]
      : el("button", { type: "button", class: "add add-sq", onclick: () => { sq[issue.id] = { value: "" }; renderAuthor(); touched(); } }, "+ status quo (else the scale's low end)"),
    el("div", { class: "field-error" })));
}
function whatIfBlock(w, k) {
  const f = `what_ifs.${itemKey(w, k)}`;
  w.changes = w.changes || [];
  return block(f,
    el("div", { class: "row" }, textInput(w, "id", "id", { class: "id" }), textInput(w, "label", "label"),
      el("select", { "aria-label": "kind", onchange: (e) => { w.kind = e.target.value; touched(); } }, ["lever", "shock"].map((x) => el("option", { value: x, selected: (w.kind || "lever") === x }, x))),
      removeButton(`what-if ${w.id}`, () => author.doc.what_ifs.splice(k, 1))),
    el("div", { class: "row" }, textInput(w, "judgement", "why (judgement)", { optional: true, class: "wide" })),
    w.changes.map((c, j) => el("div", { class: "change", "data-field": `${f}.changes.${j}` },
      c.set === undefined || c.by !== undefined
        // drop_issue, shift and relative changes are kept as written (edit them in the YAML)
        ? el("span", { class: "dim" }, c.drop_issue !== undefined ? `drop issue ${c.drop_issue}`
          : c.shift !== undefined ? `${c.shift} moves ${c.share} of the way toward ${c.toward}` : `${c.set} by ${c.by}`)
        : ["set ",
          el("input", { type: "text", class: "change-path", value: c.set ?? "", placeholder: "path, e.g. usa.x.position", "aria-label": "what-if path", oninput: (e) => { c.set = e.target.value; touched(); } }),
          " to ", el("input", { type: "text", class: "change-to small", value: c.to ?? "", "aria-label": "what-if value", oninput: (e) => { c.to = parseNum(e.target.value); touched(); } })],
      removeButton("change", () => w.changes.splice(j, 1)), el("div", { class: "field-error" }))),
    addButton("change", null, () => w.changes.push({ set: "", to: "" })));
}
function claimBlock(c, k) {
  const f = `claims.${itemKey(c, k)}`;
  const cat = author.catalogue;
  c.check = Array.isArray(c.check) ? c.check : c.check ? [c.check] : [];
  const conds = c.check.map((cond, j) => {
    const spec = cat.quantities[cond.quantity] || { args: {} };
    cond.args = cond.args || {};
    return el("div", { class: "condition", "data-field": `${f}.check.${j}` },
      el("select", { class: "claim-quantity", "aria-label": "quantity", title: spec.text || "", onchange: (e) => { cond.quantity = e.target.value; cond.args = {}; renderAuthor(); touched(); } },
        Object.keys(cat.quantities).map((q) => el("option", { value: q, selected: q === cond.quantity, title: cat.quantities[q].text }, q))),
      Object.keys(spec.args).filter((a) => spec.args[a] !== "args").map((a) => spec.args[a] === "package"
        // a package: "issue=value, issue=value" (the other issues at the status quo)
        ? el("label", {}, ` ${a} `, el("input", { type: "text", class: `claim-arg arg-${a}`, placeholder: "issue=value, issue=value", "aria-label": `argument ${a}`,
          value: Object.entries(cond.args[a] || {}).map(([k2, v]) => `${k2}=${v}`).join(", "),
          oninput: (e) => {
            const pk = {};
            for (const part of e.target.value.split(",")) { const [k2, v] = part.split("="); if (k2 && k2.trim()) pk[k2.trim()] = parseNum(v ?? ""); }
            cond.args[a] = pk; touched();
          } }))
        : el("label", {}, ` ${a} `,
          el("input", { type: "text", class: `claim-arg small arg-${a}`, value: cond.args[a] ?? "", "aria-label": `argument ${a}`, oninput: (e) => { cond.args[a] = parseNum(e.target.value); touched(); } }))),
      " ", el("select", { class: "claim-compare", "aria-label": "comparison", onchange: (e) => { cond.compare = e.target.value; touched(); } }, cat.comparisons.map((x) => el("option", { value: x, selected: x === cond.compare }, x))),
      " ", el("input", { type: "text", inputmode: "decimal", class: "claim-threshold small", value: cond.threshold ?? "", "aria-label": "threshold", oninput: (e) => { cond.threshold = parseNum(e.target.value); touched(); } }),
      removeButton("condition", () => c.check.splice(j, 1)), el("div", { class: "field-error" }));
  });
  return block(f,
    el("div", { class: "row" }, textInput(c, "id", "id", { class: "id" }),
      el("select", { class: "claim-evidence", "aria-label": "evidence", title: "encoding: restates the inputs; derived: from the models; record: against data", onchange: (e) => { c.evidence = e.target.value; touched(); } },
        cat.evidence.map((x) => el("option", { value: x, selected: (c.evidence || "derived") === x }, x))),
      removeButton(`claim ${c.id}`, () => author.doc.claims.splice(k, 1))),
    el("div", { class: "row" }, textInput(c, "text", "the claim in the source's words", { class: "wide" })),
    conds, addButton("condition", null, () => c.check.push({ quantity: "zone_open", args: {}, compare: "==", threshold: 1 })));
}
function renderAuthor() {
  const d = author.doc; const box = $("author-form");
  box.replaceChildren(...[
    el("h3", {}, "Case"), el("div", { class: "item", "data-field": "meta" },
      el("div", { class: "row" }, "id ", textInput(d.meta, "id", "case id", { class: "id", id: "author-id" }), " file ",
        el("input", { type: "text", id: "author-name", value: author.name, "aria-label": "file name", oninput: (e) => { author.name = e.target.value; touched(); } }), ".yaml"),
      el("div", { class: "row" }, textInput(d.meta, "title", "title", { class: "wide", id: "author-title" })),
      el("div", { class: "row" }, textInput(d.meta, "question", "the question asked", { class: "wide", optional: true })),
      el("div", { class: "field-error" })),
    el("h3", {}, "Issues ", addButton("issue", "add-issue", () => {
      const id = freshId("issue", d.issues);
      d.issues.push({ id, label: "", low: 0, high: 100 });
      for (const a of d.actors) { a.stances = a.stances || {}; a.stances[id] = blankStance(); }
    })),
    d.issues.map(issueBlock),
    el("h3", {}, "Actors ", addButton("actor", "add-actor", () => {
      const stances = {}; for (const i of d.issues) stances[i.id] = blankStance();
      d.actors.push({ id: freshId("actor", d.actors), label: "", capability: { value: "" }, stances });
    })),
    d.actors.map(actorBlock),
    el("h3", {}, "Status quo"), statusQuoRows(),
    el("h3", {}, "Named what-ifs ", addButton("what-if", "add-what-if", () => { d.what_ifs = d.what_ifs || []; d.what_ifs.push({ id: `what-if${d.what_ifs.length + 1}`, kind: "lever", label: "", changes: [{ set: "", to: "" }] }); })),
    (d.what_ifs || []).map(whatIfBlock),
    el("h3", {}, "Claims ", addButton("claim", "add-claim", () => { d.claims = d.claims || []; d.claims.push({ id: `claim${d.claims.length + 1}`, text: "", evidence: "derived", check: [{ quantity: "zone_open", args: {}, compare: "==", threshold: 1 }] }); })),
    (d.claims || []).map(claimBlock),
    kept()].flat(Infinity).filter((x) => x !== ""));
}
function kept() {
  const d = author.doc; const parts = [];
  for (const k of ["drivers", "parameters"]) if (d[k] && Object.keys(d[k]).length) parts.push(`${Object.keys(d[k]).length} ${k}`);
  if (d.events && d.events.length) parts.push(`${d.events.length} events`);
  const tools = d.actors.reduce((n, a) => n + ((a.tools || []).length), 0); if (tools) parts.push(`${tools} tools`);
  if (d.roles) parts.push("the dynamics' roles");
  if (d.meta.sources) parts.push(`${Object.keys(d.meta.sources).length} sources`);
  return parts.length ? el("p", { class: "dim" }, `Kept as they are (edit them in the YAML): ${parts.join(", ")}.`) : "";
}

// ----- checking, saving, running -----------------------------------------------------------
function touched() { clearTimeout(author.timer); author.timer = setTimeout(checkCase, 250); $("author-verdict").textContent = "checking…"; }
async function checkCase() {
  const seq = ++author.seq;
  let a;
  try { a = await post("/api/author/check", { name: author.name, case: author.doc }); } catch (err) { $("author-verdict").textContent = (err.problems || [err.message]).join("; "); return; }
  if (seq !== author.seq) return;
  author.answer = a; showCheck(a);
}
function showCheck(a) {
  for (const e of document.querySelectorAll("#author-form .field-error")) e.textContent = "";
  for (const e of document.querySelectorAll("#author-form .invalid")) e.classList.remove("invalid");
  const fields = [...document.querySelectorAll("#author-form [data-field]")];
  const list = $("author-problems"); list.replaceChildren();
  for (const p of a.problems) {
    list.append(el("li", {}, p.text));
    if (!p.field) continue;
    // the innermost part of the form the problem's field names (validate's dotted location)
    let best = null;
    for (const e of fields) { const f = e.dataset.field; if ((p.field === f || p.field.startsWith(f + ".")) && (!best || f.length >= best.dataset.field.length)) best = e; }
    if (best) {
      best.classList.add("invalid");
      const slot = [...best.children].find((c) => c.classList.contains("field-error"));
      if (slot) slot.textContent = (slot.textContent ? slot.textContent + "; " : "") + p.message + (p.hint ? ` (${p.hint})` : "");
    }
  }
  const v = $("author-verdict");
  v.className = a.ok ? "ok" : "bad";
  v.textContent = a.ok ? `valid: ${a.counts.actors} actors, ${a.counts.issues} issues, ${a.counts.veto_players} veto players` + (a.unsourced.length ? ` (${a.unsourced.length} without provenance)` : "")
    : `${a.problems.length} problem${a.problems.length === 1 ? "" : "s"} (as detente validate reports them)`;
  $("author-yaml").textContent = a.yaml;
  if (author.url) URL.revokeObjectURL(author.url);
  author.url = URL.createObjectURL(new Blob([a.yaml], { type: "application/x-yaml" }));
  const dl = $("author-download"); dl.href = author.url; dl.download = a.name; dl.dataset.ok = a.ok ? "true" : "false";
  $("author-run").disabled = !a.ok;
}
async function runCase() {
  try {
    const r = await post("/api/author/use", { name: author.name, case: author.doc });
    showAuthor(false);
    await fillScenarios(r.key);
    loadRuns();
  } catch (err) { showProblems(err); }
}
function showAuthor(on) {
  $("author").hidden = !on; $("whatif-editor").hidden = on;
  // the case editor takes the wider part of the page (unless the analyst set a width)
  $("main").classList.toggle("authoring", on);
}
async function openAuthor(key) {
  if (!author.catalogue) author.catalogue = await api("/api/author/catalogue");
  if (key) { const r = await api(`/api/author/case?name=${encodeURIComponent(key)}`); author.doc = r.case; author.name = r.name.replace(/\.ya?ml$/, ""); }
  else { author.doc = emptyCase(); author.name = "my-case"; }
  author.doc.status_quo = author.doc.status_quo || {};
  showAuthor(true); renderAuthor();
  $("author-verdict").className = ""; $("author-verdict").textContent = "checking…";
  checkCase();
}
window.addEventListener("DOMContentLoaded", () => {
  $("new-case").addEventListener("click", () => openAuthor(null).catch(showProblems));
  $("edit-case").addEventListener("click", () => openAuthor(state.key).catch(showProblems));
  $("author-close").addEventListener("click", () => showAuthor(false));
  $("author-run").addEventListener("click", runCase);
});

"""The run's analysis sections: each calls the library and keeps plain, JSON-ready numbers.

A section that needs information the scenario lacks records a sentence in
``report.missing`` (starting "not applicable") and leaves its data as None; the renderers
print that sentence. Every section reads the run's one
:class:`~detente.analysis.quantities.Evaluator` (``report.evaluator``), so the outlook, the
what-if table and the claims share one simulation per scenario variant.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import (
    agreement_arrays,
    bargaining_inputs,
    veto_holders,
    veto_matrix,
    win_set_masks,
)
from ..defaults import HORIZONS
from ..errors import DetenteError
from .parts import (
    KEYS,
    Calibration,
    ClaimsPart,
    DiagnosisPart,
    OutlookPart,
    WhatDrives,
    WhatIfDelta,
    WinsetMap,
)

if TYPE_CHECKING:
    from ..analysis.quantities import Evaluator
    from ..data.records import Record
    from ..dynamics.effects import Effect
    from ..scenario import Scenario, ScenarioArrays
    from .result import AnalysisReport

__all__ = ["apply_what_ifs", "calibration", "claims", "diagnosis", "outlook"]


def _absent(report: AnalysisReport, section: str, why: str) -> None:
    report.missing[section] = why


def apply_what_ifs(s: Scenario, names: Sequence[str]) -> tuple[Scenario, list[str]]:
    """Apply named what-ifs (see :mod:`.whatifs`) in order; returns the scenario and notes."""
    notes: list[str] = []
    if not names:
        return s, notes
    from ..scenario.whatif import apply_named

    for name in names:
        s, note = apply_named(s, name)
        notes.append(note)
    return s, notes


def diagnosis(report: AnalysisReport) -> None:
    """The zone of agreement, its gap and blockers, P(zone non-empty), levers, win-set map."""
    s = report.scenario
    from ..analysis.diagnosis import diagnose

    st = report.settings
    try:
        # the draws the claims and the levers read too: sampled once for the run
        ev = report.evaluator
        shared = ev.baseline.batch if ev is not None else None
        d = diagnose(
            s,
            draws=st["draws"],
            seed=st["seed"],
            draws_arrays=shared,
            what_if_draws=(lambda name: _what_if_draws(ev, name)) if ev is not None else None,
        )
    except DetenteError as err:  # the diagnosis says what the scenario lacks
        _absent(report, "diagnosis", "not applicable: " + "; ".join(err.lines()))
        return
    # Without anyone holding a veto (veto players, or an issue's controllers) the diagnosis
    # treats every actor as one (unanimity); the report says so.
    holders = veto_holders(s)
    wmap = None
    if s.n_issues >= 2 and holders:
        # the map reads the zone the headline reads: with the zone open, the other issues are
        # held at its max-min package, so the slice passes through the zone (at the status quo
        # a small open zone may miss that slice altogether)
        held = (
            {i: float(v) for i, v in zip(d.issue_ids, d.point.best_package, strict=True)}
            if d.zone_nonempty
            else None
        )
        wmap = replace(winset_map(s, held=held), zone_open=bool(d.zone_nonempty))
    report.diagnosis_part = DiagnosisPart(
        d,
        frozenset(w.id for w in s.what_ifs),
        unanimity=not holders,
        winset_map=wmap,
        what_drives=what_drives(s, st["seed"], settings=st),
    )


def _what_if_draws(ev: Evaluator, name: str) -> tuple[Scenario, ScenarioArrays] | None:
    """A named what-if's scenario and draws as the evaluator holds them (the claims and the
    what-if table read the same variant), for the diagnosis' named levers; None when the
    what-if does not apply (the lever then says why)."""
    try:
        v = ev.variant((name,))
    except DetenteError:
        return None
    return v.scenario, v.batch


#: Base sample of the report's "what drives it" (Sobol; n x (inputs + 2) zone tests, about a
#: second on the flagship). ``detente sensitivity`` computes it at any size.
DRIVERS_N = 256


def what_drives(
    s: Scenario, seed: int, *, settings: dict[str, Any] | None = None
) -> WhatDrives | None:
    """What drives P(zone): Sobol indices over the inputs the zone reads (None, with no
    uncertain input to vary): the :class:`~detente.analysis.sensitivity.SensitivityResult`
    and its command. See :mod:`detente.analysis.sensitivity`.

    ``command`` is the ``detente sensitivity`` line that gives the same numbers: the run's
    scenario as it was named (``settings["source"]``), its ``--set``, ``--pin`` and
    ``--what-if`` (and any status quo the run assumed), the seed and ``n``."""
    from ..analysis.sensitivity import command_line, sensitivity

    try:
        r = sensitivity(s, "zone.p_open", method="sobol", n=DRIVERS_N, seed=seed)
    except DetenteError:  # nothing uncertain to vary: the report says the zone is fixed
        return None
    st = settings or {}
    values = dict(s.quantities())
    changes = list(st.get("sets") or ())
    # a pin is "pin PATH=VALUE" (the command line's) or "pin PATH" (the workbench's: at its value)
    pins = [x[4:] if "=" in x else f"{x[4:]}={float(values[x[4:]].value)!r}"
            for x in changes if x.startswith("pin ")]  # fmt: skip
    sets = [x for x in changes if not x.startswith("pin ")]
    sets += [
        f"status_quo.{i}={float(v)!r}" for i, v in (st.get("status_quo_assumed") or {}).items()
    ]
    command = command_line(
        str(st.get("source") or s.id), "zone.p_open", method="sobol", n=DRIVERS_N, seed=seed,
        sets=sets, pins=pins, what_ifs=st.get("what_ifs") or (),
    )  # fmt: skip
    return WhatDrives(r, command)


def winset_map(
    s: Scenario,
    *,
    issues: tuple[str, str] | None = None,
    n: int = 121,
    held: dict[str, float] | None = None,
) -> WinsetMap:
    """Each veto player's win-set on a grid over two issues, the others held at the status quo
    or, given ``held`` (a package: issue -> value, the diagnosis' max-min package when the zone
    is open), at that package.

    The two issues are, unless given, the pair carrying the most salience of the veto players
    together. Uses the diagnosis' utility (:func:`detente.core.bargaining_inputs`) on who must
    agree (:func:`detente.core.agreement_arrays`: an issue's controllers count on that issue only):
    a package is in ``v``'s win-set when ``U_v(x) >= r_v + tol`` and it respects ``v``'s red lines.

    Returns
    -------
    WinsetMap
        The masks on the grid (its ``to_dict`` is the report's JSON view).
    """
    arr = s.to_arrays()
    inp = bargaining_inputs(agreement_arrays(s, arr))
    ids = list(arr.issue_ids)
    if issues is None:
        if len(ids) == 1:
            raise DetenteError("a win-set map needs two issues")
        load = inp.weights[0].sum(axis=0)
        order = np.argsort(-load, kind="stable")
        issues = (ids[int(order[0])], ids[int(order[1])])
    jx, jy = ids.index(issues[0]), ids.index(issues[1])
    g = np.linspace(0.0, 1.0, n)
    base = inp.status_quo[0].copy()
    if held is not None:
        for j, iid in enumerate(ids):
            if iid in held:
                base[j] = (float(held[iid]) - inp.scale_low[j]) / inp.scale_width[j]
    win = win_set_masks(inp, jx, jy, base, n)  # (V, n * n), the core's test
    zone = win.all(axis=0)
    lo, w = inp.scale_low, inp.scale_width

    def units(j: int, v: np.ndarray) -> list[float]:
        return (lo[j] + v * w[j]).tolist()

    red: dict[str, list[dict[str, Any]]] = {}
    m = veto_matrix(s)
    for v in inp.veto_ids:
        a = s.actor(v)
        k = s.actor_ids.index(v)
        red[v] = [
            {"issue": iid, "op": rl.op, "bound": rl.bound.value}
            for iid, rl in a.red_lines.items()
            # a controller's red lines bind only on the issues it controls
            if iid in issues and (not m.any() or m[k, ids.index(iid)])
        ]
    return WinsetMap(
        issues=issues,
        x=lo[jx] + g * w[jx],
        y=lo[jy] + g * w[jy],
        masks={v: win[k].reshape(n, n) for k, v in enumerate(inp.veto_ids)},
        zone=zone.reshape(n, n),
        ideal={
            v: [
                units(jx, inp.ideal[0, k, jx : jx + 1])[0],
                units(jy, inp.ideal[0, k, jy : jy + 1])[0],
            ]
            for k, v in enumerate(inp.veto_ids)
        },
        status_quo=[s.status_quo_value(issues[0]), s.status_quo_value(issues[1])],
        red_lines=red,
        held=[i for i in ids if i not in issues],
        package=None if held is None else [float(held[issues[0]]), float(held[issues[1]])],
    )


def outlook(report: AnalysisReport) -> None:
    """P(talks), P(agreement), P(crisis) by horizon, the fan chart's series, what-if deltas."""
    from ..analysis.quantities import has_roles

    s = report.scenario
    if not has_roles(s):
        _absent(
            report,
            "outlook",
            "not applicable: the scenario declares no roles (a challenger and a defender, "
            "under roles:) for the crisis dynamics",
        )
        return
    if not s.meta.start:
        _absent(
            report, "outlook", "not applicable: the crisis dynamics need a start month (meta.start)"
        )
        return
    st = report.settings
    try:
        # the baseline, the what-if table's and the claims' variants, each horizon's as one batch
        report.evaluator.simulate_reserved()
        sim = report.evaluator.baseline.simulation
    except DetenteError as err:  # the dynamics say what the scenario lacks
        _absent(report, "outlook", "not applicable: " + "; ".join(err.lines()))
        return
    n = sim.n_months
    shown = [h for h in HORIZONS if h <= n] or [n]
    month = 12 if 12 in shown else max(shown)
    effects, effects_error, effect_runs = _element_effects(report, month)
    report.outlook_part = OutlookPart(
        simulation=sim,
        runs=int(st["runs"]),
        what_if="+".join(st["what_ifs"]) or None,
        what_if_month=month,
        what_ifs=_what_if_deltas(report, month),
        effects=effects,
        effects_error=effects_error,
        effect_runs=effect_runs,
    )


def _what_if_deltas(report: AnalysisReport, month: int) -> tuple[WhatIfDelta, ...]:
    """Every what-if the scenario declares, simulated once (shared with the claims), largest
    change first; those that do not apply last."""
    st = report.settings
    ev = report.evaluator
    ref = ev.baseline.sim(month).at(month)
    rows: list[WhatIfDelta] = []
    for w in report.scenario.what_ifs:
        if w.id in st["what_ifs"]:
            continue
        try:
            at = ev.variant((w.id,)).sim(month).at(month)
        except DetenteError as err:
            rows.append(WhatIfDelta(w.id, w.kind, error="; ".join(err.lines())))
            continue
        rows.append(WhatIfDelta(w.id, w.kind, {k: at[k] - ref[k] for k in KEYS}))
    ok = [r for r in rows if r.change is not None]
    ok.sort(key=lambda r: -r.size)
    return (*ok, *(r for r in rows if r.change is None))


#: Runs of each variant of the drivers' and tools' effects (common random numbers with a
#: baseline of the same size, so an element the simulation never reads changes nothing).
EFFECT_RUNS = 500


def _element_effects(
    report: AnalysisReport, month: int
) -> tuple[tuple[Effect, ...] | None, str | None, int]:
    """Each named driver's, tool's and event's effect on the outlook by ``month`` (inert
    ones flagged), or why they could not be measured; and the runs per variant."""
    from ..dynamics.effects import element_effects

    st = report.settings
    runs = min(int(st["runs"]), EFFECT_RUNS)
    try:
        effects = element_effects(report.scenario, month=month, runs=runs, seed=int(st["seed"]))
    except DetenteError as err:
        return None, "; ".join(err.lines()), runs
    return tuple(effects), None, runs


def claims(report: AnalysisReport) -> None:
    """The scenario's own claims, evaluated from the run's shared quantities."""
    s = report.scenario
    if not s.claims:
        _absent(
            report,
            "claims",
            "not applicable: this scenario records no claims of a source text to check (add them under claims:)",
        )
        return
    from ..analysis.claims import evaluate_claims

    try:
        if report.evaluator is not None:  # nothing left to simulate when the outlook ran
            report.evaluator.simulate_reserved()
        report.claims_part = ClaimsPart(evaluate_claims(s, evaluator=report.evaluator))
    except DetenteError as err:
        _absent(report, "claims", "not applicable: " + "; ".join(err.lines()))


def calibration(report: AnalysisReport) -> None:
    """The dynamics against the case's record: the last rolling-origin backtest's verdicts
    (``detente backtest dynamics --save`` stores them beside the record) and the record's
    monthly series with the outlook's start.

    Not applicable without roles (no dynamics) or without a record (``roles.record``): the
    dynamics then run on judgement priors and the section says "uncalibrated".
    """
    if report.outlook_part is None:
        _absent(
            report,
            "calibration",
            "not applicable: the backtest against history belongs to the crisis dynamics, "
            "which were not run for this scenario",
        )
        return
    roles = report.scenario.roles
    record_id = None if roles is None else roles.record
    if record_id is None:
        _absent(
            report,
            "calibration",
            "not applicable: uncalibrated - the scenario names no historical record (roles.record), "
            "so its dynamics run on judgement priors",
        )
        return
    from ..data.records import load_record
    from ..dynamics.verdicts import backtest_verdicts, load_summary

    try:
        record = load_record(record_id)
    except DetenteError as err:
        _absent(report, "calibration", "not applicable: " + "; ".join(err.lines()))
        return
    stored = load_summary(record_id, report.scenario)
    # verdicts of another scenario or code are never quoted (the key is a hash of both)
    summary = stored if stored is not None and stored.status == "current" else None
    panel = record.columns()  # the record's panel as arrays (no pandas in a run)
    months = [str(m) for m in panel["month"]]
    observed = np.asarray(panel["provocations"], float)
    rolling = np.convolve(observed, np.ones(12) / 12, mode="full")[: len(observed)]
    rolling[:11] = np.nan
    talks = np.asarray(panel["talks"], float)
    split = None
    if summary is not None:
        first_test = summary.get("settings", {}).get("test_first_origin")
        split = months.index(first_test) if first_test in months else None
    report.calibration_part = Calibration(
        record=record.id,
        record_title=record.title,
        backtest=summary,
        verdicts=backtest_verdicts(summary) if summary is not None else [],
        note=None if summary is not None else _calibration_note(report, record, record_id, stored),
        months=months,
        observed=observed,
        talks=talks,
        rolling=rolling,
        forecasts=_origin_forecasts(summary, months),
        split_index=split,
    )


def _calibration_note(report: AnalysisReport, record: Record, record_id: str, stored: Any) -> str:
    """Why the calibration quotes no verdict (``stored``: the record's summary, stale, or
    None), and the command that would score this simulation against the record
    (``record_id``: as the scenario names it)."""
    why = (
        f"the stored backtest on record {record.id} was made with another scenario or code, "
        "so its verdicts are not shown"
        if stored is not None
        else f"no stored backtest for the record {record.id}"
    )
    words = ["detente", "backtest", "dynamics", report.settings.get("source") or report.scenario.id]
    if record.folder is None:  # a user's CSV: the command names the file again
        words += ["--record", record_id]
    return f"{why}: run '{shlex.join([*words, '--save'])}' to score this simulation against it"


def _origin_forecasts(summary: dict[str, Any] | None, months: list[str]) -> list[dict[str, Any]]:
    """The backtest's forecasts of the first year after each origin, as monthly means placed at
    the middle of that year (index into ``months``): median, 50% and 90% intervals, observed."""
    if summary is None:
        return []
    out = []
    for f in summary.get("forecasts", []):
        if f.get("series") != "provocations" or f.get("year") != 1 or f["origin"] not in months:
            continue
        out.append(
            {
                "x": months.index(f["origin"]) + 6.5,
                "sample": f["sample"],
                **{k: f[k] / 12.0 for k in ("observed", "median", "lo50", "hi50", "lo90", "hi90")},
            }
        )
    return out

"""The workbench's one door to the analysis: every computation ``detente serve`` runs.

Kept in one module so that the analysis behind the workbench can be switched (to a single
pipeline computing every section once) in one place. Three levels:

* :func:`scenario_view` — the scenario's editable numbers with their provenance, its red
  lines, veto players and the named what-ifs, for the editor;
* :func:`fast` — what must follow an edit within a second: the zone of agreement, gap,
  blockers, levers (few draws) and every model's forecast at the point values;
* :func:`full` — the whole report (outlook and claims too), step by step, with progress and
  cancellation between steps; its JSON equals :func:`detente.report.build_report`'s;
* :func:`sensitivity` — what drives a quantity (``detente sensitivity``): the same call of
  :func:`detente.analysis.sensitivity.sensitivity`, in the job's own thread, so its JSON
  equals the command's ``--json`` at the same seed and size.

Inputs are a scenario (already read), ``sets`` (``PATH=VALUE``), ``pins`` (paths whose range
collapses to the value: ``--pin``-style fixing) and ``what_ifs`` (named what-ifs).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import defaults
from .._json import jsonable
from ..errors import Problem, ScenarioError

if TYPE_CHECKING:
    from ..report.build import AnalysisReport
    from ..scenario import Scenario

__all__ = [
    "FAST_DRAWS",
    "Cancelled",
    "Inputs",
    "apply_inputs",
    "fast",
    "full",
    "pin",
    "scenario_view",
    "sensitivity",
    "sensitivity_command",
    "sensitivity_quantities",
]

#: Draws of the fast path: enough for P(zone non-empty) to the nearest few percent.
FAST_DRAWS = 64


from ..pipeline.run import Cancelled  # noqa: E402  (re-exported for the jobs)


@dataclass(frozen=True)
class Inputs:
    """What the analyst changed: ``--set`` assignments, pinned paths, named what-ifs, seed."""

    sets: tuple[str, ...] = ()
    pins: tuple[str, ...] = ()
    what_ifs: tuple[str, ...] = ()
    seed: int = defaults.SEED

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Inputs:
        def strings(key: str) -> tuple[str, ...]:
            v = data.get(key) or []
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise ScenarioError([Problem(f"'{key}' must be a list of strings", field=key)])
            return tuple(v)

        seed = data.get("seed", defaults.SEED)
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
            raise ScenarioError([Problem("'seed' must be an integer in [0, 2**32)", field="seed")])
        return cls(strings("sets"), strings("pins"), strings("what_ifs"), seed)


def pin(s: Scenario, path: str) -> Scenario:
    """A copy of ``s`` in which the quantity at ``path`` has no range: its value is certain."""
    from ..scenario import Scenario as _Scenario

    known = dict(s.quantities())
    if path not in known:
        import difflib

        close = difflib.get_close_matches(path, list(known), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "pin a number's --set path"
        raise ScenarioError([Problem(f"no number at {path!r} to pin", hint, field="pins")])
    data = s.model_dump()
    parts = path.split(".")
    if parts[0] in ("status_quo",):
        holder, key = data["status_quo"], parts[1]
    elif parts[0] in ("drivers", "parameters"):
        holder, key = data[parts[0]][parts[1]], "value"
    elif parts[0] == "events":  # events.ID.effect.by: a deadline's effect size
        holder, key = next(e for e in data["events"] if e["id"] == parts[1])["effect"], "by"
    else:
        actor = next(a for a in data["actors"] if a["id"] == parts[0])
        if parts[1] == "capability":
            holder, key = actor, "capability"
        elif parts[1] == "red_lines":
            holder, key = actor["red_lines"][parts[2]], "bound"
        else:
            holder, key = actor["stances"][parts[1]], parts[2]
    q = holder[key]
    if isinstance(q, dict):
        q.pop("range", None)
    return _Scenario.model_validate(data)


def apply_inputs(s: Scenario, inputs: Inputs) -> Scenario:
    """The scenario with the ``sets`` applied, then the ``pins`` (named what-ifs come later:
    the analyses apply them themselves, as ``detente run --what-if`` does)."""
    from ..scenario import apply_sets

    if inputs.sets:
        s = apply_sets(s, list(inputs.sets))
    for p in inputs.pins:
        s = pin(s, p)
    return s


def scenario_view(s: Scenario) -> dict[str, Any]:
    """Everything the editor shows: numbers (path, value, range, provenance), red lines,
    veto players, issues, and the named what-ifs (levers and shocks)."""
    from ..report.provenance import provenance_summary
    from ..report.whatifs import known_what_ifs

    prov = provenance_summary(s)
    return jsonable(
        {
            "id": s.id,
            "title": s.meta.title,
            "question": s.meta.question,
            "issues": [
                {"id": i.id, "label": i.label, "low": i.low, "high": i.high} for i in s.issues
            ],
            "actors": [
                {
                    "id": a.id,
                    "label": a.label,
                    "veto": a.veto,
                    "red_lines": {
                        iid: {"op": rl.op, "bound": rl.bound.value}
                        for iid, rl in a.red_lines.items()
                    },
                }
                for a in s.actors
            ],
            "numbers": prov["numbers"],
            "sources": prov["sources"],
            "what_ifs": known_what_ifs(s),
        }
    )


def fast(
    s: Scenario, inputs: Inputs, *, draws: int = FAST_DRAWS, part: str = "all"
) -> dict[str, Any]:
    """The zone of agreement, gap, blockers, levers and every model's forecast.

    ``part`` is ``"zone"`` (the diagnosis only), ``"models"`` (the forecasts only) or
    ``"all"``: the browser asks for the two parts at once and shows each when it comes.

    The scenario is ``s`` with ``inputs`` applied (sets, pins, then the named what-ifs).
    The result is JSON-ready: ``scenario``, ``inputs``, ``diagnosis`` (as ``detente
    diagnose --json``, or ``{"error": ...}`` where the scenario lacks what it needs) and
    ``forecasts`` (as ``detente run --json``'s).
    """
    from ..analysis.diagnosis import diagnose
    from ..errors import DetenteError
    from ..pipeline.run import forecasts as _forecasts
    from ..pipeline.run import with_status_quo
    from ..pipeline.sections import apply_what_ifs

    changed, notes = apply_what_ifs(apply_inputs(s, inputs), inputs.what_ifs)
    changed, _assumed = with_status_quo(changed)
    diagnosis: dict[str, Any] | None = None
    if part in ("all", "zone"):
        try:
            diagnosis = diagnose(changed, draws=draws, seed=inputs.seed).to_dict()
        except DetenteError as err:
            diagnosis = {"error": "; ".join(err.lines())}
    forecasts = _forecasts(changed, inputs.seed) if part in ("all", "models") else None
    return jsonable(
        {
            "scenario": changed.id,
            "inputs": {
                "sets": list(inputs.sets),
                "pins": list(inputs.pins),
                "what_ifs": list(inputs.what_ifs),
                "what_if_notes": notes,
                "seed": inputs.seed,
                "draws": draws,
            },
            "diagnosis": diagnosis,
            "forecasts": forecasts,
        }
    )


def full(
    s: Scenario,
    inputs: Inputs,
    *,
    draws: int,
    runs: int,
    months: int,
    source: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    cancel: threading.Event | None = None,
) -> AnalysisReport:
    """The whole report of ``detente run`` for ``s`` with ``inputs`` applied.

    The steps are those of :func:`detente.report.build_report`, run one by one so that
    ``progress(done, total, label)`` is called before each and ``cancel`` (an event) is
    checked between them; :class:`Cancelled` is raised when it is set.
    """
    from ..pipeline import run

    return run(
        apply_inputs(s, inputs),
        draws=draws,
        runs=runs,
        months=months,
        seed=inputs.seed,
        what_ifs=inputs.what_ifs,
        sets=[*inputs.sets, *(f"pin {x}" for x in inputs.pins)],
        source=source,
        on_step=progress,
        cancel=cancel,
    )


def sensitivity_quantities(s: Scenario) -> list[dict[str, Any]]:
    """The quantities ``detente sensitivity --quantity`` accepts on ``s``
    (:func:`detente.analysis.sensitivity.available_quantities`), with their kind, label and
    whether each design point runs the simulation (slow) or a batch computes many at once."""
    from ..analysis.sensitivity import available_quantities

    return [
        {
            "quantity": q.text,
            "kind": q.kind,
            "label": q.label,
            "vectorised": q.is_vectorised,
            "simulates": q.kind in ("outlook", "claim"),
        }
        for q in available_quantities(s)
    ]


def sensitivity(
    s: Scenario,
    inputs: Inputs,
    *,
    quantity: str,
    method: str,
    n: int,
    runs: int,
    spread: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """``detente sensitivity`` on ``s`` with ``inputs`` applied (sets, pins, then the named
    what-ifs, as the command applies ``--set``, ``--pin`` and ``--what-if``), in this thread
    (the workbench's job limit and memory budget hold for it). Its JSON is the command's
    ``--json`` at the same seed, method, size and runs."""
    from ..analysis.sensitivity import sensitivity as run_sensitivity
    from ..executor import ExecutorSpec
    from ..pipeline.sections import apply_what_ifs

    changed, _notes = apply_what_ifs(apply_inputs(s, inputs), inputs.what_ifs)
    r = run_sensitivity(
        changed, quantity, method=method, n=n, seed=inputs.seed, runs=runs, spread=spread,
        executor=ExecutorSpec("inline"), progress=progress,
    )  # fmt: skip
    return r.to_dict()  # JSON-ready already, and not re-rounded: the numbers of --json


def sensitivity_command(
    name: str,
    s: Scenario,
    inputs: Inputs,
    *,
    quantity: str,
    method: str,
    n: int,
    runs: int,
    spread: float | None = None,
) -> str:
    """The command line that computes the same numbers (``name``: the bundled name or the
    uploaded file's name; a pinned number is pinned at its value after the sets)."""
    from ..analysis.sensitivity import command_line

    values = dict(apply_inputs(s, Inputs(inputs.sets)).quantities())
    pins = [f"{p}={float(values[p].value)!r}" if p in values else p for p in inputs.pins]
    return command_line(
        name, quantity, method=method, n=n, seed=inputs.seed, runs=runs, spread=spread,
        sets=inputs.sets, pins=pins, what_ifs=inputs.what_ifs,
    )  # fmt: skip

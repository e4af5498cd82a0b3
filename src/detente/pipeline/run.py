"""One pipeline: every model, the diagnosis, the dynamics and the claims of a run, computed once.

:func:`run` (also ``detente.report.build_report``) runs the whole analysis of a scenario with sensible defaults and returns an
:class:`AnalysisReport` that holds every number the terminal, HTML and JSON views show. The
renderers never compute: they format what the report holds, so the three views always agree.

Sections that need information a scenario lacks (veto players for the zone of agreement, tools
and drivers for the crisis dynamics, claims for the claims table) are kept with a note saying
what is missing instead of failing; ``AnalysisReport.missing`` lists them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .. import defaults
from ..errors import DetenteError, ModelError
from .parts import ModelRun
from .result import AnalysisReport

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = ["HORIZONS", "Cancelled", "run", "with_status_quo"]

HORIZONS = defaults.HORIZONS


# ----- the scenario ----------------------------------------------------------------------


def _setting(s: Scenario) -> dict[str, Any]:
    m = s.meta
    # an issue's controllers hold a veto on it only (listed when the scenario names any)
    controllers = {i.id: list(i.controlled_by) for i in s.issues if i.controlled_by}
    return {
        "id": m.id,
        "title": m.title,
        "question": m.question,
        "description": m.description,
        "start": m.start,
        "attribution": m.attribution,
        "n_actors": s.n_actors,
        "n_issues": s.n_issues,
        "veto_players": list(s.veto_players),
        **({"controllers": controllers} if controllers else {}),
        "drivers": {
            did: {
                "label": d.label,
                "value": d.value.value,
                "low": d.value.low,
                "high": d.value.high,
            }
            for did, d in s.drivers.items()
        },
        "n_events": len(s.events),
        "n_claims": len(s.claims),
    }


def _actors(s: Scenario) -> list[dict[str, Any]]:
    out = []
    for a in s.actors:
        out.append(
            {
                "id": a.id,
                "label": a.label,
                "description": a.description,
                "capability": a.capability.value,
                "capability_range": [a.capability.low, a.capability.high],
                "veto": a.veto,
                "red_lines": {
                    iid: {"op": rl.op, "bound": rl.bound.value} for iid, rl in a.red_lines.items()
                },
                "tools": [{"id": t.id, "label": t.label, "kind": t.kind} for t in a.tools],
                "stances": {
                    iid: {
                        "position": st.position.value,
                        "position_range": [st.position.low, st.position.high],
                        "salience": st.salience.value / s.salience_max,
                    }
                    for iid, st in a.stances.items()
                },
            }
        )
    return out


def _issues(s: Scenario) -> list[dict[str, Any]]:
    return [
        {
            "id": i.id,
            "label": i.label,
            "low": i.low,
            "high": i.high,
            "direction": i.direction,
            "anchors": {f"{k:g}": v for k, v in sorted(i.anchors.items())},
            "status_quo": s.status_quo_value(i.id),
            "status_quo_anchor": i.anchor_for(s.status_quo_value(i.id)),
        }
        for i in s.issues
    ]


# ----- models ----------------------------------------------------------------------------


def model_runs(s: Scenario, seed: int) -> tuple[ModelRun, ...]:
    """Every registered model's forecast on ``s``, or why it cannot run there."""
    from ..models import MODELS, get_model

    out: list[ModelRun] = []
    for name in sorted(MODELS):
        description = str(getattr(MODELS[name], "description", ""))
        try:
            fc = get_model(name).forecast(s, seed=seed)
        except DetenteError as err:
            out.append(ModelRun(name, description, error="; ".join(err.lines())))
            continue
        out.append(ModelRun(name, description, fc))
    return tuple(out)


def forecasts(s: Scenario, seed: int) -> list[dict[str, Any]]:
    """Every registered model's forecast, JSON-ready (the report's forecasts section)."""
    return [m.to_dict() for m in model_runs(s, seed)]


# ----- progress --------------------------------------------------------------------------


class _Steps:
    """A rich progress display of the report's steps (or nothing when ``progress`` is False)."""

    def __init__(self, names: Sequence[str], progress: bool) -> None:
        self.timings: dict[str, float] = {}
        self._progress: Any = None
        self._task: Any = None
        if progress:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description:<44}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._task = self._progress.add_task("analysing", total=len(names))

    def __enter__(self) -> _Steps:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    @contextmanager
    def step(self, name: str, label: str) -> Iterator[None]:
        if self._progress is not None:
            self._progress.update(self._task, description=label)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - t0, 3)
            if self._progress is not None:
                self._progress.advance(self._task)


# ----- the whole report ------------------------------------------------------------------


class Cancelled(DetenteError):
    """A run was cancelled between its steps (see :func:`run`'s ``cancel``)."""


def with_status_quo(scenario: Scenario) -> tuple[Scenario, dict[str, float]]:
    """The scenario with the models' documented reference point where it gives no status quo.

    One rule for every analysis (``docs/models/contract.md``): the capability x salience
    weighted mean of the stances. Returns the scenario and the values assumed (issue -> value).
    """
    from ..models.veto import status_quo_assumed, with_reference_point

    missing = status_quo_assumed(scenario)
    if not missing:
        return scenario, {}
    return with_reference_point(scenario, missing)


def run(
    scenario: Scenario,
    *,
    draws: int = defaults.DRAWS,
    runs: int = defaults.RUNS,
    months: int = defaults.MONTHS,
    seed: int = defaults.SEED,
    what_ifs: Sequence[str] = (),
    sets: Sequence[str] = (),
    source: str | None = None,
    progress: bool = False,
    on_step: Callable[[int, int, str], None] | None = None,
    cancel: Any = None,
) -> AnalysisReport:
    """Run every registered model, the diagnosis, the dynamics and the claims on a scenario.

    Parameters
    ----------
    scenario : Scenario
        The scenario, with any ``--set`` changes already applied (``sets`` only records them).
    draws : int
        Monte Carlo draws over the scenario's ranges for the diagnosis and the claims.
    runs : int
        Monte Carlo runs of the crisis dynamics.
    months : int
        Horizon of the dynamics, in months.
    seed : int
        Seed of every random stream; the same seed gives the same report.
    what_ifs : sequence of str
        Named what-ifs (diagnosis levers such as ``us-waters-down`` or dynamics shocks such
        as a leadership change) declared in the scenario's ``what_ifs``, applied to the whole analysis.
    sets : sequence of str
        The ``PATH=VALUE`` changes applied to ``scenario``, recorded for reproduction.
    source : str, optional
        The bundled name or file the scenario was read from, as the user gave it (for the
        commands the report quotes); default the scenario's id.
    progress : bool
        Show a rich progress display on stderr.
    on_step : callable, optional
        ``on_step(done, total, label)`` before each step and once at the end (the workbench's
        progress indicator).
    cancel : threading.Event, optional
        Checked between steps; when set, :class:`Cancelled` is raised.

    Returns
    -------
    AnalysisReport
    """
    for name, v, least in (("draws", draws, 2), ("runs", runs, 1), ("months", months, 1)):
        if int(v) < least:
            raise ModelError(f"The '{name}' parameter of run must be >= {least}. Got {v} instead.")
    from ..analysis.quantities import Evaluator
    from ..scenario.provenance import provenance_summary
    from . import sections

    scenario, what_if_notes = sections.apply_what_ifs(scenario, what_ifs)
    scenario, assumed = with_status_quo(scenario)
    report = AnalysisReport(
        scenario=scenario,
        settings={
            "draws": int(draws),
            "runs": int(runs),
            "months": int(months),
            "seed": int(seed),
            "what_ifs": list(what_ifs),
            "what_if_notes": what_if_notes,
            "sets": list(sets),
            "status_quo_assumed": assumed,
            "source": source or scenario.id,
        },
        setting=_setting(scenario),
        actors=_actors(scenario),
        issues=_issues(scenario),
    )
    report.evaluator = Evaluator(scenario, draws=draws, seed=seed, runs=runs, months=months)
    # every variant the outlook's what-if table and the claims will ask for, simulated once
    table_month = 12 if months >= 12 else months
    report.evaluator.reserve(
        scenario.claims,
        {(w.id,): table_month for w in scenario.what_ifs if w.id not in what_ifs},
    )
    steps: list[tuple[str, str, Callable[[], None]]] = [
        ("forecasts", "bargaining models", lambda: _set(report, "model_runs", model_runs(scenario, seed))),
        ("diagnosis", f"zone of agreement and levers ({draws} draws)", lambda: sections.diagnosis(report)),
        ("outlook", f"crisis dynamics ({runs} runs x {months} months)", lambda: sections.outlook(report)),
        ("claims", "the source's claims", lambda: sections.claims(report)),
        ("calibration", "calibration against history", lambda: sections.calibration(report)),
        ("provenance", "provenance", lambda: _set(report, "provenance", provenance_summary(scenario))),
    ]  # fmt: skip
    with _Steps([s[0] for s in steps], progress) as st:
        for k, (name, label, fn) in enumerate(steps):
            if cancel is not None and cancel.is_set():
                raise Cancelled(f"cancelled before {label}")
            if on_step is not None:
                on_step(k, len(steps), label)
            with st.step(name, label):
                fn()
    if on_step is not None:
        on_step(len(steps), len(steps), "done")
    report.timings = st.timings
    report.settings["simulations"] = report.evaluator.n_simulations
    return report


def _set(report: AnalysisReport, name: str, value: Any) -> None:
    setattr(report, name, value)

"""The interface every bargaining model shares, and the registry that lists them.

A model is a frozen, keyword-only dataclass of settings with one verb::

    forecast = model.forecast(scenario, seed=None)

returning a :class:`Forecast`: positions round by round as an array of shape
``(n_rounds + 1, n_actors, n_issues)``, the predicted outcome per issue, and a log
of :class:`Move` records, each with a readable explanation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from .._json import jsonable, tidy, tidy_frame
from ..errors import ModelError
from . import veto

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ..scenario import Scenario

__all__ = ["MODELS", "Forecast", "Model", "ModelSettings", "Move", "get_model", "register"]


@dataclass(frozen=True)
class Move:
    """One actor's move in one round, with the numbers behind it."""

    round: int
    actor: str
    issue: str
    kind: str
    old: float
    new: float
    counterpart: str | None = None
    explanation: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "actor": self.actor,
            "issue": self.issue,
            "kind": self.kind,
            "counterpart": self.counterpart,
            "old": self.old,
            "new": self.new,
            "explanation": self.explanation,
            **({"data": jsonable(self.data)} if self.data else {}),
        }


@dataclass(frozen=True, eq=False)
class Forecast:
    """What a model predicts for a scenario.

    Attributes
    ----------
    model : str
        Registry name of the model.
    params : dict
        The model's settings, enough to reproduce the run with ``seed``.
    actor_ids, issue_ids : tuple of str
    positions : ndarray, shape (n_rounds + 1, n_actors, n_issues)
        Row 0 is the initial positions. Static models have one row.
    outcome : ndarray, shape (n_issues,)
        Predicted outcome per issue (NaN where the model predicts no agreement).
    moves : tuple of Move
    notes : tuple of str
        Numbered caveats shown by ``summary()``.
    extra : dict
        Model-specific results (e.g. ``agreement`` for Nash, round means for EUM).
    unconstrained : ndarray (n_issues,) or None
        The model's own outcome before the veto constraint (see :mod:`detente.models.veto`);
        None when the constraint was not applied.
    veto : dict
        The constraint's verdict: ``status`` (``none``, ``kept``, ``projected``, ``blocked``,
        ``off``), ``players`` (issue -> veto players), ``reason`` and ``notes`` (issue -> text).
    """

    model: str
    params: dict[str, Any]
    scenario_id: str
    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    positions: np.ndarray
    outcome: np.ndarray
    moves: tuple[Move, ...] = ()
    notes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    unconstrained: np.ndarray | None = None
    veto: dict[str, Any] = field(default_factory=dict)

    @property
    def n_rounds(self) -> int:
        return int(self.positions.shape[0]) - 1

    def outcome_for(self, issue_id: str) -> float:
        return float(self.outcome[self.issue_ids.index(issue_id)])

    def __repr__(self) -> str:
        out = ", ".join(f"{i}={v:.4g}" for i, v in zip(self.issue_ids, self.outcome, strict=True))
        return f"<Forecast {self.model} on {self.scenario_id!r}: {out}; {self.n_rounds} rounds>"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``outcome`` (issue -> value) and ``trace`` (one entry per round, from 0)."""
        trace = []
        for r in range(self.positions.shape[0]):
            trace.append(
                {
                    "round": r,
                    "positions": {
                        a: {i: _num(self.positions[r, k, j]) for j, i in enumerate(self.issue_ids)}
                        for k, a in enumerate(self.actor_ids)
                    },
                    "moves": [m.to_dict() for m in self.moves if m.round == r],
                }
            )
        raw = self.outcome if self.unconstrained is None else self.unconstrained
        veto_notes = self.veto.get("notes", {})
        return {
            "model": self.model,
            "scenario": self.scenario_id,
            "params": jsonable(self.params),
            "seed": self.seed,
            "outcome": {i: _num(v) for i, v in zip(self.issue_ids, self.outcome, strict=True)},
            "unconstrained_outcome": {i: _num(v) for i, v in zip(self.issue_ids, raw, strict=True)},
            "veto_note": {i: veto_notes.get(i, "") for i in self.issue_ids},
            "veto": jsonable({k: v for k, v in self.veto.items() if k != "notes"}),
            "trace": trace,
            "notes": list(self.notes),
            "extra": jsonable(self.extra),
        }

    def to_json(self, **kw: Any) -> str:
        return json.dumps(self.to_dict(), **kw)

    def _repr_html_(self) -> str:
        from .._notebook import html_repr

        return html_repr(repr(self), self.summary(), self.to_frame("outcome"))

    def to_frame(self, kind: str = "positions") -> pd.DataFrame:
        """Tidy tables.

        ``positions``: columns round, actor, issue, position.
        ``moves``: one row per move (round, actor, issue, kind, counterpart, old, new, explanation).
        ``outcome``: issue, outcome, unconstrained (the model's own, before the veto).
        """
        import pandas as pd

        if kind == "positions":
            R, A, I = self.positions.shape
            r, a, i = np.meshgrid(np.arange(R), np.arange(A), np.arange(I), indexing="ij")
            return tidy_frame(
                pd.DataFrame(
                    {
                        "round": r.ravel(),
                        "actor": np.asarray(self.actor_ids)[a.ravel()],
                        "issue": np.asarray(self.issue_ids)[i.ravel()],
                        "position": self.positions.ravel(),
                    }
                )
            )
        if kind == "moves":
            cols = ["round", "actor", "issue", "kind", "counterpart", "old", "new", "explanation"]
            return pd.DataFrame(
                [{c: getattr(m, c) for c in cols} for m in self.moves], columns=cols
            )
        if kind == "outcome":
            raw = self.outcome if self.unconstrained is None else self.unconstrained
            return tidy_frame(
                pd.DataFrame(
                    {"issue": list(self.issue_ids), "outcome": self.outcome, "unconstrained": raw}
                )
            )
        raise ValueError(
            f"The 'kind' parameter of to_frame must be one of 'positions', 'moves', 'outcome'. Got {kind!r} instead."
        )

    def summary(self, fmt: str = "text") -> str:
        """Outcome per issue, the moves, and numbered notes, as ``text`` or ``markdown``."""
        lines = [f"{self.model} forecast for {self.scenario_id} ({self.n_rounds} rounds)"]
        md = fmt == "markdown"
        raw = self.outcome if self.unconstrained is None else self.unconstrained

        def beside(v: float, r: float) -> str:
            same = (np.isnan(v) and np.isnan(r)) or abs(v - r) <= 1e-9 * max(1.0, abs(r))
            return _fmt(v) if same else f"{_fmt(v)} (model alone: {_fmt(r)})"

        rows = list(zip(self.issue_ids, self.outcome, raw, strict=True))
        if md:
            lines = [f"### {lines[0]}", "", "| issue | outcome |", "|---|---|"]
            lines += [f"| {i} | {beside(v, r)} |" for i, v, r in rows]
        else:
            lines += [f"  {i:<28} {beside(v, r)}" for i, v, r in rows]
        if self.moves:
            lines.append("")
            lines.append("Moves:")
            lines += [f"  r{m.round}: {m.explanation}" for m in self.moves]
        if self.notes:
            lines.append("")
            lines += [f"[{k}] {n}" for k, n in enumerate(self.notes, 1)]
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None, issue: str | None = None) -> Axes:
        """Positions by round for one issue (default: the first), one line per actor."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        j = 0 if issue is None else self.issue_ids.index(issue)
        rounds = np.arange(self.positions.shape[0])
        for k, a in enumerate(self.actor_ids):
            ax.plot(rounds, self.positions[:, k, j], marker=".", label=a)
        if np.isfinite(self.outcome[j]):
            ax.axhline(self.outcome[j], color="k", ls="--", lw=1, label="outcome")
        ax.set_xlabel("round")
        ax.set_ylabel(self.issue_ids[j])
        ax.set_title(f"{self.model}: {self.issue_ids[j]}")
        ax.legend(fontsize="small", ncol=2)
        return ax


def _num(x: Any) -> float | None:
    x = float(x)
    return None if not np.isfinite(x) else tidy(x)


def _fmt(x: float) -> str:
    return "no agreement" if not np.isfinite(x) else f"{x:.2f}"


@runtime_checkable
class Model(Protocol):
    """What every registered model offers."""

    name: ClassVar[str]
    description: ClassVar[str]

    def forecast(
        self, scenario: Scenario, *, seed: int | np.random.Generator | None = None
    ) -> Forecast: ...


MODELS: dict[str, Callable[..., Model]] = {}


@dataclass(frozen=True, kw_only=True)
class ModelSettings:
    """Settings every registered model shares: inherit from it to offer ``respect_veto``
    (a registered model that does not is always constrained).

    Parameters
    ----------
    respect_veto : bool, default True
        Constrain the outcome to what the veto players accept (the unanimity win-set of the
        status quo with their red lines; see :mod:`detente.models.veto`). ``False`` gives
        the model's raw outcome.
    """

    respect_veto: bool = True


def register(cls: type) -> type:
    """Class decorator adding a model to the registry under ``cls.name``.

    The model's ``forecast`` is wrapped so that every model, including any added later,
    (1) runs on the documented reference point where the scenario gives no status quo and
    (2) has its outcome constrained by the veto players (unless ``respect_veto=False``);
    the unconstrained outcome is kept in :attr:`Forecast.unconstrained`.
    """
    raw = getattr(cls, "forecast", None)
    if raw is not None and not getattr(raw, "_veto_wrapped", False):
        cls.forecast = _constrained(raw)  # type: ignore[attr-defined]
    MODELS[cls.name] = cls  # type: ignore[attr-defined]
    return cls


def _constrained(raw: Callable[..., Forecast]) -> Callable[..., Forecast]:
    import functools

    @functools.wraps(raw)
    def forecast(
        self: Any, scenario: Scenario, *, seed: int | np.random.Generator | None = None
    ) -> Forecast:
        from dataclasses import replace

        missing = veto.status_quo_assumed(scenario)
        run_on = scenario
        notes: list[str] = []
        if missing:
            run_on, ref = veto.with_reference_point(scenario, missing)
            notes.append(
                "No status quo given for "
                + ", ".join(f"{i} (reference point {v:.4g})" for i, v in ref.items())
                + ": the model, the veto constraint and the disagreement point use the "
                "capability x salience weighted mean of the stances instead "
                "(docs/models/contract.md)."
            )
        f = raw(self, run_on, seed=seed)
        if not getattr(self, "respect_veto", True):
            notes.append("respect_veto=False: the model's raw outcome, veto players ignored.")
            return replace(
                f,
                notes=(*f.notes, *notes),
                veto={"status": "off", "players": {}, "reason": "", "notes": {}},
            )
        v = veto.apply_veto(run_on, f)
        notes.append(v.note)
        return replace(
            f,
            outcome=v.outcome,
            unconstrained=np.asarray(f.outcome, dtype=float).copy(),
            notes=(*f.notes, *notes),
            veto={**v.to_dict(), "notes": v.issue_notes},
        )

    forecast._veto_wrapped = True  # type: ignore[attr-defined]
    return forecast


def get_model(name: str, **settings: Any) -> Model:
    """A model by registry name, built with ``settings``."""
    from . import _load_all  # noqa: F401

    if name not in MODELS:
        import difflib

        close = difflib.get_close_matches(name, list(MODELS), n=3)
        hint = (
            f"did you mean {', '.join(close)}?" if close else f"models: {', '.join(sorted(MODELS))}"
        )
        raise ModelError(f"unknown model {name!r}; {hint}")
    cls = MODELS[name]
    names = {f.name for f in fields(cls)} if hasattr(cls, "__dataclass_fields__") else set()  # type: ignore[arg-type]
    bad = set(settings) - names
    if bad:
        raise ModelError(
            f"model {name!r} has no setting {', '.join(sorted(bad))}; settings: {', '.join(sorted(names))}"
        )
    return cls(**settings)

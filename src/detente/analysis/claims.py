"""A scenario's own claims, evaluated from the model's outputs.

Each claim of a scenario (:class:`detente.scenario.case.Claim`) is one or more conditions
``quantity(args) compare threshold`` over a fixed catalogue of model outputs
(:data:`detente.scenario.case.QUANTITIES`, computed in :mod:`.quantities`). This module
turns them into verdicts:

verdict
    ``holds`` when every condition holds at the run's estimates (point values for inputs and
    the bargaining set; the pooled Monte Carlo estimate for shares and dynamics),
    ``fails`` otherwise; ``not-applicable`` when the scenario lacks what a quantity needs
    (e.g. no roles for the dynamics), with the reason.
evidence
    ``encoding`` (the verdict restates inputs: shown as "encoded in the scenario" and never
    counted as a finding), ``derived`` (from model outputs) or ``record`` (against data).
    The kind is *computed*: a claim declared ``derived`` whose every condition a rule on the
    typed inputs alone predicts in at least 95% of the draws, or no input within its stated
    range can flip (*structural*, :func:`.kinds.cannot_fail`), is reported as an encoding,
    with the rules it restates (``restates``); so is one that a structural condition that
    fails decides. ``declared`` keeps the file's word; each condition says ``structural``.
robustness
    The share of draws *over the ranges of every uncertain input* (judgement parameters
    included) in which every condition holds, each draw's quantity computed at that draw's
    inputs. For the dynamics a draw is a parameter group of the simulation (runs sharing one
    draw of every input). None when a quantity is itself a share over the draws (``p_zone``)
    or the simulation was not run in groups.
precision
    A 95% Monte Carlo interval of each condition's estimate (binomial for shares, normal for
    paired differences): how precisely the run pinned the number down, *not* how robust the
    verdict is to the assumptions.
hinges_on
    The uncertain inputs whose own range moves the verdict: in the draws where the input lies
    in the lowest or the highest tenth of its range (at least ten draws each), the share in
    which the claim holds differs from the overall share by at least :data:`HINGE_SHIFT`, or
    the two ends fall on opposite sides of one half — and the two ends differ by more than
    3.5 standard errors (some 100 inputs are screened at once). Only inputs the quantities
    read are screened. ``hinge_detail`` gives the share at each end.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .. import defaults
from .._json import jsonable
from ..errors import DetenteError, ModelError
from ._structural import corner_estimate
from .kinds import OPS, Restatement, claim_restatements
from .quantities import HINGE_SHIFT, Evaluator  # HINGE_SHIFT: documented here, used there
from .render import check_format, markdown_to_html

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ..scenario import Scenario
    from ..scenario.case import Claim
    from .quantities import Estimate

__all__ = ["HINGE_SHIFT", "ClaimResult", "ClaimsReport", "evaluate_claims"]

Verdict = Literal["holds", "fails", "too-close-to-call", "not-applicable"]
VERDICTS = ("holds", "fails", "too-close-to-call", "not-applicable")

_OPS = OPS  # the comparisons of the claim language, one table (analysis.kinds)


@dataclass(frozen=True)
class ConditionResult:
    text: str
    quantity: str
    value: float | None
    interval: tuple[float, float] | None
    holds: bool | None
    detail: str = ""
    #: The threshold lies within the estimate's own 95% interval: too close to call.
    too_close: bool = False
    #: No input within its stated range can flip it (see :func:`.kinds.cannot_fail`): its
    #: verdict is the model's construction, not a finding.
    structural: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "condition": self.text,
            "quantity": self.quantity,
            "value": self.value,
            "interval": None if self.interval is None else list(self.interval),
            "holds": self.holds,
            "too_close": self.too_close,
            "structural": self.structural,
            "can_fail": not self.structural,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class ClaimResult:
    """A claim with its verdict, as reported."""

    id: str
    text: str
    words: str
    at: str
    evidence: str
    verdict: Verdict
    conditions: tuple[ConditionResult, ...]
    robustness: float | None
    robustness_definition: str
    precision: tuple[float, float] | None
    hinges_on: tuple[str, ...]
    explanation: str
    needs: str
    note: str = ""
    hinge_detail: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: The kind the scenario file declares (``evidence`` is the computed kind).
    declared: str = ""
    #: The rules on the typed inputs that predict a condition's verdict (see :mod:`.kinds`).
    restates: tuple[Restatement, ...] = ()

    @property
    def is_finding(self) -> bool:
        return self.evidence != "encoding" and self.verdict != "not-applicable"

    @property
    def quantity(self) -> str:
        return "; ".join(c.text for c in self.conditions)

    @property
    def value(self) -> Any:
        vals = [c.value for c in self.conditions]
        return vals[0] if len(vals) == 1 else vals

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "words": self.words,
            "at": self.at,
            "evidence": self.evidence,
            "kind": self.evidence,
            "declared": self.declared or self.evidence,
            "restates": [r.to_dict() for r in self.restates],
            "verdict": self.verdict,
            "finding": self.is_finding,
            "robustness": self.robustness,
            "robustness_definition": self.robustness_definition,
            "precision": None if self.precision is None else list(self.precision),
            "hinges_on": list(self.hinges_on),
            "hinge_detail": {k: list(v) for k, v in self.hinge_detail.items()},
            "conditions": [c.to_dict() for c in self.conditions],
            "quantity": {"name": self.quantity, "value": jsonable(self.value)},
            "explanation": self.explanation,
            "needs": self.needs,
            "note": self.note,
        }


@dataclass(frozen=True, eq=False)
class ClaimsReport:
    """Every claim of one scenario, evaluated."""

    scenario_id: str
    draws: int
    seed: int
    claims: tuple[ClaimResult, ...]

    def __repr__(self) -> str:
        counts = self.counts()
        text = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
        return f"<ClaimsReport {self.scenario_id!r}: {text or 'no claims'}>"

    def __getitem__(self, claim_id: str) -> ClaimResult:
        for c in self.claims:
            if c.id == claim_id:
                return c
        raise KeyError(claim_id)

    def counts(self) -> dict[str, int]:
        """Findings by verdict, and encodings apart (``encoded``)."""
        out: dict[str, int] = {}
        for c in self.claims:
            key = "encoded" if c.evidence == "encoding" else c.verdict
            out[key] = out.get(key, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario_id,
            "draws": self.draws,
            "seed": self.seed,
            "counts": self.counts(),
            "claims": [c.to_dict() for c in self.claims],
        }

    def to_frame(self) -> pd.DataFrame:
        """Columns: id, text, evidence, verdict, robustness, precision_low, precision_high,
        hinges_on, quantity, value."""
        import pandas as pd

        rows = [
            {
                "id": c.id,
                "text": c.text,
                "evidence": c.evidence,
                "verdict": c.verdict,
                "robustness": c.robustness,
                "precision_low": None if c.precision is None else c.precision[0],
                "precision_high": None if c.precision is None else c.precision[1],
                "hinges_on": ", ".join(c.hinges_on),
                "quantity": c.quantity,
                "value": c.value,
            }
            for c in self.claims
        ]
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        from .._notebook import html_repr

        return html_repr(repr(self), self.summary(), self.to_frame())

    def summary(self, fmt: str = "text") -> str:
        """One line per claim (``text``) or a table (``markdown``, ``html``)."""
        check_format(fmt, "ClaimsReport")
        if fmt == "html":
            return markdown_to_html(self.summary("markdown"))
        if fmt == "markdown":
            lines = [
                f"### Claims: {self.scenario_id}",
                "",
                "| id | claim | evidence | verdict | robustness | hinges on |",
                "|---|---|---|---|---|---|",
            ]
            for c in self.claims:
                rob = "" if c.robustness is None else f"{c.robustness:.2f}"
                lines.append(
                    f"| {c.id} | {c.text} | {c.evidence} | {_shown(c)} | {rob} | {', '.join(c.hinges_on)} |"
                )
            return "\n".join(lines)
        lines = [f"Claims: {self.scenario_id} ({self.draws} draws, seed {self.seed})"]
        for c in self.claims:
            rob = "" if c.robustness is None else f" (robustness {c.robustness:.2f})"
            lines.append(f"  {c.id:<4} {_shown(c):<22}{rob} {c.text}")
            if c.explanation:
                lines.append(f"       {c.explanation}")
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Robustness per claim, coloured by verdict; encodings grey."""
        import matplotlib.pyplot as plt
        from matplotlib.patches import Patch

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        colours = {
            "holds": "#2b8a3e",
            "fails": "#c92a2a",
            "too-close-to-call": "#e8590c",
            "not-applicable": "#ced4da",
            "encoded": "#868e96",
        }
        keys = ["encoded" if c.evidence == "encoding" else c.verdict for c in self.claims]
        vals = [c.robustness if c.robustness is not None else 0.0 for c in self.claims]
        ax.bar([c.id for c in self.claims], vals, color=[colours[k] for k in keys])
        ax.set_ylim(0, 1)
        ax.set_ylabel("robustness (share of draws in which it holds)")
        ax.set_title(f"Claims: {self.scenario_id}")
        ax.legend(handles=[Patch(color=c, label=v) for v, c in colours.items()], fontsize="small")
        return ax


def _shown(c: ClaimResult) -> str:
    if c.evidence == "encoding" and c.verdict != "not-applicable":
        return f"encoded ({c.verdict})"
    return c.verdict


# --------------------------------------------------------------------------------------
# evaluation
# --------------------------------------------------------------------------------------
def evaluate_claims(
    scenario: Scenario,
    *,
    draws: int = defaults.DRAWS,
    seed: int = defaults.SEED,
    runs: int = defaults.RUNS,
    months: int = defaults.MONTHS,
    ids: list[str] | tuple[str, ...] | None = None,
    evaluator: Evaluator | None = None,
    progress: Any = None,
) -> ClaimsReport:
    """Evaluate the scenario's claims (all, or ``ids``).

    ``evaluator`` is the run's shared :class:`~detente.analysis.quantities.Evaluator` (the
    pipeline passes its own, so every quantity has one value per run); by default one is
    made with these settings.
    """
    ev = evaluator or Evaluator(scenario, draws=draws, seed=seed, runs=runs, months=months)
    known = [c.id for c in scenario.claims]
    wanted = known if ids is None else list(ids)
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise ModelError(
            f"unknown claim {', '.join(unknown)}; this scenario's claims: {', '.join(known) or 'none'}"
        )
    out = []
    for claim in scenario.claims:
        if claim.id not in wanted:
            continue
        if progress is not None:
            progress(claim.id)
        out.append(_evaluate(claim, ev))
    ev.forget_pinned()  # the structural check's corners are done: free their simulations
    return ClaimsReport(scenario.id, ev.draws, ev.seed, tuple(out))


def _evaluate(claim: Claim, ev: Evaluator) -> ClaimResult:
    conds: list[ConditionResult] = []
    per_draw: list[np.ndarray | None] = []
    estimates: list[Estimate] = []
    reason = ""
    for cond in claim.check:
        try:
            est = ev.estimate(cond, under=claim.under)
        except DetenteError as err:
            reason = "; ".join(err.lines())
            break
        ok = bool(_OPS[cond.compare](est.value, cond.threshold)) if np.isfinite(est.value) else None
        close = (
            ok is not None
            and est.interval is not None
            and cond.compare in ("<", "<=", ">", ">=")
            and est.interval[0] <= cond.threshold <= est.interval[1]
        )
        conds.append(
            ConditionResult(
                cond.describe(),
                cond.quantity,
                _num(est.value),
                est.interval,
                ok,
                est.detail,
                bool(close),
            )
        )
        estimates.append(est)
        per_draw.append(
            None if est.per_draw is None else _OPS[cond.compare](est.per_draw, cond.threshold)
        )
    words = claim.quote or claim.text
    base: dict[str, Any] = dict(
        id=claim.id,
        text=claim.text,
        words=words,
        at=claim.at,
        evidence=claim.evidence,
        needs=claim.needs,
        note=claim.note,
    )
    if reason or any(c.holds is None for c in conds):
        return ClaimResult(
            **base,
            verdict="not-applicable",
            conditions=tuple(conds),
            robustness=None,
            robustness_definition="",
            precision=None,
            hinges_on=(),
            explanation=reason
            or "a quantity could not be estimated (no runs reached its condition)",
        )
    # a condition whose own interval straddles its threshold decides nothing: the claim fails
    # if another condition clearly fails, and is too close to call otherwise
    verdict: Verdict
    if any(not c.holds and not c.too_close for c in conds):
        verdict = "fails"
    elif any(c.too_close for c in conds):
        verdict = "too-close-to-call"
    else:
        verdict = "holds"
    robustness, definition, holds_draws = _robustness(per_draw, estimates, ev)
    hinges, detail = (
        ({}, {})
        if holds_draws is None
        else ev.hinges(holds_draws, [e for e in estimates if not e.aggregate])
    )
    failing = [c.text for c in conds if not c.holds and not c.too_close]
    too_close = [
        f"{c.text} (interval {_fmt(c.interval[0])} to {_fmt(c.interval[1])})"
        for c in conds
        if c.too_close and c.interval is not None
    ]
    expl = "; ".join(
        f"{c.quantity} = {_fmt(c.value)}"
        + ("" if c.interval is None else f" [{_fmt(c.interval[0])}, {_fmt(c.interval[1])}]")
        for c in conds
    )
    if failing:
        expl += "; fails on: " + "; ".join(failing)
    if too_close:
        expl += "; too close to call (threshold within the interval): " + "; ".join(too_close)
    restates: tuple[Restatement, ...] = ()
    kind = claim.evidence
    if claim.evidence == "derived":
        restates, all_restated = claim_restatements(
            claim,
            [c.text for c in conds],
            estimates,
            ev.scenario,
            at_corner=partial(corner_estimate, ev, claim.under),
        )
        if all_restated:
            kind = "encoding"
            base["evidence"] = kind
    if kind == "encoding":
        why = (
            "computed: " + "; ".join(r.describe() for r in restates)
            if claim.evidence != "encoding"
            else "declared"
        )
        what = (
            "restates inputs or the model's construction"
            if any(r.structural for r in restates)
            else "restates inputs"
        )
        expl = f"encoded in the scenario ({what}, not a finding; {why}): " + expl
    else:
        restated = [r for r in restates if not r.structural]
        if restated:
            expl += "; partly restates inputs: " + "; ".join(
                f"{r.condition} <- {r.describe()}" for r in restated
            )
        fixed = [r for r in restates if r.structural]
        if fixed:
            expl += "; not a finding (the model's construction): " + "; ".join(
                f"{r.condition} {r.describe()}" for r in fixed
            )
    structural = {r.condition for r in restates if r.structural}
    conds = [replace(c, structural=c.text in structural) for c in conds]
    return ClaimResult(
        **base,
        declared=claim.evidence,
        restates=restates,
        verdict=verdict,
        conditions=tuple(conds),
        robustness=robustness,
        robustness_definition=definition,
        precision=estimates[0].interval if estimates else None,
        hinges_on=tuple(hinges),
        explanation=expl,
        hinge_detail=detail,
    )


def _robustness(
    per_draw: list[np.ndarray | None], estimates: list[Estimate], ev: Evaluator
) -> tuple[float | None, str, np.ndarray | None]:
    # a quantity that is itself a share over the draws (P(zone)) enters the verdict only
    usable = [(p, e) for p, e in zip(per_draw, estimates, strict=True) if not e.aggregate]
    skipped = sorted({e.name for e in estimates if e.aggregate and e.reads != "record"})
    if not usable:
        if all(e.reads == "record" for e in estimates):
            return None, "not computed: the record is data, not a draw over the inputs", None
        return (
            None,
            f"not computed: {', '.join(skipped)} is itself a share over the draws; its precision is the interval",
            None,
        )
    missing = sorted({e.name for p, e in usable if p is None})
    if missing:
        return (
            None,
            f"not computed: {', '.join(missing)} has no value per draw of the inputs "
            "(the simulation was not run in parameter groups)",
            None,
        )
    sizes = {np.asarray(p).shape for p, _ in usable}
    if len(sizes) != 1:
        return None, "not computed: the conditions were drawn on different draws", None
    holds = np.logical_and.reduce([np.asarray(p, bool) for p, _ in usable])
    unit = usable[0][1].unit
    text = f"share of {holds.size} {unit} over the ranges of every uncertain input in which " + (
        "every condition holds"
        if not skipped
        else f"the conditions other than {', '.join(skipped)} hold"
    )
    return float(holds.mean()), text, holds


def _num(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _fmt(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.3g}"

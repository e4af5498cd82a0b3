"""The source essay's claims C1–C14 as checks computed from model outputs.

Each claim has an *evaluator*: a function of a :class:`ClaimContext` (the scenario, its
Monte Carlo draws, and lazily computed results: the point verdict, the per-draw results,
the levers, and whatever providers other modules register, e.g. a crisis simulation)
returning a :class:`ClaimOutcome`: the model quantity the claim rests on and its value,
the verdict and its robustness.

Verdict and robustness always rest on the *same rule*; the robustness is the share of
*units* in which that rule holds, and each claim states its unit in
``robustness_definition``:

- claims whose rule is read at the scenario's point values (C6, C7, C8): the unit is a
  Monte Carlo parameter draw, and the rule is applied at that draw's values;
- claims whose rule is about an aggregate (a probability against a threshold, a difference
  of probabilities between paired simulations, a share pooled over runs: C1–C5, C9–C14):
  the unit is a bootstrap resample (:data:`BOOTSTRAP_RESAMPLES`, drawn by
  :meth:`ClaimContext.bootstrap`) of the parameter draws or of the simulated runs, and the
  aggregate rule is recomputed on each resample. Parts of the rule read at the point values
  stay fixed.

So a claim that ``holds`` has robustness of about 0.5 or more and one that ``fails`` about
0.5 or less (exactly so for a single share against a threshold); a point-value rule can
disagree with most draws when the point values sit on a boundary, which the robustness then
shows.

Verdicts are ``holds``, ``fails``, ``pending`` (the claim needs the crisis dynamics, which
another module supplies) and ``not-applicable`` (the scenario lacks the actors or issues the
claim is about). No verdict is written anywhere: every one follows from the thresholds
below and the scenario's numbers, and each can come out the other way when they change.

Adding evaluators from another module::

    from detente.analysis.claims import register_claim, register_provider, ClaimOutcome

    @register_provider("simulation")
    def _simulate(ctx):            # computed once per context, on first use
        return run_dynamics(ctx.scenario, draws=ctx.draws, seed=ctx.seed)

    @register_claim("C1", needs="dynamics")
    def c1(ctx):
        sim = ctx.get("simulation")
        ...
        return ClaimOutcome(verdict=..., quantity="P(talks within 12 months)", value=...,
                            robustness=..., rule="...")

Modules named ``detente.analysis.*_claims`` and ``detente.dynamics.claims`` are imported
automatically before claims are evaluated, so their registrations replace the pending ones.

Thresholds (``docs/claims.md`` gives the rationale of each):
:data:`BOOTSTRAP_RESAMPLES`, :data:`P_NEGLIGIBLE`, :data:`NEAR_RED_LINE_SALIENCE`, :data:`EXTREME_POSITION`,
:data:`HINGE_RISE`, :data:`HIGH_POSITION`, :data:`LOW_POSITION`, :data:`C11_MIN_RISE`.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._json import jsonable
from ..errors import ModelError
from ._render import check_format, markdown_to_html
from .bargaining import GapResult, win_set_gap, zone_open
from .levers import (
    Baseline,
    Change,
    LeverResult,
    baseline,
    hanoi_package,
    named_lever,
    package_in_win_sets,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ..scenario import Scenario, ScenarioArrays

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "C11_MIN_RISE",
    "CLAIMS",
    "EXTREME_POSITION",
    "HIGH_POSITION",
    "HINGE_RISE",
    "LOW_POSITION",
    "NEAR_RED_LINE_SALIENCE",
    "P_NEGLIGIBLE",
    "ClaimContext",
    "ClaimOutcome",
    "ClaimResult",
    "ClaimsReport",
    "evaluate_claims",
    "register_claim",
    "register_provider",
]

Verdict = Literal["holds", "fails", "pending", "not-applicable"]
VERDICTS = ("holds", "fails", "pending", "not-applicable")

#: Bootstrap resamples behind the robustness of claims whose rule is an aggregate.
BOOTSTRAP_RESAMPLES = 1000

#: "Appears impossible", "≈ 0": at most one draw in twenty has an open zone.
P_NEGLIGIBLE = 0.05
#: A stance is a near-red line when the actor draws a red line on the issue, or when its
#: salience is at least this share of the salience scale ...
NEAR_RED_LINE_SALIENCE = 0.8
#: ... and its position lies within this share of the scale from one end.
EXTREME_POSITION = 0.2
#: "The result hinges on it": making the stance flexible (no red line, salience halved)
#: flips the point verdict or moves P(zone non-empty) by at least this much.
HINGE_RISE = 0.25
#: "High" and "low" ideal points: the upper and lower third of an issue's scale.
HIGH_POSITION = 2 / 3
LOW_POSITION = 1 / 3
#: Softening the US stance or dropping the issue must raise P(zone non-empty) at least this
#: much (besides opening the zone at the point values) for C11 to hold.
C11_MIN_RISE = 0.25

#: The flagship's ids the claims are about; a scenario without them gets ``not-applicable``.
TARGET, DEMANDER = "dprk", "usa"
CORE, RELIEF, DETENTE = "denuclearization", "sanctions_relief", "security_guarantees"

#: The essay's words, shortened (DESIGN.md §1), used when the scenario has no claim text.
DEFAULT_WORDS = {
    "C1": "a stalemate around the resumption of negotiations",
    "C2": 'North Korea "has refrained from crisis instigation"',
    "C3": 'offers of dialogue "have gone unanswered", despite Seoul\'s efforts',
    "C4": 'even if talks resume, the impasse "appears impossible to overcome"',
    "C5": 'nuclear weapons are the "treasured sword" of regime survival',
    "C6": 'Kim was willing to trade "partial rather than complete denuclearization" for sanctions relief',
    "C7": '"Détente, not denuclearization, is North Korea\'s goal"',
    "C8": 'no viable pathway between "treated as a nuclear state" and "cannot be accepted as a nuclear state"',
    "C9": 'both sides shape the other\'s environment "to force concessions prior to negotiations"',
    "C10": 'the threat of crisis is "inhibited by the North\'s own internal economic difficulties and ... dependency on China"',
    "C11": 'obduracy lasts "until the Biden administration waters down its demands ... or reframes talks to exclude denuclearization"',
    "C12": 'economic desperation could bring the North back, but "weakness itself may become a major obstacle"',
    "C13": 'crisis-communication interest "could generate space for U.S.-North Korea talks" of uncertain scope',
    "C14": '"Absent a dramatic change in political circumstances ... the impasse seems set to continue"',
}
#: What the pending claims will rest on once the crisis dynamics exist.
PENDING_QUANTITY = {
    "C1": "P(talks resume within 12 months)",
    "C2": "near-term crisis risk and its drivers",
    "C3": "P(talks) under US offers plus the ROK push",
    "C9": "share of pressure vs engagement tools in both sides' choices",
    "C10": "change in crisis risk as distress or China dependency rises",
    "C12": "P(talks) and P(substantive deal | talks) as distress rises",
    "C13": "P(limited-scope talks without a deal)",
    "C14": "P(impasse persists over 24+ months) with and without a leadership-change shock",
}


# --------------------------------------------------------------------------------------
# outcomes and results
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClaimOutcome:
    """What an evaluator returns."""

    verdict: Verdict
    quantity: str
    value: Any = None
    robustness: float | None = None
    rule: str = ""
    explanation: str = ""
    #: What the robustness is the share of (see the module docstring).
    robustness_definition: str = ""


@dataclass(frozen=True)
class ClaimResult:
    """A claim with its verdict, as reported."""

    id: str
    words: str
    text: str
    quantity: str
    value: Any
    verdict: Verdict
    robustness: float | None
    rule: str
    explanation: str
    needs: str
    robustness_definition: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "words": self.words,
            "text": self.text,
            "verdict": self.verdict,
            "robustness": self.robustness,
            "robustness_definition": self.robustness_definition,
            "quantity": {"name": self.quantity, "value": jsonable(self.value)},
            "rule": self.rule,
            "explanation": self.explanation,
            "needs": self.needs,
        }


@dataclass(frozen=True, eq=False)
class ClaimsReport:
    """Every registered claim evaluated on one scenario."""

    scenario_id: str
    draws: int
    seed: int
    claims: tuple[ClaimResult, ...]

    def __repr__(self) -> str:
        counts = {v: sum(c.verdict == v for c in self.claims) for v in VERDICTS}
        text = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
        return f"<ClaimsReport {self.scenario_id!r}: {text}>"

    def __getitem__(self, claim_id: str) -> ClaimResult:
        for c in self.claims:
            if c.id == claim_id:
                return c
        raise KeyError(claim_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario_id,
            "draws": self.draws,
            "seed": self.seed,
            "claims": [c.to_dict() for c in self.claims],
        }

    def to_frame(self) -> pd.DataFrame:
        """Columns: id, text, words, quantity, value, verdict, robustness,
        robustness_definition, rule, needs."""
        import pandas as pd

        cols = [
            "id",
            "text",
            "words",
            "quantity",
            "value",
            "verdict",
            "robustness",
            "robustness_definition",
            "rule",
            "needs",
        ]
        return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in self.claims], columns=cols)

    def summary(self, fmt: str = "text") -> str:
        """One line per claim (``text``) or a table (``markdown``, ``html``)."""
        check_format(fmt, "ClaimsReport")
        if fmt == "html":
            return markdown_to_html(self.summary("markdown"))
        if fmt == "markdown":
            lines = [
                f"### Claims: {self.scenario_id}",
                "",
                "| id | claim | quantity | verdict | robustness |",
                "|---|---|---|---|---|",
            ]
            for c in self.claims:
                rob = "" if c.robustness is None else f"{c.robustness:.2f}"
                lines.append(f"| {c.id} | {c.text} | {c.quantity} | {c.verdict} | {rob} |")
        else:
            lines = [f"Claims: {self.scenario_id} ({self.draws} draws, seed {self.seed})"]
            for c in self.claims:
                rob = "" if c.robustness is None else f" (robustness {c.robustness:.2f})"
                lines.append(f"  {c.id:<4} {c.verdict:<15}{rob} {c.text}")
                if c.explanation:
                    lines.append(f"       {c.explanation}")
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Robustness per claim, coloured by verdict."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        colours = {
            "holds": "tab:green",
            "fails": "tab:red",
            "pending": "tab:gray",
            "not-applicable": "lightgray",
        }
        ids = [c.id for c in self.claims]
        vals = [c.robustness if c.robustness is not None else 0.0 for c in self.claims]
        ax.bar(ids, vals, color=[colours[c.verdict] for c in self.claims])
        ax.set_ylim(0, 1)
        ax.set_ylabel("robustness (share in which the rule holds)")
        ax.set_title(f"Claims: {self.scenario_id}")
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color=c, label=v) for v, c in colours.items()], fontsize="small")
        return ax


# --------------------------------------------------------------------------------------
# context and registry
# --------------------------------------------------------------------------------------
Provider = Callable[["ClaimContext"], Any]
PROVIDERS: dict[str, Provider] = {}


def register_provider(name: str) -> Callable[[Provider], Provider]:
    """Register a lazily computed input for evaluators, available as ``ctx.get(name)``."""

    def deco(fn: Provider) -> Provider:
        PROVIDERS[name] = fn
        return fn

    return deco


class ClaimContext:
    """What evaluators read. Everything is computed on first use and cached.

    Attributes: ``scenario``, ``draws``, ``seed``, ``curvature``, ``agreement_cost``;
    ``point`` (:class:`GapResult` at the point values), ``batch_arrays``, ``batch``
    (per-draw :class:`GapResult`), ``baseline`` (for levers), ``lever(name)``,
    ``get(provider_name)``. ``baseline.open_`` is the per-draw zone verdict (the fast
    exact test); ``batch`` adds gaps and packages when an evaluator needs them.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        draws: int = 2000,
        seed: int = 0,
        curvature: float | None = None,
        agreement_cost: float | None = None,
    ) -> None:
        self.scenario = scenario
        self.draws = draws
        self.seed = seed
        self.curvature = curvature
        self.agreement_cost = agreement_cost
        self._cache: dict[str, Any] = {}
        self._levers: dict[str, LeverResult] = {}

    @property
    def kw(self) -> dict[str, Any]:
        return {"curvature": self.curvature, "agreement_cost": self.agreement_cost}

    @cached_property
    def point(self) -> GapResult:
        return win_set_gap(self.scenario.to_arrays(), **self.kw)

    @cached_property
    def batch_arrays(self) -> ScenarioArrays:
        return self.scenario.sample(self.draws, self.seed)

    @cached_property
    def batch(self) -> GapResult:
        return win_set_gap(self.batch_arrays, **self.kw)

    @cached_property
    def baseline(self) -> Baseline:
        return baseline(self.scenario, self.batch_arrays, self.curvature, self.agreement_cost)

    def lever(self, name: str) -> LeverResult:
        if name not in self._levers:
            self._levers[name] = named_lever(self.baseline, name)
        return self._levers[name]

    def get(self, name: str) -> Any:
        if name not in self._cache:
            if name not in PROVIDERS:
                raise ModelError(
                    f"no provider {name!r} is registered; known: {', '.join(sorted(PROVIDERS)) or 'none'}"
                )
            self._cache[name] = PROVIDERS[name](self)
        return self._cache[name]

    def bootstrap(self, n: int) -> np.ndarray:
        """Bootstrap resampling counts, shape (:data:`BOOTSTRAP_RESAMPLES`, n).

        Row ``b`` says how often each of ``n`` units (parameter draws or simulated runs) is
        drawn, with replacement, in resample ``b``; ``counts @ x / n`` is the resampled mean
        of a per-unit array ``x``. The same counts serve every array of length ``n`` in this
        context, so paired simulations (common random numbers) are resampled jointly.
        Seeded by the context's seed (Efron & Tibshirani 1993, *An Introduction to the
        Bootstrap*, doi:10.1201/9780429246593).
        """
        key = f"bootstrap:{n}"
        if key not in self._cache:
            rng = np.random.default_rng([self.seed, n, 0xB007])
            idx = rng.integers(0, n, size=(BOOTSTRAP_RESAMPLES, n))
            idx += n * np.arange(BOOTSTRAP_RESAMPLES)[:, None]
            counts = np.bincount(idx.ravel(), minlength=BOOTSTRAP_RESAMPLES * n)
            self._cache[key] = counts.reshape(BOOTSTRAP_RESAMPLES, n).astype(float)
        out: np.ndarray = self._cache[key]
        return out

    def has(self, *, actors: tuple[str, ...] = (), issues: tuple[str, ...] = ()) -> str | None:
        """None if the scenario has these actors and issues, else what is missing."""
        missing = [f"actor {a!r}" for a in actors if a not in self.scenario.actor_ids]
        missing += [f"issue {i!r}" for i in issues if i not in self.scenario.issue_ids]
        return None if not missing else "the scenario has no " + ", ".join(missing)


Evaluator = Callable[[ClaimContext], ClaimOutcome]


@dataclass(frozen=True)
class ClaimSpec:
    id: str
    needs: str
    evaluate: Evaluator
    words: str = ""


CLAIMS: dict[str, ClaimSpec] = {}


def register_claim(
    claim_id: str, *, needs: str = "bargaining", words: str = ""
) -> Callable[[Evaluator], Evaluator]:
    """Register (or replace) the evaluator of a claim. ``needs`` says what it rests on
    (``bargaining`` or ``dynamics``); ``words`` overrides :data:`DEFAULT_WORDS`."""

    def deco(fn: Evaluator) -> Evaluator:
        CLAIMS[claim_id] = ClaimSpec(claim_id, needs, fn, words)
        return fn

    return deco


def _load_plugins() -> None:
    pkg = importlib.import_module("detente.analysis")
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.endswith("_claims"):
            importlib.import_module(f"detente.analysis.{info.name}")
    try:
        found = importlib.util.find_spec("detente.dynamics.claims") is not None
    except ModuleNotFoundError:
        found = False
    if found:
        importlib.import_module("detente.dynamics.claims")


def _claim_order(cid: str) -> tuple[int, str]:
    digits = "".join(ch for ch in cid if ch.isdigit())
    return (int(digits) if digits else 10**6, cid)


def evaluate_claims(
    scenario: Scenario,
    *,
    draws: int = 2000,
    seed: int = 0,
    ids: list[str] | tuple[str, ...] | None = None,
    curvature: float | None = None,
    agreement_cost: float | None = None,
    context: ClaimContext | None = None,
    progress: Callable[[str], None] | None = None,
) -> ClaimsReport:
    """Evaluate the registered claims (all, or ``ids``) on a scenario."""
    _load_plugins()
    ctx = context or ClaimContext(
        scenario, draws=draws, seed=seed, curvature=curvature, agreement_cost=agreement_cost
    )
    wanted = sorted(CLAIMS, key=_claim_order) if ids is None else list(ids)
    unknown = [c for c in wanted if c not in CLAIMS]
    if unknown:
        raise ModelError(
            f"unknown claim {', '.join(unknown)}; known: {', '.join(sorted(CLAIMS, key=_claim_order))}"
        )
    texts = {c.id: c for c in scenario.claims}
    out = []
    for cid in wanted:
        spec = CLAIMS[cid]
        if progress is not None:
            progress(cid)
        try:
            res = spec.evaluate(ctx)
        except ModelError as err:
            # the model behind the claim cannot run on this scenario (e.g. it lacks a start
            # month): the claim does not apply here, and the reason is reported
            res = ClaimOutcome("not-applicable", "", None, None, "", str(err))
        basis = texts.get(cid)
        text = spec.words or (basis.text if basis is not None else DEFAULT_WORDS.get(cid, ""))
        words = (basis.quote or basis.text) if basis is not None else text
        out.append(
            ClaimResult(
                id=cid,
                words=words,
                text=text,
                quantity=res.quantity or PENDING_QUANTITY.get(cid, ""),
                value=res.value,
                verdict=res.verdict,
                robustness=res.robustness,
                rule=res.rule,
                explanation=res.explanation,
                needs=spec.needs,
                robustness_definition=res.robustness_definition,
            )
        )
    return ClaimsReport(scenario.id, ctx.draws, ctx.seed, tuple(out))


# --------------------------------------------------------------------------------------
# evaluators that need no dynamics
# --------------------------------------------------------------------------------------
def _na(quantity: str, reason: str) -> ClaimOutcome:
    return ClaimOutcome("not-applicable", quantity, None, None, "", reason)


def _verdict(ok: bool) -> Verdict:
    return "holds" if ok else "fails"


def draw_share_definition(ctx: ClaimContext) -> str:
    """Robustness of a point-value rule: the share of parameter draws where it holds."""
    return (
        f"share of the {ctx.draws} Monte Carlo parameter draws in which the rule holds at "
        "that draw's values"
    )


def draws_bootstrap_definition(ctx: ClaimContext, fixed: str) -> str:
    """Robustness of an aggregate rule over the parameter draws."""
    return bootstrap_definition(f"{ctx.draws} parameter draws", fixed)


def _boundary_note(ok: bool, rob: float) -> str:
    """For a point-value rule: say so when most draws disagree with the point verdict."""
    if (ok and rob < 0.5) or (not ok and rob > 0.5):
        return (
            f"; the point values sit on a boundary: the rule {'holds' if ok else 'fails'} at "
            f"them but holds in {rob:.0%} of draws"
        )
    return ""


def bootstrap_definition(units: str, fixed: str = "") -> str:
    """Robustness of an aggregate rule: the share of bootstrap resamples where it holds."""
    text = (
        f"share of {BOOTSTRAP_RESAMPLES} bootstrap resamples of the {units} in which the rule, "
        "recomputed on the resample, holds"
    )
    return text + (f" ({fixed})" if fixed else "")


@register_claim("C4")
def _c4(ctx: ClaimContext) -> ClaimOutcome:
    quantity = "P(zone of agreement non-empty) = upper bound on P(substantive deal | talks)"
    if len(ctx.point.veto_ids) < 2:
        return _na(quantity, "needs at least two veto players")
    open_ = np.asarray(ctx.baseline.open_, float)
    p = float(open_.mean())
    point_open = bool(ctx.point.zone_nonempty)
    ok = (not point_open) and p <= P_NEGLIGIBLE
    # the same rule on each bootstrap resample of the draws (the point verdict stays fixed)
    p_star = ctx.bootstrap(open_.size) @ open_ / open_.size
    rob = 0.0 if point_open else float(np.mean(p_star <= P_NEGLIGIBLE))
    return ClaimOutcome(
        _verdict(ok),
        quantity,
        {
            "zone_nonempty": point_open,
            "p_zone_nonempty": p,
            "p_deal_given_talks_max": p,
            "gap": float(ctx.point.gap),
            "p_zone_empty": float(1 - p),
        },
        rob,
        f"holds iff the zone is empty at the point values and P(zone non-empty) <= {P_NEGLIGIBLE}",
        (
            f"no package lies in every veto player's win-set (gap {float(ctx.point.gap):.3g}); "
            if not point_open
            else "a package every veto player prefers exists at the point values; "
        )
        + f"P(zone non-empty) = {p:.3f} over {ctx.draws} draws",
        draws_bootstrap_definition(ctx, "the point verdict on the zone stays fixed"),
    )


def _flexible(ctx: ClaimContext, actor: str, issue: str) -> tuple[Change, ...]:
    ch: list[Change] = []
    if issue in ctx.scenario.actor(actor).red_lines:
        ch.append(Change("red_line", issue, actor, 1.0))
    if issue in ctx.scenario.actor(actor).stances:
        ch.append(Change("salience", issue, actor, 0.5))
    return tuple(ch)


@register_claim("C5")
def _c5(ctx: ClaimContext) -> ClaimOutcome:
    quantity = f"{TARGET}'s stance on {CORE}: near-red line, and the verdict's dependence on it"
    miss = ctx.has(actors=(TARGET,), issues=(CORE,))
    if miss:
        return _na(quantity, miss)
    s = ctx.scenario
    actor = s.actor(TARGET)
    iss = s.issue(CORE)
    width = iss.high - iss.low
    a_pt, a_b = ctx.scenario.to_arrays(), ctx.batch_arrays
    k, j = a_pt.actor_index(TARGET), a_pt.issue_index(CORE)
    has_rl = CORE in actor.red_lines

    def near(arr: ScenarioArrays) -> np.ndarray:
        sal = arr.saliences[..., k, j]
        pos = (arr.positions[..., k, j] - iss.low) / width
        extreme = (pos <= EXTREME_POSITION) | (pos >= 1 - EXTREME_POSITION)
        stance = bool(arr.has_stance[k, j]) & (sal >= NEAR_RED_LINE_SALIENCE) & extreme
        return np.asarray(stance | has_rl)

    near_pt = bool(near(a_pt))
    near_b = near(a_b)
    flex = _flexible(ctx, TARGET, CORE)
    base = ctx.baseline
    pt, bt = base.point, base.batch
    for c in flex:
        pt, bt = c.apply(pt, s), c.apply(bt, s)
    f_pt, _ = zone_open(pt, **ctx.kw)
    f_b, _ = zone_open(bt, exact=False, **ctx.kw)
    p0, p1 = base.p, float(f_b.mean())
    flips = bool(f_pt) != base.point_open
    hinge = flips or abs(p1 - p0) >= HINGE_RISE
    ok = near_pt and hinge
    # the same rule on each bootstrap resample of the draws (the point parts stay fixed)
    n = f_b.size
    counts = ctx.bootstrap(n)
    shift = (counts @ np.asarray(f_b, float) - counts @ np.asarray(base.open_, float)) / n
    rob = float(np.mean(flips | (np.abs(shift) >= HINGE_RISE))) if near_pt else 0.0
    st = actor.stances.get(CORE)
    among_blockers = any(
        b.issue == CORE and (b.actor is not None and TARGET in b.actor.split("+"))
        for b in ctx.point.blockers()
    )
    value = {
        "red_line": f"{actor.red_lines[CORE].op} {actor.red_lines[CORE].bound.value:g}"
        if has_rl
        else None,
        "salience": None if st is None else st.salience.value / s.salience_max,
        "position": None if st is None else st.position.value,
        "near_red_line": near_pt,
        "among_blockers": among_blockers,
        "p_zone_nonempty": p0,
        "p_zone_nonempty_if_flexible": p1,
        "verdict_flips_if_flexible": flips,
        "p_near_red_line": float(near_b.mean()),
        "p_draw_verdict_changes_if_flexible": float(np.mean(near_b & (f_b != base.open_))),
    }
    return ClaimOutcome(
        _verdict(ok),
        quantity,
        value,
        rob,
        f"holds iff the stance is a near-red line (a red line, or salience >= "
        f"{NEAR_RED_LINE_SALIENCE} with a position within {EXTREME_POSITION:.0%} of a scale end) "
        f"and making it flexible (red line removed, salience halved) flips the point verdict or "
        f"moves P(zone non-empty) by >= {HINGE_RISE}",
        f"near-red line: {'yes' if near_pt else 'no'}; "
        f"among the blockers: {'yes' if among_blockers else 'no'}; "
        f"P(zone non-empty) {p0:.3f} -> {p1:.3f} if {TARGET} were "
        f"flexible on {CORE}" + ("; the point verdict flips" if flips else ""),
        draws_bootstrap_definition(
            ctx,
            "whether the stance is a near-red line and whether the point verdict flips are "
            "read at the point values and stay fixed",
        ),
    )


@register_claim("C6")
def _c6(ctx: ClaimContext) -> ClaimOutcome:
    quantity = "Hanoi-style package in each veto player's win-set"
    miss = ctx.has(actors=(TARGET, DEMANDER), issues=(CORE, RELIEF))
    if miss:
        return _na(quantity, miss)
    pk = hanoi_package(ctx.scenario)
    assert pk is not None
    package = {i: v for i, (v, _) in pk.items()}
    ids, pin = package_in_win_sets(ctx.scenario.to_arrays(), package, **ctx.kw)
    _, bin_ = package_in_win_sets(ctx.batch_arrays, package, **ctx.kw)
    t, d = (
        ids.index(TARGET) if TARGET in ids else None,
        ids.index(DEMANDER) if DEMANDER in ids else None,
    )
    if t is None or d is None:
        return _na(quantity, f"needs {TARGET} and {DEMANDER} to be veto players")
    ok = bool(pin[t]) and not bool(pin[d])
    rob = float(np.mean(bin_[:, t] & ~bin_[:, d]))
    return ClaimOutcome(
        _verdict(ok),
        quantity,
        {
            "package": package,
            f"in_{TARGET}_win_set": bool(pin[t]),
            f"in_{DEMANDER}_win_set": bool(pin[d]),
            f"p_in_{TARGET}_win_set": float(bin_[:, t].mean()),
            f"p_in_{DEMANDER}_win_set": float(bin_[:, d].mean()),
        },
        rob,
        f"holds iff the package is in {TARGET}'s win-set and outside {DEMANDER}'s at the point values",
        f"package {', '.join(f'{k} {v:g}' for k, v in package.items())}: {TARGET} {'accepts' if pin[t] else 'rejects'} it, "
        f"{DEMANDER} {'accepts' if pin[d] else 'rejects'} it" + _boundary_note(ok, rob),
        draw_share_definition(ctx),
    )


@register_claim("C7")
def _c7(ctx: ClaimContext) -> ClaimOutcome:
    quantity = "ideal points and saliences of the two sides"
    miss = ctx.has(actors=(TARGET, DEMANDER), issues=(CORE, RELIEF, DETENTE))
    if miss:
        return _na(quantity, miss)
    s = ctx.scenario
    for a in (TARGET, DEMANDER):
        for i in (CORE, DETENTE) if a == DEMANDER else (CORE, RELIEF, DETENTE):
            if i not in s.actor(a).stances:
                return _na(quantity, f"{a} has no stance on {i}")

    def check(arr: ScenarioArrays) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        def pos(a: str, i: str) -> np.ndarray:
            j = arr.issue_index(i)
            return (arr.positions[..., arr.actor_index(a), j] - arr.scale_low[j]) / (
                arr.scale_high[j] - arr.scale_low[j]
            )

        def sal(a: str, i: str) -> np.ndarray:
            return arr.saliences[..., arr.actor_index(a), arr.issue_index(i)]

        sq_det = (
            arr.status_quo[..., arr.issue_index(DETENTE)] - arr.scale_low[arr.issue_index(DETENTE)]
        ) / (arr.scale_high[arr.issue_index(DETENTE)] - arr.scale_low[arr.issue_index(DETENTE)])
        parts = {
            f"{TARGET} wants détente (high)": pos(TARGET, DETENTE) >= HIGH_POSITION,
            f"{TARGET} wants relief (high)": pos(TARGET, RELIEF) >= HIGH_POSITION,
            f"{TARGET} rejects denuclearization (low)": pos(TARGET, CORE) <= LOW_POSITION,
            f"{DEMANDER} wants denuclearization (high)": pos(DEMANDER, CORE) >= HIGH_POSITION,
            f"{DEMANDER} offers détente (above the status quo)": pos(DEMANDER, DETENTE) > sq_det,
            f"{DEMANDER} puts denuclearization before détente": sal(DEMANDER, CORE)
            > sal(DEMANDER, DETENTE),
        }
        allok = np.logical_and.reduce([np.asarray(v) for v in parts.values()])
        return allok, parts

    ok_pt, parts = check(s.to_arrays())
    ok_b, _ = check(ctx.batch_arrays)
    failing = [k for k, v in parts.items() if not bool(v)]
    return ClaimOutcome(
        _verdict(bool(ok_pt)),
        quantity,
        {k: bool(v) for k, v in parts.items()},
        float(np.mean(ok_b)),
        "holds iff all six conditions hold at the point values (high = upper third of the "
        "scale, low = lower third)",
        ("all conditions hold" if not failing else "fails on: " + "; ".join(failing))
        + _boundary_note(bool(ok_pt), float(np.mean(ok_b))),
        draw_share_definition(ctx),
    )


@register_claim("C8")
def _c8(ctx: ClaimContext) -> ClaimOutcome:
    quantity = f"overlap of {DEMANDER}'s and {TARGET}'s red lines on {CORE} (negative = gap)"
    miss = ctx.has(actors=(TARGET, DEMANDER), issues=(CORE,))
    if miss:
        return _na(quantity, miss)

    def overlap(arr: ScenarioArrays) -> np.ndarray:
        j = arr.issue_index(CORE)
        kt, kd = arr.actor_index(TARGET), arr.actor_index(DEMANDER)
        lo = np.maximum(arr.red_low[..., kt, j], arr.red_low[..., kd, j])
        hi = np.minimum(arr.red_high[..., kt, j], arr.red_high[..., kd, j])
        return np.asarray(hi - lo)

    ov_pt = float(overlap(ctx.scenario.to_arrays()))
    ov_b = overlap(ctx.batch_arrays)
    rl = {a: ctx.scenario.actor(a).red_lines.get(CORE) for a in (DEMANDER, TARGET, "unsc")}
    desc = {
        a: (f"{r.op} {r.bound.value:g}" if r is not None else None)
        for a, r in rl.items()
        if a in ctx.scenario.actor_ids
    }
    return ClaimOutcome(
        _verdict(ov_pt < 0),
        quantity,
        {"overlap": ov_pt, "red_lines": desc},
        float(np.mean(ov_b < 0)),
        f"holds iff the values {DEMANDER}'s and {TARGET}'s red lines allow on {CORE} do not "
        "intersect (a missing red line allows the whole scale); other actors' red lines are "
        "reported, not judged, as they hold no veto",
        f"the allowed intervals {'are ' + format(-ov_pt, '.4g') + ' apart' if ov_pt < 0 else 'overlap by ' + format(ov_pt, '.4g')}"
        + _boundary_note(ov_pt < 0, float(np.mean(ov_b < 0))),
        draw_share_definition(ctx),
    )


@register_claim("C11")
def _c11(ctx: ClaimContext) -> ClaimOutcome:
    quantity = "P(zone non-empty) if the US waters down its demand or denuclearization is dropped"
    miss = ctx.has(actors=(DEMANDER,), issues=(CORE,))
    if miss:
        return _na(quantity, miss)
    base = ctx.baseline
    wd = ctx.lever("us-waters-down")
    rf = ctx.lever("reframe-without-denuclearization")
    levers = [lv for lv in (wd, rf) if lv.applicable]
    if not levers:
        return _na(quantity, "neither lever applies")
    opens_pt = [bool(lv.zone_nonempty) for lv in levers]
    rises = [float(lv.delta or 0.0) for lv in levers]
    ok = (not base.point_open) and any(
        o and r >= C11_MIN_RISE for o, r in zip(opens_pt, rises, strict=True)
    )
    # robustness: the same rule on each bootstrap resample of the draws, the point verdicts
    # (baseline shut, lever opens) fixed
    s = base.scenario
    opened = np.zeros_like(base.open_)
    n = base.open_.size
    counts = ctx.bootstrap(n)
    p0_star = counts @ np.asarray(base.open_, float) / n
    ok_star = np.zeros(counts.shape[0], bool)
    for lv, o_pt in zip(levers, opens_pt, strict=True):
        bt = base.batch
        for c in lv.changes:
            bt = c.apply(bt, s)
        o, _ = zone_open(bt, exact=False, **ctx.kw)
        opened |= o & ~base.open_
        if o_pt:
            ok_star |= counts @ np.asarray(o, float) / n - p0_star >= C11_MIN_RISE
    rob = 0.0 if base.point_open else float(ok_star.mean())
    value = {
        "p_zone_nonempty": base.p,
        "zone_nonempty": base.point_open,
        "us-waters-down": {
            "p_zone_nonempty": wd.p_zone_nonempty,
            "zone_nonempty": wd.zone_nonempty,
        },
        "reframe-without-denuclearization": {
            "p_zone_nonempty": rf.p_zone_nonempty,
            "zone_nonempty": rf.zone_nonempty,
        },
        "p_draws_opened": float(np.mean(opened)),
    }
    if base.point_open:
        expl = "the zone is already open at the point values: there is no obduracy for the levers to end"
    else:
        expl = "; ".join(
            f"{lv.name}: zone {'opens' if o else 'stays shut'}, P(zone non-empty) {base.p:.3f} -> "
            f"{lv.p_zone_nonempty:.3f}"
            for lv, o in zip(levers, opens_pt, strict=True)
        )
    return ClaimOutcome(
        _verdict(ok),
        quantity,
        value,
        rob,
        "holds iff the baseline zone is empty and at least one lever opens it at the point values "
        f"and raises P(zone non-empty) by >= {C11_MIN_RISE} (P(talks) joins when the dynamics exist)",
        expl,
        draws_bootstrap_definition(
            ctx,
            "whether the baseline and each lever open the zone at the point values stays fixed",
        ),
    )


def _pending(claim_id: str) -> Evaluator:
    def ev(ctx: ClaimContext) -> ClaimOutcome:
        return ClaimOutcome(
            "pending",
            PENDING_QUANTITY[claim_id],
            None,
            None,
            "",
            "needs the crisis dynamics, which are not available yet",
        )

    return ev


for _cid in PENDING_QUANTITY:
    register_claim(_cid, needs="dynamics")(_pending(_cid))

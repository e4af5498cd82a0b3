"""The essay's claims that need the dynamics (C1, C2, C3, C9, C10, C12, C13, C14).

Registered into :mod:`detente.analysis.claims` (which imports this module before it
evaluates claims), replacing the ``pending`` placeholders. Every verdict follows from a
simulation of the scenario (:func:`detente.dynamics.simulate`) and the thresholds below.
Variants (more distress, more China dependency, a leadership change) are simulated with the
same seed, so their differences are paired (common random numbers).

Every rule here is about an aggregate over the simulated runs (a probability against a
threshold, a difference of probabilities between paired simulations, a share pooled over
runs), so the robustness is the share of bootstrap resamples of the runs
(:meth:`detente.analysis.claims.ClaimContext.bootstrap`, the same resamples for the paired
variants) in which *the same rule*, recomputed on the resample, holds. A claim that holds
thus has robustness of about 0.5 or more, one that fails about 0.5 or less.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..analysis.claims import (
    ClaimContext,
    ClaimOutcome,
    bootstrap_definition,
    register_claim,
    register_provider,
)
from ..scenario.whatif import apply_set
from .result import DynamicsResult
from .simulation import (
    AGREEMENT,
    CONCEDE,
    CRISIS,
    DELAY,
    ENGAGE,
    IMPASSE,
    LIMITED,
    PRESSURE,
    SUBSTANTIVE,
    simulate,
)

__all__ = [
    "C1_MAX_P_TALKS",
    "C2_MAX_P_CRISIS",
    "C3_MAX_RESPONSE",
    "C13_MIN_P",
    "C14_MIN_P",
    "MONTHS",
    "RUNS",
]

#: Horizon and runs of the simulations behind the claims.
MONTHS, RUNS = 36, 2000
#: C1 holds when P(talks within 12 months) is below this.
C1_MAX_P_TALKS = 0.5
#: C2 holds when P(crisis within 6 months) is below this.
C2_MAX_P_CRISIS = 0.1
#: C3 holds when fewer than this share of impasse months with both a US offer and a
#: third-party push end in talks.
C3_MAX_RESPONSE = 0.25
#: C13 holds when limited talks that never become substantive happen in at least this share.
C13_MIN_P = 0.05
#: C14 holds when the impasse lasts 24 months with at least this probability and a
#: leadership-change shock lowers it by at least C14_MIN_SHIFT. The impasse is the essay's
#: "fundamental impasse ... over North Korea's denuclearization" (¶1 s4): it lasts while no
#: talks become substantive and no agreement is reached; limited talks (the crisis-communication
#: channel of C13) do not end it, and whether talks resume at all is C1's question.
C14_MIN_P, C14_MIN_SHIFT = 0.5, 0.1
#: Driver increase used by C10 and C12.
DRIVER_STEP = 0.2


def _sim(ctx: ClaimContext, s: Any) -> DynamicsResult:
    return simulate(s, months=MONTHS, runs=min(ctx.draws, RUNS), seed=ctx.seed)


@register_provider("simulation")
def _baseline(ctx: ClaimContext) -> DynamicsResult:
    return _sim(ctx, ctx.scenario)


def _variant(ctx: ClaimContext, driver: str) -> DynamicsResult | None:
    s = ctx.scenario
    if driver not in s.drivers:
        return None
    d = s.drivers[driver]
    hi = (d.bounds or (0.0, 1.0))[1]
    v = min(hi, d.value.value + DRIVER_STEP)
    return _sim(ctx, apply_set(s, f"drivers.{driver}", v, why=f"claims: {driver} + {DRIVER_STEP}"))


@register_provider("simulation:distress_up")
def _distress(ctx: ClaimContext) -> DynamicsResult | None:
    return _variant(ctx, "economic_distress")


@register_provider("simulation:china_up")
def _china(ctx: ClaimContext) -> DynamicsResult | None:
    return _variant(ctx, "china_dependency")


@register_provider("simulation:leadership_change")
def _change(ctx: ClaimContext) -> DynamicsResult:
    from .whatifs import apply_what_if

    return _sim(ctx, apply_what_if(ctx.scenario, "leadership-change-washington"))


def _ok(b: bool) -> str:
    return "holds" if b else "fails"


def _runs_with(x: np.ndarray) -> np.ndarray:
    return np.asarray(x.any(axis=0), bool)


def _ever_by(x: np.ndarray, month: int) -> np.ndarray:
    """Per run: did ``x`` (months, runs) happen in months 1..month?"""
    return np.asarray(x[:month].any(axis=0), float)


def _sums(ctx: ClaimContext, *per_run: np.ndarray) -> list[np.ndarray]:
    """Each per-run array summed over every bootstrap resample of the runs: (resamples,)."""
    counts = ctx.bootstrap(per_run[0].shape[-1])
    return [counts @ np.asarray(x, float) for x in per_run]


def _share(ctx: ClaimContext, per_run: np.ndarray) -> np.ndarray:
    """The mean of a per-run array in every bootstrap resample of the runs: (resamples,)."""
    return _sums(ctx, per_run)[0] / per_run.shape[-1]


def _runs_definition(ctx: ClaimContext, paired: bool = False) -> str:
    runs = f"{min(ctx.draws, RUNS)} simulated runs"
    if not paired:
        return bootstrap_definition(runs)
    return bootstrap_definition(
        runs,
        "run r of the baseline and of each variant share their random numbers and are "
        "resampled together",
    )


@register_claim("C1", needs="dynamics")
def c1(ctx: ClaimContext) -> ClaimOutcome:
    sim: DynamicsResult = ctx.get("simulation")
    p = sim.at(12)["talks"]
    talks = _ever_by(sim.in_talks, 12)
    return ClaimOutcome(
        _ok(p < C1_MAX_P_TALKS),  # type: ignore[arg-type]
        "P(talks resume within 12 months)",
        round(p, 4),
        robustness=float(np.mean(_share(ctx, talks) < C1_MAX_P_TALKS)),
        rule=f"holds when P(talks within 12 months) < {C1_MAX_P_TALKS}",
        explanation="share of runs with talks by month 12",
        robustness_definition=_runs_definition(ctx),
    )


@register_claim("C2", needs="dynamics")
def c2(ctx: ClaimContext) -> ClaimOutcome:
    sim: DynamicsResult = ctx.get("simulation")
    p = sim.at(6)["crisis"]
    inst = float(sim.instigated[:6].mean())
    crisis = _ever_by(sim.modes == CRISIS, 6)
    return ClaimOutcome(
        _ok(p < C2_MAX_P_CRISIS),  # type: ignore[arg-type]
        "P(crisis within 6 months)",
        {"p_crisis_6m": round(p, 4), "instigation_per_month": round(inst, 4)},
        robustness=float(np.mean(_share(ctx, crisis) < C2_MAX_P_CRISIS)),
        robustness_definition=_runs_definition(ctx),
        rule=f"holds when P(crisis within 6 months) < {C2_MAX_P_CRISIS}",
        explanation="low because the calibrated crisis logit is pushed down by distress and "
        "China dependency above their reference levels (rule crisis_inhibition), and a "
        "crisis needs the defender to escalate",
    )


@register_claim("C3", needs="dynamics")
def c3(ctx: ClaimContext) -> ClaimOutcome:
    sim: DynamicsResult = ctx.get("simulation")
    k_d = sim.actor_ids.index(sim.defender)
    # Seoul's efforts: the ROK when the scenario has it, else any third party
    third = [k for k, a in enumerate(sim.actor_ids) if a not in (sim.challenger, sim.defender)]
    if "rok" in sim.actor_ids:
        third = [sim.actor_ids.index("rok")]
    prev = np.vstack([np.full((1, sim.n_runs), IMPASSE), sim.modes[:-1]])
    offer = np.isin(sim.choices[:, :, k_d], (ENGAGE, CONCEDE))
    push = (
        np.isin(sim.choices[:, :, third], (ENGAGE, CONCEDE)).any(axis=2)
        if third
        else np.zeros_like(offer)
    )
    at_impasse = prev == IMPASSE
    both = at_impasse & offer & push
    if not both.any():
        return ClaimOutcome(
            "not-applicable",
            "P(talks | US offer and third-party push)",
            None,
            None,
            "",
            "no month had both a US offer and a third-party push",
        )
    started = sim.modes >= LIMITED
    started &= sim.modes != CRISIS
    rate = float(started[both].mean())
    # the pooled share on each resample of the runs: (months started after an offer and a
    # push) / (months with an offer and a push); a resample without such months does not hold
    num, den = _sums(ctx, (started & both).sum(axis=0), both.sum(axis=0))
    ok_star = (den > 0) & (num < C3_MAX_RESPONSE * den)
    return ClaimOutcome(
        _ok(rate < C3_MAX_RESPONSE),  # type: ignore[arg-type]
        "P(talks start | impasse, defender offer and Seoul (third-party) push that month)",
        round(rate, 4),
        robustness=float(ok_star.mean()),
        robustness_definition=_runs_definition(ctx),
        rule=f"holds when the share, pooled over all runs' months, is < {C3_MAX_RESPONSE}",
        explanation="offers go unanswered while the challenger stays obdurate (rule obduracy)",
    )


@register_claim("C9", needs="dynamics")
def c9(ctx: ClaimContext) -> ClaimOutcome:
    sim: DynamicsResult = ctx.get("simulation")
    out_of_talks = ~sim.in_talks
    prev = np.vstack([np.ones((1, sim.n_runs), bool), out_of_talks[:-1]])
    shares = {}
    ok_star = np.ones(ctx.bootstrap(sim.n_runs).shape[0], bool)
    for who in (sim.challenger, sim.defender):
        ch = sim.choices[:, :, sim.actor_ids.index(who)]
        shaping = np.isin(ch, (PRESSURE, DELAY)) & prev
        engaging = np.isin(ch, (ENGAGE, CONCEDE)) & prev
        shares[who] = {
            "pressure_or_delay": float(shaping.sum() / max(prev.sum(), 1)),
            "engagement_or_concession": float(engaging.sum() / max(prev.sum(), 1)),
        }
        n_shaping, n_engaging = _sums(ctx, shaping.sum(axis=0), engaging.sum(axis=0))
        ok_star &= n_shaping > n_engaging
    ok = all(v["pressure_or_delay"] > v["engagement_or_concession"] for v in shares.values())
    return ClaimOutcome(
        _ok(ok),  # type: ignore[arg-type]
        "share of shaping (pressure, delay) vs engagement choices outside talks",
        shares,
        robustness=float(ok_star.mean()),
        rule="holds when shaping tools outweigh engagement for both veto players, pooled over "
        "all runs' months outside talks",
        robustness_definition=_runs_definition(ctx),
    )


@register_claim("C10", needs="dynamics")
def c10(ctx: ClaimContext) -> ClaimOutcome:
    base: DynamicsResult = ctx.get("simulation")
    d_up, c_up = ctx.get("simulation:distress_up"), ctx.get("simulation:china_up")
    if d_up is None or c_up is None:
        return ClaimOutcome(
            "not-applicable",
            "crisis risk vs distress and China dependency",
            None,
            None,
            "",
            "the scenario lacks the economic_distress or china_dependency driver",
        )
    b = base.instigated.mean()
    dd, dc = d_up.instigated.mean() - b, c_up.instigated.mean() - b
    pb = base.at(36)["crisis"]
    ok = dd < 0 and dc < 0
    # the same rule on each paired resample of the runs: summed per-run instigation
    # differences (the months are the same, so their sign is that of the rate difference)
    b_r = base.instigated.sum(axis=0).astype(float)
    dd_star, dc_star = _sums(
        ctx, d_up.instigated.sum(axis=0) - b_r, c_up.instigated.sum(axis=0) - b_r
    )
    return ClaimOutcome(
        _ok(ok),  # type: ignore[arg-type]
        f"change in crisis instigation per month when each driver rises by {DRIVER_STEP}",
        {
            "distress": round(float(dd), 5),
            "china_dependency": round(float(dc), 5),
            "p_crisis_36m": round(pb, 4),
            "p_crisis_36m_distress_up": round(d_up.at(36)["crisis"], 4),
            "p_crisis_36m_china_up": round(c_up.at(36)["crisis"], 4),
        },
        robustness=float(np.mean((dd_star < 0) & (dc_star < 0))),
        rule="holds when both increases lower the instigation rate",
        robustness_definition=_runs_definition(ctx, paired=True),
    )


@register_claim("C12", needs="dynamics")
def c12(ctx: ClaimContext) -> ClaimOutcome:
    base: DynamicsResult = ctx.get("simulation")
    up = ctx.get("simulation:distress_up")
    if up is None:
        return ClaimOutcome(
            "not-applicable",
            "P(talks), P(substantive | talks) vs distress",
            None,
            None,
            "",
            "the scenario lacks the economic_distress driver",
        )
    t0, t1 = base.at(36)["talks"], up.at(36)["talks"]
    s0, s1 = base.substantive_given_talks(), up.substantive_given_talks()
    ok = t1 > t0 and not (s1 > s0 + 0.01)
    # the same rule on each paired resample of the runs
    h = min(36, base.n_months, up.n_months)
    talk0, talk1 = _ever_by(base.in_talks, h), _ever_by(up.in_talks, h)
    deal0 = _ever_by((base.modes == SUBSTANTIVE) | (base.modes == AGREEMENT), h) * talk0
    deal1 = _ever_by((up.modes == SUBSTANTIVE) | (up.modes == AGREEMENT), h) * talk1
    n0, n1, d0, d1 = _sums(ctx, talk0, talk1, deal0, deal1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s0_star, s1_star = d0 / n0, d1 / n1
    ok_star = (n1 > n0) & ~(s1_star > s0_star + 0.01)
    return ClaimOutcome(
        _ok(ok),  # type: ignore[arg-type]
        f"P(talks by 36 m) and P(substantive | talks) when distress rises by {DRIVER_STEP}",
        {
            "p_talks": [round(t0, 4), round(t1, 4)],
            "p_substantive_given_talks": [round(s0, 4), round(s1, 4)],
        },
        robustness=float(ok_star.mean()),
        rule="holds when P(talks by 36 months) rises and P(substantive | talks) does not rise "
        "by more than 0.01",
        robustness_definition=_runs_definition(ctx, paired=True),
        explanation="rules desperation (engagement up) and weakness_blocks_reciprocity (concession down)",
    )


@register_claim("C13", needs="dynamics")
def c13(ctx: ClaimContext) -> ClaimOutcome:
    sim: DynamicsResult = ctx.get("simulation")
    limited = _runs_with(sim.modes == LIMITED)
    deal = _runs_with((sim.modes == SUBSTANTIVE) | (sim.modes == AGREEMENT))
    only_limited = limited & ~deal
    p = float(only_limited.mean())
    return ClaimOutcome(
        _ok(p >= C13_MIN_P),  # type: ignore[arg-type]
        "P(limited talks that never become substantive within 36 months)",
        round(p, 4),
        robustness=float(np.mean(_share(ctx, only_limited) >= C13_MIN_P)),
        rule=f"holds when the probability is >= {C13_MIN_P}",
        robustness_definition=_runs_definition(ctx),
        explanation="rule crisis_communication: limited talks need no zone of agreement",
    )


@register_claim("C14", needs="dynamics")
def c14(ctx: ClaimContext) -> ClaimOutcome:
    base: DynamicsResult = ctx.get("simulation")
    shock: DynamicsResult = ctx.get("simulation:leadership_change")
    key = "no_substantive_throughout"
    p0, p1 = base.at(24)[key], shock.at(24)[key]
    ok = p0 >= C14_MIN_P and p0 - p1 >= C14_MIN_SHIFT
    subst = SUBSTANTIVE, AGREEMENT
    x0 = 1 - _ever_by(np.isin(base.modes, subst), 24)
    x1 = 1 - _ever_by(np.isin(shock.modes, subst), 24)
    p0_star, p1_star = _share(ctx, x0), _share(ctx, x1)
    ok_star = (p0_star >= C14_MIN_P) & (p0_star - p1_star >= C14_MIN_SHIFT)
    return ClaimOutcome(
        _ok(ok),  # type: ignore[arg-type]
        "P(no substantive talks or agreement for 24 months): baseline and after a leadership "
        "change in Washington",
        {"baseline": round(p0, 4), "leadership_change": round(p1, 4)},
        robustness=float(ok_star.mean()),
        robustness_definition=_runs_definition(ctx, paired=True),
        rule=f"holds when the baseline probability is >= {C14_MIN_P} and the shock lowers it "
        f"by >= {C14_MIN_SHIFT}",
    )

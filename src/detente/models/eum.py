"""Bueno de Mesquita's expected utility (challenge) model, as unravelled by Scholz et al.

Each round every actor estimates, for every other actor, the expected utility of
challenging it and of being challenged by it; from the pair of expected utilities it
reads off an offer (confrontation, compromise or capitulation), accepts at most one
offer, and all accepted moves apply at once at the end of the round. The default
settings reproduce the published replication of Scholz, Calbert & Smith (2011)
exactly, including its quirks; each departure is a named setting.

Symbol map (paper → code): x_i ``x``, c_i ``c``, s_i ``s`` (salience in [0, 1]),
r_i ``r`` (risk exponent), R ``big_r`` (range of the initial positions),
v_k(x_a, x_b) the vote of k for x_a over x_b, P_ab ``p``, EU_i(i→j) ``eu_ij``,
EU_i(j→i) ``eu_ji``, D_i ``danger``.

References
----------
Bueno de Mesquita, B. (1994). Political forecasting: an expected utility method. In
B. Bueno de Mesquita & F. N. Stokman (eds.), *European Community Decision Making*,
71-104. Yale University Press.

Scholz, J. B., Calbert, G. J. & Smith, G. A. (2011). Unravelling Bueno De Mesquita's
group decision model. *Journal of Theoretical Politics* 23(4), 510-531.
doi:10.1177/0951629811418142.

Examples
--------
>>> from detente.models import get_model
>>> from detente.scenario.bundled import load_bundled
>>> f = get_model("eum").forecast(load_bundled("ec-emissions-1994"))
>>> print(f.moves[0].explanation)
Belgium compromises with France: EU -0.115 vs 0.243, moves 7.00 → 8.42
>>> round(f.extra["mean"]["emission_standards"][0], 6)  # sum(c s x) / sum(c s)
7.389956
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..errors import ModelError
from ._convergence import cycle_mean, detect_cycles
from ._eum_kernel import (
    _ALLOWED,
    _CAPITULATION,
    _COMPROMISE,
    _CONFRONTATION,
    OFFER_NAMES,
    CapitulationRule,
    CompromiseRule,
    EumRun,
    ForecastRule,
    OutcomeRule,
    ProbabilityRule,
    eum_kernel,
)
from .base import Forecast, ModelSettings, Move, register

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = ["OFFER_NAMES", "EumRun", "ExpectedUtilityModel", "eum_kernel"]


@register
@dataclass(frozen=True, kw_only=True)
class ExpectedUtilityModel(ModelSettings):
    """Bueno de Mesquita's expected utility model (Scholz, Calbert & Smith 2011).

    Runs per issue, among the actors that take a stance on it; issues are independent.
    Saliences are the scenario's, normalised to [0, 1]; capabilities are used as given.

    Parameters
    ----------
    rounds : int, default 10
        Number of bargaining rounds.
    compromise_rule : {"scholz", "least_movement"}
        Which of several compromise offers an actor accepts. ``"scholz"`` (published
        code): the one minimising ``(|eu_ij| x_i + |eu_ji| x_j) / (|eu_ij| + |eu_ji|)``,
        which sends Belgium to the Netherlands' side in round 4 of the worked example.
        ``"least_movement"`` (departure): the one that moves the actor least, as the
        paper's text and Bueno de Mesquita describe.
    probability : {"scholz", "pairwise"}
        ``"scholz"``: ``P_ij = sum_k max(0, v_k(x_i, x_j)) / sum_k sum_a sum_b |v_k(x_a, x_b)|``,
        the large denominator over all pairs, so probabilities are small.
        ``"pairwise"`` (departure): the denominator is the votes on this pair only,
        so ``P_ij + P_ji = 1``.
    capitulation : {"scholz", "corrected"}
        ``"scholz"``: the published test (``eu_ji < |eu_ji|``) can never hold, so no
        actor ever capitulates. ``"corrected"`` (departure): capitulate to x_j when
        ``eu_ji > 0 > eu_ij`` and ``|eu_ij| > eu_ji``.
    outcome : {"median", "mean"}, default "median"
        Which statistic of the final round is the forecast. Bueno de Mesquita's
        forecast is the median voter position (the pairwise-vote winner);
        the replication prints the c·s-weighted mean each round. Both are in ``extra``.
    forecast_rule : {"final", "cycle_mean"}, default "final"
        Which round(s) the forecast reads. ``"final"`` (faithful): the last round's
        statistic. ``"cycle_mean"``: where the positions end in a cycle (period >= 2,
        e.g. the common period-2 oscillation), the mean of the statistic over the rounds
        of one whole cycle, so the forecast no longer depends on the round the run stops
        at; elsewhere the final round. ``"settled"``: play on past ``rounds`` (up to
        ``max_rounds``) until every issue has reached its fixed point or cycle, then
        as ``"cycle_mean"``. Either way ``extra["convergence"]`` reports per issue
        whether the run converged, the cycle length and the round the cycle started
        (see :mod:`detente.models._convergence`).
    max_rounds : int, default 200
        The most rounds ``forecast_rule="settled"`` plays.
    """

    name: ClassVar[str] = "eum"
    description: ClassVar[str] = (
        "Bueno de Mesquita's expected utility (challenge) model, Scholz et al. (2011) replication"
    )

    rounds: int = 10
    compromise_rule: CompromiseRule = "scholz"
    probability: ProbabilityRule = "scholz"
    capitulation: CapitulationRule = "scholz"
    outcome: OutcomeRule = "median"
    forecast_rule: ForecastRule = "final"
    max_rounds: int = 200

    def __post_init__(self) -> None:
        if (
            isinstance(self.max_rounds, bool)
            or not isinstance(self.max_rounds, int | np.integer)
            or self.max_rounds < 1
        ):
            raise ModelError(
                f"The 'max_rounds' parameter of ExpectedUtilityModel must be an int >= 1. Got {self.max_rounds!r} instead."
            )
        if isinstance(self.rounds, bool) or not isinstance(self.rounds, int | np.integer):
            raise ModelError(
                f"The 'rounds' parameter of ExpectedUtilityModel must be an int >= 0. Got {self.rounds!r} instead."
            )
        if self.rounds < 0:
            raise ModelError(
                f"The 'rounds' parameter of ExpectedUtilityModel must be an int >= 0. Got {self.rounds!r} instead."
            )
        for name, allowed in _ALLOWED.items():
            value = getattr(self, name)
            if value not in allowed:
                options = ", ".join(repr(a) for a in allowed)
                raise ModelError(
                    f"The '{name}' parameter of ExpectedUtilityModel must be one of {options}. Got {value!r} instead."
                )

    @property
    def departures(self) -> tuple[str, ...]:
        """Names of the settings that depart from the published replication."""
        return tuple(
            f"{name}={getattr(self, name)!r}"
            for name in ("compromise_rule", "probability", "capitulation")
            if getattr(self, name) != "scholz"
        )

    def _settled_rounds(self, arrays: Any) -> int:
        """Rounds until every issue's positions repeat (fixed point or one whole cycle),
        at least ``rounds`` and at most ``max_rounds``."""
        need = self.rounds
        for j in range(arrays.n_issues):
            idx = np.flatnonzero(arrays.has_stance[:, j])
            if idx.size == 0:
                continue
            run = self._kernel(
                arrays.positions[idx, j],
                arrays.capabilities[idx],
                arrays.saliences[idx, j],
                max(self.max_rounds, self.rounds),
            )
            period, start = (int(v) for v in detect_cycles(run.positions[0]))
            cut = start + 2 * period - 1 if period else max(self.max_rounds, self.rounds)
            need = max(need, cut)
        return need

    def _kernel(
        self, x: np.ndarray, c: np.ndarray, s: np.ndarray, rounds: int | None = None
    ) -> EumRun:
        return eum_kernel(
            x,
            c,
            s,
            self.rounds if rounds is None else rounds,
            compromise_rule=self.compromise_rule,
            probability=self.probability,
            capitulation=self.capitulation,
        )

    def forecast(
        self, scenario: Scenario, *, seed: int | np.random.Generator | None = None
    ) -> Forecast:
        """Run the model on every issue of ``scenario``.

        The model is deterministic; ``seed`` is accepted for the common interface and
        recorded, but unused.
        """
        arrays = scenario.to_arrays()
        A, I = arrays.n_actors, arrays.n_issues
        T = self._settled_rounds(arrays) if self.forecast_rule == "settled" else self.rounds
        labels = {a.id: a.label for a in scenario.actors}
        # Actors without a stance take no part; they are shown at the status quo throughout.
        positions = np.broadcast_to(arrays.positions, (T + 1, A, I)).copy()
        outcome = np.empty(I)
        moves: list[Move] = []
        notes: list[str] = [
            f"Outcome per issue is the final round's {self._outcome_words()}; "
            "the weighted mean and the median of every round are in extra."
        ]
        extra: dict[str, Any] = {
            "outcome_rule": self.outcome,
            "mean": {},
            "median": {},
            "risk_exponents": {},
            "position_range": {},
            "unsettled": {},
            "forecast_rule": self.forecast_rule,
            "convergence": {},
        }
        if self.departures:
            notes.append(
                "Departures from Scholz et al. (2011): " + ", ".join(self.departures) + "."
            )
        for j, issue in enumerate(arrays.issue_ids):
            idx = np.flatnonzero(arrays.has_stance[:, j])
            if idx.size == 0:
                outcome[j] = float(arrays.status_quo[j])
                notes.append(f"{issue}: no actor takes a stance; the status quo is the outcome.")
                continue
            x = arrays.positions[idx, j]
            c = arrays.capabilities[idx]
            s = arrays.saliences[idx, j]
            if not np.any(c * s > 0):
                notes.append(
                    f"{issue}: every actor has zero capability × salience, so no actor's votes "
                    "count: every win probability is 0, offers follow from saliences alone, "
                    "and the mean and median are unweighted."
                )
            run = self._kernel(x, c, s, T)
            positions[:, idx, j] = run.positions[0]
            mean, median = run.mean[0], run.median[0]
            stat = median if self.outcome == "median" else mean
            conv = _convergence_report(run.positions[0], stat, issue, self.forecast_rule)
            extra["convergence"][issue] = conv
            outcome[j] = conv.pop("_forecast")
            if conv["note"]:
                notes.append(conv["note"])
            ids = [arrays.actor_ids[k] for k in idx]
            extra["mean"][issue] = mean.tolist()
            extra["median"][issue] = median.tolist()
            extra["risk_exponents"][issue] = {
                a: run.risk[0, :, n].tolist() for n, a in enumerate(ids)
            }
            extra["position_range"][issue] = float(run.position_range[0])
            prefix = f"{issue}: " if I > 1 else ""
            moves += _moves(run, issue, ids, labels, prefix)
            if T > 0 and np.any(run.offer[0, -1] > 0):
                n_last = int(np.count_nonzero(run.offer[0, -1]))
                extra["unsettled"][issue] = n_last
                notes.append(
                    f"{issue}: not settled after {T} rounds ({n_last} actors still moved in the "
                    f"last round); the mean went {mean[0]:.3g} → {mean[-1]:.3g}, "
                    f"the median {median[0]:.3g} → {median[-1]:.3g}."
                )
        if not arrays.has_stance.all():
            notes.append(
                "Actors without a stance on an issue take no part in it; their positions are "
                "shown at the status quo."
            )
        conv_all = extra["convergence"].values()
        extra["converged"] = all(c["converged"] for c in conv_all)
        lengths = [c["cycle_length"] for c in conv_all if c["cycle_length"]]
        extra["cycle_length"] = max(lengths) if lengths else None
        order = {issue: j for j, issue in enumerate(arrays.issue_ids)}
        moves.sort(key=lambda m: (m.round, order[m.issue]))  # stable: actor order within
        return Forecast(
            model=self.name,
            params=asdict(self),
            scenario_id=scenario.id,
            actor_ids=arrays.actor_ids,
            issue_ids=arrays.issue_ids,
            positions=positions,
            outcome=outcome,
            moves=tuple(moves),
            notes=tuple(notes),
            extra=extra,
            seed=seed if isinstance(seed, int) else None,
        )

    def sample_outcomes(
        self, scenario: Scenario, n_draws: int, *, seed: int | np.random.Generator | None = None
    ) -> np.ndarray:
        """Outcomes of ``n_draws`` draws of the scenario's uncertain quantities.

        Draws come from :meth:`Scenario.sample` (triangular on each range) and run in
        one batched kernel call per issue.

        Returns
        -------
        ndarray, shape (n_draws, n_issues)
        """
        arrays = scenario.sample(n_draws, seed)
        out = np.empty((n_draws, arrays.n_issues))
        for j in range(arrays.n_issues):
            idx = np.flatnonzero(arrays.has_stance[:, j])
            if idx.size == 0:
                out[:, j] = arrays.status_quo[:, j]
                continue
            run = self._kernel(
                arrays.positions[:, idx, j],
                arrays.capabilities[:, idx],
                arrays.saliences[:, idx, j],
                max(self.rounds, self.max_rounds) if self.forecast_rule == "settled" else None,
            )
            stat = run.median if self.outcome == "median" else run.mean
            if self.forecast_rule != "final":
                period, _ = detect_cycles(run.positions)
                out[:, j] = cycle_mean(stat, period)
            else:
                out[:, j] = stat[:, -1]
        return out

    def _outcome_words(self) -> str:
        if self.outcome == "median":
            return "median (the pairwise-vote winner among positions, Bueno de Mesquita's forecast)"
        return "capability × salience weighted mean (as the replication reports each round)"


_VERBS = {
    _CONFRONTATION: "gives in to a challenge from",
    _COMPROMISE: "compromises with",
    _CAPITULATION: "capitulates to",
}


def _moves(
    run: EumRun, issue: str, ids: list[str], labels: dict[str, str], prefix: str = ""
) -> list[Move]:
    out = []
    rounds = run.offer.shape[1]
    for t in range(rounds):
        for n in np.flatnonzero(run.offer[0, t]):
            code = int(run.offer[0, t, n])
            other = int(run.counterpart[0, t, n])
            old, new = float(run.positions[0, t, n]), float(run.positions[0, t + 1, n])
            eu_ij, eu_ji = float(run.eu_ij[0, t, n]), float(run.eu_ji[0, t, n])
            actor, counterpart = ids[n], ids[other]
            explanation = (
                f"{prefix}{labels.get(actor, actor)} {_VERBS[code]} {labels.get(counterpart, counterpart)}: "
                f"EU {eu_ij:.3f} vs {eu_ji:.3f}, moves {old:.2f} → {new:.2f}"
            )
            out.append(
                Move(
                    round=t + 1,
                    actor=actor,
                    issue=issue,
                    kind=OFFER_NAMES[code],
                    old=old,
                    new=new,
                    counterpart=counterpart,
                    explanation=explanation,
                    data={
                        "offer": OFFER_NAMES[code],
                        "counterpart": counterpart,
                        "eu_pair": [eu_ij, eu_ji],
                        "risk_exponent": float(run.risk[0, t, n]),
                    },
                )
            )
    return out


def _convergence_report(
    positions: np.ndarray, stat: np.ndarray, issue: str, rule: str
) -> dict[str, Any]:
    """Converged / cycle length / cycle start of one issue's run, the forecast under
    ``rule`` (key ``_forecast``) and a note when the run did not converge."""
    T = positions.shape[0] - 1
    period, start = (int(v) for v in detect_cycles(positions))
    final = float(stat[-1])
    forecast = final
    out: dict[str, Any] = {
        "converged": period == 1,
        "cycle_length": period or None,
        "cycle_start": start if period else None,
        "note": "",
    }
    if T == 0:
        out["_forecast"] = final
        return out
    if period >= 2:
        cyc = stat[T - period + 1 :]
        lo, hi = float(cyc.min()), float(cyc.max())
        out["cycle_range"] = [lo, hi]
        out["cycle_mean"] = float(cyc.mean())
        if rule != "final":
            forecast = float(cyc.mean())
        took = (
            f"the forecast is the mean over the cycle, {forecast:.4g}"
            if rule != "final"
            else f"the forecast is round {T}'s ({final:.4g}); forecast_rule='cycle_mean' "
            f"averages the cycle ({float(cyc.mean()):.4g})"
        )
        spread = (
            f"the statistic swings between {lo:.4g} and {hi:.4g} with the stopping round"
            if hi - lo > 1e-9 * max(1.0, abs(hi))
            else "the statistic stays at the same value through the cycle"
        )
        out["note"] = (
            f"{issue}: not converged: positions cycle with period {period} from round {start}; "
            f"{spread}; {took}."
        )
    elif period == 0:
        step = float(np.abs(positions[-1] - positions[-2]).max())
        out["last_move"] = step
        out["note"] = (
            f"{issue}: not converged after {T} rounds and no cycle found (positions still "
            f"moved by up to {step:.3g} in the last round); the forecast depends on the round "
            f"the run stops at (round {T}: {final:.4g})."
        )
    out["_forecast"] = forecast
    return out

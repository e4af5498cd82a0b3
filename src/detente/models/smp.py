"""KAPSARC's spatial model of politics (KTAB's SMP), replicated exactly.

Actors hold positions in a multi-dimensional policy space. Each turn every actor i looks
for the most advantageous actor j to challenge, judging the contest as a probabilistic
Condorcet election in which third parties join the side they expect to gain from; the pair
interpolates a bargain weighted by salience and probability of victory; then every actor
adopts one of the bargains involving it (or keeps its position) by a probabilistic
Condorcet election among them. Turns repeat until the positions stop moving. Defaults are
KTAB's; each of KTAB's nine switches is a setting with KTAB's name and values.

Symbols (Wise et al., KTAB documentation → code): x_i position (``positions``), ideal
point x̂_i, s_i salience vector, c_i capability, R_i risk attitude (``risk``), u^h_i(x_j) h's
estimate of i's utility for j's position, P^h[i > j] h's estimate of the probability that
i defeats j (``p_init``, ``p_rcvr``), E^h_k[Δu | i → j] the expected gain (``target_gain``).
See ``docs/models/smp.md``.

The arithmetic follows KTAB's ``examples/smp/libsrc/smp.cpp`` and ``smpbcn.cpp`` and
``KTAB/kmodel/libsrc/kmodel.cpp`` (Copyright KAPSARC, MIT licence; ``tests/data/LICENSE-KTAB.txt``).

Examples
--------
>>> from detente.models import get_model
>>> from detente.scenario.bundled import load_bundled
>>> f = get_model("smp").forecast(load_bundled("china-soe-reform"))
>>> f.n_rounds, f.positions[-1, 0].round(2).tolist()  # KTAB: 27 turns, XJ ends at (43.18, 43.30)
(27, [43.18, 43.3])
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from ..errors import ModelError
from .base import Forecast, ModelSettings, Move, register
from .smp_core import BARGAIN_KINDS, SWITCHES, SmpConfig, SmpRun
from .smp_elections import coalitions, pce
from .smp_fast import bs_util, bv_diff, run_fast

if TYPE_CHECKING:
    from ..scenario import Scenario
    from ..scenario.arrays import ScenarioArrays

__all__ = ["KTAB_DEFAULT_SEED", "SpatialModelOfPolitics", "final_election"]

#: KTAB's default generator seed (``KBase::dSeed``), used when no seed is given.
KTAB_DEFAULT_SEED = 0xD67CC16FE69C185C
_TINY_SALIENCE = 1e-9
_TINY_CAPABILITY = 1e-9
_MIN_SALIENCE = 1e-150


#: The most actors the model runs on (see :meth:`SpatialModelOfPolitics.forecast`).
MAX_ACTORS = 400


@register
@dataclass(frozen=True, kw_only=True)
class SpatialModelOfPolitics(ModelSettings):
    """KTAB's spatial model of politics (SMP), with KTAB's defaults.

    Parameters
    ----------
    victory_prob_model : {"Linear", "Square", "Quartic", "Octic", "Binary"}
        How coalition strengths S_i, S_j turn into P[i > j]: S_i^p / (S_i^p + S_j^p) for
        p = 1, 2, 4, 8, or a step with a linear ramp within a 10% margin.
    pce_model : {"Conditional", "MarkovIncentive", "MarkovUniform"}
        Probabilistic Condorcet election: the normalised product of pairwise victory
        probabilities, or the stationary distribution of a Markov chain of challenges
        (weighted by incentive, or uniform).
    state_transitions : {"Deterministic", "Stochastic"}
        Each actor adopts its most probable bargain, or draws one with KTAB's generator.
    voting_rule : {"Prop", "Binary", "PropBin", "PropCbc", "Cubic", "ASymProsp"}
        An actor's vote as a function of its utility difference between two options.
    big_r_adjust : {"OneThird", "None", "Half", "TwoThirds", "Full"}
        How much of i's own risk attitude h puts in its estimate of i's (None: h projects its
        own; Full: h knows i's).
    big_r_range : {"Mid", "Min", "Max"}
        The range of risk attitudes inferred from the probabilities: [-1/2, 1], [0, 1] or [-1, 1].
    third_party_commit : {"SemiCommit", "NoCommit", "FullCommit"}
        How committed a third party is to the side it joins.
    inter_vec_brgn : {"S2P2", "S1P1", "S2PMax"}
        How a bargain is interpolated between two positions (weights s^2 P^2, s P, or the
        excess probability of the other side).
    bargn_model : {"InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"}
        Whose interpolation is proposed: the initiator's, both, or their power-weighted
        compromise.
    max_turns, min_turns : int
        KTAB stops after 100 turns at most and 2 at least.
    min_delta_ratio : float
        KTAB stops when a turn moves the positions by less than this fraction of the first
        turn's movement (sum over actors of Euclidean distances).
    outcome : {"expected", "most_likely"}
        The forecast per issue: the final distinct positions weighted by their probability of
        winning the final probabilistic Condorcet election, or the most probable one.
    accommodation : float
        How far ideal points follow positions each turn (KTAB's accommodation matrix is this
        times the identity; 1 is KTAB's CSV default: ideals equal positions).
    actor_order : {"canonical", "as_given"}
        KTAB breaks exact ties (equal gains from two targets, equally probable bargains) by
        actor index, and its voting on option pairs follows the list order, so the order of
        the actors can matter. ``canonical`` runs them sorted by capability, positions and
        saliences, so the forecast does not depend on how the scenario lists them;
        ``as_given`` keeps the scenario's order, as KTAB does.
    """

    name: ClassVar[str] = "smp"
    description: ClassVar[str] = (
        "KTAB's spatial model of politics: challenges, bargains and probabilistic Condorcet elections"
    )

    victory_prob_model: Literal["Linear", "Square", "Quartic", "Octic", "Binary"] = "Linear"
    pce_model: Literal["Conditional", "MarkovIncentive", "MarkovUniform"] = "Conditional"
    state_transitions: Literal["Deterministic", "Stochastic"] = "Deterministic"
    voting_rule: Literal["Prop", "Binary", "PropBin", "PropCbc", "Cubic", "ASymProsp"] = "Prop"
    big_r_adjust: Literal["OneThird", "None", "Half", "TwoThirds", "Full"] = "OneThird"
    big_r_range: Literal["Mid", "Min", "Max"] = "Mid"
    third_party_commit: Literal["SemiCommit", "NoCommit", "FullCommit"] = "SemiCommit"
    inter_vec_brgn: Literal["S2P2", "S1P1", "S2PMax"] = "S2P2"
    bargn_model: Literal["InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"] = "InitOnlyInterp"
    max_turns: int = 100
    min_turns: int = 2
    min_delta_ratio: float = 0.02
    outcome: Literal["expected", "most_likely"] = "expected"
    accommodation: float = 1.0
    actor_order: Literal["canonical", "as_given"] = "canonical"

    def __post_init__(self) -> None:
        for key, allowed in SWITCHES.items():
            v = getattr(self, key)
            if v not in allowed:
                raise ModelError(
                    f"The '{key}' parameter of smp must be one of {', '.join(allowed)}. Got {v!r} instead."
                )
        if self.outcome not in ("expected", "most_likely"):
            raise ModelError(
                f"The 'outcome' parameter of smp must be 'expected' or 'most_likely'. Got {self.outcome!r} instead."
            )
        if not (
            isinstance(self.max_turns, int)
            and isinstance(self.min_turns, int)
            and 1 <= self.min_turns <= self.max_turns
        ):
            raise ModelError(
                "The 'min_turns' and 'max_turns' parameters of smp must be integers with "
                f"1 <= min_turns <= max_turns. Got {self.min_turns!r} and {self.max_turns!r} instead."
            )
        if not (np.isfinite(self.min_delta_ratio) and self.min_delta_ratio >= 0):
            raise ModelError(
                f"The 'min_delta_ratio' parameter of smp must be >= 0. Got {self.min_delta_ratio!r} instead."
            )
        if self.actor_order not in ("canonical", "as_given"):
            raise ModelError(
                f"The 'actor_order' parameter of smp must be 'canonical' or 'as_given'. Got {self.actor_order!r} instead."
            )
        if not (0.0 <= self.accommodation <= 1.0):
            raise ModelError(
                f"The 'accommodation' parameter of smp must be in [0, 1]. Got {self.accommodation!r} instead."
            )

    def config(self, seed: int | np.random.Generator | None = None) -> SmpConfig:
        """The engine configuration for ``seed`` (KTAB's 64-bit seed; KTAB's default if None)."""
        if isinstance(seed, np.random.Generator):
            k_seed = int(seed.integers(1, 2**63))
        elif seed is None or int(seed) <= 0:
            k_seed = KTAB_DEFAULT_SEED
        else:
            k_seed = int(seed) % 2**64 or KTAB_DEFAULT_SEED
        return SmpConfig(
            **{key: getattr(self, key) for key in SWITCHES},
            seed=k_seed,
            min_turns=self.min_turns,
            max_turns=self.max_turns,
            min_delta_ratio=self.min_delta_ratio,
        )

    def run(
        self, scenario: Scenario, *, seed: int | np.random.Generator | None = None
    ) -> tuple[SmpRun, list[str]]:
        """The full turn-by-turn trace on KTAB's [0, 1] scale, and notes on the input mapping."""
        a = scenario.to_arrays()
        x, s, c, notes = _inputs(a)
        return self._run(x, s, c, self.config(seed)), notes

    def _run(self, x: np.ndarray, s: np.ndarray, c: np.ndarray, cfg: SmpConfig) -> SmpRun:
        acc = self.accommodation * np.eye(len(c))
        if self.actor_order == "as_given":
            return run_fast(x, s, c, cfg, acc)
        # canonical order: by capability, then positions, then saliences
        perm = np.lexsort((*s.T[::-1], *x.T[::-1], c))
        return _unpermute(run_fast(x[perm], s[perm], c[perm], cfg, acc), perm)

    def forecast(
        self, scenario: Scenario, *, seed: int | np.random.Generator | None = None
    ) -> Forecast:
        a = scenario.to_arrays()
        if a.n_actors < 2:
            return self._alone(scenario, a, seed)
        if a.n_actors > MAX_ACTORS:
            raise ModelError(
                f"smp: {a.n_actors} actors; the spatial model's cost grows about as n^3.6 per "
                f"turn (160 actors take about 4 s, {MAX_ACTORS} about a minute), so it runs up "
                f"to {MAX_ACTORS} actors; merge actors into blocs or use another model"
            )
        x, s, c, notes = _inputs(a)
        cfg = self.config(seed)
        run = self._run(x, s, c, cfg)
        lo, width = a.scale_low, a.scale_high - a.scale_low
        positions = lo + run.positions * width
        outcome = np.clip(lo + self._outcome01(run, s, c, cfg) * width, a.scale_low, a.scale_high)
        notes.append(
            f"KTAB's SMP ran {run.n_turns} turns and stopped "
            + (
                "at the turn limit."
                if run.n_turns >= self.max_turns
                else f"when a turn moved positions by {run.change_ratio[-1]:.4f} of the first turn's movement."
            )
        )
        notes.append(
            "The outcome is the "
            + (
                "most probable"
                if self.outcome == "most_likely"
                else "probability-weighted mean of the"
            )
            + " final distinct position(s) in the probabilistic Condorcet election among them."
        )
        ids = list(a.actor_ids)
        return Forecast(
            model=self.name,
            params=asdict(self),
            scenario_id=scenario.id,
            actor_ids=a.actor_ids,
            issue_ids=a.issue_ids,
            positions=positions,
            outcome=outcome,
            moves=tuple(_moves(run, positions, ids, list(a.issue_ids))),
            notes=tuple(notes),
            extra=_extra(run, ids, lo, width),
            seed=seed if isinstance(seed, int) else None,
        )

    def _outcome01(self, run: SmpRun, s: np.ndarray, c: np.ndarray, cfg: SmpConfig) -> np.ndarray:
        options, p = final_election(run, s, c, cfg)
        if self.outcome == "most_likely":
            return np.asarray(options[int(np.argmax(p))])
        return np.asarray(p @ options)

    def sample_outcomes(
        self, scenario: Scenario, n_draws: int, *, seed: int | np.random.Generator | None = None
    ) -> np.ndarray:
        """Outcomes of ``n_draws`` draws of the scenario's uncertain quantities, (n_draws, n_issues).

        Draws come from :meth:`Scenario.sample` (triangular on each range); each runs the
        whole model (deterministic transitions unless ``state_transitions`` says otherwise,
        with KTAB's seed derived from ``seed``).
        """
        rng = np.random.default_rng(seed) if not isinstance(seed, np.random.Generator) else seed
        arrays = scenario.sample(n_draws, rng)
        out = np.empty((n_draws, arrays.n_issues))
        lo, width = arrays.scale_low, arrays.scale_high - arrays.scale_low
        for d in range(n_draws):
            a = replace(
                arrays,
                positions=arrays.positions[d],
                saliences=arrays.saliences[d],
                capabilities=arrays.capabilities[d],
                status_quo=arrays.status_quo[d],
            )
            if a.n_actors < 2:
                out[d] = a.positions[0] if a.n_actors else a.status_quo
                continue
            x, s, c, _ = _inputs(a)
            cfg = self.config(rng)
            out[d] = np.clip(
                lo + self._outcome01(self._run(x, s, c, cfg), s, c, cfg) * width,
                lo,
                arrays.scale_high,
            )
        return out

    def _alone(
        self, scenario: Scenario, a: ScenarioArrays, seed: int | np.random.Generator | None
    ) -> Forecast:
        """With fewer than two actors nobody bargains: the outcome is the positions."""
        positions = np.asarray(a.positions, dtype=float)[None].copy()
        outcome = positions[0, 0] if a.n_actors else np.asarray(a.status_quo, dtype=float)
        return Forecast(
            model=self.name,
            params=asdict(self),
            scenario_id=scenario.id,
            actor_ids=a.actor_ids,
            issue_ids=a.issue_ids,
            positions=positions,
            outcome=np.array(outcome, dtype=float),
            notes=(
                "With a single actor there is nobody to bargain with; its position is the outcome.",
            ),
            extra={"turns": 0},
            seed=seed if isinstance(seed, int) else None,
        )


def _unpermute(run: SmpRun, perm: np.ndarray) -> SmpRun:
    """A run of the actors ``perm`` (run index r is actor perm[r]) in the original order."""
    inv = np.argsort(perm)

    def idx(v: np.ndarray) -> np.ndarray:
        return np.where(v >= 0, perm[np.maximum(v, 0)], v)

    return replace(
        run,
        positions=run.positions[:, inv],
        ideals=run.ideals[:, inv],
        risk=run.risk[:, inv],
        win_prob=run.win_prob[:, inv],
        target=idx(run.target[:, inv]),
        target_gain=run.target_gain[:, inv],
        p_init=run.p_init[:, inv],
        p_rcvr=run.p_rcvr[:, inv],
        bargain_init=idx(run.bargain_init),
        bargain_rcvr=idx(run.bargain_rcvr),
        chosen=run.chosen[:, inv],
        chosen_prob=run.chosen_prob[:, inv],
        n_options=run.n_options[:, inv],
    )


def _inputs(a: ScenarioArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Positions on [0, 1], saliences with sums in (0, 1], capabilities; notes on changes."""
    width = a.scale_high - a.scale_low
    x = np.where(width > 0, (a.positions - a.scale_low) / np.where(width > 0, width, 1.0), 0.0)
    x = np.clip(x, 0.0, 1.0)
    s = np.array(a.saliences, dtype=float)
    notes = []
    if ((s > 0) & (s < _MIN_SALIENCE)).any():
        s[s < _MIN_SALIENCE] = 0.0
        notes.append(f"Saliences below {_MIN_SALIENCE:g} (their squares underflow) are taken as 0.")
    total = s.sum(axis=1)
    over = total > 1
    if over.any():
        s[over] = s[over] / total[over, None]
        notes.append(
            "SMP needs each actor's saliences to sum to at most 1 (shares of attention); those of "
            + ", ".join(np.asarray(a.actor_ids)[over])
            + " were divided by their sum."
        )
    none = s.sum(axis=1) <= 0
    if none.any():
        s[none] = _TINY_SALIENCE
        notes.append(
            "Actors without salience on any issue ("
            + ", ".join(np.asarray(a.actor_ids)[none])
            + f") get a salience of {_TINY_SALIENCE:g} on every issue, so their distances are defined."
        )
    c = np.maximum(np.asarray(a.capabilities, dtype=float), 0.0)
    if (c <= 0).all():
        c = np.ones_like(c)
        notes.append("Every capability is zero; all actors are given equal capability.")
    elif (c <= 0).any():
        floor = _TINY_CAPABILITY * float(c.max())
        notes.append(
            "KTAB needs positive capabilities; "
            + ", ".join(np.asarray(a.actor_ids)[c <= 0])
            + f" get {floor:.3g} ({_TINY_CAPABILITY:g} of the largest)."
        )
        c = np.maximum(c, floor)
    return x, s, c, notes


def final_election(
    run: SmpRun, saliences: np.ndarray, capabilities: np.ndarray, cfg: SmpConfig
) -> tuple[np.ndarray, np.ndarray]:
    """The final state's distinct positions and their probabilities of winning.

    Positions closer than KTAB's tolerance (0.001 on [0, 1]) are grouped by single linkage
    and each group is represented by its mean, so the result does not depend on the order
    of the actors (KTAB represents a group by its first actor's position).
    """
    x = run.positions[-1]
    n = x.shape[0]
    near = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=-1)) < cfg.pos_tol
    group = np.arange(n)
    changed = True
    while changed:  # label each actor with the smallest index reachable through "near"
        new = np.where(near, group[None, :], n).min(axis=1)
        changed = bool((new != group).any())
        group = new
    labels = np.unique(group)
    options = np.array([x[group == g].mean(axis=0) for g in labels])
    diff = run.ideals[-1][:, None, :] - options[None, :, :]
    u = bs_util(bv_diff(diff, saliences[:, None, :]), run.risk[-1][:, None])
    p = pce(cfg.pce_model, cfg.victory_prob_model, coalitions(cfg.voting_rule, capabilities, u))
    return options, p / p.sum()


def _moves(run: SmpRun, positions: np.ndarray, ids: list[str], issues: list[str]) -> list[Move]:
    out = []
    for t in range(run.n_turns):
        for k in range(len(ids)):
            b = int(run.chosen[t, k])
            if b < 0:
                continue
            i, j = int(run.bargain_init[b]), int(run.bargain_rcvr[b])
            other = j if i == k else i
            role = "its own challenge of" if i == k else "the challenge from"
            for d, issue in enumerate(issues):
                old, new = float(positions[t, k, d]), float(positions[t + 1, k, d])
                if old == new:
                    continue
                out.append(
                    Move(
                        round=t + 1,
                        actor=ids[k],
                        issue=issue,
                        kind="bargain",
                        old=old,
                        new=new,
                        counterpart=ids[other],
                        explanation=(
                            f"{ids[k]} adopts the bargain from {role} {ids[other]} "
                            f"(chosen with probability {run.chosen_prob[t, k]:.3f} among "
                            f"{int(run.n_options[t, k])} options): {issue} {old:.2f} → {new:.2f}"
                        ),
                        data={
                            "bargain": b,
                            "initiator": ids[i],
                            "receiver": ids[j],
                            "kind": BARGAIN_KINDS[int(run.bargain_kind[b])],
                            "p_init": float(run.p_init[t, i]),
                            "p_rcvr": float(run.p_rcvr[t, i]),
                        },
                    )
                )
    return out


def _extra(run: SmpRun, ids: list[str], lo: np.ndarray, width: np.ndarray) -> dict[str, Any]:
    tables = run.tables()
    del tables["position"]  # the Forecast's positions carry it
    accepted: dict[int, list[str]] = {}
    for t in range(run.n_turns):
        for k in range(len(ids)):
            b = int(run.chosen[t, k])
            if b >= 0:
                accepted.setdefault(b, []).append(ids[k])
    bargains = [
        {
            "turn": int(run.bargain_turn[b]) + 1,
            "initiator": ids[int(run.bargain_init[b])],
            "receiver": ids[int(run.bargain_rcvr[b])],
            "kind": BARGAIN_KINDS[int(run.bargain_kind[b])],
            "initiator_adopts": lo + run.bargain_pos_init[b] * width,
            "receiver_adopts": lo + run.bargain_pos_rcvr[b] * width,
            "accepted_by": accepted.get(b, []),
        }
        for b in range(len(run.bargain_turn))
    ]
    return {
        "turns": run.n_turns,
        "win_prob": {a: run.win_prob[:, k] for k, a in enumerate(ids)},
        "risk": {a: run.risk[:, k] for k, a in enumerate(ids)},
        "change_ratio": run.change_ratio,
        "bargains": bargains,
        "trace": tables,
    }

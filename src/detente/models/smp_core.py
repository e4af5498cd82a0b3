"""Settings, switches and the turn-by-turn trace shared by both SMP engines.

The two engines are :mod:`detente.models.smp_reference` (a plain-Python transcription of
KTAB's ``SMPState`` loop, one scalar at a time) and :mod:`detente.models.smp_fast` (the same
arithmetic vectorised over actors, contests and third parties with NumPy). Both take a
:class:`SmpConfig` and return an :class:`SmpRun`, whose arrays are the trace: one row per
state (turn) or per bargain, ready to be stored as tables.

Names follow KTAB (``examples/smp/libsrc/smp.h``, ``KTAB/kmodel/libsrc/kmodel.h``;
Copyright KAPSARC, MIT licence, see ``tests/data/LICENSE-KTAB.txt``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "BARGAIN_KINDS",
    "SWITCHES",
    "BargainOrder",
    "SmpConfig",
    "SmpRun",
]

#: Every KTAB switch, its allowed values (KTAB's spelling) and KTAB's default (first).
SWITCHES: dict[str, tuple[str, ...]] = {
    "victory_prob_model": ("Linear", "Square", "Quartic", "Octic", "Binary"),
    "pce_model": ("Conditional", "MarkovIncentive", "MarkovUniform"),
    "state_transitions": ("Deterministic", "Stochastic"),
    "voting_rule": ("Prop", "Binary", "PropBin", "PropCbc", "Cubic", "ASymProsp"),
    "big_r_adjust": ("OneThird", "None", "Half", "TwoThirds", "Full"),
    "big_r_range": ("Mid", "Min", "Max"),
    "third_party_commit": ("SemiCommit", "NoCommit", "FullCommit"),
    "inter_vec_brgn": ("S2P2", "S1P1", "S2PMax"),
    "bargn_model": ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"),
}

#: Bargain kinds in :attr:`SmpRun.bargain_kind`: the initiator's interpolation (brgnIIJ),
#: the receiver's (brgnJIJ), and their power-weighted compromise (brgnIJ).
BARGAIN_KINDS: tuple[str, ...] = ("initiator", "receiver", "compromise")

#: ``order(turn, actor, bargains) -> bargains`` reorders the bargains an actor votes on
#: (pairs ``(initiator, receiver, kind)``, status quo as ``(k, k, -1)``). KTAB builds these
#: lists in threads, so their order varies from run to run; it matters only for exact ties
#: and for the stochastic draw. ``None`` keeps the canonical order (status quo first, then
#: by initiator).
BargainOrder = Callable[[int, int, list[tuple[int, int, int]]], list[tuple[int, int, int]]]


@dataclass(frozen=True)
class SmpConfig:
    """Everything one SMP run needs besides the actors (see ``docs/models/smp.md``)."""

    victory_prob_model: str = "Linear"
    pce_model: str = "Conditional"
    state_transitions: str = "Deterministic"
    voting_rule: str = "Prop"
    big_r_adjust: str = "OneThird"
    big_r_range: str = "Mid"
    third_party_commit: str = "SemiCommit"
    inter_vec_brgn: str = "S2P2"
    bargn_model: str = "InitOnlyInterp"
    seed: int = 0xD67CC16FE69C185C  # KTAB's KBase::dSeed
    min_turns: int = 2
    max_turns: int = 100
    min_delta_ratio: float = 0.02
    min_sig_delta: float = 1e-4
    pos_tol: float = 1e-3
    bargain_order: BargainOrder | None = field(default=None, compare=False)
    draw_order: Callable[[int], Sequence[int]] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for name, allowed in SWITCHES.items():
            v = getattr(self, name)
            if v not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {v!r}")


@dataclass(frozen=True, eq=False)
class SmpRun:
    """The trace of one run for ``n`` actors, ``d`` dimensions, ``T`` turns, ``B`` bargains.

    Positions are on KTAB's [0, 1] scale.

    Attributes
    ----------
    positions, ideals : ndarray, shape (T + 1, n, d)
        Positions x_i and ideal points of each state; row 0 is the initial state.
    risk : ndarray, shape (T + 1, n)
        Inferred risk attitudes R_i of each state.
    win_prob : ndarray, shape (T + 1, n)
        Probability that the actor's position wins the probabilistic Condorcet election
        among the state's distinct positions (KTAB's "prob" history).
    target : ndarray of int, shape (T, n)
        The receiver j of actor i's most advantageous challenge, -1 if none.
    target_gain : ndarray, shape (T, n)
        i's expected gain from challenging ``target`` (NaN if none).
    p_init, p_rcvr : ndarray, shape (T, n)
        Probability that i defeats ``target`` as estimated by i and by the target.
    bargain_turn, bargain_init, bargain_rcvr, bargain_kind : ndarray of int, shape (B,)
        The bargains proposed each turn (kind indexes :data:`BARGAIN_KINDS`).
    bargain_pos_init, bargain_pos_rcvr : ndarray, shape (B, d)
        The positions the bargain asks initiator and receiver to adopt.
    chosen : ndarray of int, shape (T, n)
        Index into the bargain table of the bargain actor k adopted, -1 for its status quo.
    chosen_prob : ndarray, shape (T, n)
        The probability of the chosen option in k's election among its bargains.
    n_options : ndarray of int, shape (T, n)
        How many options (status quo included) actor k's election had.
    change_ratio : ndarray, shape (T,)
        Change of the turn relative to the first one (the stopping rule's statistic).
    """

    positions: np.ndarray
    ideals: np.ndarray
    risk: np.ndarray
    win_prob: np.ndarray
    target: np.ndarray
    target_gain: np.ndarray
    p_init: np.ndarray
    p_rcvr: np.ndarray
    bargain_turn: np.ndarray
    bargain_init: np.ndarray
    bargain_rcvr: np.ndarray
    bargain_kind: np.ndarray
    bargain_pos_init: np.ndarray
    bargain_pos_rcvr: np.ndarray
    chosen: np.ndarray
    chosen_prob: np.ndarray
    n_options: np.ndarray
    change_ratio: np.ndarray

    @property
    def n_turns(self) -> int:
        return int(self.positions.shape[0]) - 1

    def tables(self) -> dict[str, dict[str, np.ndarray]]:
        """The trace as column tables (name -> column -> 1-D array), ready for a store."""
        T1, n, d = self.positions.shape
        t, i, k = np.meshgrid(np.arange(T1), np.arange(n), np.arange(d), indexing="ij")
        ts, a = np.meshgrid(np.arange(T1), np.arange(n), indexing="ij")
        tt, aa = np.meshgrid(np.arange(T1 - 1), np.arange(n), indexing="ij")
        return {
            "position": {
                "turn": t.ravel(),
                "actor": i.ravel(),
                "dim": k.ravel(),
                "position": self.positions.ravel(),
                "ideal": self.ideals.ravel(),
            },
            "state": {
                "turn": ts.ravel(),
                "actor": a.ravel(),
                "risk": self.risk.ravel(),
                "win_prob": self.win_prob.ravel(),
            },
            "challenge": {
                "turn": tt.ravel(),
                "actor": aa.ravel(),
                "target": self.target.ravel(),
                "gain": self.target_gain.ravel(),
                "p_init": self.p_init.ravel(),
                "p_rcvr": self.p_rcvr.ravel(),
                "chosen": self.chosen.ravel(),
                "chosen_prob": self.chosen_prob.ravel(),
                "n_options": self.n_options.ravel(),
            },
            "bargain": {
                "turn": self.bargain_turn,
                "init": self.bargain_init,
                "rcvr": self.bargain_rcvr,
                "kind": self.bargain_kind,
                **{f"init_{k}": self.bargain_pos_init[:, k] for k in range(d)},
                **{f"rcvr_{k}": self.bargain_pos_rcvr[:, k] for k in range(d)},
            },
        }


class TraceBuilder:
    """Accumulates the per-turn records of either engine into an :class:`SmpRun`."""

    def __init__(self, n: int, d: int) -> None:
        self.n, self.d = n, d
        self.positions: list[np.ndarray] = []
        self.ideals: list[np.ndarray] = []
        self.risk: list[np.ndarray] = []
        self.win_prob: list[np.ndarray] = []
        self.target: list[np.ndarray] = []
        self.gain: list[np.ndarray] = []
        self.p_init: list[np.ndarray] = []
        self.p_rcvr: list[np.ndarray] = []
        self.chosen: list[np.ndarray] = []
        self.chosen_prob: list[np.ndarray] = []
        self.n_options: list[np.ndarray] = []
        self.ratio: list[float] = []
        self.b_turn: list[int] = []
        self.b_init: list[int] = []
        self.b_rcvr: list[int] = []
        self.b_kind: list[int] = []
        self.b_pi: list[np.ndarray] = []
        self.b_pr: list[np.ndarray] = []

    def add_bargain(self, turn: int, i: int, j: int, kind: int, pi: object, pj: object) -> int:
        self.b_turn.append(turn)
        self.b_init.append(i)
        self.b_rcvr.append(j)
        self.b_kind.append(kind)
        self.b_pi.append(np.asarray(pi, dtype=float))
        self.b_pr.append(np.asarray(pj, dtype=float))
        return len(self.b_turn) - 1

    def build(self) -> SmpRun:
        n, d = self.n, self.d
        T = len(self.target)

        def stack(
            rows: list[np.ndarray], shape: tuple[int, ...], dtype: type = float
        ) -> np.ndarray:
            return np.array(rows, dtype=dtype).reshape(shape)

        return SmpRun(
            positions=stack(self.positions, (T + 1, n, d)),
            ideals=stack(self.ideals, (T + 1, n, d)),
            risk=stack(self.risk, (T + 1, n)),
            win_prob=stack(self.win_prob, (T + 1, n)),
            target=stack(self.target, (T, n), int),
            target_gain=stack(self.gain, (T, n)),
            p_init=stack(self.p_init, (T, n)),
            p_rcvr=stack(self.p_rcvr, (T, n)),
            bargain_turn=np.array(self.b_turn, dtype=int),
            bargain_init=np.array(self.b_init, dtype=int),
            bargain_rcvr=np.array(self.b_rcvr, dtype=int),
            bargain_kind=np.array(self.b_kind, dtype=np.int8),
            bargain_pos_init=stack(self.b_pi, (len(self.b_pi), d)),
            bargain_pos_rcvr=stack(self.b_pr, (len(self.b_pr), d)),
            chosen=stack(self.chosen, (T, n), int),
            chosen_prob=stack(self.chosen_prob, (T, n)),
            n_options=stack(self.n_options, (T, n), int),
            change_ratio=np.array(self.ratio, dtype=float),
        )


def check_inputs(
    positions: np.ndarray,
    saliences: np.ndarray,
    capabilities: np.ndarray,
    accommodation: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Validated float copies: positions and saliences (n, d), capabilities (n,), A (n, n)."""
    x = np.array(positions, dtype=float)
    s = np.array(saliences, dtype=float)
    c = np.array(capabilities, dtype=float)
    if x.ndim != 2 or s.shape != x.shape or c.shape != (x.shape[0],):
        raise ValueError("positions and saliences must be (n, d) and capabilities (n,)")
    if x.shape[0] < 2:
        raise ValueError("the spatial model of politics needs at least two actors")
    n = x.shape[0]
    a = np.eye(n) if accommodation is None else np.array(accommodation, dtype=float)
    if a.shape != (n, n) or (a < 0).any() or (a > 1).any() or (a.sum(axis=1) > 1 + 1e-10).any():
        raise ValueError(
            "the accommodation matrix must be (n, n) with rows of [0, 1] summing to <= 1"
        )
    if (
        (c < 0).any()
        or (s < 0).any()
        or (s.sum(axis=1) <= 0).any()
        or (s.sum(axis=1) > 1 + 1e-12).any()
    ):
        raise ValueError(
            "capabilities must be >= 0 and each actor's saliences >= 0 with a sum in (0, 1]"
        )
    return x, s, c, a

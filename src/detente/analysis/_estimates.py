"""Estimates and run variants, the building blocks of :mod:`detente.analysis.quantities`.

An :class:`Estimate` is what a claim quantity returns: the value the verdict reads, its value
per draw of the uncertain inputs, a 95% Monte Carlo interval and the draws it was computed
on. A :class:`Variant` is the scenario after named what-ifs and changes, with its bargaining
set, its Monte Carlo draws and its simulation computed lazily (on first use). The 95%
intervals of a share (Wilson) and of a mean live here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from ..core import agreement_arrays, veto_holders, win_set_gap, zone_open
from ..errors import ModelError

if TYPE_CHECKING:
    from ..core import GapResult
    from ..dynamics.result import DynamicsResult
    from ..scenario import Scenario, ScenarioArrays
    from .quantities import Evaluator

__all__ = ["Z95", "Estimate", "Variant", "has_roles"]

Z95 = 1.959963984540054


@dataclass(frozen=True, eq=False)
class Estimate:
    name: str
    value: float
    per_draw: np.ndarray | None = None
    interval: tuple[float, float] | None = None
    unit: str = "parameter draws"
    detail: str = ""
    draws: ScenarioArrays | None = None
    reads: str = "bargaining"
    #: The quantity is itself a share over the draws (it has no value per draw).
    aggregate: bool = False
    #: The input paths the quantity reads (None: every input).
    paths: frozenset[str] | None = None
    #: For a share over the draws (``aggregate``), the per-draw indicators it averages, each
    #: with its draws (one per variant for an effect): what the evidence-kind check reads.
    signals: tuple[tuple[np.ndarray, ScenarioArrays], ...] = ()


def _veto_ids(s: Scenario) -> tuple[str, ...]:
    """The actors who must agree: those holding a veto on some issue (veto players and
    controllers), every actor when none does (the diagnosis' unanimity rule)."""
    return veto_holders(s) or s.actor_ids


def has_roles(s: Scenario) -> bool:
    """Whether the scenario declares the dynamics' roles (a challenger and a defender)."""
    return s.roles is not None


def _wilson(p: float, n: int) -> tuple[float, float] | None:
    if n <= 0 or not np.isfinite(p):
        return None
    d = 1 + Z95**2 / n
    c = (p + Z95**2 / (2 * n)) / d
    h = Z95 * np.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / d
    return (float(max(0.0, c - h)), float(min(1.0, c + h)))


def _mean_interval(x: np.ndarray) -> tuple[float, float] | None:
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    if x.size < 2:
        return None
    m, se = float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size))
    return (m - Z95 * se, m + Z95 * se)


class Variant:
    """The scenario after named what-ifs and changes, with its results computed lazily."""

    def __init__(self, ev: Evaluator, scenario: Scenario, label: str) -> None:
        self.ev, self.scenario, self.label = ev, scenario, label
        self._sim: DynamicsResult | None = None
        #: Months the claims will ask of this variant (see Evaluator.reserve).
        self.reserved = 0

    @cached_property
    def point(self) -> GapResult:
        return win_set_gap(agreement_arrays(self.scenario))

    @cached_property
    def batch(self) -> ScenarioArrays:
        return self.scenario.sample(self.ev.draws, self.ev.seed, paired_with=self.ev.scenario)

    @cached_property
    def agreed(self) -> ScenarioArrays:
        """The draws as the zone sees them: veto players on every issue, an issue's
        controllers on that issue only (:func:`detente.core.agreement_arrays`)."""
        return agreement_arrays(self.scenario, self.batch)

    @cached_property
    def open_(self) -> np.ndarray:
        o, _ = zone_open(self.agreed, exact=False)
        return np.asarray(o, bool)

    @cached_property
    def batch_gap(self) -> np.ndarray:
        return np.asarray(win_set_gap(self.agreed).gap, float)

    @property
    def simulated_months(self) -> int:
        """The months of the variant's simulation so far (0: not simulated)."""
        return 0 if self._sim is None else self._sim.n_months

    def keep(self, sim: DynamicsResult) -> None:
        """Keep ``sim`` as the variant's simulation (made elsewhere with the run's settings,
        such as :meth:`Evaluator.simulate_reserved`'s batch)."""
        self._sim = sim

    @property
    def simulation(self) -> DynamicsResult:
        """The variant's simulation over the run's full horizon."""
        return self.sim(self.ev.months)

    def sim(self, months: int) -> DynamicsResult:
        """The variant's simulation over at least ``months`` months.

        A variant is simulated once, as far as the quantities reserved for it need
        (:meth:`Evaluator.reserve`), and every quantity of the variant reads the months it
        asks for from that one simulation; it is simulated again, longer, only when a later
        quantity needs more. The first months of a longer simulation are a simulation of those
        months (the same law), but not always the same numbers as a shorter one: the level's
        start draw follows the months' noise in its stream.
        """
        if not has_roles(self.scenario):
            raise ModelError(
                "not applicable: the scenario declares no roles (challenger, defender) for the "
                "crisis dynamics"
            )
        months = min(max(int(months), self.reserved), self.ev.months)
        if self._sim is None or self._sim.n_months < months:
            self._sim = self.ev.simulate(self.scenario, self.label, months)
        return self._sim

"""One set of defaults for every command and function of a run.

``detente run``, ``forecast``, ``diagnose``, ``claims``, ``simulate`` and the Python API use
these, so one scenario gives one number for one quantity whichever way it is asked for.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "DRAWS",
    "HORIZONS",
    "MONTHS",
    "RUNS",
    "RUNS_PER_GROUP",
    "SCENARIO",
    "SEED",
    "parameter_groups",
]

#: The bundled scenario commands analyse when given none (named in the package data, so the
#: code names no case).
#: Read from the file itself, not through the scenario package, so 'detente --help' stays light.
SCENARIO = (Path(__file__).parent / "scenario" / "bundled" / "FLAGSHIP").read_text("utf-8").strip()

#: Seed of every random stream.
SEED = 2021
#: Monte Carlo draws over the scenario's ranges (diagnosis, levers, claims).
DRAWS = 1000
#: Monte Carlo runs of the crisis dynamics.
RUNS = 2000
#: Runs per parameter group of the crisis dynamics: the runs of a group share one draw of
#: every uncertain input. Small groups estimate a probability best (its variance is the
#: variance between groups over their number plus the runs' own over all runs); 5 runs per
#: group (400 groups at RUNS) keeps the outlook's probabilities within about +-0.03 across
#: seeds on both bundled cases (40 groups of 50 swung them by up to 0.13, see
#: docs/dynamics.md) and still gives each group a share for the claims' robustness.
RUNS_PER_GROUP = 5
#: Horizon of the dynamics, in months.
MONTHS = 36
#: Months at which the outlook is reported.
HORIZONS = (6, 12, 24, 36)


def parameter_groups(runs: int) -> int:
    """The number of parameter groups of ``runs`` runs (:data:`RUNS_PER_GROUP` runs each).

    ``simulate``, ``run``, ``claims`` and the workbench all split their runs this way, so one
    seed and size give one value for one quantity.
    """
    return max(1, int(runs) // RUNS_PER_GROUP)

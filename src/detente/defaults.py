"""One set of defaults for every command and function of a run.

``detente run``, ``forecast``, ``diagnose``, ``claims``, ``simulate`` and the Python API use
these, so one scenario gives one number for one quantity whichever way it is asked for.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DRAWS", "HORIZONS", "MONTHS", "RUNS", "SCENARIO", "SEED"]

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
#: Horizon of the dynamics, in months.
MONTHS = 36
#: Months at which the outlook is reported.
HORIZONS = (6, 12, 24, 36)

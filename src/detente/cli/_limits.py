"""The command line's argument limits: one table, used by every command.

Each numeric option of every command (``--seed``, ``--draws``, ``--runs``, ``--rounds``,
``--months``) takes its bounds from :data:`LIMITS`; a value outside them is refused by the
option parser (``Invalid value for '--draws': ...``) with exit status 2 before any work
starts. The maxima keep the largest run of each command on the flagship well inside
24 GB. Measured on the flagship: ``diagnose --draws 20000`` peaks at 0.2 GB (so about
1 GB at the maximum of 100,000); ``simulate --runs 10000 --months 600`` at 1.7 GB, so
memory grows with runs x months and the maxima below (50,000 x 360) give about 5 GB.
Documented in docs/cli.md.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

__all__ = [
    "LIMITS",
    "DrawsOption",
    "MonthsOption",
    "RoundsOption",
    "RunsOption",
    "SeedOption",
    "bounded",
]

#: option -> (minimum, maximum, what it counts)
LIMITS: dict[str, tuple[int, int, str]] = {
    "--seed": (0, 2**32 - 1, "seed of the random streams"),
    "--draws": (2, 100_000, "Monte Carlo draws"),
    "--runs": (1, 50_000, "Monte Carlo runs"),
    "--rounds": (1, 1_000, "rounds of the iterative models"),
    "--months": (1, 360, "months of the dynamics"),
}


def bounded(option: str, help: str, **kwargs: Any) -> Any:
    """A ``typer.Option`` for ``option`` with the bounds of :data:`LIMITS`."""
    low, high, _ = LIMITS[option]
    return typer.Option(option, min=low, max=high, help=f"{help} From {low} to {high:,}.", **kwargs)


SeedOption = Annotated[
    int, bounded("--seed", "Seed of every random stream (same seed, same result).")
]
DrawsOption = Annotated[
    int, bounded("--draws", "Monte Carlo draws over the scenario's ranges (diagnosis, claims).")
]
RunsOption = Annotated[int, bounded("--runs", "Monte Carlo runs of the crisis dynamics.")]
MonthsOption = Annotated[int, bounded("--months", "Horizon of the crisis dynamics in months.")]
RoundsOption = Annotated[
    int | None,
    bounded("--rounds", "Rounds for the iterative models (eum, exchange); others ignore it."),
]

"""``detente backtest``: scoring forecasts against the historical record.

The group's subcommands register themselves here (``detente backtest dynamics`` lives in
:mod:`detente.cli.dynamics_cmd`).
"""

from __future__ import annotations

import typer

from ._common import app

backtest_app = typer.Typer(
    help="Backtests against the historical record (rolling origins, proper scores, baselines).",
    no_args_is_help=True,
)
app.add_typer(backtest_app, name="backtest")

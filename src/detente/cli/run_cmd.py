"""``detente run``: the analyst's report (for now, the scenario summary)."""

from __future__ import annotations

from ..errors import DetenteError
from ._common import SetOption, app, console, fail, load_scenario


@app.command()
def run(
    scenario: str = "us-dprk-2021",
    set_: SetOption = None,
) -> None:
    """Analyse a scenario (default: the flagship) and print the report."""
    try:
        s = load_scenario(scenario, set_)
    except DetenteError as err:
        fail(err)
    from ..report.scenario_view import render_scenario

    render_scenario(s, console)

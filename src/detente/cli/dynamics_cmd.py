"""``detente simulate`` (monthly Monte Carlo of the crisis dynamics) and ``detente calibrate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import DetenteError, ModelError
from ._common import (
    JsonOption,
    ScenarioArg,
    SetOption,
    app,
    console,
    fail,
    load_scenario,
    print_json,
    safe,
)
from ._limits import MonthsOption, RunsOption, SeedOption


@app.command()
def simulate(
    scenario: ScenarioArg = "us-dprk-2021",
    months: MonthsOption = 36,
    runs: RunsOption = 10_000,
    what_if: Annotated[
        list[str] | None,
        typer.Option(
            "--what-if",
            help="A named shock or lever (see 'detente simulate --list-what-ifs'), repeatable: "
            "applied in the order given; the output also shows the change against the baseline.",
        ),
    ] = None,
    seed: SeedOption = 0,
    json_: JsonOption = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write a fan chart (PNG or SVG) to this file.")
    ] = None,
    set_: SetOption = None,
    challenger: Annotated[
        str | None,
        typer.Option(
            "--challenger", help="Actor id of the challenger (default: found from the tools)."
        ),
    ] = None,
    defender: Annotated[
        str | None,
        typer.Option(
            "--defender", help="Actor id of the defender (default: the other veto player)."
        ),
    ] = None,
    list_what_ifs: Annotated[
        bool, typer.Option("--list-what-ifs", help="List the named what-ifs and exit.")
    ] = False,
    rules: Annotated[
        bool, typer.Option("--rules", help="List the simulation's rules and their basis, and exit.")
    ] = False,
) -> None:
    """Simulate the monthly dynamics: P(mode) by month, time to talks, provocations."""
    from .._outputs import atomic_path, check_outputs

    if plot is not None and not (rules or list_what_ifs):
        # before anything is imported or computed: a plot that cannot be written ends here
        if plot.suffix.lower() not in (".png", ".svg"):
            fail(
                ModelError(
                    f"--plot {plot}: the fan chart is written as .png or .svg; "
                    f"got {plot.suffix or 'no extension'}"
                )
            )
        try:
            check_outputs([("--plot", plot)])
        except DetenteError as err:
            fail(err)
    from ..dynamics import simulate as run_simulation
    from ..dynamics.whatifs import WHAT_IFS, apply_what_if, compare

    if rules:
        from ..dynamics.rules import RULES

        for r in RULES:
            console.print(r.describe(), markup=False, soft_wrap=True)
            console.print("")
        return
    if list_what_ifs:
        for name, w in WHAT_IFS.items():
            console.print(f"[bold]{name}[/]: {safe(w.description)}", soft_wrap=True)
        return
    what_ifs = list(what_if or [])
    label = " + ".join(what_ifs) if what_ifs else None
    try:
        s = load_scenario(scenario, set_)
        shocked = None
        for name in what_ifs:
            shocked = apply_what_if(shocked if shocked is not None else s, name)
    except DetenteError as err:
        fail(err)

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    n_sims = 2 if shocked is not None else 1
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} months"),
        TimeElapsedColumn(),
        console=typer_err_console(),
        transient=True,
        disable=json_,
    ) as bar:
        task = bar.add_task(f"simulating {runs} runs", total=months * n_sims)

        def tick(k: int) -> None:
            bar.advance(task, k)

        try:
            base = run_simulation(
                s,
                months=months,
                runs=runs,
                seed=seed,
                progress=tick,
                challenger=challenger,
                defender=defender,
            )
            result = base
            if shocked is not None:
                result = run_simulation(
                    shocked,
                    months=months,
                    runs=runs,
                    seed=seed,
                    progress=tick,
                    what_if=label,
                    challenger=challenger,
                    defender=defender,
                )
        except DetenteError as err:
            fail(err)
    diff = compare(base, result) if shocked is not None else None
    if plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        axes = result.plot()
        try:
            with atomic_path(plot, "--plot") as tmp:
                axes[0].figure.savefig(tmp, format=plot.suffix.lstrip(".").lower())
        except DetenteError as err:
            fail(err)
        finally:
            plt.close(axes[0].figure)
    if json_:
        out = result.to_dict()
        if diff is not None:
            out["change_vs_baseline"] = diff
        print_json(out)
        return
    console.print(result.summary(), markup=False, soft_wrap=True)
    if diff is not None:
        console.print("")
        console.print(f"Change against the baseline (what-if {label}):", markup=False)
        console.print(
            f"{'horizon':>8} {'dP(talks)':>10} {'dP(agreem.)':>11} {'dP(crisis)':>10}", markup=False
        )
        for h, d in diff.items():
            console.print(
                f"{h:>6} m {d['talks']:>+10.3f} {d['agreement']:>+11.3f} {d['crisis']:>+10.3f}",
                markup=False,
            )
    if plot is not None:
        console.print(f"fan chart written to {safe(plot)}", soft_wrap=True)


def typer_err_console() -> Any:
    from ._common import err_console

    return err_console


@app.command()
def calibrate(json_: JsonOption = False) -> None:
    """Fit the dynamics to the packaged record and print the parameters and scores."""
    from ..dynamics.calibration import calibrate as run_calibration

    try:
        cal = run_calibration()
    except DetenteError as err:
        fail(err)
    if json_:
        print_json(cal.to_dict())
    else:
        console.print(cal.summary(), markup=False, soft_wrap=True)

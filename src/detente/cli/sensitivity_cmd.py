"""``detente sensitivity``: global sensitivity of a reported quantity (Sobol or Morris)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from .. import defaults
from ..errors import DetenteError
from ._common import (
    FromOption,
    JsonOption,
    PinOption,
    ScenarioArg,
    SetOption,
    WhatIfOption,
    app,
    console,
    err_console,
    fail,
    load_scenario,
    print_json,
)
from ._executor_opts import (
    ExecutorOption,
    SchedulerOption,
    WorkersOption,
    progress_bar,
    spec_or_fail,
)
from ._limits import SeedOption

#: Bar width of the terminal chart, in characters.
BAR = 16


@app.command(context_settings={"help_option_names": ["-h", "--help"]})
def sensitivity(
    scenario: ScenarioArg,
    quantity: Annotated[
        str,
        typer.Option(
            "--quantity",
            "-q",
            help="zone.p_open (P(zone)), zone.gap, forecast.MODEL.ISSUE, outlook.MODE@MONTH "
            "(talks, substantive, agreement, crisis, instigation, impasse) or claim.ID (its margin).",
        ),
    ] = "zone.p_open",
    method: Annotated[
        str, typer.Option("--method", help="sobol (first and total indices) or morris (screening).")
    ] = "sobol",
    n: Annotated[
        int,
        typer.Option(
            "--n",
            help="Base sample: a power of two for Sobol (n x (inputs + 2) evaluations), "
            "trajectories for Morris (n x (inputs + 1)).",
        ),
    ] = 256,
    seed: SeedOption = defaults.SEED,
    runs: Annotated[
        int, typer.Option("--runs", help="Runs of the dynamics per design point (outlook, claims).")
    ] = 200,  # detente.analysis.sensitivity.RUNS (not imported: the CLI starts lazily)
    spread: Annotated[
        float | None,
        typer.Option(
            "--spread",
            help="Give every number without a stated range +-SPREAD of its scale (e.g. 0.1), "
            "for files that state no ranges (KTAB, exchange tables).",
            show_default=False,
        ),
    ] = None,
    set_: SetOption = None,
    pin: PinOption = None,
    what_if: WhatIfOption = None,
    fmt: FromOption = None,
    executor: ExecutorOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    plot: Annotated[
        str | None,
        typer.Option(
            "--plot",
            help="Write the bar chart to this file (.png, .svg, .pdf).",
            show_default=False,
        ),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every input, also those with index 0.")
    ] = False,
    json_out: JsonOption = False,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Write the JSON to this file.", show_default=False),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Which inputs drive a quantity: Sobol indices (first order and total, with 95% bootstrap
    intervals) or Morris screening over every input's stated range.

    Only the inputs the quantity reads are sampled (the same dependency information as the
    claims' 'hinges on'). Example: detente sensitivity SCENARIO --quantity zone.p_open
    --method sobol --n 256
    """
    from .._outputs import check_output, write_atomic
    from ..analysis.sensitivity import sensitivity as run_sensitivity

    spec = spec_or_fail(executor, workers, scheduler)
    try:
        for path, opt in ((output, "--output"), (plot, "--plot")):
            if path:
                check_output(path, opt)
        s = load_scenario(scenario, set_, fmt, pins=pin, what_ifs=what_if)
        with progress_bar(f"sensitivity of {quantity}", quiet or json_out) as progress:
            r = run_sensitivity(s, quantity, method=method, n=n, seed=seed, runs=runs,
                                spread=spread, executor=spec, progress=progress)  # fmt: skip
        d = r.to_dict()
        if output:
            write_atomic(output, json.dumps(d, indent=2, ensure_ascii=False) + "\n", "--output")
        if plot:
            import matplotlib

            matplotlib.use("Agg")
            from ..plotting.sensitivity import sensitivity_bars

            fig = sensitivity_bars(d)
            from .._outputs import atomic_path

            with atomic_path(plot, "--plot") as tmp:
                fig.savefig(tmp, format=plot.rsplit(".", 1)[-1] if "." in plot else "png", dpi=150)
    except DetenteError as err:
        fail(err)
    except ValueError as err:  # a design refused (e.g. too few points for Morris)
        fail(str(err))
    if json_out:
        print_json(d)
        return
    _print(d, show_all)
    for path, what in ((output, "JSON"), (plot, "chart")):
        if path:
            err_console.print(f"wrote the {what} to {escape(path)}", highlight=False)


def _print(d: dict[str, Any], show_all: bool) -> None:
    sobol = d["method"] == "sobol"
    key = "total" if sobol else "mu_star"
    rows = d["inputs"] if show_all else [r for r in d["inputs"] if (r[key] or 0) > 0.0005]
    top = max([abs(r[key] or 0.0) for r in d["inputs"]] + [1e-12])
    t = Table(
        title=f"What drives {escape(d['label'])} on {escape(d['scenario'])} "
        f"({d['method']}, n={d['n']}, {d['n_evaluations']} evaluations)"
    )
    t.add_column("input", overflow="fold")
    if sobol:
        t.add_column("first order [95%]", justify="right")
        t.add_column("total [95%]", justify="right")
    else:
        t.add_column("mu* [95%]", justify="right")
        t.add_column("sigma", justify="right")
    t.add_column("", no_wrap=True)

    def ci(x: float | None, iv: list[float] | None) -> str:
        return "-" if x is None else f"{x:.3f}" + ("" if not iv else f" [{iv[0]:.2f}, {iv[1]:.2f}]")

    for r in rows:
        v = max(0.0, r[key] or 0.0)
        bar = "█" * round(BAR * v / (1.0 if sobol else top))
        if sobol:
            t.add_row(escape(r["input"]), ci(r["first"], r["first_interval"]),
                      ci(r["total"], r["total_interval"]), bar)  # fmt: skip
        else:
            t.add_row(escape(r["input"]), ci(r["mu_star"], r["mu_star_interval"]),
                      f"{r['sigma']:.3g}" if r["sigma"] is not None else "-", bar)  # fmt: skip
    console.print(t)
    hidden = len(d["inputs"]) - len(rows)
    if hidden:
        console.print(
            f"{hidden} inputs with index 0 not listed (--all lists them)", highlight=False
        )
    console.print(f"mean {d['mean']:.4g}, variance {d['variance']:.4g}", highlight=False)
    console.print(escape(d["words"]), soft_wrap=True, highlight=False)
    for note in d["notes"]:
        console.print(f"note: {escape(note)}", soft_wrap=True, highlight=False)

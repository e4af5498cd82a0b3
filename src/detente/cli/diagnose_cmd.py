"""``detente diagnose`` (the impasse diagnosis) and ``detente claims`` (the essay's claims)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from .. import defaults
from ..errors import DetenteError, UsageError
from ._common import (
    FromOption,
    JsonOption,
    PinOption,
    ScenarioArg,
    SetOption,
    StoreOption,
    WhatIfOption,
    app,
    check_store,
    console,
    fail,
    load_scenario,
    print_json,
    progress_steps,
    record_if_asked,
    safe,
)
from ._limits import DrawsOption, MonthsOption, RunsOption, SeedOption

CurvatureOption = Annotated[
    float | None,
    typer.Option(
        "--curvature",
        help="Utility curvature c in -sum w|x-p|^c (default: parameters.utility_curvature, "
        "else 1; 1 is solved exactly by LP, other values by a grid search).",
    ),
]
CostOption = Annotated[
    float | None,
    typer.Option(
        "--agreement-cost",
        help="Cost of agreement in utility units (default: parameters.agreement_cost, else 0).",
    ),
]


@app.command()
def diagnose(
    scenario: ScenarioArg = defaults.SCENARIO,
    draws: DrawsOption = defaults.DRAWS,
    seed: SeedOption = defaults.SEED,
    lever: Annotated[
        list[str] | None,
        typer.Option(
            "--lever",
            help="Evaluate only this named what-if of the scenario as a lever (repeatable; "
            "see its what_ifs). Skips the search.",
        ),
    ] = None,
    no_levers: Annotated[
        bool, typer.Option("--no-levers", help="Skip the levers (faster).")
    ] = False,
    plot: Annotated[
        str | None,
        typer.Option("--plot", help="Write the win-set plot (PNG, SVG or PDF) to this file."),
    ] = None,
    plot_issues: Annotated[
        str | None,
        typer.Option(
            "--plot-issues",
            help="Two issues for the plot, 'A,B' (default: the two issues the veto players "
            "care about most).",
        ),
    ] = None,
    curvature: CurvatureOption = None,
    agreement_cost: CostOption = None,
    json_out: JsonOption = False,
    set_: SetOption = None,
    pin: PinOption = None,
    what_if: WhatIfOption = None,
    fmt: FromOption = None,
    store: StoreOption = None,
) -> None:
    """Is there a deal every veto player prefers to the status quo?

    The zone of agreement, its gap and blockers, P(zone non-empty) over the scenario's ranges, the drivers, and the
    levers that would open it."""
    from ..analysis.diagnosis import diagnose as run

    try:
        if plot:
            _check_plot_path(plot)
            check_store(store, [("--plot", plot)])
        s = load_scenario(scenario, set_, fmt, pins=pin, what_ifs=what_if)
        from ..pipeline.run import with_status_quo

        s, _assumed = with_status_quo(s)
        issues = _issues(plot_issues) if plot_issues else None
        with progress_steps(5 if not no_levers else 4, "diagnosis", json_out) as step:
            d = run(
                s,
                draws=draws,
                seed=seed,
                levers=not no_levers,
                lever_names=lever or None,
                search=not lever,
                curvature=curvature,
                agreement_cost=agreement_cost,
                progress=step,
            )
            if plot:
                step("plot")
                _save_plot(d, plot, issues)
    except DetenteError as err:
        fail(err)
    record_if_asked(store, "diagnose", d.to_dict)
    if json_out:
        out = d.to_dict()
        if plot:
            out["plot"] = plot
        print_json(out)
        return
    console.print(d.summary(), markup=False, highlight=False, soft_wrap=True)
    if plot:
        console.print(f"wrote {safe(plot)}", soft_wrap=True)


def _issues(text: str) -> tuple[str, str]:
    from ..errors import Problem, ScenarioError

    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) != 2:
        raise ScenarioError(
            [
                Problem(
                    f"expected two issues 'A,B'; got {text!r}",
                    "e.g. --plot-issues ISSUE_A,ISSUE_B",
                    field="--plot-issues",
                )
            ]
        )
    return parts[0], parts[1]


_PLOT_FORMATS = (".png", ".svg", ".pdf")


def _check_plot_path(path: str) -> None:
    """Refuse a plot path before the work: unwritable, or not .png/.svg/.pdf."""
    from .._outputs import check_outputs
    from ..errors import Problem, ScenarioError

    if Path(path).suffix.lower() not in _PLOT_FORMATS:
        raise ScenarioError(
            [
                Problem(
                    f"the plot is written as .png, .svg or .pdf; got {Path(path).suffix or 'no extension'}",
                    "give a file name ending in .png, .svg or .pdf",
                    field=f"--plot {path}",
                )
            ]
        )
    check_outputs([("--plot", path)])


def _save_plot(d: Any, path: str, issues: tuple[str, str] | None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..errors import Problem, ScenarioError

    if issues is not None:
        for i in issues:
            d.scenario.issue(i)  # raises with a hint when unknown
    from .._outputs import atomic_path
    from ..plotting.winsets import plot_diagnosis

    ax: Any = plot_diagnosis(d, issues=issues)
    try:
        with atomic_path(path, "--plot") as tmp:
            ax.figure.savefig(
                tmp, dpi=120, bbox_inches="tight", format=Path(path).suffix.lstrip(".").lower()
            )
    except (OSError, ValueError) as err:
        raise ScenarioError(
            [
                Problem(
                    f"cannot write the plot: {err}",
                    "give a writable .png, .svg or .pdf path",
                    field="--plot",
                )
            ]
        ) from err
    finally:
        plt.close(ax.figure)


@app.command()
def claims(
    scenario: ScenarioArg = defaults.SCENARIO,
    draws: DrawsOption = defaults.DRAWS,
    runs: RunsOption = defaults.RUNS,
    months: MonthsOption = defaults.MONTHS,
    seed: SeedOption = defaults.SEED,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Exit with status 1 when a claim's verdict is not what CI wants: 'failed' (any "
            "claim fails) or 'not-held' (any claim does not hold: fails, too close to call or "
            "not applicable). The tables or JSON are printed first.",
            show_default=False,
        ),
    ] = None,
    json_out: JsonOption = False,
    set_: SetOption = None,
    pin: PinOption = None,
    what_if: WhatIfOption = None,
    fmt: FromOption = None,
    store: StoreOption = None,
) -> None:
    """Evaluate the scenario's own claims from model outputs: evidence (encoding, derived,
    record), verdict, robustness over the ranges of every input, precision (a Monte Carlo
    interval) and the inputs the verdict hinges on (see docs/claims.md). With --fail-on the exit
    status tells a CI job whether the claims held (1 when one did not)."""
    from ..analysis.claims import evaluate_claims
    from ..analysis.quantities import Evaluator

    try:
        if fail_on not in (None, *FAIL_ON):
            raise UsageError(
                f"must be one of {', '.join(FAIL_ON)}; got {fail_on!r}",
                "use --fail-on failed (exit 1 when a claim fails) or --fail-on not-held",
                field="--fail-on",
            )
        s = load_scenario(scenario, set_, fmt, pins=pin, what_ifs=what_if)
        from ..pipeline.run import with_status_quo

        s, _assumed = with_status_quo(s)
        if not s.claims:
            fail(
                DetenteError(
                    f"scenario {s.id} records no claims: not applicable; add them under claims: "
                    "(see docs/claims.md)"
                )
            )
        with progress_steps(len(s.claims), "claims", json_out) as step:
            ev = Evaluator(s, draws=draws, seed=seed, runs=runs, months=months)
            report = evaluate_claims(s, evaluator=ev, progress=step)
    except DetenteError as err:
        fail(err)
    record_if_asked(store, "claims", report.to_dict)
    if json_out:
        print_json(report.to_dict())
    else:
        _render_claims(report, runs)
    if fail_on is not None:
        _exit_on_verdicts(report, fail_on)


#: ``claims --fail-on`` values: which verdicts end the command with status 1.
FAIL_ON = ("failed", "not-held")


def _exit_on_verdicts(report: Any, fail_on: str) -> None:
    """Status 1, with the claims named on standard error, when a verdict matches ``fail_on``."""
    bad = [
        c
        for c in report.claims
        if (c.verdict == "fails" if fail_on == "failed" else c.verdict != "holds")
    ]
    if not bad:
        return
    from ._common import err_console

    err_console.print(
        f"--fail-on {fail_on}: "
        + "; ".join(
            f"{c.id} {c.verdict}" + (" (encoded)" if c.evidence == "encoding" else "") for c in bad
        ),
        markup=False,
        soft_wrap=True,
        highlight=False,
    )
    raise typer.Exit(1)


def _render_claims(report: Any, runs: int) -> None:
    from rich.markup import escape

    t = Table(
        title=f"Claims: {report.scenario_id} ({report.draws} draws, {runs} runs, seed {report.seed})"
    )
    for col in ("id", "claim", "evidence", "verdict", "robustness", "hinges on"):
        t.add_column(col, overflow="fold")
    style = {
        "holds": "green",
        "fails": "red",
        "too-close-to-call": "yellow",
        "not-applicable": "dim",
    }
    for c in report.claims:
        rob = "" if c.robustness is None else f"{c.robustness:.2f}"
        verdict = f"[{style[c.verdict]}]{c.verdict}[/]"
        if c.evidence == "encoding" and c.verdict != "not-applicable":
            verdict = f"[dim]encoded ({c.verdict})[/]"
        t.add_row(
            c.id,
            escape(c.text + (f"\n{c.explanation}" if c.explanation else "")),
            c.evidence,
            verdict,
            rob,
            escape("\n".join(c.hinges_on)),
        )
    console.print(t)
    counts = report.counts()
    findings = {k: v for k, v in counts.items() if k != "encoded"}
    console.print(
        "Findings: "
        + (", ".join(f"{n} {k}" for k, n in sorted(findings.items())) or "none")
        + (
            f"; {counts['encoded']} encoded in the scenario (not findings)"
            if counts.get("encoded")
            else ""
        ),
        markup=False,
    )

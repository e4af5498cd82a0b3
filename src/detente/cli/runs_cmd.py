"""``detente runs``: list, show, compare, rerun and export the runs recorded in a run store.

Runs are recorded by ``--store PATH`` on ``run``, ``forecast``, ``diagnose``, ``simulate`` and
``claims``, and by every analysis of ``detente serve``. ``rerun`` reads the stored scenario
text (not the file or bundled scenario as it is today), applies the stored ``--set`` changes
and options with the stored seed, and compares the new result's JSON with the stored one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import DetenteError
from ._common import app, console, fail, print_json, store_path

runs_app = typer.Typer(
    help="The run store: list, show, diff, rerun and export recorded runs.",
    no_args_is_help=True,
)
app.add_typer(runs_app, name="runs")

StorePathOption = Annotated[
    str,
    typer.Option(
        "--store",
        help="The run store file (default: $DETENTE_STORE or ~/.local/share/detente/runs.duckdb).",
    ),
]
IdArg = Annotated[int, typer.Argument(help="A run id (see 'detente runs list').")]


def _store(path: str) -> Any:
    """The store to read: an existing run store; a mistyped path is refused, not created."""
    from ..store import RunStore

    return RunStore(store_path(path), create=False)


# ----- rerun: one function per recorded command, taking the stored parameters ---------------


def _rerun_run(s: Any, p: dict[str, Any]) -> dict[str, Any]:
    from ..report.build import build_report

    return build_report(
        s,
        draws=p["draws"],
        runs=p["runs"],
        months=p["months"],
        seed=p["seed"],
        what_ifs=p.get("what_if") or (),
        sets=[*(p.get("set_") or ()), *(f"pin {x}" for x in p.get("pin") or ())],
        source=p["scenario"],
    ).to_dict()


def _rerun_forecast(s: Any, p: dict[str, Any]) -> dict[str, Any]:
    from .forecast_cmd import model_names, run_forecasts

    results = run_forecasts(s, model_names(p["model"]), p.get("rounds"), p["seed"])
    return {"scenario": s.id, "models": {n: f.to_dict() for n, f in results.items()}}


def _with_what_ifs(s: Any, p: dict[str, Any]) -> Any:
    """The what-ifs and the reference point, as ``diagnose`` and ``claims`` apply them."""
    from ..pipeline.run import with_status_quo
    from ..report.whatifs import apply_named

    for w in p.get("what_if") or ():
        s, _ = apply_named(s, w)
    return with_status_quo(s)[0]


def _rerun_diagnose(s: Any, p: dict[str, Any]) -> dict[str, Any]:
    from ..analysis.diagnosis import diagnose

    s = _with_what_ifs(s, p)
    return diagnose(
        s,
        draws=p["draws"],
        seed=p["seed"],
        levers=not p.get("no_levers"),
        lever_names=p.get("lever") or None,
        search=not p.get("lever"),
        curvature=p.get("curvature"),
        agreement_cost=p.get("agreement_cost"),
    ).to_dict()


def _rerun_claims(s: Any, p: dict[str, Any]) -> dict[str, Any]:
    from ..analysis.claims import evaluate_claims
    from ..analysis.quantities import Evaluator

    s = _with_what_ifs(s, p)
    ev = Evaluator(s, draws=p["draws"], seed=p["seed"], runs=p["runs"], months=p["months"])
    return evaluate_claims(s, evaluator=ev).to_dict()


def _rerun_simulate(s: Any, p: dict[str, Any]) -> dict[str, Any]:
    from ..dynamics import simulate
    from ..dynamics.whatifs import apply_what_if, compare

    kw = {"months": p["months"], "runs": p["runs"], "seed": p["seed"], "groups": p.get("groups")}
    base = simulate(s, **kw)
    what_if = p.get("what_if")
    if not what_if:
        return base.to_dict()
    shocked = simulate(apply_what_if(s, what_if), what_if=what_if, **kw)
    return {**shocked.to_dict(), "change_vs_baseline": compare(base, shocked)}


RERUN: dict[str, Callable[[Any, dict[str, Any]], dict[str, Any]]] = {
    "run": _rerun_run,
    "forecast": _rerun_forecast,
    "diagnose": _rerun_diagnose,
    "claims": _rerun_claims,
    "simulate": _rerun_simulate,
    # a sweep's variant is a run of the pipeline with the grid's values as --set changes
    "sweep": _rerun_run,
}


def rerun_record(rec: Any) -> dict[str, Any]:
    """Compute a recorded run again from its stored scenario text, changes, options and seed."""
    from ..scenario import apply_sets
    from ..store import StoreError

    if rec.command not in RERUN:
        raise StoreError(f"run {rec.id}: cannot rerun command {rec.command!r}")
    if rec.source is None:
        raise StoreError(f"run {rec.id}: no scenario text was stored, so it cannot be rerun")
    params = {
        **rec.options,
        **rec.sizes,
        "scenario": rec.source.name,
        "set_": rec.sets,
        "pin": rec.pins,
        "seed": rec.seed,
    }
    if rec.command == "simulate":
        params["what_if"] = rec.what_ifs[0] if rec.what_ifs else None
    else:
        params["what_if"] = rec.what_ifs
    s = rec.source.load()
    if rec.sets:
        s = apply_sets(s, rec.sets)
    for text in rec.pins:
        if "=" in text:  # the command line's --pin PATH=VALUE
            s = apply_sets(s, [text], pin=True)
        else:  # the workbench pins a number at its value
            from ..web.compute import pin

            s = pin(s, text)
    return RERUN[rec.command](s, params)


# ----- commands -----------------------------------------------------------------------------


@runs_app.command("list")
def list_(
    store: StorePathOption = "default",
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most this many.")] = 50,
    scenario: Annotated[
        str | None, typer.Option("--scenario", help="Only runs of this scenario id.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The recorded runs, newest first."""
    try:
        runs = _store(store).list(limit=limit, scenario=scenario)
    except DetenteError as err:
        fail(err)
    if json_out:
        print_json([r.summary() for r in runs])
        return
    t = Table(title=f"Runs in {store_path(store)}")
    for col in ("id", "created (UTC)", "command", "scenario", "changes", "seed", "sizes", "status"):
        t.add_column(col, overflow="fold")
    for r in runs:
        changes = [*r.sets, *(f"what-if {w}" for w in r.what_ifs), *(f"pin {p}" for p in r.pins)]
        t.add_row(
            str(r.id),
            r.created.strftime("%Y-%m-%d %H:%M:%S"),
            r.command,
            escape(r.scenario_id or "-"),
            escape(", ".join(changes) or "-"),
            str(r.seed),
            escape(", ".join(f"{k}={v}" for k, v in r.sizes.items() if v is not None)),
            r.status,
        )
    console.print(t)
    if not runs:
        console.print("no runs yet: record some with --store on run, diagnose, forecast, ...")


@runs_app.command()
def show(run_id: IdArg, store: StorePathOption = "default") -> None:
    """One run: its inputs, options, timings and its main results."""
    try:
        rec = _store(store).get(run_id)
    except DetenteError as err:
        fail(err)
    print_json({**rec.summary(), "result_keys": sorted(rec.result or {})})


@runs_app.command()
def diff(
    a: Annotated[int, typer.Argument(help="The first run id (e.g. the baseline).")],
    b: Annotated[int, typer.Argument(help="The second run id (e.g. the what-if).")],
    store: StorePathOption = "default",
    show_all: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Also list the Monte Carlo results whose change lies within sampling noise "
            "(inside the 95% interval of the two runs' draws or runs).",
        ),
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What changed from run A to run B: a summary (inputs changed, the zone, verdicts
    flipped, outlook moves beyond their intervals), then the inputs and results side by side.
    Changes within Monte Carlo noise are hidden unless --all."""
    try:
        d = _store(store).diff(a, b, show_noise=show_all)
    except DetenteError as err:
        fail(err)
    if json_out:
        print_json(d)
        return
    for line in summary_lines(d):
        console.print(escape(line), soft_wrap=True)
    for section, title in (("inputs", "Input changes"), ("results", "Result changes")):
        t = Table(title=f"{title}: run {a} -> run {b}")
        t.add_column("what", overflow="fold")
        t.add_column(f"run {a}", overflow="fold")
        t.add_column(f"run {b}", overflow="fold")
        if section == "results":
            t.add_column("noise ±", overflow="fold")
        for row in d[section]:
            cells = [escape(row["what"]), escape(_cell(row["a"])), escape(_cell(row["b"]))]
            if section == "results":
                cells.append(_cell(row.get("interval")))
            t.add_row(*cells)
        if d[section]:
            console.print(t)
        else:
            console.print(f"{title}: none")
    if d["hidden_as_noise"]:
        console.print(
            f"{d['hidden_as_noise']} result change(s) within Monte Carlo noise hidden (--all "
            "lists them)"
        )
    if d["identical_results"]:
        console.print("the two runs' results are identical")


def summary_lines(d: dict[str, Any]) -> list[str]:
    """The few lines ``runs diff`` leads with."""
    s = d["summary"]
    out = [f"Run {d['a']} -> run {d['b']}"]
    inputs = s["inputs_changed"]
    out.append(
        f"  inputs changed: {', '.join(inputs[:6])}{' ...' if len(inputs) > 6 else ''}"
        if inputs
        else "  inputs changed: none"
    )
    z = s["zone"]
    if z:
        state = {True: "open", False: "closed"}
        move = f"{state[z['a']]} -> {state[z['b']]}" if z["flipped"] else f"{state[z['b']]} in both"
        out.append(f"  zone of agreement: {move} (P(zone) {_cell(z['p_a'])} -> {_cell(z['p_b'])})")
    flips = s["verdicts_flipped"]
    out.append(
        "  verdicts flipped: "
        + (", ".join(f"{f['claim']} {f['a']} -> {f['b']}" for f in flips) if flips else "none")
    )
    moves = s["outlook_moves"]
    out.append(
        "  outlook moves beyond their intervals: "
        + (
            ", ".join(
                f"{m['what']} {_cell(m['a'])} -> {_cell(m['b'])} (±{_cell(m['interval'])})"
                for m in moves[:6]
            )
            if moves
            else "none"
        )
    )
    if s["forecasts_changed"]:
        out.append(f"  model forecasts changed: {s['forecasts_changed']}")
    return out


def _cell(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.4g}"
    return x if isinstance(x, str) else json.dumps(x)


@runs_app.command()
def rerun(
    run_id: IdArg,
    store: StorePathOption = "default",
    record: Annotated[
        bool, typer.Option("--record", help="Also record the rerun as a new run.")
    ] = False,
) -> None:
    """Compute a run again (stored scenario text, changes, options and seed) and say whether it
    reproduces the stored results exactly. Exit status 1 when it does not."""
    from ..store import ScenarioSource, value_differences

    try:
        st = _store(store)
        rec = st.get(run_id)
        new = rerun_record(rec)
        if record:
            assert rec.source is not None
            new_id = st.record(
                rec.command,
                source=ScenarioSource(rec.source.name, rec.source.fmt, rec.source.text),
                result=new,
                sets=rec.sets,
                pins=rec.pins,
                what_ifs=rec.what_ifs,
                seed=rec.seed,
                sizes=rec.sizes,
                options=rec.options,
                label=f"rerun of {run_id}",
            )
            console.print(f"recorded the rerun as run {new_id}")
    except DetenteError as err:
        fail(err)
    diffs = value_differences(rec.result, new)
    hash_ = rec.source.hash if rec.source else "-"
    if not diffs:
        console.print(
            f"run {run_id} reproduced exactly: {rec.command} of {rec.scenario_id} "
            f"(scenario {hash_[:19]}, seed {rec.seed}); the result JSON is identical "
            "(timings aside)",
            soft_wrap=True,
        )
        return
    console.print(f"run {run_id} NOT reproduced: results differ at", soft_wrap=True)
    for line in diffs:
        console.print(f"  {escape(line)}", soft_wrap=True)
    raise typer.Exit(1)


@runs_app.command()
def export(
    run_id: IdArg,
    store: StorePathOption = "default",
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="json (record and result), scenario (the stored scenario text), html (a "
            "self-contained page of the inputs and result tables), "
            "csv-forecasts, csv-traces, csv-diagnosis, csv-levers, csv-outlook, csv-claims.",
        ),
    ] = "json",
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Export one run."""
    import sys

    from .._outputs import check_outputs
    from ..scenario.io import write_atomic

    try:
        st = _store(store)
        check_outputs([("--output", output)], inputs=[st.path])
        text = st.export(run_id, fmt)
        if output:
            write_atomic(output, text if text.endswith("\n") else text + "\n")
    except DetenteError as err:
        fail(err)
    if output:
        console.print(f"wrote {output}")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


@runs_app.command("sweep")
def sweep_(
    table: Annotated[
        str | None,
        typer.Argument(help="A sweep table (sweep_N or N); without it, the list of sweeps."),
    ] = None,
    store: StorePathOption = "default",
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The sweeps recorded by 'detente sweep --store': one table per sweep, a row per variant
    (its run id, the grid's values, its main numbers)."""
    try:
        st = _store(store)
        if table is None:
            names = st.sweeps()
            if json_out:
                print_json(names)
            else:
                console.print(
                    "\n".join(names) or "no sweeps yet: record one with 'detente sweep --store'"
                )
            return
        rows = st.sweep_table(table)
    except DetenteError as err:
        fail(err)
    if json_out:
        print_json(rows)
        return
    t = Table(title=f"{table} in {store_path(store)}")
    for col in rows[0] if rows else []:
        t.add_column(escape(col), overflow="fold")
    for r in rows:
        t.add_row(*(escape(_cell(v)) for v in r.values()))
    console.print(t)

"""The kernels compiled ahead of time (:mod:`detente._kernels`, :mod:`detente._aot_build`).

They must give numba's floats bit for bit, serve only calls whose types they were compiled
for, never be served when their sources changed, and keep numba out of a ``detente run``.
``make install`` builds them; in CI (``CI`` set) a missing build is a failure, elsewhere the
tests that need it are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from detente import _kernels
from detente.dynamics import _month, _zone_kernel
from detente.models import _exchange_kernel

ROOT = Path(__file__).resolve().parents[1]
BUILT = _kernels.aot_status().startswith("built")


def test_the_build_serves_in_ci() -> None:
    if not os.environ.get("CI"):
        pytest.skip(f"outside CI; the ahead-of-time build is {_kernels.aot_status()}")
    assert BUILT, _kernels.aot_status()


need_build = pytest.mark.skipif(not BUILT, reason=f"ahead-of-time build {_kernels.aot_status()}")


def _record(kernels: list[_kernels.Kernel], monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record every call of ``kernels``: the arguments before it (copies), then the arguments
    after it and its result, the call served as usual (by the ahead-of-time export)."""
    calls: list[Any] = []
    for k in kernels:
        bound = k._bind()

        def call(*args: Any, _k: _kernels.Kernel = k, _bound: Any = bound) -> Any:
            before = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
            for b, a in zip(before, args, strict=True):
                if isinstance(a, np.ndarray) and not a.flags.writeable:
                    b.flags.writeable = False  # as the run passes it (numba types it apart)
            result = _bound(*args)
            after = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
            calls.append((_k, before, after, result))
            return result

        monkeypatch.setattr(k, "_call", call)
    return calls


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    return type(a) is type(b) and (a == b or (a != a and b != b))


@need_build
def test_every_export_gives_numbas_floats_on_a_runs_own_calls(monkeypatch) -> None:
    """Each kernel a run calls, on the arguments a flagship simulation and an exchange-model
    forecast pass it, gives what numba's dispatcher gives, bit for bit (results and every
    array it writes)."""
    from detente.dynamics import simulate
    from detente.models import get_model
    from detente.scenario import resolve

    exported = {(e[0], e[1]) for e in _aot_exports()}
    kernels = [
        k for k in _kernels._ALL if (k.module, k.name) in exported
    ]  # every export, through its Kernel
    calls = _record(kernels, monkeypatch)
    simulate(resolve("us-dprk-2021"), runs=60, months=14, seed=11)
    steel = resolve(str(ROOT / "examples" / "steel-dispute.yaml"))
    get_model("exchange").forecast(steel)
    # the special functions, over their domains (a run calls some only in some places)
    from detente import _special

    grid = np.concatenate([np.linspace(-40.0, 40.0, 801), [0.0, 1e-300, np.inf, -np.inf, np.nan]])
    unit = np.concatenate([np.linspace(0.0, 1.0, 801), [1e-300, 1 - 1e-16, np.nan]])
    _special.ndtri(unit), _special.logit(unit), _special.expit(grid), _special.gammaln(grid)
    _special.xlogy(grid, np.abs(grid[::-1]))
    assert {(k.module, k.name) for k, *_ in calls} == exported
    for k, before, after, result in calls:
        args = [a.copy() if isinstance(a, np.ndarray) else a for a in before]
        for b, a in zip(before, args, strict=True):
            if isinstance(b, np.ndarray) and not b.flags.writeable:
                a.flags.writeable = False
        again = k.jit()(*args)
        assert _same(result, again), k
        assert all(_same(x, y) for x, y in zip(after, args, strict=True)), k


def _aot_exports() -> list[tuple[str, str]]:
    manifest = json.loads(_kernels.MANIFEST.read_text(encoding="utf-8"))
    return [(e["module"], e["kernel"]) for e in manifest["exports"]]


@need_build
def test_a_call_the_export_was_not_built_for_goes_to_numba() -> None:
    history = np.linspace(0.0, 3.0, 7)
    memory = np.full(7, 0.8)
    fits = _month.smoothed_history(memory, history)
    # float32, a strided view, a list: each is typed differently by numba, so not the export's
    for m, h in (
        (memory.astype(np.float32), history.astype(np.float32)),
        (np.repeat(memory, 2)[::2], np.repeat(history, 2)[::2]),
    ):
        got = _month.smoothed_history(m, h)
        assert _same(got, _month.smoothed_history.jit()(m, h))
    assert _same(fits, _month.smoothed_history.jit()(memory, history))


def test_the_argument_check_is_exact() -> None:
    specs = _kernels._specs(["int64", "bool", "float64", ["float64", 2], ["bool", 1]])
    good = (3, True, 0.5, np.zeros((2, 2)), np.zeros(3, dtype=bool))
    assert _kernels._matches(good, specs)
    assert _kernels._matches((np.int64(3), np.bool_(True), np.float64(0.5), *good[3:]), specs)
    for bad in (
        (True, *good[1:]),  # a bool is not an int64
        (3, 1, *good[2:]),  # an int is not a bool
        (3, True, 1, *good[3:]),  # an int is not a float64 (numba would compile for int64)
        (*good[:3], np.zeros((2, 2), dtype=np.float32), good[4]),
        (*good[:3], np.zeros(4), good[4]),  # 1-d for 2-d
        (*good[:3], np.zeros((2, 4))[:, ::2], good[4]),  # not C-contiguous
        (*good[:3], np.zeros((2, 2)).tolist(), good[4]),
        good[:4],
    ):
        assert not _kernels._matches(bad, specs), bad
    # an export compiled for a writeable array would write into a read-only one (numba's
    # dispatcher refuses to compile that): only a read-only export takes one
    frozen = np.zeros((2, 2))
    frozen.flags.writeable = False
    assert not _kernels._matches((*good[:3], frozen, good[4]), specs)
    ro = _kernels._specs(["int64", "bool", "float64", ["float64", 2, "r"], ["bool", 1]])
    assert _kernels._matches((*good[:3], frozen, good[4]), ro)
    assert _kernels._matches(good, ro)
    # an unaligned array is another numba type (aligned=False)
    raw = np.zeros(4 * 8 + 1, dtype=np.uint8)[1:].view(np.float64).reshape(2, 2)
    assert not raw.flags.aligned
    assert not _kernels._matches((*good[:3], raw, good[4]), specs)


def test_a_build_for_another_processor_is_never_served(monkeypatch, tmp_path) -> None:
    """The build compiles for the build machine's processor; on another one (a copied tree,
    a container image) its instructions may not exist, so it is not served there."""
    monkeypatch.setattr(_kernels, "MANIFEST", tmp_path / "_aot_kernels.json")
    (tmp_path / "_aot_kernels.json").write_text(
        json.dumps({"fingerprint": _kernels.fingerprint(), "cpu": "another", "exports": []}),
        encoding="utf-8",
    )
    assert _kernels._load() == {}
    assert _kernels._STATE["status"] == (
        "stale: compiled for another processor (make install rebuilds it)"
    )


@need_build
def test_a_changed_constant_makes_the_build_stale_for_make_install(monkeypatch) -> None:
    """``make install`` (and ``--check``) see a constant that changed, so they rebuild."""
    from detente import _aot_build

    monkeypatch.setitem(_kernels._STATE, "frozen_checked", {})
    monkeypatch.setitem(_kernels._STATE, "status", _kernels._STATE["status"])
    monkeypatch.setattr(_zone_kernel, "_LP_TOL", _zone_kernel._LP_TOL * 10)
    assert _aot_build.main(["--check"]) == 1
    assert _kernels._STATE["status"].startswith("stale for detente.dynamics._zone_kernel")


def test_a_stale_or_missing_build_is_never_served(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(_kernels, "MANIFEST", tmp_path / "_aot_kernels.json")
    assert _kernels._load() == {}
    assert _kernels._STATE["status"].startswith("not built")
    (tmp_path / "_aot_kernels.json").write_text(
        json.dumps({"fingerprint": "an older source", "exports": []}), encoding="utf-8"
    )
    assert _kernels._load() == {}
    assert _kernels._STATE["status"].startswith("stale")
    monkeypatch.setenv("DETENTE_AOT", "0")
    assert _kernels._load() == {}
    assert _kernels._STATE["status"].startswith("switched off")


def test_the_fingerprint_follows_every_kernel_source(monkeypatch, tmp_path) -> None:
    here = Path(_kernels.__file__).parent
    copy = tmp_path / "detente"
    for name in (*_kernels.KERNEL_MODULES, "detente._aot_build", "detente._kernels"):
        rel = Path(*name.split(".")[1:]).with_suffix(".py")
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).write_bytes((here / rel).read_bytes())
    monkeypatch.setattr(_kernels, "_HERE", copy)
    first = _kernels.fingerprint()
    assert first == _kernels.fingerprint()
    month = copy / "dynamics" / "_month.py"
    month.write_text(month.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert _kernels.fingerprint() != first


@pytest.mark.slow
@need_build
def test_a_run_imports_no_numba_and_compiles_nothing(tmp_path) -> None:
    """With the build in place, ``detente run`` neither imports numba nor writes its cache,
    and prints what numba's path prints."""
    probe = (
        "import json, sys\n"
        "from detente.pipeline import run\n"
        "from detente.scenario import resolve\n"
        "r = run(resolve(sys.argv[1]), draws=40, runs=40, months=13, seed=3)\n"
        "print(json.dumps(['numba' in sys.modules, r.to_json()]))\n"
    )
    base = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    seen = {}
    for aot in ("1", "0"):
        # the compiled path gets an empty numba cache (it must stay empty); numba's the
        # session's own, so it does not compile everything again
        cache = {"NUMBA_CACHE_DIR": str(tmp_path)} if aot == "1" else {}
        out = subprocess.run(
            [sys.executable, "-c", probe, "us-dprk-2021"],
            capture_output=True,
            text=True,
            env={**base, **cache, "DETENTE_AOT": aot},
            check=True,
            timeout=900,
        )
        seen[aot] = json.loads(out.stdout.strip().splitlines()[-1])
        if aot == "1":
            assert seen[aot][0] is False
            assert not any(tmp_path.rglob("*.nbi"))
    assert seen["0"][0] is True
    assert seen["1"][1] == seen["0"][1]


def test_the_exports_are_the_kernels_a_run_calls() -> None:
    from detente import _aot_build

    names = {(m, k) for m, k, *_ in _aot_build.EXPORTS}
    for m, k in names:
        assert isinstance(getattr(sys.modules[m], k), _kernels.Kernel)
    assert {m for m, _ in names} == set(_kernels.KERNEL_MODULES)
    assert _zone_kernel.zone_rows in _kernels._ALL and _exchange_kernel.play_round in _kernels._ALL


def test_a_kernel_module_imported_after_numba_started_gets_its_dispatchers(
    monkeypatch, tmp_path
) -> None:
    """A kernel module imported after numba compiled others (detente imports some lazily)
    still gets a dispatcher on its first call (it used to get None)."""
    import importlib

    _kernels._jit_all()  # numba has started, for every kernel imported so far
    monkeypatch.setattr(_kernels, "_ALL", list(_kernels._ALL))
    (tmp_path / "detente_late_kernels.py").write_text(
        "from detente._kernels import njit\n\n"
        "@njit()\n"
        "def twice(x):\n"
        "    return helper(x) + helper(x)\n\n"
        "@njit(inline='always')\n"
        "def helper(x):\n"
        "    return x * 1.5\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    mod = importlib.import_module("detente_late_kernels")
    monkeypatch.setitem(sys.modules, "detente_late_kernels", mod)  # removed after the test
    assert mod.twice(2.0) == 6.0
    assert mod.twice.dispatcher is not None and mod.helper.dispatcher is not None


@need_build
def test_a_changed_constant_from_another_module_is_not_served(monkeypatch) -> None:
    """A kernel compiles in the constants it reads (the zone kernel the core's tolerances):
    when one differs from the build's, that module's kernels go to numba."""
    assert _kernels._frozen_current("detente.dynamics._zone_kernel")
    monkeypatch.setitem(_kernels._STATE, "frozen_checked", {})
    monkeypatch.setattr(_zone_kernel, "_LP_TOL", _zone_kernel._LP_TOL * 10)
    assert not _kernels._frozen_current("detente.dynamics._zone_kernel")
    assert _kernels._frozen_current("detente.dynamics._month")

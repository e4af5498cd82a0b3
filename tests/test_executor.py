"""The executor (detente.executor): the same results in order whatever runs them, seeds per
variant, clear errors; the Dask cluster tests are in tests/test_cluster.py."""

import os

import numpy as np
import pytest

from detente.executor import ExecutorError, ExecutorSpec, executor_spec, run_variants, variant_seeds


def draw(shared, item):
    """A job that needs random numbers: they come from the item's seed, not the worker."""
    index, seed = item
    return index, float(np.random.default_rng(seed).normal(shared["mu"], 1.0))


def die_once(shared, item):
    """Kills its worker process the first time it sees item 3 (a marker file remembers)."""
    if item == 3 and not os.path.exists(shared):
        open(shared, "w").close()
        os._exit(1)
    return item * item


def test_seeds_depend_on_the_variant_only():
    a, b = variant_seeds(7, 5), variant_seeds(7, 8)
    assert a == b[:5] and len(set(b)) == 8
    assert variant_seeds(8, 5) != a


def test_inline_and_processes_agree_in_order():
    items = list(enumerate(variant_seeds(11, 9)))
    inline = run_variants(draw, {"mu": 3.0}, items, ExecutorSpec("inline"))
    pool = run_variants(
        draw, {"mu": 3.0}, items, ExecutorSpec("processes", workers=2, batch_size=2)
    )
    assert inline == pool
    assert [i for i, _ in pool] == list(range(9))


def test_progress_reaches_the_total():
    seen = []
    run_variants(
        draw, {"mu": 0.0}, list(enumerate(range(5))), progress=lambda d, n: seen.append((d, n))
    )
    assert seen[-1] == (5, 5) and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_dead_local_process_loses_no_variant(tmp_path):
    marker = str(tmp_path / "died")
    out = run_variants(
        die_once, marker, list(range(8)), ExecutorSpec("processes", workers=2, batch_size=1)
    )
    assert os.path.exists(marker)  # the worker did die
    assert out == [i * i for i in range(8)]


def test_options_choose_the_executor(monkeypatch):
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    assert executor_spec().kind == "processes"
    assert executor_spec(scheduler="tcp://h:1").kind == "dask"
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://h:2")
    assert executor_spec().scheduler == "tcp://h:2"
    assert executor_spec("inline").scheduler is None
    for bad in (dict(kind="threads"), dict(workers=0)):
        with pytest.raises(ExecutorError):
            executor_spec(**bad)
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS")
    with pytest.raises(ExecutorError, match="--scheduler"):
        executor_spec("dask")


def test_unreachable_scheduler_is_one_clear_error():
    with pytest.raises(ExecutorError, match="cannot reach the Dask scheduler"):
        run_variants(
            draw, {"mu": 0.0}, [(0, 1)], ExecutorSpec("dask", scheduler="tcp://127.0.0.1:9")
        )

"""On a real Dask cluster (a LocalCluster of two worker processes): a sweep and a Sobol run give
byte-identical JSON in this process, on local processes and on the cluster, and a worker killed
mid-sweep loses no variant."""

import json
import os
import signal

import pytest

from detente.analysis.sensitivity import sensitivity
from detente.executor import ExecutorSpec
from detente.scenario import resolve
from detente.store.sweep import sweep

distributed = pytest.importorskip("distributed")

GRID = {"usa.red_lines.denuclearization": [50, 70], "drivers.economic_distress": [0.6, 0.9]}
SIZES = {"draws": 30, "runs": 30, "months": 4}


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as c:
        yield c


def executors(cluster):
    return [
        ExecutorSpec("inline"),
        ExecutorSpec("processes", workers=2),
        ExecutorSpec("dask", scheduler=cluster.scheduler_address),
    ]


@pytest.mark.slow
def test_sweep_is_byte_identical_everywhere(cluster):
    s = resolve("us-dprk-2021")
    texts = {
        spec.kind: json.dumps(sweep(s, GRID, executor=spec, **SIZES).to_dict(full=True))
        for spec in executors(cluster)
    }
    assert texts["inline"] == texts["processes"] == texts["dask"]
    assert len(json.loads(texts["dask"])["variants"]) == 4


@pytest.mark.slow
def test_sobol_is_byte_identical_everywhere(cluster):
    s = resolve("us-dprk-2021")
    texts = {
        spec.kind: json.dumps(sensitivity(s, "zone.gap", n=16, executor=spec).to_dict())
        for spec in executors(cluster)
    }
    assert texts["inline"] == texts["processes"] == texts["dask"]


@pytest.mark.slow
def test_a_killed_worker_loses_no_variant(cluster):
    s = resolve("us-dprk-2021")
    grid = {"usa.red_lines.denuclearization": [50, 60, 70], "drivers.economic_distress": [0.6, 0.9]}
    with distributed.Client(cluster.scheduler_address) as client:
        pids = client.run(os.getpid)
    killed = []

    def kill_one(done, total):
        if not killed:  # after the first variant: kill a worker while the others run
            pid = next(iter(pids.values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    spec = ExecutorSpec("dask", scheduler=cluster.scheduler_address, batch_size=1)
    got = sweep(s, grid, executor=spec, progress=kill_one, **SIZES).to_dict(full=True)
    assert killed
    want = sweep(s, grid, executor=ExecutorSpec("inline"), **SIZES).to_dict(full=True)
    assert [v["index"] for v in got["variants"]] == list(range(6))
    assert json.dumps(got) == json.dumps(want)


@pytest.mark.slow
def test_batched_outlook_sensitivity_is_byte_identical_everywhere(cluster, monkeypatch):
    import detente.analysis.sensitivity as S

    # ten design points per task: several batches of simulations travel to the workers
    monkeypatch.setattr(S, "RUNS_PER_TASK", 200)
    s = resolve("examples/steel-dispute.yaml")
    texts = {
        spec.kind: json.dumps(
            sensitivity(
                s, "outlook.talks@6", method="morris", n=2, runs=20, executor=spec
            ).to_dict()
        )
        for spec in executors(cluster)
    }
    assert texts["inline"] == texts["processes"] == texts["dask"]
    assert json.loads(texts["dask"])["n_evaluations"] > 2 * S.points_per_task(20)

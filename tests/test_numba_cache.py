"""numba's cache lives in the user's cache directory, and the first compile says so once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from detente import _numba_cache
from detente.models import _exchange_kernel as kernel

ROOT = Path(__file__).resolve().parents[1]


def test_the_cache_is_never_in_the_source_tree() -> None:
    cache = Path(kernel.play_round.jit()._cache._cache_path).resolve()
    assert (ROOT / "src").resolve() not in cache.parents
    assert Path(os.environ["NUMBA_CACHE_DIR"]).resolve() in cache.parents
    assert _numba_cache.cache_dir() == Path(os.environ["NUMBA_CACHE_DIR"])


def test_the_default_cache_is_the_users_cache_directory(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _numba_cache.cache_dir() == tmp_path / "detente" / "numba"


def test_the_notice_is_given_once_and_only_when_code_is_missing(tmp_path, monkeypatch) -> None:
    def dispatcher(path: Path) -> SimpleNamespace:
        return SimpleNamespace(
            _cache=SimpleNamespace(_cache_file=SimpleNamespace(_index_path=str(path)))
        )

    present = tmp_path / "f.nbi"
    present.write_text("")
    heard: list[str] = []
    monkeypatch.setitem(_numba_cache._STATE, "announced", set())
    monkeypatch.setitem(_numba_cache._STATE, "notice", heard.append)
    assert not _numba_cache.announce_if_uncached([dispatcher(present)])
    assert heard == []
    missing = dispatcher(tmp_path / "missing.nbi")
    assert _numba_cache.announce_if_uncached([dispatcher(present), missing])
    assert _numba_cache.announce_if_uncached([missing])
    assert heard == ["compiling the exchange model, first run only (about a minute)"]
    # another compiled part has its own notice, also given once
    text = _numba_cache.MONTHLY_LOOP_NOTICE
    assert _numba_cache.announce_if_uncached([missing], text)
    assert _numba_cache.announce_if_uncached([missing], text)
    assert heard[1:] == [text]


_FORECAST = [
    sys.executable,
    "-m",
    "detente",
    "forecast",
    str(ROOT / "examples" / "steel-dispute.yaml"),
    "-m",
    "exchange",
]


@pytest.mark.slow
def test_a_first_run_says_it_compiles_and_a_second_does_not(tmp_path) -> None:
    # numba's path: the ahead-of-time kernels switched off
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "NUMBA_CACHE_DIR": str(tmp_path),
        "DETENTE_AOT": "0",
    }
    cmd = _FORECAST
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert first.returncode == 0, first.stderr
    assert first.stderr.count("compiling the exchange model, first run only") == 1
    assert any(tmp_path.rglob("*.nbi"))
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert second.returncode == 0, second.stderr
    assert "compiling" not in second.stderr
    assert second.stdout == first.stdout

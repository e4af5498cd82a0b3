"""The layers hold: import-linter's contracts pass, and no private name crosses a package.

The layers are declared once, in ``pyproject.toml`` ``[tool.importlinter]`` (interfaces >
store, report > pipeline > analysis > models, dynamics > core > data, scenario); ``make lint``
runs ``lint-imports`` and so does this test, so a broken layer fails the suite too.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import detente

SRC = Path(detente.__file__).resolve().parent
ROOT = SRC.parent.parent


def _module(path: Path, root: Path) -> tuple[list[str], list[str]]:
    """(dotted name parts, package parts) of a source file under ``src/``."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
        return parts, parts
    return parts, parts[:-1]


def private_crossings(root: Path = SRC) -> list[str]:
    """Every ``from detente.X... import _name`` (or of a ``_module``) whose private part
    belongs to another top-level package than the importer's.

    The private modules directly under ``detente/`` (``_json``, ``_text``, ``_outputs``) are
    the root package's shared helpers and may be imported by any of its subpackages.
    """
    out = []
    for f in sorted(root.rglob("*.py")):
        parts, pkg = _module(f, root)
        owner = pkg[:2]
        for node in ast.walk(ast.parse(f.read_text("utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = pkg[: len(pkg) - node.level + 1]
                mod = base + (node.module.split(".") if node.module else [])
            elif (node.module or "").split(".")[0] == "detente":
                mod = node.module.split(".")  # type: ignore[union-attr]
            else:
                continue
            for alias in node.names:
                full = [*mod, alias.name]
                if full[:2] == owner:
                    continue  # inside its own package
                private = [c for c in full[1:] if c.startswith("_") and not c.startswith("__")]
                if len(full) >= 2 and full[1].startswith("_") and len(private) == 1:
                    continue  # a root-level shared helper module (detente._json, ...)
                if private:
                    out.append(f"{'.'.join(parts)}:{node.lineno} imports {'.'.join(full)}")
    return out


def test_no_private_name_crosses_a_package() -> None:
    assert private_crossings() == []


def test_the_check_finds_a_private_name_crossing_a_package(tmp_path: Path) -> None:
    pkg = tmp_path / "detente"
    (pkg / "models").mkdir(parents=True)
    (pkg / "analysis").mkdir()
    (pkg / "models" / "x.py").write_text("from ..analysis.bargaining import _pair_mstar\n")
    (pkg / "analysis" / "y.py").write_text("from .bargaining import _pair_mstar\n")
    assert private_crossings(pkg) == [
        "detente.models.x:1 imports detente.analysis.bargaining._pair_mstar"
    ]


def test_import_linter_contracts_hold() -> None:
    exe = Path(sys.executable).with_name("lint-imports")
    assert exe.exists(), f"import-linter is a test dependency; install it ({exe} missing)"
    env = {**os.environ, "PYTHONPATH": str(SRC.parent)}
    r = subprocess.run(
        [str(exe), "--config", str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "0 broken" in r.stdout

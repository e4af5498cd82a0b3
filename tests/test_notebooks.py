"""The notebooks under examples/notebooks run from top to bottom, and show what they say."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is in the test extra")
nbclient = pytest.importorskip("nbclient", reason="nbclient is in the test extra")
pytest.importorskip("ipykernel", reason="ipykernel is in the test extra")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "examples" / "notebooks").glob("*.ipynb"))


def _outputs(cell: dict) -> str:
    out = []
    for o in cell.get("outputs", []):
        data = o.get("data", {})
        out.append(data.get("text/html", "") + data.get("text/plain", "") + o.get("text", ""))
    return "\n".join(out)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # jupyter_core warns about its old path scheme unless told to use platformdirs
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    src = str(Path(__file__).resolve().parents[1] / "src")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))
    )
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    shown = "\n".join(_outputs(c) for c in nb.cells if c.cell_type == "code")
    # the walkthrough shows the report, the wide forecast table and a model's result as HTML
    assert '<div class="detente-result">' in shown
    assert "compromise unconstrained" in shown
    assert not re.search(r"\de-(1[3-9]|[2-9]\d)", shown)  # no float noise such as 5.84e-21


def test_there_is_a_notebook_on_a_case_other_than_the_flagship() -> None:
    assert NOTEBOOKS
    texts = [p.read_text() for p in NOTEBOOKS]
    assert any("steel-dispute" in t or "iran" in t for t in texts)

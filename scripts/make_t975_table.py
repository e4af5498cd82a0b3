"""Write ``src/detente/_t975.py``: scipy's ``stdtrit(df, 0.975)`` for df 1 to 1000.

Run once, from the repository root, with scipy installed:
``python scripts/make_t975_table.py``. ``tests/test_special.py`` checks every entry against
scipy bit for bit, so a scipy whose numbers change fails there and this script re-writes it.
"""

from __future__ import annotations

from pathlib import Path

import scipy
from scipy.special import stdtrit

MAX_DF = 1000
PER_LINE = 4
OUT = Path(__file__).resolve().parents[1] / "src" / "detente" / "_t975.py"


def main() -> None:
    values = [float(stdtrit(df, 0.975)) for df in range(1, MAX_DF + 1)]
    rows = [
        "    " + " ".join(f"{v!r}," for v in values[i : i + PER_LINE])
        for i in range(0, MAX_DF, PER_LINE)
    ]
    text = (
        f'"""``scipy.special.stdtrit(df, 0.975)`` for df 1 to {MAX_DF} (scipy {scipy.__version__}),\n'
        "the 97.5% quantiles of Student's t: ``T975[df - 1]``. Written by\n"
        "``scripts/make_t975_table.py``; each entry equals scipy's bit for bit\n"
        '(``tests/test_special.py``). Read through :func:`detente._special.t975`."""\n\n'
        "# fmt: off\n"
        "T975 = (\n" + "\n".join(rows) + "\n)\n"
        "# fmt: on\n"
    )
    OUT.write_text(text, "utf-8")


if __name__ == "__main__":
    main()

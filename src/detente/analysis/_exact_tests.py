"""The hypergeometric tail and Fisher's exact test of a 2 x 2 table, in exact integers.

Private to :mod:`detente.analysis`: the evidence-kind check (:mod:`.kinds`) compares these
p-values with its significance level. They are the exact values (sums of binomial products
in Python's integers, one rounding at the end), which scipy's ``hypergeom.sf`` and
``fisher_exact`` evaluate in floating point to within a few units of the last digit; the
check reads only which side of the level a p-value falls on. Computed here because importing
:mod:`scipy.stats` costs some 0.3 s of CPU, a tenth of a flagship ``detente run``. Beyond
:data:`EXACT_LIMIT` draws the integers grow too long (a binomial coefficient of 100,000 draws
has some 30,000 digits) and scipy computes the p-value, imported there only.
"""

from __future__ import annotations

from math import comb

__all__ = ["EXACT_LIMIT", "fisher_exact_two_sided", "hypergeom_upper_tail"]

#: The most draws (items of a table) summed in exact integers (about 0.1 s for a test there).
EXACT_LIMIT = 20_000

#: Relative tolerance under which two tables are equally probable (scipy's, R's ``fisher.test``).
_TIE = 10**14


def _weights(successes: int, failures: int, drawn: int) -> tuple[int, list[int]]:
    """The support's lowest count ``lo`` and ``C(successes, x) C(failures, drawn - x)`` for
    ``x = lo .. min(successes, drawn)`` (each from the one before, in exact integers)."""
    lo, hi = max(0, drawn - failures), min(successes, drawn)
    w = [comb(successes, lo) * comb(failures, drawn - lo)]
    for x in range(lo, hi):
        w.append(w[-1] * (successes - x) * (drawn - x) // ((x + 1) * (failures - drawn + x + 1)))
    return lo, w


def hypergeom_upper_tail(k: int, population: int, successes: int, drawn: int) -> float:
    """P(X >= k) for X the successes among ``drawn`` of ``population`` items, ``successes``
    of them successes (``scipy.stats.hypergeom.sf(k - 1, population, successes, drawn)``).

    >>> hypergeom_upper_tail(2, 4, 2, 2)  # both successes drawn: 1 of C(4, 2) = 6 ways
    0.16666666666666666
    """
    if population > EXACT_LIMIT:
        from scipy.stats import hypergeom  # imported only for so many draws (module doc)

        return float(hypergeom.sf(k - 1, population, successes, drawn))
    lo, w = _weights(successes, population - successes, drawn)
    return sum(w[max(0, k - lo) :]) / comb(population, drawn)


def fisher_exact_two_sided(table: list[list[int]]) -> float:
    """The two-sided p-value of Fisher's exact test of the 2 x 2 ``table`` (every row and
    column sum positive): the probability, given the margins, of the tables no more probable
    than the one observed (``scipy.stats.fisher_exact(table).pvalue``; as there, a table as
    probable as the most probable one gives 1, and "no more probable" allows a relative
    1e-14).

    >>> round(fisher_exact_two_sided([[3, 1], [1, 3]]), 4)
    0.4857
    """
    (a, b), (c, d) = table
    row1, row2, col1 = a + b, c + d, a + c
    if row1 + row2 > EXACT_LIMIT:
        from scipy.stats import fisher_exact  # imported only for so many draws (module doc)

        return float(fisher_exact(table).pvalue)
    lo, w = _weights(row1, row2, col1)
    hi = lo + len(w) - 1
    mode = int((col1 + 1) * (row1 + 1) / (row1 + row2 + 2))
    seen, top = w[a - lo], w[mode - lo]
    if abs(seen - top) * _TIE <= max(seen, top):
        return 1.0
    if a < mode:  # the lower tail, and the upper values less probable than the one seen
        tail = sum(w[: a - lo + 1])
        tail += sum(v for v in w[mode - lo :] if v * _TIE < seen * (_TIE + 1))
    else:  # the upper tail, and the lower values no more probable than the one seen
        tail = sum(w[a - lo : hi - lo + 1])
        tail += sum(v for v in w[: mode - lo + 1] if v * _TIE <= seen * (_TIE + 1))
    return tail / comb(row1 + row2, col1)

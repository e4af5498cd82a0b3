"""Linear programs solved by HiGHS through highspy, exactly as ``scipy.optimize.linprog``
(``method="highs"``) solves them, without importing :mod:`scipy.optimize` (some 0.4 s of
CPU at start-up, most of it for solvers a run never calls).

highspy is pinned to the HiGHS that scipy bundles (1.12.0 in scipy 1.17), and the problem
and options reach HiGHS as scipy's ``_linprog_highs`` passes them: the matrix column-wise
with each column's rows in order, ``-inf <= A x <= b``, infinite bounds as ``inf``,
presolve ``"on"``, the dual simplex, no output, HiGHS's own defaults otherwise. So the
solutions are the ones scipy gave, bit for bit (``tests/core/test_highs.py`` solves
generated block LPs both ways), and a failed solve reports scipy's status and message.
"""

from __future__ import annotations

import highspy
import numpy as np

__all__ = ["linprog_highs"]

#: How far outside its bounds and rows linprog lets HiGHS's answer be before it calls an
#: "optimal" answer a failure: ``sqrt(tol) * 10`` with linprog's default ``tol`` of 1e-9.
_CHECK_TOL = float(np.sqrt(1e-9) * 10)

_S = highspy.HighsModelStatus
#: linprog's status and the start of its message for each HiGHS model status (scipy's
#: ``_highs_to_scipy_status_message``; BSD-3-Clause, the SciPy developers).
_STATUS = {
    _S.kNotset: (4, ""),
    _S.kLoadError: (4, ""),
    _S.kModelError: (2, ""),
    _S.kPresolveError: (4, ""),
    _S.kSolveError: (4, ""),
    _S.kPostsolveError: (4, ""),
    _S.kModelEmpty: (4, ""),
    _S.kObjectiveBound: (4, ""),
    _S.kObjectiveTarget: (4, ""),
    _S.kOptimal: (0, "Optimization terminated successfully. "),
    _S.kTimeLimit: (1, "Time limit reached. "),
    _S.kIterationLimit: (1, "Iteration limit reached. "),
    _S.kInfeasible: (2, "The problem is infeasible. "),
    _S.kUnbounded: (3, "The problem is unbounded. "),
    _S.kUnboundedOrInfeasible: (4, "The problem is unbounded or infeasible. "),
}
_UNRECOGNISED = (4, "The HiGHS status code was not recognized. ")


def _linprog_status(status: highspy.HighsModelStatus, text: str) -> tuple[int, str]:
    """linprog's status and message for a HiGHS model status and HiGHS's words for it."""
    code, head = _STATUS.get(status, _UNRECOGNISED)
    return code, f"{head}(HiGHS Status {int(status)}: {text})"


def linprog_highs(
    c: np.ndarray,
    start: np.ndarray,
    index: np.ndarray,
    value: np.ndarray,
    b_ub: np.ndarray,
    lb: np.ndarray,
    ub: np.ndarray,
    primal_feasibility_tolerance: float,
) -> tuple[np.ndarray | None, int, str]:
    """``min c x`` subject to ``A x <= b_ub`` and ``lb <= x <= ub``, with ``A`` given
    column-wise (``start``, ``index``, ``value``: a CSC matrix with sorted row indices).

    Returns
    -------
    x : numpy.ndarray or None
        The solution, None when HiGHS gives none.
    status : int
        linprog's status: 0 solved, 1 a limit reached, 2 infeasible, 3 unbounded, 4 any
        other failure (including an "optimal" answer outside the constraints by more than
        linprog's check allows).
    message : str
        linprog's message for that status, word for word.

    Raises
    ------
    ValueError
        If ``c``, ``value`` or ``b_ub`` holds a value that is not finite, or a bound is NaN
        (linprog refused the first three; it took a NaN bound for no bound, a bug here).
    """
    for name, arr in (("c", c), ("the matrix", value), ("b_ub", b_ub)):
        if not np.isfinite(arr).all():
            raise ValueError(f"linprog_highs: {name} holds a value that is not finite")
    if np.isnan(lb).any() or np.isnan(ub).any():
        raise ValueError("linprog_highs: a bound is NaN")
    n_col, n_row = c.size, b_ub.size
    lp = highspy.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = n_row
    lp.a_matrix_.num_col_ = n_col
    lp.a_matrix_.num_row_ = n_row
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.col_cost_ = c
    lp.col_lower_ = lb
    lp.col_upper_ = ub
    lp.row_lower_ = np.full(n_row, -np.inf)
    lp.row_upper_ = b_ub
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value

    h = highspy.Highs()
    # scipy's options (those it leaves unset keep HiGHS's defaults, as here)
    for name, setting in (
        ("presolve", "on"),
        ("highs_debug_level", 0),
        ("log_to_console", False),
        ("output_flag", False),
        ("primal_feasibility_tolerance", primal_feasibility_tolerance),
        ("simplex_strategy", 1),  # the dual simplex
    ):
        if h.setOptionValue(name, setting) != highspy.HighsStatus.kOk:  # pragma: no cover
            raise ValueError(f"HiGHS refused the option {name}={setting!r}")
    if h.passModel(lp) == highspy.HighsStatus.kError:
        return None, *_linprog_status(_S.kModelError, h.modelStatusToString(_S.kModelError))
    if h.run() == highspy.HighsStatus.kError:
        status = h.getModelStatus()
        return None, *_linprog_status(status, h.modelStatusToString(status))
    status = h.getModelStatus()
    info = h.getInfo()
    if status != _S.kOptimal:
        words = (
            f"model_status is {h.modelStatusToString(status)}; primal_status is "
            f"{h.solutionStatusToString(info.primal_solution_status)}"
        )
        return None, *_linprog_status(status, words)
    solution = h.getSolution()
    x = np.array(solution.col_value)
    slack = b_ub - np.array(solution.row_value)
    fun = info.objective_function_value
    # linprog's check of HiGHS's answer (scipy's ``_check_result``), its message word for word
    tol = _CHECK_TOL
    feasible = not (np.isnan(x).any() or np.isnan(fun) or np.isnan(slack).any())
    feasible = feasible and bool(
        np.all((x >= lb - tol) & (x <= ub + tol)) and not (slack < -tol).any()
    )
    if not feasible:
        return (
            x,
            4,
            "The solution does not satisfy the constraints within the required tolerance of "
            f"{tol:.2E}, yet no errors were raised and there is no certificate of "
            "infeasibility or unboundedness. Check whether the slack and constraint residuals "
            "are acceptable; if not, consider enabling presolve, adjusting the tolerance "
            "option(s), and/or using a different method. Please consider submitting a bug "
            "report.",
        )
    return x, *_linprog_status(status, h.modelStatusToString(status))

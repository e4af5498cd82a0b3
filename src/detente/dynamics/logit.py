"""Penalised logistic regression: the crisis choice's fit on a record.

:func:`fit_logit` is the logit of a strategic month that :mod:`detente.dynamics.fit` fits on
a case's record in every run that fits one, and that :mod:`detente.dynamics.calibration`
fits on the packaged record; it lives apart from the calibration's count models so that a
run imports no :mod:`scipy.stats` (some 0.3 s of CPU) for it.

Penalised maximum likelihood: a normal prior with standard deviation :data:`PRIOR_SD` on
each slope, none on the intercept (Gelman et al. 2008, doi:10.1214/08-AOAS191), so the
rare-event logits stay finite; standard errors from the observed information.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PRIOR_SD", "Fit", "fit_logit"]

PRIOR_SD = 2.5


@dataclass(frozen=True)
class Fit:
    """A fitted regression: coefficient names, estimates, standard errors, extra (dispersion)."""

    names: tuple[str, ...]
    coef: np.ndarray
    se: np.ndarray
    alpha: float | None = None
    n: int = 0

    def table(self) -> pd.DataFrame:
        import pandas as pd  # only where a table is asked for

        return pd.DataFrame(
            {
                "term": self.names,
                "estimate": self.coef,
                "se": self.se,
                "low": self.coef - 1.645 * self.se,
                "high": self.coef + 1.645 * self.se,
            }
        )


def _penalty(k: int) -> np.ndarray:
    w = np.full(k, 1.0 / PRIOR_SD**2)
    w[0] = 0.0  # intercept unpenalised
    return w


def fit_logit(
    X: Any,
    y: Any,
    names: tuple[str, ...],
    *,
    centre: np.ndarray | None = None,
    sd: float | None = None,
) -> Fit:
    """Penalised logistic regression ``P(y=1) = 1 / (1 + exp(-X b))``.

    Default: a normal prior of sd :data:`PRIOR_SD` on each slope around 0 (intercept free).
    With ``centre`` and ``sd``: a normal prior of that sd on every coefficient around
    ``centre`` (partial pooling toward a reference fit).
    """
    from scipy import optimize  # imported here: many runs never call it (start-up time)

    X, y = np.asarray(X, float), np.asarray(y, float)
    w = _penalty(X.shape[1])
    c = np.zeros(X.shape[1])
    if centre is not None:
        c = np.asarray(centre, float)
        w = np.full(X.shape[1], 1.0 / float(sd or PRIOR_SD) ** 2)

    def nll(b: np.ndarray) -> tuple[float, np.ndarray]:
        z = X @ b
        ll = y * z - np.logaddexp(0.0, z)
        p = 1.0 / (1.0 + np.exp(-z))
        d = b - c
        return -ll.sum() + 0.5 * (w * d * d).sum(), -(X.T @ (y - p)) + w * d

    res = optimize.minimize(nll, c.copy(), jac=True, method="BFGS")
    b = res.x
    p = 1.0 / (1.0 + np.exp(-(X @ b)))
    info = X.T @ (X * (p * (1 - p))[:, None]) + np.diag(w)
    se = np.sqrt(np.diag(np.linalg.inv(info)))
    return Fit(names, b, se, n=len(y))

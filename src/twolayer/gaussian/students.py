"""Fitting students to a teacher: L-BFGS from random initializations, Newton polishing, and the
classification of the end points into global minima, spurious minima and other points (the
experiment of Safran & Shamir 2018).

Imports only :mod:`twolayer._checks` and the package's other modules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import cho_factor, cho_solve
from scipy.optimize import minimize

from .._checks import as_rng, check_int, check_int_sequence, check_pair, check_real
from ._checks import row_norms
from .arccos import arccos_kernel
from .relu_teacher import (
    _hessian,
    _loss_and_gradient,
    hessian_spectrum,
    population_gradient,
    population_loss,
)

__all__ = [
    "FitResult",
    "SpuriousExperiment",
    "fit_student",
    "identity_teacher",
    "newton_polish",
    "spurious_minima_experiment",
]


def identity_teacher(d: int) -> np.ndarray:
    """The teacher ``V = I_d`` of Safran & Shamir (2018): d orthonormal neurons, shape (d, d)."""
    d = check_int(d, "d", low=1)
    return np.eye(d)


@dataclass
class FitResult:
    """End point of one student fit.

    Attributes
    ----------
    W : ndarray, shape (k, d)
        Final weights.
    loss : float
        Population loss at W.
    grad_norm : float
        Euclidean norm of the gradient at W.
    min_eig : float
        Smallest Hessian eigenvalue at W (``nan`` when not computed).
    kind : str
        ``"global"`` (loss below ``global_tol``), ``"spurious"`` (a minimum: small gradient and
        positive definite Hessian, loss above ``global_tol``) or ``"other"`` (not a certified
        minimum: a saddle, or not converged).
    iterations : int
        L-BFGS iterations.
    """

    W: np.ndarray
    loss: float
    grad_norm: float
    min_eig: float
    kind: str
    iterations: int


def fit_student(
    W0: object,
    V: object,
    *,
    gtol: float = 1e-10,
    max_iter: int = 5000,
    polish_steps: int = 3,
    global_tol: float = 1e-8,
    classify: bool = True,
    method: str = "L-BFGS-B",
) -> FitResult:
    """Minimize the population loss from ``W0`` by L-BFGS with the closed-form gradient.

    ``scipy.optimize.minimize(method="L-BFGS-B")`` runs until the gradient's largest entry is
    below ``gtol``; then up to ``polish_steps`` Newton steps with the exact Hessian
    (:func:`newton_polish`) sharpen a minimum to machine precision, and the end point is
    classified as in Safran & Shamir (2018, sec. 4): global if the loss is below
    ``global_tol``, spurious if it is above and the Hessian is positive definite.

    Parameters
    ----------
    W0 : array_like, shape (k, d)
        Initial student weights.
    V : array_like, shape (m, d)
        Teacher.
    gtol : float
        Stopping tolerance on the gradient (sup norm).
    max_iter : int
        L-BFGS iteration limit.
    polish_steps : int
        Newton steps after L-BFGS (0 for none).
    global_tol : float
        Loss below which an end point counts as a global minimum.
    classify : bool
        Compute the smallest Hessian eigenvalue and classify (dense ``k d x k d`` eigh).

    Returns
    -------
    FitResult
    """
    W0, V = check_pair(W0, V)
    gtol = check_real(gtol, "gtol", low=0.0, low_open=True)
    max_iter = check_int(max_iter, "max_iter", low=1)
    polish_steps = check_int(polish_steps, "polish_steps", low=0)
    global_tol = check_real(global_tol, "global_tol", low=0.0)
    shape = W0.shape

    nv = row_norms(V, "V", allow_zero=True)
    const = 0.5 * arccos_kernel(V, V).sum()

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        loss, grad = _loss_and_gradient(x.reshape(shape), V, nv, const)
        return loss, grad.ravel()

    if method not in ("BFGS", "L-BFGS-B"):
        raise ValueError(f"method must be 'BFGS' or 'L-BFGS-B', got {method!r}")
    options: dict[str, float] = {"maxiter": max_iter, "gtol": gtol}
    if method == "L-BFGS-B":
        options.update(ftol=0.0, maxcor=20)
    res = minimize(fun, W0.ravel(), jac=True, method=method, options=options)
    W = res.x.reshape(shape)
    loss = population_loss(W, V)
    if polish_steps and loss > global_tol:
        W = _newton_polish(W, V, polish_steps)
        loss = population_loss(W, V)
    grad_norm = float(np.linalg.norm(population_gradient(W, V)))
    min_eig, kind = float("nan"), "other"
    if loss <= global_tol:
        kind = "global"
    elif classify:
        min_eig = float(hessian_spectrum(W, V)[0])
        if grad_norm < 1e-6 and min_eig > 1e-8:
            kind = "spurious"
    return FitResult(W, loss, grad_norm, min_eig, kind, int(res.nit))


def newton_polish(W: object, V: object, *, steps: int = 3) -> np.ndarray:
    """Newton steps ``vec(W) -= H^{-1} grad`` with the exact Hessian, kept only while they help.

    Used to sharpen an approximate minimum (positive definite Hessian) to machine precision; a
    step is rejected, and the iteration stops, when the Hessian is not positive definite or the
    gradient norm does not decrease.

    Parameters
    ----------
    W : array_like, shape (k, d)
    V : array_like, shape (m, d)
    steps : int
        Maximal number of Newton steps.

    Returns
    -------
    ndarray, shape (k, d)
    """
    W, V = check_pair(W, V)
    steps = check_int(steps, "steps", low=0)
    row_norms(W, "W", allow_zero=False)
    return _newton_polish(W, V, steps)


def _newton_polish(W: np.ndarray, V: np.ndarray, steps: int) -> np.ndarray:
    """:func:`newton_polish` on checked arrays (W without zero rows)."""
    g = population_gradient(W, V)
    gnorm = np.linalg.norm(g)
    for _ in range(steps):
        H = _hessian(W, V)
        try:
            factor = cho_factor(H)
        except np.linalg.LinAlgError:
            break
        step = cho_solve(factor, g.ravel()).reshape(W.shape)
        W_new = W - step
        if np.any(np.einsum("ij,ij->i", W_new, W_new) == 0.0):
            break
        g_new = population_gradient(W_new, V)
        if np.linalg.norm(g_new) >= gnorm:
            break
        W, g, gnorm = W_new, g_new, np.linalg.norm(g_new)
    return W


class EndPointCounts:
    """Counts over ``self.fits`` (dict k -> sequence of :class:`FitResult`), shared by the
    results of :func:`spurious_minima_experiment` and :func:`twolayer.gaussian.spurious_rates`."""

    fits: Mapping[int, Sequence[FitResult]]

    def runs_at(self, k: int) -> int:
        """Number of runs at size k."""
        return len(self.fits[k])

    def count(self, k: int, kind: str = "spurious") -> int:
        """Number of runs at size k that ended at a point of the given kind."""
        return sum(f.kind == kind for f in self.fits[k])

    def fraction(self, k: int, kind: str = "spurious") -> float:
        """Fraction of the runs at size k that ended at a point of the given kind."""
        return self.count(k, kind) / self.runs_at(k)

    def losses(self, k: int, kind: str = "spurious") -> np.ndarray:
        """Sorted loss values of the end points of the given kind at size k."""
        return np.sort([f.loss for f in self.fits[k] if f.kind == kind])


@dataclass
class SpuriousExperiment(EndPointCounts):
    """Outcome of :func:`spurious_minima_experiment`.

    Attributes
    ----------
    ks : list of int
        Sizes ``k = d`` tried.
    runs : int
        Initializations per size.
    fits : dict int -> list of FitResult
        End points per size.
    """

    ks: list[int]
    runs: int
    fits: dict[int, list[FitResult]] = field(default_factory=dict)


def spurious_minima_experiment(
    ks: Sequence[int],
    runs: int,
    rng: object,
    *,
    init_scale: float | None = None,
    gtol: float = 1e-10,
    max_iter: int = 5000,
) -> SpuriousExperiment:
    """The experiment of Safran & Shamir (2018, sec. 4) at k = d with the teacher ``V = I_d``.

    For each k, ``runs`` students are drawn with i.i.d. ``N(0, init_scale^2)`` entries
    (default ``init_scale = 1/sqrt(d)``, a Xavier-type initialization), fitted by
    :func:`fit_student` and classified as global minima, spurious minima or other end points.

    Parameters
    ----------
    ks : sequence of int
        Sizes ``k = d`` (each at least 2).
    runs : int
        Initializations per size.
    rng : numpy.random.Generator or int
    init_scale : float, optional
        Standard deviation of the initial entries.
    gtol, max_iter : see :func:`fit_student`

    Returns
    -------
    SpuriousExperiment
    """
    ks = check_int_sequence(ks, "ks", low=2)
    runs = check_int(runs, "runs", low=1)
    gen = as_rng(rng)
    out = SpuriousExperiment(ks=ks, runs=runs)
    for k in ks:
        scale = 1.0 / np.sqrt(k) if init_scale is None else check_real(
            init_scale, "init_scale", low=0.0, low_open=True
        )
        V = identity_teacher(k)
        out.fits[k] = [
            fit_student(scale * gen.standard_normal((k, k)), V, gtol=gtol, max_iter=max_iter)
            for _ in range(runs)
        ]
    return out

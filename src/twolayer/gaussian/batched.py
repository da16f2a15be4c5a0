"""Many students at once: a batched L-BFGS on the closed-form population loss, the
classification of end points (global minimum, spurious minimum, saddle, other) and spurious-
minimum rates with their Wilson intervals (the experiment of Safran & Shamir 2018, with
hundreds of initializations per size).

The batched L-BFGS runs ``R`` independent L-BFGS iterations as one array computation: every
run keeps its own memory of curvature pairs and its own step length, found by the same
backtracking (Armijo) rule, and stops on its own test; a run's iterates do not depend on the
other runs, so a batch of ``R`` starts gives the same end points as ``R`` separate calls
(tested). The loss and gradient of all runs come from one evaluation of the arc-cosine closed
form on arrays of shape ``(R, k, k + m)``. End points that are not global minima are then
polished one by one with Newton's method on the exact Hessian and classified.

Imports only :mod:`twolayer._checks` and the package's other modules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .._checks import (
    as_array,
    as_rng,
    check_callable,
    check_int,
    check_int_sequence,
    check_pair,
    check_real,
)
from ._checks import row_norms
from .arccos import _SMALL_SINE, _arccos
from .relu_teacher import _hessian, _loss_and_gradient
from .students import EndPointCounts, FitResult, _newton_polish, identity_teacher

__all__ = [
    "BatchedFit",
    "SpuriousRates",
    "batched_lbfgs",
    "batched_loss_and_gradient",
    "classify_point",
    "batched_gradient_descent",
    "spurious_rates",
    "pool_rates",
    "spurious_rates_gd",
    "wilson_interval",
]

_TWO_PI = 2.0 * np.pi

#: The kinds of end points, in the order the tables print them.
KINDS = ("global", "spurious", "saddle", "other")


# ----------------------------------------------------------------------------- batched loss


def _batched_kernel(W: np.ndarray, V: np.ndarray, const: float) -> tuple[np.ndarray, np.ndarray]:
    """Population loss (R,) and gradient (R, k, d) of R students W (R, k, d), teacher V (m, d).

    The formulas of :func:`twolayer.gaussian.population_gradient`, vectorized over the runs;
    ``const = 1/2 sum kappa(V, V)``. The sines come from ``sqrt(1 - c^2)`` and, for the few
    nearly parallel pairs, from the norm of the orthogonal component, as in
    :func:`twolayer.gaussian.arccos._sines`; the angles from ``arctan2(s, c)``, as in
    :func:`twolayer.gaussian.arccos._angles` (``arccos(c)`` loses half the digits there).
    """
    R, k, _ = W.shape
    nw = np.sqrt(np.einsum("rkd,rkd->rk", W, W))
    Wb = W / np.where(nw > 0, nw, 1.0)[:, :, None]
    nv = np.sqrt(np.einsum("md,md->m", V, V))
    Vb = V / np.where(nv > 0, nv, 1.0)[:, None]
    loss = np.full(R, const)
    grad = np.zeros_like(W)
    diag = np.arange(k)
    pairs = ((W, Wb, nw[:, :, None], 1.0, 0.5), (V, Vb, nv[:, None], -1.0, 1.0))
    for U, Ub, nu, sign, half in pairs:
        if U is W:
            c = Wb @ np.swapaxes(Wb, -1, -2)
        else:  # one matrix product for all runs
            c = (Wb.reshape(-1, Ub.shape[1]) @ Ub.T).reshape(R, k, -1)
        np.clip(c, -1.0, 1.0, out=c)
        if U is W:  # a neuron with itself: angle 0 exactly
            c[:, diag, diag] = 1.0
        s = np.sqrt(np.maximum(0.0, 1.0 - c * c))
        # Nearly (anti)parallel pairs: the sine as |b - c a| (see arccos._sines).
        r_, i_, j_ = np.nonzero((s < _SMALL_SINE) & (s > 0))
        if r_.size:
            other = Ub[r_, j_] if U is W else Ub[j_]
            v = other - c[r_, i_, j_][:, None] * Wb[r_, i_]
            s[r_, i_, j_] = np.sqrt(np.einsum("ij,ij->i", v, v))
        pt = np.pi - np.arctan2(s, c)  # accurate also where c is nearly +-1 (arccos._angles)
        # sum_j |u_j| (s + (pi - t) c)_ij and sum_j |u_j| s_ij, as matrix-vector products.
        su = (s @ nu)[:, :, 0]
        ku = ((s + pt * c) @ nu)[:, :, 0]
        loss += sign * half * np.einsum("rk,rk->r", nw, ku) / _TWO_PI
        lin = pt @ U if U is W else (pt.reshape(R * k, -1) @ U).reshape(R, k, -1)
        grad += sign * (su[:, :, None] * Wb + lin)
    return np.maximum(loss, 0.0), grad / _TWO_PI


def batched_loss_and_gradient(W: object, V: object) -> tuple[np.ndarray, np.ndarray]:
    """Population loss and gradient of many students at once.

    Parameters
    ----------
    W : array_like, shape (R, k, d)
        R students, rows of each ``W[r]`` are neurons.
    V : array_like, shape (m, d)
        Teacher.

    Returns
    -------
    loss : ndarray, shape (R,)
        ``1/2 E[(f(x; W[r]) - f(x; V))^2]``, ``x ~ N(0, I_d)`` (Safran & Shamir 2018, eq. 1).
    grad : ndarray, shape (R, k, d)
    """
    W = _check_batch(W, "W")
    V = as_array(V, "V", ndim=2)
    if V.shape[1] != W.shape[2]:
        raise ValueError(
            f"V must have d = {W.shape[2]} columns like the students W, got shape {V.shape}"
        )
    for r in range(W.shape[0]):
        row_norms(W[r], f"W[{r}]", allow_zero=False)
    const = 0.5 * float(_arccos(V, V, 1).sum())
    return _batched_kernel(W, V, const)


def _check_batch(W: object, name: str) -> np.ndarray:
    W = as_array(W, name, ndim=3)
    if 0 in W.shape:
        raise ValueError(f"{name} must have at least one run, row and column, got {W.shape}")
    return W


# ----------------------------------------------------------------------------- batched L-BFGS


@dataclass(frozen=True)
class BatchedFit:
    """End points of :func:`batched_lbfgs`.

    Attributes
    ----------
    x : ndarray, shape (R, p)
        Final iterates.
    loss : ndarray, shape (R,)
    grad_max : ndarray, shape (R,)
        Largest gradient entry in absolute value at ``x``.
    iterations : ndarray of int, shape (R,)
    converged : ndarray of bool, shape (R,)
        The run met ``grad_max <= gtol`` or ``loss <= ftarget``.
    evaluations : int
        Batched evaluations of the objective (each over the runs still active).
    """

    x: np.ndarray
    loss: np.ndarray
    grad_max: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    evaluations: int


def batched_lbfgs(
    fun: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    x0: object,
    *,
    gtol: float = 1e-9,
    ftarget: float = 0.0,
    max_iter: int = 5000,
    memory: int = 10,
) -> BatchedFit:
    """L-BFGS (Nocedal & Wright 2006, alg. 7.4 and 7.5) for R independent problems at once.

    Each run ``r`` keeps the last ``memory`` pairs ``(s, y)`` with ``s . y > 0``, computes its
    direction by the two-loop recursion with the scaling ``gamma = s . y / y . y`` of the newest
    pair, and takes the first step of ``1, 1/2, 1/4, ...`` that satisfies the Armijo condition
    ``f(x + a p) <= f(x) + 1e-4 a g . p`` (a direction that is not a descent direction is
    replaced by ``-g`` and the memory cleared). A run stops when its largest gradient entry is
    at most ``gtol`` or its loss at most ``ftarget``; the others go on, and each evaluation of
    ``fun`` is over the active runs only.

    Parameters
    ----------
    fun : callable
        ``fun(X) -> (f, G)`` with ``X (R', p)``, ``f (R',)``, ``G (R', p)``, for any subset of
        the runs.
    x0 : array_like, shape (R, p)
        Starting points.
    gtol : float
        Stopping tolerance on the sup norm of the gradient.
    ftarget : float
        A run also stops when its loss is at most this (a global minimum of a nonnegative loss).
    max_iter : int
        Iteration limit per run.
    memory : int
        Number of stored curvature pairs.

    Returns
    -------
    BatchedFit
    """
    check_callable(fun, "fun")
    x0 = as_array(x0, "x0", ndim=2)
    gtol = check_real(gtol, "gtol", low=0.0, low_open=True)
    ftarget = check_real(ftarget, "ftarget")
    max_iter = check_int(max_iter, "max_iter", low=1)
    memory = check_int(memory, "memory", low=1)
    return _batched_lbfgs(fun, x0, gtol, ftarget, max_iter, memory)


def _batched_lbfgs(
    fun: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    x0: np.ndarray,
    gtol: float,
    ftarget: float,
    max_iter: int,
    memory: int,
) -> BatchedFit:
    R, p = x0.shape
    x = x0.copy()
    f, g = fun(x)
    evals = 1
    iters = np.zeros(R, dtype=int)
    # The state of the runs still going, compacted whenever runs stop: ids are their rows in
    # x, f, g, iters, where a run's end point is written when it stops.
    ids = np.flatnonzero(~((np.abs(g).max(axis=1) <= gtol) | (f <= ftarget)))
    xa, fa, ga = x[ids], f[ids], g[ids]
    Sa = np.zeros((ids.size, memory, p))
    Ya = np.zeros((ids.size, memory, p))
    rhoa = np.zeros((ids.size, memory))  # 0 marks an empty slot
    na = np.zeros(ids.size, dtype=int)  # slot of the next pair
    for _ in range(max_iter):
        if ids.size == 0:
            break
        # Two-loop recursion, newest pair first (an empty slot has rho = 0 and does nothing).
        rows = np.arange(ids.size)
        order = [(na - 1 - j) % memory for j in range(memory)]
        q = ga.copy()
        alphas = []
        for j in order:
            a_j = rhoa[rows, j] * np.einsum("rp,rp->r", Sa[rows, j], q)
            q -= a_j[:, None] * Ya[rows, j]
            alphas.append(a_j)
        last = order[0]
        r_last, y_last = rhoa[rows, last], Ya[rows, last]
        yy = np.einsum("rp,rp->r", y_last, y_last)
        has = r_last > 0
        # gamma = s.y / y.y of the newest pair; without one, a first step of length <= 1.
        gamma = np.where(
            has,
            1.0 / np.where(has, r_last * yy, 1.0),
            1.0 / np.maximum(1.0, np.sqrt(np.einsum("rp,rp->r", ga, ga))),
        )
        z = gamma[:, None] * q
        for j, a_j in zip(reversed(order), reversed(alphas)):
            beta = rhoa[rows, j] * np.einsum("rp,rp->r", Ya[rows, j], z)
            z += (a_j - beta)[:, None] * Sa[rows, j]
        direction = -z
        slope = np.einsum("rp,rp->r", ga, direction)
        bad = ~(slope < 0)
        if np.any(bad):
            direction[bad] = -ga[bad]
            slope[bad] = -np.einsum("rp,rp->r", ga[bad], ga[bad])
            rhoa[bad] = 0.0
        # Backtracking line search, each run its own step.
        step = np.ones(ids.size)
        x_new, f_new, g_new = xa.copy(), fa.copy(), ga.copy()
        todo = np.arange(ids.size)
        for _halving in range(30):
            trial = xa[todo] + step[todo, None] * direction[todo]
            ft, gt = fun(trial)
            evals += 1
            ok = np.isfinite(ft) & (ft <= fa[todo] + 1e-4 * step[todo] * slope[todo])
            acc = todo[ok]
            x_new[acc], f_new[acc], g_new[acc] = trial[ok], ft[ok], gt[ok]
            todo = todo[~ok]
            if todo.size == 0:
                break
            step[todo] *= 0.5
        # A run stops when no step of length >= 2^-29 decreases its loss by more than
        # rounding: the gradient is then at the level the loss can resolve.
        stuck = fa - f_new <= 1e-15 * np.maximum(1.0, np.abs(fa))
        stuck[todo] = True
        s_new = x_new - xa
        y_new = g_new - ga
        sy = np.einsum("rp,rp->r", s_new, y_new)
        keep = sy > 1e-12 * np.sqrt(
            np.einsum("rp,rp->r", s_new, s_new) * np.einsum("rp,rp->r", y_new, y_new)
        )
        slot = na % memory
        Sa[rows[keep], slot[keep]] = s_new[keep]
        Ya[rows[keep], slot[keep]] = y_new[keep]
        rhoa[rows[keep], slot[keep]] = 1.0 / sy[keep]
        na = np.where(keep, na + 1, na)
        xa, fa, ga = x_new, f_new, g_new
        iters[ids] += 1
        done = (np.abs(g_new).max(axis=1) <= gtol) | (f_new <= ftarget) | stuck
        if np.any(done):
            end = ids[done]
            x[end], f[end], g[end] = xa[done], fa[done], ga[done]
            go = ~done
            ids, xa, fa, ga = ids[go], xa[go], fa[go], ga[go]
            Sa, Ya, rhoa, na = Sa[go], Ya[go], rhoa[go], na[go]
    x[ids], f[ids], g[ids] = xa, fa, ga  # the runs that reached max_iter
    grad_max = np.abs(g).max(axis=1)
    converged = (grad_max <= gtol) | (f <= ftarget)
    return BatchedFit(x, f, grad_max, iters, converged, evals)



# ----------------------------------------------------------------------------- classification


def classify_point(
    W: object,
    V: object,
    *,
    global_tol: float = 1e-8,
    grad_tol: float = 1e-6,
    eig_tol: float = 1e-8,
) -> tuple[str, float, float]:
    """Classify a point of the population loss: global minimum, spurious minimum, saddle, other.

    The rule of Safran & Shamir (2018, sec. 4), with the saddles told apart:

    * ``"global"`` if the loss is at most ``global_tol``;
    * otherwise, if the gradient norm is above ``grad_tol``, ``"other"`` (not a critical point);
    * otherwise by the smallest Hessian eigenvalue ``lambda_min``: ``"spurious"`` if
      ``lambda_min > eig_tol`` (a strict local minimum that is not global), ``"saddle"`` if
      ``lambda_min < -eig_tol``, and ``"other"`` in between (degenerate, undecided at second
      order).

    Parameters
    ----------
    W : array_like, shape (k, d)
    V : array_like, shape (m, d)
    global_tol, grad_tol, eig_tol : float

    Returns
    -------
    (kind, grad_norm, min_eig) : tuple of (str, float, float)
        ``min_eig`` is ``nan`` when the rule did not need the Hessian.
    """
    W, V = check_pair(W, V)
    row_norms(W, "W", allow_zero=False)
    global_tol = check_real(global_tol, "global_tol", low=0.0)
    grad_tol = check_real(grad_tol, "grad_tol", low=0.0, low_open=True)
    eig_tol = check_real(eig_tol, "eig_tol", low=0.0)
    return _classify(W, V, global_tol, grad_tol, eig_tol)


def _classify(
    W: np.ndarray, V: np.ndarray, global_tol: float, grad_tol: float, eig_tol: float
) -> tuple[str, float, float]:
    nv = np.sqrt(np.einsum("ij,ij->i", V, V))
    const = 0.5 * float(_arccos(V, V, 1).sum())
    loss, grad = _loss_and_gradient(W, V, nv, const)
    gnorm = float(np.linalg.norm(grad))
    if loss <= global_tol:
        return "global", gnorm, float("nan")
    if gnorm > grad_tol:
        return "other", gnorm, float("nan")
    lam = float(np.linalg.eigvalsh(_hessian(W, V))[0])
    if lam > eig_tol:
        return "spurious", gnorm, lam
    if lam < -eig_tol:
        return "saddle", gnorm, lam
    return "other", gnorm, lam


def wilson_interval(successes: int, trials: int, *, z: float = 1.959963984540054) -> tuple[
    float, float
]:
    """Wilson score interval for a binomial proportion (Wilson 1927; Brown, Cai & DasGupta 2001).

    ``(p + z^2/(2n) -+ z sqrt(p (1-p)/n + z^2/(4 n^2))) / (1 + z^2/n)`` with ``p = successes/n``;
    the default ``z`` gives a 95% interval. Unlike the Wald interval it stays inside [0, 1] and
    does not collapse to a point when no run (or every run) succeeds.

    Returns
    -------
    (low, high) : tuple of float
    """
    trials = check_int(trials, "trials", low=1)
    successes = check_int(successes, "successes", low=0)
    if successes > trials:
        raise ValueError(f"successes must be <= trials = {trials}, got {successes}")
    z = check_real(z, "z", low=0.0, low_open=True)
    return _wilson(successes, trials, z)


def _wilson(successes: int, trials: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = successes / trials
    z2 = z * z / trials
    centre = p + 0.5 * z2
    half = z * np.sqrt(p * (1.0 - p) / trials + 0.25 * z2 / trials)
    # The ends are exact at 0 and n successes (the formula leaves a rounding error there).
    low = 0.0 if successes == 0 else max(0.0, (centre - half) / (1.0 + z2))
    high = 1.0 if successes == trials else min(1.0, (centre + half) / (1.0 + z2))
    return float(low), float(high)


# ----------------------------------------------------------------------------- the experiment


@dataclass(frozen=True)
class SpuriousRates(EndPointCounts):
    """Outcome of :func:`spurious_rates`.

    Attributes
    ----------
    ks : tuple of int
        Sizes ``k = d``.
    runs : int
        Initializations per size (for a :func:`pool_rates` of parts with different numbers of
        runs per size, the smallest; :meth:`runs_at` gives each).
    fits : dict int -> tuple of FitResult
        Every end point per size (global ones without a Hessian: ``min_eig = nan``).
    evaluations : dict int -> int
        Batched evaluations of loss and gradient per size.
    """

    ks: tuple[int, ...]
    runs: int
    fits: dict[int, tuple[FitResult, ...]]
    evaluations: dict[int, int]

    def interval(self, k: int, kind: str = "spurious") -> tuple[float, float]:
        """95% Wilson interval of :meth:`fraction`."""
        return _wilson(self.count(k, kind), self.runs_at(k))


def spurious_rates(
    ks: Sequence[int],
    runs: int,
    rng: object,
    *,
    gtol: float = 1e-8,
    max_iter: int = 3000,
    global_tol: float = 1e-8,
) -> SpuriousRates:
    """The experiment of Safran & Shamir (2018, sec. 4) at ``k = d``, ``V = I_d``, batched.

    For each k, ``runs`` students with i.i.d. ``N(0, 1/k)`` entries (the Xavier initialization
    of Safran & Shamir's code) are fitted all at once by :func:`batched_lbfgs` on the population
    loss until the largest gradient entry is at most ``gtol`` (or the loss is below
    ``global_tol / 100``), and every end point is classified by the rule of
    :func:`classify_point`. End points above ``global_tol`` with the same loss (to ``1e-9``)
    and the same sorted entries (to ``1e-5``) lie, up to the accuracy of the fit, on one orbit
    of ``S_k x S_d``, where the Hessian spectrum is the same (it is conjugated by a
    permutation); one Hessian per orbit decides the kind, while the gradient test is applied to
    every end point. An end point that passes it with a positive definite Hessian is first
    refined by :func:`newton_polish` to the minimum it approximates (L-BFGS leaves it about
    ``gtol / lambda_min`` away, which can exceed the ``1e-6`` at which
    :func:`twolayer.symmetry.detect_isotropy` reads two entries as equal), so that the points of
    one orbit carry its symmetry to rounding and read as one isotropy type.

    Parameters
    ----------
    ks : sequence of int
        Sizes ``k = d`` (each at least 2).
    runs : int
        Initializations per size.
    rng : numpy.random.Generator or int
    gtol, max_iter : see :func:`batched_lbfgs`
    global_tol : float

    Returns
    -------
    SpuriousRates
    """
    ks = check_int_sequence(ks, "ks", low=2)
    runs = check_int(runs, "runs", low=1)
    gen = as_rng(rng)
    gtol = check_real(gtol, "gtol", low=0.0, low_open=True)
    max_iter = check_int(max_iter, "max_iter", low=1)
    global_tol = check_real(global_tol, "global_tol", low=0.0)
    fits: dict[int, tuple[FitResult, ...]] = {}
    evaluations: dict[int, int] = {}
    for k in ks:
        W0 = gen.standard_normal((runs, k, k)) / np.sqrt(k)
        fits[k], evaluations[k] = _fit_batch(W0, identity_teacher(k), gtol, max_iter, global_tol)
    return SpuriousRates(ks=tuple(ks), runs=runs, fits=fits, evaluations=evaluations)


def pool_rates(parts: Sequence[SpuriousRates]) -> SpuriousRates:
    """Join the results of several :func:`spurious_rates` calls into one.

    The end points of a size are those of the parts in their order, so the parts of one
    ``numpy.random.Generator`` stream at a size (``spurious_rates([k], 200, rng=gen)`` called
    twice) pool to exactly ``spurious_rates([k], 400, rng=seed)`` for ``gen =
    default_rng(seed)``: a run does not depend on the others in its batch. This lets a
    notebook split a large experiment over cells.

    Parameters
    ----------
    parts : sequence of SpuriousRates
        At least one; sizes may repeat across parts and differ between them.

    Returns
    -------
    SpuriousRates
        Sizes in order of first appearance, evaluations summed per size.
    """
    if not isinstance(parts, Sequence) or len(parts) == 0:
        raise ValueError(f"parts must be a non-empty sequence of SpuriousRates, got {parts!r}")
    for i, part in enumerate(parts):
        if not isinstance(part, SpuriousRates):
            raise TypeError(f"parts[{i}] must be a SpuriousRates, got {type(part).__name__}")
    fits: dict[int, tuple[FitResult, ...]] = {}
    evaluations: dict[int, int] = {}
    for part in parts:
        for k in part.ks:
            fits[k] = fits.get(k, ()) + tuple(part.fits[k])
            evaluations[k] = evaluations.get(k, 0) + part.evaluations[k]
    return SpuriousRates(ks=tuple(fits), runs=min(len(f) for f in fits.values()), fits=fits,
                         evaluations=evaluations)


def _orbit_key(W: np.ndarray, loss: float) -> tuple[float, bytes]:
    """A key shared by the points of one ``S_k x S_d`` orbit: the loss and the sorted entries."""
    return round(loss, 9), np.round(np.sort(W, axis=None), 5).tobytes()


def _fit_batch(
    W0: np.ndarray, V: np.ndarray, gtol: float, max_iter: int, global_tol: float
) -> tuple[tuple[FitResult, ...], int]:
    """Batched L-BFGS from W0 (R, k, d), then classify each end point (one Hessian per orbit)."""
    R, k, d = W0.shape
    const = 0.5 * float(_arccos(V, V, 1).sum())

    def fun(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        loss, grad = _batched_kernel(x.reshape(-1, k, d), V, const)
        return loss, grad.reshape(x.shape[0], -1)

    res = _batched_lbfgs(fun, W0.reshape(R, -1), gtol, 0.01 * global_tol, max_iter, 10)
    nv = np.sqrt(np.einsum("ij,ij->i", V, V))
    orbit_eig: dict[tuple[float, bytes], float] = {}
    out = []
    for r in range(R):
        W = res.x[r].reshape(k, d)
        loss, g = _loss_and_gradient(W, V, nv, const)
        gnorm, lam, its = float(np.linalg.norm(g)), float("nan"), int(res.iterations[r])
        if loss <= global_tol:
            kind = "global"
        elif gnorm > 1e-6 or np.any(np.einsum("ij,ij->i", W, W) == 0):
            kind = "other"
        else:
            W = _newton_polish(W, V, 3)
            loss, g = _loss_and_gradient(W, V, nv, const)
            gnorm = float(np.linalg.norm(g))
            key = _orbit_key(W, loss)
            if key not in orbit_eig:
                orbit_eig[key] = float(np.linalg.eigvalsh(_hessian(W, V))[0])
            lam = orbit_eig[key]
            kind = "spurious" if lam > 1e-8 else "saddle" if lam < -1e-8 else "other"
        out.append(FitResult(W, float(loss), gnorm, lam, kind, its))
    return tuple(out), res.evaluations


# ----------------------------------------------------------------------------- batched GD


def batched_gradient_descent(
    fun: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    x0: object,
    *,
    step: float,
    gtol: float = 1e-9,
    ftarget: float = 0.0,
    max_iter: int = 100_000,
) -> BatchedFit:
    """Gradient descent with a fixed step for R independent problems at once.

    ``x <- x - step * grad f(x)`` for every run until the Euclidean norm of its gradient is at
    most ``gtol`` (the stopping rule of Safran, Yehudai & Shamir 2021, sec. 4.2, who use the
    step ``5/k`` and ``gtol = 1e-12``) or its loss at most ``ftarget``; the runs that stop drop
    out of the batch, each evaluation of ``fun`` is over the active runs only, and a run's
    iterates do not depend on the others. A run whose loss becomes non-finite stops
    (``converged`` is then false).

    Parameters
    ----------
    fun : callable
        ``fun(X) -> (f, G)`` with ``X (R', p)``, ``f (R',)``, ``G (R', p)``, for any subset of
        the runs.
    x0 : array_like, shape (R, p)
        Starting points.
    step : float
        Step size, positive.
    gtol : float
        Stopping tolerance on the Euclidean norm of the gradient.
    ftarget : float
        A run also stops when its loss is at most this.
    max_iter : int
        Iteration limit per run.

    Returns
    -------
    BatchedFit
        ``grad_max`` is, as for :func:`batched_lbfgs`, the largest gradient entry.
    """
    check_callable(fun, "fun")
    x0 = as_array(x0, "x0", ndim=2)
    step = check_real(step, "step", low=0.0, low_open=True)
    gtol = check_real(gtol, "gtol", low=0.0, low_open=True)
    ftarget = check_real(ftarget, "ftarget")
    max_iter = check_int(max_iter, "max_iter", low=1)
    return _batched_gd(fun, x0, step, gtol, ftarget, max_iter)


def _batched_gd(
    fun: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    x0: np.ndarray,
    step: float,
    gtol: float,
    ftarget: float,
    max_iter: int,
) -> BatchedFit:
    x = x0.copy()
    f, g = fun(x)
    evals = 1
    iters = np.zeros(x.shape[0], dtype=int)

    def finished(fv: np.ndarray, gv: np.ndarray) -> np.ndarray:
        return (np.sqrt(np.einsum("rp,rp->r", gv, gv)) <= gtol) | (fv <= ftarget) | ~np.isfinite(fv)

    active = ~finished(f, g)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        xa = x[idx] - step * g[idx]
        fa, ga = fun(xa)
        evals += 1
        x[idx], f[idx], g[idx] = xa, fa, ga
        iters[idx] += 1
        active[idx[finished(fa, ga)]] = False
    gnorm = np.sqrt(np.einsum("rp,rp->r", g, g))
    converged = np.isfinite(f) & ((gnorm <= gtol) | (f <= ftarget))
    return BatchedFit(x, f, np.abs(g).max(axis=1), iters, converged, evals)


def spurious_rates_gd(
    ks: Sequence[int],
    runs: int,
    rng: object,
    *,
    step_scale: float = 5.0,
    gtol: float = 1e-9,
    max_iter: int = 200_000,
    global_tol: float = 1e-8,
) -> SpuriousRates:
    """:func:`spurious_rates` with the optimizer of Safran, Yehudai & Shamir (2021, sec. 4.2).

    The same starts as :func:`spurious_rates` for the same ``rng`` (i.i.d. ``N(0, 1/k)``
    entries, drawn in the same order), run by :func:`batched_gradient_descent` with the fixed
    step ``step_scale / k`` until the Euclidean gradient norm is at most ``gtol`` (their
    ``1e-12``; the default ``1e-9`` already puts every end point inside the quadratic region
    of its minimum, where the last digits change nothing but the cost) or the loss is below
    ``global_tol / 100``. The end points are then classified exactly as in
    :func:`spurious_rates` (with no L-BFGS step: the end points are classified where gradient
    descent left them; a near-critical one with a positive definite Hessian is refined by
    :func:`newton_polish`). A run that reaches ``max_iter`` is classified where it stopped
    (mostly ``"other"``).

    Parameters
    ----------
    ks : sequence of int
        Sizes ``k = d`` (each at least 2).
    runs : int
        Initializations per size.
    rng : numpy.random.Generator or int
    step_scale : float
        The step is ``step_scale / k``.
    gtol, max_iter : see :func:`batched_gradient_descent`
    global_tol : float

    Returns
    -------
    SpuriousRates
        ``evaluations`` counts gradient steps (batched evaluations).
    """
    ks = check_int_sequence(ks, "ks", low=2)
    runs = check_int(runs, "runs", low=1)
    gen = as_rng(rng)
    step_scale = check_real(step_scale, "step_scale", low=0.0, low_open=True)
    gtol = check_real(gtol, "gtol", low=0.0, low_open=True)
    max_iter = check_int(max_iter, "max_iter", low=1)
    global_tol = check_real(global_tol, "global_tol", low=0.0)
    fits: dict[int, tuple[FitResult, ...]] = {}
    evaluations: dict[int, int] = {}
    for k in ks:
        W0 = gen.standard_normal((runs, k, k)) / np.sqrt(k)
        V = identity_teacher(k)
        const = 0.5 * float(_arccos(V, V, 1).sum())

        def fun(x: np.ndarray, k: int = k, V: np.ndarray = V, c: float = const):
            loss, grad = _batched_kernel(x.reshape(-1, k, k), V, c)
            return loss, grad.reshape(x.shape[0], -1)

        res = _batched_gd(fun, W0.reshape(runs, -1), step_scale / k, gtol, 0.01 * global_tol,
                          max_iter)
        ends = res.x.reshape(runs, k, k)
        classified, _ = _fit_batch(ends, V, 1e-8, 0, global_tol)  # no L-BFGS step
        fits[k] = tuple(replace(f, iterations=int(n)) for f, n in zip(classified, res.iterations))
        evaluations[k] = res.evaluations
    return SpuriousRates(ks=tuple(ks), runs=runs, fits=fits, evaluations=evaluations)

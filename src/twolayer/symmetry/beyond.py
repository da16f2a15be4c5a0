"""Least symmetry breaking beyond standard Gaussian inputs: teacher-student fitting for input
laws, activations and depths where the arc-cosine closed form of :mod:`twolayer.gaussian` does
not apply as it is, the isotropy of the minima found, and the table of the chapter "Least
symmetry breaking".

Settings (each keeps the invariance of the loss under ``S_k x S_d`` with the teacher
``V = I_d``, so that the isotropy of a minimum is defined as in :mod:`.isotropy`):

* ``law = correlated_gaussian(d, rho)``: ``x ~ N(0, Sigma)``, ``Sigma = (1 - rho) I + rho 11^T``,
  invariant under every permutation of the coordinates but not a multiple of I. Exact: with
  ``S = Sigma^{1/2}`` (which commutes with the permutations), ``x = S z`` and
  ``L_Sigma(W) = L_I(W S, V S)``, ``grad L_Sigma(W) = grad L_I(W S, V S) S``.
* ``law = gaussian_mixture(d, rhos, scales, weights)``: a mixture of centred Gaussians whose
  covariances ``scale_c^2 Sigma(rho_c)`` are permutation invariant; not Gaussian and not a
  product law (the coordinates are dependent). Exact: the loss is the weighted sum of the
  components' closed forms.
* ``activation="erf"``: the smooth activation ``erf`` for student and teacher, exact through
  ``E[erf(a.x) erf(b.x)] = (2/pi) arcsin(2 a.b / sqrt((1 + 2|a|^2)(1 + 2|b|^2)))`` for
  ``x ~ N(0, I)`` (Williams 1997), composed with ``S`` for a correlated law.
* ``depth=3``: a ReLU network with one more layer, ``f(x) = sum_i relu(sum_j A_ij relu(w_j.x))``,
  teacher ``W = A = I``, trained on a sample. A raw Gaussian sample breaks the symmetry
  ``S_d``; the sample closed under all coordinate permutations (``symmetrize=True``) restores
  it exactly, so the empirical loss is invariant under ``S_k x S_k x S_d``.

Imports :mod:`twolayer._checks`, :mod:`twolayer.gaussian` and the package's ``isotropy``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import permutations
from math import factorial

import numpy as np

from .._checks import as_rng, check_int, check_int_sequence, check_real
from ..gaussian.arccos import _arccos
from ..gaussian.batched import _batched_kernel, _batched_lbfgs
from .isotropy import detect_isotropy, is_maximal_isotropy

__all__ = [
    "TABLE_SETTINGS",
    "InputLaw",
    "RhoSweep",
    "SampleNoise",
    "SymmetryRow",
    "correlated_gaussian",
    "gaussian_mixture",
    "law_loss_and_gradient",
    "least_symmetry_table",
    "rho_sweep",
    "sample_noise_isotropy",
    "symmetric_sample",
    "symmetry_of_minima",
    "three_layer_symmetry",
]

_ACTIVATIONS = ("relu", "erf")


# ----------------------------------------------------------------------------- input laws


@dataclass(frozen=True)
class InputLaw:
    """A mixture of centred Gaussians ``sum_c weights[c] N(0, roots[c]^2)``.

    Attributes
    ----------
    name : str
    weights : tuple of float
        Mixture weights, summing to 1.
    roots : tuple of ndarray, each (d, d)
        Symmetric square roots ``S_c`` of the component covariances.
    """

    name: str
    weights: tuple[float, ...]
    roots: tuple[np.ndarray, ...]

    @property
    def d(self) -> int:
        """Input dimension."""
        return self.roots[0].shape[0]

    def sample(self, n: int, rng: object) -> np.ndarray:
        """``n`` inputs drawn from the law, shape (n, d)."""
        n = check_int(n, "n", low=1)
        gen = as_rng(rng)
        comp = gen.choice(len(self.weights), size=n, p=np.array(self.weights))
        Z = gen.standard_normal((n, self.d))
        out = np.empty_like(Z)
        for c, S in enumerate(self.roots):
            out[comp == c] = Z[comp == c] @ S
        return out


def _invariant_root(d: int, rho: float, scale: float) -> np.ndarray:
    """``scale * Sigma(rho)^{1/2}``: eigenvalues ``1 - rho`` on ``1^perp``, ``1 + (d-1) rho``
    on 1."""
    P = np.full((d, d), 1.0 / d)
    return scale * (np.sqrt(1.0 - rho) * (np.eye(d) - P) + np.sqrt(1.0 + (d - 1) * rho) * P)


def _check_rho(rho: object, d: int, name: str) -> float:
    return check_real(rho, name, low=-1.0 / (d - 1), high=1.0, low_open=True, high_open=True)


def correlated_gaussian(d: int, rho: float) -> InputLaw:
    """``N(0, (1 - rho) I + rho 11^T)``: permutation invariant, equal correlations ``rho``.

    Parameters
    ----------
    d : int
        Dimension, at least 2.
    rho : float
        Correlation, in ``(-1/(d-1), 1)`` (the covariance is then positive definite).
    """
    d = check_int(d, "d", low=2)
    rho = _check_rho(rho, d, "rho")
    return InputLaw(f"Gaussian, rho = {rho:g}", (1.0,), (_invariant_root(d, rho, 1.0),))


def gaussian_mixture(
    d: int, rhos: Sequence[float], scales: Sequence[float], weights: Sequence[float]
) -> InputLaw:
    """A mixture of centred permutation-invariant Gaussians ``scale_c^2 Sigma(rho_c)``.

    With two or more distinct components the law is neither Gaussian nor a product of its
    coordinates' laws, yet invariant under ``S_d``.

    Parameters
    ----------
    d : int
    rhos, scales, weights : sequences of float, one entry per component
        Correlations (as in :func:`correlated_gaussian`), positive scales, positive weights
        (normalized to sum 1).
    """
    d = check_int(d, "d", low=2)
    if not (len(rhos) == len(scales) == len(weights) >= 1):
        raise ValueError(
            "rhos, scales and weights must have one entry per component, got lengths "
            f"{len(rhos)}, {len(scales)} and {len(weights)}"
        )
    r = [_check_rho(v, d, f"rhos[{i}]") for i, v in enumerate(rhos)]
    s = [check_real(v, f"scales[{i}]", low=0.0, low_open=True) for i, v in enumerate(scales)]
    w = [check_real(v, f"weights[{i}]", low=0.0, low_open=True) for i, v in enumerate(weights)]
    total = sum(w)
    return InputLaw(
        "mixture",
        tuple(x / total for x in w),
        tuple(_invariant_root(d, a, b) for a, b in zip(r, s)),
    )


# ----------------------------------------------------------------------------- population


def _erf_kernel(W: np.ndarray, U: np.ndarray, self_pairs: bool):
    """``(2/pi) arcsin(z)`` for all pairs of rows of W (R, k, d) and U (R, j, d) or (j, d), and
    its derivative in the rows of W (R, k, j, d) contracted later."""
    if U.ndim == 2:
        dot = W @ U.T
        pu = 1.0 + 2.0 * np.einsum("jd,jd->j", U, U)[None, None, :]
    else:
        dot = W @ np.swapaxes(U, -1, -2)
        pu = 1.0 + 2.0 * np.einsum("rjd,rjd->rj", U, U)[:, None, :]
    pw = 1.0 + 2.0 * np.einsum("rkd,rkd->rk", W, W)[:, :, None]
    root = np.sqrt(pw * pu)
    z = np.clip(2.0 * dot / root, -1.0, 1.0)
    K = (2.0 / np.pi) * np.arcsin(z)
    # dK/dw_i = (2/pi) / sqrt(1 - z^2) * 2 (u_j - (2 w_i.u_j / pw) w_i) / root
    coef = (4.0 / np.pi) / (np.sqrt(np.maximum(1.0 - z * z, 1e-300)) * root)
    return K, coef, dot, pw


def _erf_loss_grad(W: np.ndarray, V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Loss and gradient of the erf student W (R, k, d) against the erf teacher V (m, d)."""
    loss = np.zeros(W.shape[0])
    grad = np.zeros_like(W)
    for U, sign, half in ((W, 1.0, 0.5), (V, -1.0, 1.0)):
        K, coef, dot, pw = _erf_kernel(W, U, U is W)
        loss += sign * half * K.sum(axis=(1, 2))
        lin = coef @ U if U is W else coef @ U  # sum_j coef_ij u_j
        grad += sign * (lin - ((coef * 2.0 * dot / pw).sum(axis=2))[:, :, None] * W)
    Kvv = (2.0 / np.pi) * np.arcsin(
        2.0 * (V @ V.T) / np.sqrt(np.outer(1.0 + 2.0 * (V * V).sum(1), 1.0 + 2.0 * (V * V).sum(1)))
    )
    loss += 0.5 * Kvv.sum()
    return np.maximum(loss, 0.0), grad


def _law_kernel(
    W: np.ndarray, V: np.ndarray, law: InputLaw, activation: str
) -> tuple[np.ndarray, np.ndarray]:
    """Batched population loss (R,) and gradient (R, k, d) under a mixture of Gaussians."""
    loss = np.zeros(W.shape[0])
    grad = np.zeros_like(W)
    for weight, S in zip(law.weights, law.roots):
        WS, VS = W @ S, V @ S
        if activation == "relu":
            lc, gc = _batched_kernel(WS, VS, 0.5 * float(_arccos(VS, VS, 1).sum()))
        else:
            lc, gc = _erf_loss_grad(WS, VS)
        loss += weight * lc
        grad += weight * (gc @ S)
    return loss, grad


def _check_activation(activation: object) -> str:
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {_ACTIVATIONS}, got {activation!r}")
    return str(activation)


def law_loss_and_gradient(
    W: object, V: object, law: InputLaw, *, activation: str = "relu"
) -> tuple[float, np.ndarray]:
    """Population loss ``1/2 E[(f(x; W) - f(x; V))^2]`` and its gradient under ``law``.

    Parameters
    ----------
    W : array_like, shape (k, d)
        Student, rows are neurons.
    V : array_like, shape (m, d)
        Teacher.
    law : InputLaw
    activation : {"relu", "erf"}

    Returns
    -------
    (loss, grad) : float and ndarray of shape (k, d)
    """
    from .._checks import check_pair

    W, V = check_pair(W, V)
    if not isinstance(law, InputLaw):
        raise TypeError(f"law must be an InputLaw, got {type(law).__name__}")
    if law.d != W.shape[1]:
        raise ValueError(f"law has dimension {law.d}, but W has d = {W.shape[1]} columns")
    activation = _check_activation(activation)
    loss, grad = _law_kernel(W[None], V, law, activation)
    return float(loss[0]), grad[0]


# ----------------------------------------------------------------------------- samples


def symmetric_sample(n: int, d: int, rng: object, *, symmetrize: bool) -> np.ndarray:
    """``n`` standard Gaussian inputs, optionally closed under all ``d!`` coordinate permutations.

    The closed sample (``n d!`` points) is an empirical law invariant under ``S_d``, so the
    empirical loss of a teacher ``V = I_d`` keeps the symmetry of the population loss.

    Returns
    -------
    ndarray, shape (n, d) or (n d!, d)
    """
    n = check_int(n, "n", low=1)
    d = check_int(d, "d", low=1)
    X = as_rng(rng).standard_normal((n, d))
    if not symmetrize:
        return X
    if factorial(d) > 5040:
        raise ValueError(f"symmetrize needs d <= 7 (d! copies of the sample), got d = {d}")
    return _closed(X)


def _closed(X: np.ndarray) -> np.ndarray:
    """The rows of ``X (n, d)`` under all ``d!`` column permutations, shape (n d!, d)."""
    return np.concatenate([X[:, list(p)] for p in permutations(range(X.shape[1]))])


def _deep_kernel(theta: np.ndarray, X: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Empirical loss and gradient of the three-layer network, parameters (R, k d + k k)."""
    R, d = theta.shape[0], X.shape[1]
    W = theta[:, : k * d].reshape(R, k, d)
    A = theta[:, k * d :].reshape(R, k, k)
    y = np.maximum(X, 0.0).sum(axis=1)  # the teacher W = A = I
    Z1 = X @ np.swapaxes(W, -1, -2)  # (R, n, k)
    H1 = np.maximum(Z1, 0.0)
    Z2 = H1 @ np.swapaxes(A, -1, -2)
    r = np.maximum(Z2, 0.0).sum(axis=2) - y  # (R, n)
    n = X.shape[0]
    loss = 0.5 * np.einsum("rn,rn->r", r, r) / n
    D2 = (Z2 > 0) * r[:, :, None] / n  # (R, n, k)
    gA = np.swapaxes(D2, -1, -2) @ H1
    D1 = (D2 @ A) * (Z1 > 0)
    gW = np.swapaxes(D1, -1, -2) @ X
    return loss, np.concatenate([gW.reshape(R, -1), gA.reshape(R, -1)], axis=1)


# ----------------------------------------------------------------------------- the study


@dataclass(frozen=True)
class SymmetryRow:
    """One setting of :func:`least_symmetry_table`.

    Attributes
    ----------
    setting : str
    runs : int
        Starts, over all seeds.
    counts : dict str -> int
        End points per kind: ``"global"``, ``"spurious"``, ``"saddle"``, ``"other"``.
    orbits : tuple of (float, str, int, int)
        Distinct spurious minima found: loss, isotropy label, isotropy order, number of runs.
    tol : float
        Tolerance of the isotropy detection.
    k : int
        Size ``k = d``.
    stalled : tuple of (float, float, bool)
        The runs that did not converge (the gradient norm stayed above its tolerance; they are
        among those counted ``"other"``), as loss, largest gradient entry, and whether no step
        of ``+-1e-4`` along a coordinate or against the gradient lowers the loss (a point where
        descent stalled at a kink of an empirical loss; never a certified minimum). By loss.
    """

    setting: str
    k: int
    runs: int
    counts: dict[str, int]
    orbits: tuple[tuple[float, str, int, int], ...]
    tol: float
    stalled: tuple[tuple[float, float, bool], ...] = ()

    def join(self, other: SymmetryRow) -> SymmetryRow:
        """The row of both studies' runs (same setting, size and tolerance, other seeds)."""
        if not isinstance(other, SymmetryRow):
            raise TypeError(f"other must be a SymmetryRow, got {type(other).__name__}")
        if (other.setting, other.k, other.tol) != (self.setting, self.k, self.tol):
            raise ValueError(
                f"other must have setting, k, tol = {(self.setting, self.k, self.tol)}, "
                f"got {(other.setting, other.k, other.tol)}"
            )
        counts = {key: self.counts[key] + other.counts[key] for key in self.counts}
        minima = [(o[0], o[1], o[2]) for o in self.orbits + other.orbits for _ in range(o[3])]
        return SymmetryRow(self.setting, self.k, self.runs + other.runs, counts,
                           _orbits(minima), self.tol, tuple(sorted(self.stalled + other.stalled)))

    @property
    def max_order(self) -> int:
        """The largest isotropy order among the spurious minima found (0 if none)."""
        return max((o[2] for o in self.orbits), default=0)

    @property
    def at_max(self) -> int:
        """Runs that ended at a spurious minimum of the largest isotropy found."""
        return sum(o[3] for o in self.orbits if o[2] == self.max_order)

    @property
    def maximal(self) -> int:
        """Runs that ended at a spurious minimum whose isotropy is ``Delta S_k`` itself or one of
        its maximal intransitive subgroups ``Delta(S_{k-p} x S_p)`` (``Delta S_{k-1}`` for
        ``p = 1``): the symmetry of the global minimum broken least."""
        return sum(o[3] for o in self.orbits if is_maximal_isotropy(o[1], self.k))

    @property
    def not_maximal(self) -> tuple[tuple[float, str, int, int], ...]:
        """The orbits whose isotropy is not of maximal type (see :attr:`maximal`)."""
        return tuple(o for o in self.orbits if not is_maximal_isotropy(o[1], self.k))

    @property
    def trivial(self) -> int:
        """Runs that ended at a spurious minimum with trivial detected isotropy."""
        return sum(o[3] for o in self.orbits if o[2] == 1)


def _fd_min_eig(fun: Callable, x: np.ndarray, h: float = 1e-5) -> float:
    """Smallest eigenvalue of the Hessian by central differences of the gradient, batched."""
    p = x.size
    E = h * np.eye(p)
    _, gp = fun(x[None] + E)
    _, gm = fun(x[None] - E)
    H = (gp - gm) / (2.0 * h)
    return float(np.linalg.eigvalsh(0.5 * (H + H.T))[0])


def _no_descent_step(fun: Callable, x: np.ndarray, g: np.ndarray, h: float = 1e-4) -> bool:
    """Whether no step of length ``h`` along +-each coordinate or against ``g`` lowers the loss."""
    steps = np.concatenate([np.eye(x.size), -np.eye(x.size), -g[None] / np.linalg.norm(g)])
    f0, _ = fun(x[None])
    f, _ = fun(x[None] + h * steps)
    return bool(np.all(f >= f0[0]))


def _classify_many(
    fun: Callable, res, k: int, d: int, global_tol: float, grad_tol: float, tol: float
) -> tuple[dict[str, int], list[tuple[float, str, int]], list[tuple[float, float, bool]]]:
    counts = {"global": 0, "spurious": 0, "saddle": 0, "other": 0}
    minima: list[tuple[float, str, int]] = []
    stalled: list[tuple[float, float, bool]] = []
    cache: dict[tuple, tuple[str, float]] = {}
    for r in range(res.x.shape[0]):
        x = res.x[r]
        loss, g = fun(x[None])
        if loss[0] <= global_tol:
            counts["global"] += 1
            continue
        if np.linalg.norm(g[0]) > grad_tol:
            counts["other"] += 1
            stalled.append((float(loss[0]), float(np.abs(g[0]).max()),
                            _no_descent_step(fun, x, g[0])))
            continue
        key = (round(float(loss[0]), 7), np.round(np.sort(x), 4).tobytes())
        if key not in cache:
            lam = _fd_min_eig(fun, x)
            iso = detect_isotropy(x[: k * d].reshape(k, d), tol=tol)
            kind = "spurious" if lam > 1e-6 else "saddle" if lam < -1e-6 else "other"
            cache[key] = (kind, iso.label, iso.order)
        kind, label, order = cache[key]
        counts[kind] += 1
        if kind == "spurious":
            minima.append((float(loss[0]), label, order))
    return counts, minima, stalled


def symmetry_of_minima(
    setting: str,
    k: int,
    runs: int,
    seeds: Sequence[int],
    *,
    law: InputLaw | None = None,
    activation: str = "relu",
    sample: np.ndarray | None = None,
    tol: float = 1e-5,
    max_iter: int = 3000,
) -> SymmetryRow:
    """Fit ``runs`` students per seed from ``N(0, 1/d)`` starts, classify, detect isotropy.

    The population settings (``law`` given) fit a two-layer student ``W (k, d)`` to the teacher
    ``V = I_d`` by :func:`twolayer.gaussian.batched_lbfgs` on the exact loss; the sample
    setting (``sample`` given, shape (n, d)) fits the three-layer network of the module
    docstring on the sample. End points are classified by loss, gradient norm and the smallest
    eigenvalue of a finite-difference Hessian (one per distinct point); the isotropy of each
    spurious minimum's first layer is found by :func:`detect_isotropy` with tolerance ``tol``.

    Returns
    -------
    SymmetryRow
    """
    k = check_int(k, "k", low=2)
    runs = check_int(runs, "runs", low=1)
    seeds = check_int_sequence(seeds, "seeds", low=0)
    tol = check_real(tol, "tol", low=0.0, low_open=True)
    max_iter = check_int(max_iter, "max_iter", low=1)
    activation = _check_activation(activation)
    if (law is None) == (sample is None):
        raise ValueError("give exactly one of law (population) and sample (three-layer network)")
    if law is not None:
        if not isinstance(law, InputLaw):
            raise TypeError(f"law must be an InputLaw, got {type(law).__name__}")
        d = law.d
        V = np.eye(d)
        fun = _population_fun(V, law, activation, k)
        p, grad_tol = k * d, 1e-6
    else:
        from .._checks import as_array

        X = as_array(sample, "sample", ndim=2)
        d = X.shape[1]
        if k != d:
            raise ValueError(f"the three-layer teacher W = A = I needs k = d, got {k} and {d}")

        def fun(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return _deep_kernel(theta, X, k)

        p, grad_tol = k * d + k * k, 1e-6
    return _study(setting, fun, k, d, p, runs, seeds, tol, max_iter, grad_tol)


def _study(
    setting: str,
    fun: Callable,
    k: int,
    d: int,
    p: int,
    runs: int,
    seeds: Sequence[int],
    tol: float,
    max_iter: int,
    grad_tol: float,
    ftarget: float = 1e-12,
) -> SymmetryRow:
    """Batched L-BFGS from ``N(0, 1/d)`` starts per seed (a run also stops at the loss
    ``ftarget``), then :func:`_classify_many`."""
    counts = {"global": 0, "spurious": 0, "saddle": 0, "other": 0}
    minima: list[tuple[float, str, int]] = []
    stalled: list[tuple[float, float, bool]] = []
    for seed in seeds:
        gen = as_rng(seed)
        x0 = gen.standard_normal((runs, p)) / np.sqrt(d)
        res = _batched_lbfgs(fun, x0, 1e-9, ftarget, max_iter, 10)
        c, m, st = _classify_many(fun, res, k, d, 1e-8, grad_tol, tol)
        for key in counts:
            counts[key] += c[key]
        minima += m
        stalled += st
    return SymmetryRow(setting, k, runs * len(seeds), counts, _orbits(minima), tol,
                       tuple(sorted(stalled)))


def three_layer_symmetry(
    d: int,
    n: int,
    runs: int,
    seeds: Sequence[int],
    sample_rng: object,
    *,
    tol: float = 1e-5,
    max_iter: int = 2000,
) -> SymmetryRow:
    """The principle tested one layer deeper: the three-layer ReLU student of the module
    docstring (``W (d, d)``, ``A (d, d)``, teacher ``W = A = I``) fitted on ``n`` standard
    Gaussian inputs closed under all ``d!`` coordinate permutations.

    The first hidden layer's output ``relu(W x)`` is not Gaussian, so no closed form of the
    population loss is known; the closed sample keeps the loss exactly invariant under
    ``S_d x S_d x S_d`` (rows of ``A``; rows of ``W`` with columns of ``A``; columns of
    ``W``). ``runs`` starts per seed, drawn as in :func:`symmetry_of_minima` (``N(0, 1/d)``
    entries), are fitted by the batched L-BFGS; an end point counts as global below the loss
    ``1e-8``, as a spurious minimum only with a gradient norm below ``1e-6`` and a positive
    smallest finite-difference Hessian eigenvalue, and as ``"other"`` (not converged, listed in
    :attr:`SymmetryRow.stalled`) otherwise. The isotropy is that of the first layer ``W``.

    Parameters
    ----------
    d : int
        Width of both hidden layers and input dimension, 2 to 7.
    n : int
        Gaussian draws before closing (``n d!`` points).
    runs : int
    seeds : sequence of int
        Seeds of the starts.
    sample_rng : int or numpy.random.Generator
        Randomness of the sample.
    tol : float
        Tolerance of the isotropy detection.
    max_iter : int
        L-BFGS iteration limit per run.

    Returns
    -------
    SymmetryRow
        Setting ``"ReLU, three layers"``, with ``k = d``.
    """
    d = check_int(d, "d", low=2)
    if d > 7:
        raise ValueError(f"d must be <= 7 (d! copies of the sample), got {d}")
    n = check_int(n, "n", low=1)
    runs = check_int(runs, "runs", low=1)
    seeds = check_int_sequence(seeds, "seeds", low=0)
    tol = check_real(tol, "tol", low=0.0, low_open=True)
    max_iter = check_int(max_iter, "max_iter", low=1)
    X = _closed(as_rng(sample_rng).standard_normal((n, d)))

    def fun(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _deep_kernel(theta, X, d)

    # A run stops at the loss 1e-9, below the global threshold 1e-8: on the kinked empirical
    # loss the last decades towards zero cost most of the iterations and change no verdict.
    return _study("ReLU, three layers", fun, d, d, 2 * d * d, runs, seeds, tol, max_iter, 1e-6,
                  1e-9)


def _population_fun(V: np.ndarray, law: InputLaw, activation: str, k: int) -> Callable:
    d = V.shape[1]

    def fun(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        loss, grad = _law_kernel(x.reshape(-1, k, d), V, law, activation)
        return loss, grad.reshape(x.shape[0], -1)

    return fun


def _orbits(minima: list[tuple[float, str, int]]) -> tuple[tuple[float, str, int, int], ...]:
    """Group spurious minima by (loss to 1e-7, label): one orbit each, with its run count."""
    groups: dict[tuple[float, str], list] = {}
    for loss, label, order in minima:
        key = (round(loss, 7), label)
        groups.setdefault(key, [loss, label, order, 0])[3] += 1
    return tuple(sorted((tuple(v) for v in groups.values()), key=lambda o: o[0]))


#: The settings of :func:`least_symmetry_table`, in its row order.
TABLE_SETTINGS = (
    "ReLU, N(0, I)",
    "ReLU, rho = 0.3",
    "ReLU, rho = -0.1",
    "ReLU, mixture",
    "erf, N(0, I)",
    "erf, rho = 0.3",
)


def _table_setting(name: str, k: int) -> tuple[InputLaw, str]:
    laws = {
        "N(0, I)": lambda: correlated_gaussian(k, 0.0),
        "rho = 0.3": lambda: correlated_gaussian(k, 0.3),
        "rho = -0.1": lambda: correlated_gaussian(k, -0.1),
        "mixture": lambda: gaussian_mixture(k, [0.5, -0.1], [0.6, 1.3], [0.5, 0.5]),
    }
    activation, law = name.split(", ", 1)
    return laws[law](), activation.lower()


def least_symmetry_table(
    k: int, runs: int, seeds: Sequence[int], *, settings: Sequence[str] | None = None
) -> tuple[SymmetryRow, ...]:
    """The table of the chapter "Least symmetry breaking" at ``k = d``.

    Rows (:data:`TABLE_SETTINGS`): standard Gaussian inputs (the reference), correlated
    Gaussians with ``rho = 0.3`` and ``rho = -0.1``, the two-component mixture
    ``1/2 N(0, 0.36 Sigma(0.5)) + 1/2 N(0, 1.69 Sigma(-0.1))``, and the erf activation under
    standard and correlated (``rho = 0.3``) Gaussian inputs; each from ``runs`` starts per seed,
    by :func:`symmetry_of_minima`.

    Parameters
    ----------
    k : int
        ``k = d``, at least 3 (``rho = -0.1`` needs ``k <= 10``).
    runs : int
    seeds : sequence of int
    settings : sequence of str, optional
        A subset of :data:`TABLE_SETTINGS` (all by default).

    Returns
    -------
    tuple of SymmetryRow
    """
    k = check_int(k, "k", low=3)
    names = TABLE_SETTINGS if settings is None else tuple(settings)
    for name in names:
        if name not in TABLE_SETTINGS:
            raise ValueError(f"settings must be among {TABLE_SETTINGS}, got {name!r}")
    rows = []
    for name in names:
        law, activation = _table_setting(name, k)
        rows.append(symmetry_of_minima(name, k, runs, seeds, law=law, activation=activation))
    return tuple(rows)


# ----------------------------------------------------------------------------- sweep over rho


@dataclass(frozen=True)
class RhoSweep:
    """Outcome of :func:`rho_sweep`.

    Attributes
    ----------
    k : int
        Size ``k = d``.
    runs : int
        Starts per correlation.
    rhos : tuple of float
    spurious : tuple of int
        Runs that ended at a spurious minimum, per rho.
    labels : tuple of str
        Isotropy label of the lowest spurious minimum per rho (``"-"`` if none was found).
    minima : tuple of (ndarray (k, d) or None)
        That minimum, rows and columns in its canonical isotropy order.
    losses : tuple of float
        Its loss (``nan`` if none).
    """

    k: int
    runs: int
    rhos: tuple[float, ...]
    spurious: tuple[int, ...]
    labels: tuple[str, ...]
    minima: tuple[np.ndarray | None, ...]
    losses: tuple[float, ...]

    def join(self, other: RhoSweep) -> RhoSweep:
        """The sweep over the correlations of both (same ``k`` and ``runs``)."""
        if (other.k, other.runs) != (self.k, self.runs):
            raise ValueError(
                f"can only join sweeps of the same k and runs, got ({self.k}, {self.runs}) "
                f"and ({other.k}, {other.runs})"
            )
        return RhoSweep(self.k, self.runs, self.rhos + other.rhos,
                        self.spurious + other.spurious, self.labels + other.labels,
                        self.minima + other.minima, self.losses + other.losses)

    def interval(self, i: int) -> tuple[float, float]:
        """95% Wilson interval of the spurious rate at ``rhos[i]``."""
        from ..gaussian.batched import _wilson

        return _wilson(self.spurious[i], self.runs)


def rho_sweep(k: int, rhos: Sequence[float], runs: int, rng: object) -> RhoSweep:
    """Spurious minima of ReLU fitting under ``N(0, Sigma(rho))`` at ``k = d``, for each rho.

    At each correlation ``runs`` students from ``N(0, 1/d)`` starts (the same starts for every
    rho) are fitted by the batched L-BFGS on the exact loss of :func:`correlated_gaussian`;
    the spurious minima are counted and the lowest is kept with its isotropy.

    Parameters
    ----------
    k : int
        ``k = d``, at least 3.
    rhos : sequence of float
        Correlations, each in ``(-1/(k-1), 1)``.
    runs : int
    rng : numpy.random.Generator or int

    Returns
    -------
    RhoSweep
    """
    k = check_int(k, "k", low=3)
    rho_list = [_check_rho(r, k, f"rhos[{i}]") for i, r in enumerate(rhos)]
    if not rho_list:
        raise ValueError("rhos must hold at least one correlation, got none")
    runs = check_int(runs, "runs", low=1)
    x0 = as_rng(rng).standard_normal((runs, k * k)) / np.sqrt(k)
    V = np.eye(k)
    spurious, labels, minima, losses = [], [], [], []
    for rho in rho_list:
        law = InputLaw("", (1.0,), (_invariant_root(k, rho, 1.0),))
        fun = _population_fun(V, law, "relu", k)
        res = _batched_lbfgs(fun, x0, 1e-9, 1e-12, 3000, 10)
        counts, found, _ = _classify_many(fun, res, k, k, 1e-8, 1e-6, 1e-5)
        spurious.append(counts["spurious"])
        best = None
        for r in np.argsort(res.loss):
            if res.loss[r] > 1e-8 and any(abs(m[0] - res.loss[r]) < 1e-9 for m in found):
                best = int(r)
                break
        if best is None:
            labels.append("-")
            minima.append(None)
            losses.append(float("nan"))
            continue
        W = res.x[best].reshape(k, k)
        iso = detect_isotropy(W, tol=1e-5)
        labels.append(iso.label)
        minima.append(iso.canonical(W))
        losses.append(float(res.loss[best]))
    return RhoSweep(k, runs, tuple(rho_list), tuple(spurious), tuple(labels), tuple(minima),
                    tuple(losses))


# ----------------------------------------------------------------------------- sample noise


def _shallow_sample_kernel(x: np.ndarray, X: np.ndarray, k: int):
    """Empirical loss and gradient of ReLU students (R, k d) on inputs X (n, d), teacher I."""
    R, d = x.shape[0], X.shape[1]
    W = x.reshape(R, k, d)
    y = np.maximum(X, 0.0).sum(axis=1)
    Z = X @ np.swapaxes(W, -1, -2)  # (R, n, k)
    r = np.maximum(Z, 0.0).sum(axis=2) - y
    n = X.shape[0]
    loss = 0.5 * np.einsum("rn,rn->r", r, r) / n
    G = np.swapaxes((Z > 0) * r[:, :, None], -1, -2) @ X / n
    return loss, G.reshape(R, -1)


@dataclass(frozen=True)
class SampleNoise:
    """Outcome of :func:`sample_noise_isotropy`.

    Attributes
    ----------
    n : int
        Sample size (before closing under permutations).
    points : int
        Inputs the loss averages over (``n`` or ``n d!``).
    symmetrized : bool
    distance : float
        Largest entry of ``|W_sample - W_population|``.
    grad_max : float
        Largest entry of the empirical gradient at the sample minimum.
    tols : tuple of float
    labels : tuple of str
        Isotropy detected at each tolerance.
    """

    n: int
    points: int
    symmetrized: bool
    distance: float
    grad_max: float
    tols: tuple[float, ...]
    labels: tuple[str, ...]


def sample_noise_isotropy(
    W: object, n: int, rng: object, *, symmetrize: bool, tols: Sequence[float]
) -> SampleNoise:
    """Refit a population minimum ``W (k, d)`` (teacher ``I_d``, ``k = d``) on a Gaussian sample.

    L-BFGS from ``W`` on the empirical loss of ``n`` standard Gaussian inputs (closed under
    every coordinate permutation when ``symmetrize``), then the isotropy of the sample minimum
    at each tolerance of ``tols``: a raw sample breaks the symmetry by ``O(n^{-1/2})``, so the
    detected group depends on the tolerance; the closed sample keeps it exactly.

    Returns
    -------
    SampleNoise
    """
    from .._checks import as_array

    W = as_array(W, "W", ndim=2)
    k, d = W.shape
    if k != d:
        raise ValueError(f"W must be square (k = d, teacher I_d), got shape {W.shape}")
    n = check_int(n, "n", low=1)
    tol_list = [check_real(t, f"tols[{i}]", low=0.0, low_open=True) for i, t in enumerate(tols)]
    X = symmetric_sample(n, d, rng, symmetrize=symmetrize)

    def fun(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _shallow_sample_kernel(x, X, k)

    res = _batched_lbfgs(fun, W.reshape(1, -1), 1e-10, 0.0, 2000, 10)
    Ws = res.x[0].reshape(k, d)
    labels = tuple(detect_isotropy(Ws, tol=t).label for t in tol_list)
    return SampleNoise(n, X.shape[0], bool(symmetrize), float(np.abs(Ws - W).max()),
                       float(res.grad_max[0]), tuple(tol_list), labels)

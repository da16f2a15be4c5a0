"""Two-layer ReLU networks with batch normalization, their convex program and closed forms.

The network (Ergen, Sahiner, Ozturkler, Pauly, Mardani & Pilanci, 2022) normalizes each
pre-activation over the batch before the ReLU::

    f(X) = sum_j relu(BN_{gamma_j, alpha_j}(X w_j)) a_j,
    BN_{gamma, alpha}(z) = gamma (I - 11^T/n) z / ||(I - 11^T/n) z|| + alpha 1 / sqrt(n),

trained with weight decay on the BN parameters and the output layer,
``1/2 ||f(X) - y||^2 + beta/2 sum_j (gamma_j^2 + alpha_j^2 + a_j^2)`` (the first layer is
scale-invariant under BN and is not penalized). With the compact SVD of the centred data
``(I - 11^T/n) X = U Sigma V^T`` (rank ``r``) and ``U' = [U, 1/sqrt(n)]``,
``BN(X w) = U' c`` with ``c = [gamma Sigma V^T w / ||Sigma V^T w||; alpha]`` and
``||c||^2 = gamma^2 + alpha^2``: a BN network on ``X`` is a bias-free ReLU network on the
orthonormal ``U'`` (``U'^T U' = I``), so the convex program of :mod:`twolayer.convex`, built on
the activation patterns of ``U'`` (:mod:`twolayer.arrangements`), is exact for BN networks.

Arrays: ``X (n, d)``, ``y (n,)``, ``W (m, d)`` (rows are neurons), ``gamma, alpha, a (m,)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import as_array, as_rng, check_int, check_real, check_same_length
from .arrangements import patterns_from_directions, sample_patterns
from .convex import ConvexSolution, recover_network, solve_convex

__all__ = [
    "BNClosedForm",
    "BNConvexSolution",
    "BNTrainResult",
    "DigitsResult",
    "ExactResult",
    "ExploreResult",
    "bn_basis",
    "bn_closed_form",
    "bn_energy",
    "bn_forward",
    "bn_gradient",
    "bn_objective",
    "digits_experiment",
    "exact_experiment",
    "explore_dimension",
    "recover_bn_network",
    "solve_bn_convex",
    "train_bn",
    "train_bn_from_random_inits",
]

#: A centred pre-activation with norm at most this fraction of ``||X_c||_F ||w||`` is treated
#: as constant: BN has nothing to normalize.
DEGENERATE_TOL = 1e-12

#: CLARABEL settings of :func:`digits_experiment`: the programs on sampled patterns plus those
#: of GD's neurons (cones that are often thin) end ``optimal_inaccurate`` at the solver's
#: default 1e-8 and at the library's 1e-10, and are solved at 1e-7.
DIGITS_CLARABEL_OPTIONS = {"tol_gap_abs": 1e-7, "tol_gap_rel": 1e-7, "tol_feas": 1e-7}

#: Singular values of the centred data below this fraction of the largest are treated as zero.
RANK_TOL = 1e-10


# --------------------------------------------------------------------------- checks at the door


def _check_data(X: object, y: object | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    X = as_array(X, "X", ndim=2)
    if X.shape[0] < 2:
        raise ValueError(f"X must have at least 2 rows (a batch to normalize), got shape {X.shape}")
    if y is None:
        return X, None
    y = as_array(y, "y", ndim=1)
    check_same_length(X, "X", y, "y")
    return X, y


def _check_network(
    W: object, gamma: object, alpha: object, a: object, d: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    W = as_array(W, "W", ndim=2)
    if W.shape[1] != d:
        raise ValueError(f"W must have {d} columns (the input dimension of X), got shape {W.shape}")
    m = W.shape[0]
    gamma = as_array(gamma, "gamma", shape=(m,))
    alpha = as_array(alpha, "alpha", shape=(m,))
    a = as_array(a, "a", shape=(m,))
    return W, gamma, alpha, a


# --------------------------------------------------------------------------- forward pass


def _centred_preactivations(
    X: np.ndarray, W: np.ndarray, mean: np.ndarray, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """Centred pre-activations ``Z = (X - mean) W^T`` ``(..., n, m)`` and their norms ``(..., m)``.

    ``W`` may carry leading batch axes ``(..., m, d)``. Raises for a constant pre-activation.
    """
    Z = (X - mean) @ np.swapaxes(W, -1, -2)
    norms = np.linalg.norm(Z, axis=-2)
    floor = DEGENERATE_TOL * scale * np.linalg.norm(W, axis=-1)
    bad = norms <= floor
    if np.any(bad):
        j = int(np.argwhere(bad)[0][-1])
        raise ValueError(
            f"neuron {j} has a constant pre-activation X w_j over the batch (centred norm "
            f"{float(norms[bad].flat[0]):.3g}): batch normalization divides by zero; choose a "
            "w_j that is not orthogonal to every centred data point"
        )
    return Z, norms


def _bn_outputs(
    X: np.ndarray, W: np.ndarray, gamma: np.ndarray, alpha: np.ndarray,
    reference: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BN outputs ``H (..., n, m)`` of the rows of ``X`` with statistics of ``reference``.

    Also returns the centred, normalized pre-activations of ``X`` and the reference norms.
    """
    mean = reference.mean(axis=0)
    scale = float(np.linalg.norm(reference - mean))
    _, norms = _centred_preactivations(reference, W, mean, scale)
    Z = (X - mean) @ np.swapaxes(W, -1, -2)
    Zhat = Z / norms[..., None, :]
    n_ref = reference.shape[0]
    H = gamma[..., None, :] * Zhat + alpha[..., None, :] / np.sqrt(n_ref)
    return H, Zhat, norms


def bn_forward(
    X: object, W: object, gamma: object, alpha: object, a: object, *,
    reference: object | None = None,
) -> np.ndarray:
    """Evaluate the BN network ``f(X) = sum_j relu(BN_{gamma_j, alpha_j}(X w_j)) a_j``.

    ``BN_{gamma, alpha}(z) = gamma (I - 11^T/n) z / ||(I - 11^T/n) z|| + alpha 1 / sqrt(n)``
    (Ergen et al., 2022, with the normalization by the norm instead of the standard
    deviation, which rescales ``gamma`` by ``sqrt(n)``). With ``reference`` the mean and the
    norm come from that batch (the training data) instead of ``X``: the network at inference.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Batch (at least two rows when it is its own reference).
    W : array_like, shape (m, d)
        First layer, one neuron per row (scale-invariant).
    gamma, alpha : array_like, shape (m,)
        BN scale and shift.
    a : array_like, shape (m,)
        Second layer.
    reference : array_like, shape (n_ref, d), optional
        Batch whose statistics normalize ``X``; default ``X`` itself.

    Returns
    -------
    numpy.ndarray, shape (n,)

    Raises
    ------
    ValueError
        For mismatched shapes, non-finite entries, or a neuron whose pre-activation is constant
        over the (reference) batch: its centred norm is zero and BN is undefined.
    """
    if reference is None:
        X, _ = _check_data(X)
        ref = X
    else:
        X = as_array(X, "X", ndim=2)
        ref, _ = _check_data(reference)
        if ref.shape[1] != X.shape[1]:
            raise ValueError(
                f"reference must have {X.shape[1]} columns like X, got shape {ref.shape}"
            )
    W, gamma, alpha, a = _check_network(W, gamma, alpha, a, X.shape[1])
    H, _, _ = _bn_outputs(X, W, gamma, alpha, ref)
    return np.maximum(H, 0.0) @ a


def _value_and_gradient(
    X: np.ndarray, y: np.ndarray, W: np.ndarray, gamma: np.ndarray, alpha: np.ndarray,
    a: np.ndarray, beta: float,
) -> tuple[np.ndarray, ...]:
    """Objective and gradients for a batch of networks ``W (R, m, d)``, ``gamma, alpha, a (R, m)``.

    Returns ``(value (R,), gW, ggamma, galpha, ga)``.
    """
    Xc = X - X.mean(axis=0)
    return _centred_value_and_gradient(Xc, y, W, gamma, alpha, a, beta, float(np.linalg.norm(Xc)))


def _centred_value_and_gradient(
    Xc: np.ndarray, y: np.ndarray, W: np.ndarray, gamma: np.ndarray, alpha: np.ndarray,
    a: np.ndarray, beta: float, scale: float | None,
) -> tuple[np.ndarray, ...]:
    """:func:`_value_and_gradient` on centred data ``Xc``; ``scale = ||Xc||_F`` enables the check
    for constant pre-activations (``None`` skips it, inside gradient descent between records)."""
    n = Xc.shape[0]
    Z = Xc @ np.swapaxes(W, -1, -2)  # (R, n, m)
    norms = np.sqrt((Z * Z).sum(axis=-2))  # (R, m)
    if scale is not None:
        floor = DEGENERATE_TOL * scale * np.linalg.norm(W, axis=-1)
        if np.any(norms <= floor):
            j = int(np.argwhere(norms <= floor)[0][-1])
            raise ValueError(
                f"neuron {j} has a constant pre-activation X w_j over the batch: batch "
                "normalization divides by zero"
            )
    Zhat = Z / norms[:, None, :]
    H = gamma[:, None, :] * Zhat + (alpha / np.sqrt(n))[:, None, :]
    act = np.maximum(H, 0.0)
    r = (act @ a[:, :, None])[..., 0] - y  # (R, n)
    value = 0.5 * (r * r).sum(axis=-1) + 0.5 * beta * (gamma**2 + alpha**2 + a**2).sum(axis=-1)
    ga = (np.swapaxes(act, -1, -2) @ r[:, :, None])[..., 0] + beta * a
    G = (H > 0) * a[:, None, :] * r[:, :, None]  # dL/dH, (R, n, m)
    gz = (G * Zhat).sum(axis=-2)  # (R, m)
    ggamma = gz + beta * gamma
    galpha = G.sum(axis=-2) / np.sqrt(n) + beta * alpha
    # d zhat / d z = (I - zhat zhat^T) / ||z||; z = X_c w, so dL/dw = X_c^T (...) gamma / ||z||
    proj = (G - Zhat * gz[:, None, :]) * (gamma / norms)[:, None, :]
    gW = np.swapaxes(proj, -1, -2) @ Xc
    return value, gW, ggamma, galpha, ga


def bn_objective(
    X: object, y: object, W: object, gamma: object, alpha: object, a: object, beta: float
) -> float:
    """Weight-decay objective of a BN network (Ergen et al., 2022).

    ``1/2 ||f(X) - y||^2 + beta/2 sum_j (gamma_j^2 + alpha_j^2 + a_j^2)`` with ``f`` of
    :func:`bn_forward`; the first layer is not penalized (BN makes it scale-invariant).

    Parameters
    ----------
    X (n, d), y (n,), W (m, d), gamma (m,), alpha (m,), a (m,)
    beta : float, >= 0

    Returns
    -------
    float
    """
    X, y = _check_data(X, y)
    W, gamma, alpha, a = _check_network(W, gamma, alpha, a, X.shape[1])
    beta = check_real(beta, "beta", low=0.0)
    value = _value_and_gradient(X, y, W[None], gamma[None], alpha[None], a[None], beta)[0]
    return float(value[0])


def bn_gradient(
    X: object, y: object, W: object, gamma: object, alpha: object, a: object, beta: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gradient of :func:`bn_objective` with respect to ``(W, gamma, alpha, a)``.

    The gradient in ``w_j`` is ``gamma_j / ||z_j|| X_c^T (I - zhat_j zhat_j^T) g_j`` with
    ``z_j = X_c w_j``, ``zhat_j = z_j / ||z_j||`` and ``g_j`` the derivative of the loss with
    respect to the BN output: it is orthogonal to ``w_j`` (scale invariance).

    Returns
    -------
    gW (m, d), ggamma (m,), galpha (m,), ga (m,)
    """
    X, y = _check_data(X, y)
    W, gamma, alpha, a = _check_network(W, gamma, alpha, a, X.shape[1])
    beta = check_real(beta, "beta", low=0.0)
    _, gW, gg, gal, ga = _value_and_gradient(
        X, y, W[None], gamma[None], alpha[None], a[None], beta
    )
    return gW[0], gg[0], gal[0], ga[0]


# --------------------------------------------------------------------------- the whitened basis


def _basis(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = X.shape[0]
    Xc = X - X.mean(axis=0)
    U, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    if s.size == 0 or s[0] == 0.0:
        raise ValueError(
            "X has identical rows: every pre-activation is constant over the batch and batch "
            "normalization is undefined"
        )
    r = int(np.sum(s > RANK_TOL * s[0]))
    Uprime = np.column_stack([U[:, :r], np.full(n, 1.0 / np.sqrt(n))])
    return Uprime, Vt[:r].T, s[:r]


def bn_basis(X: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The whitened basis ``U' = [U, 1/sqrt(n)]`` of the centred data, with ``V`` and ``Sigma``.

    ``(I - 11^T/n) X = U Sigma V^T`` is the compact SVD (rank ``r``: singular values below
    ``RANK_TOL`` times the largest are dropped). ``U'^T U' = I_{r+1}``, and every BN
    pre-activation is ``BN(X w) = U' c`` with ``c = [gamma Sigma V^T w / ||Sigma V^T w||;
    alpha]`` (Ergen et al., 2022).

    Parameters
    ----------
    X : array_like, shape (n, d), n >= 2

    Returns
    -------
    Uprime : numpy.ndarray, shape (n, r + 1)
    V : numpy.ndarray, shape (d, r)
    Sigma : numpy.ndarray, shape (r,), decreasing

    Raises
    ------
    ValueError
        If all rows of ``X`` are equal (rank 0: nothing to normalize).
    """
    X, _ = _check_data(X)
    return _basis(X)


# --------------------------------------------------------------------------- the convex program


@dataclass(frozen=True)
class BNConvexSolution:
    """Solution of the convex program of a BN network (:func:`solve_bn_convex`).

    Attributes
    ----------
    value : float
        Optimal value; equals the BN objective of :func:`recover_bn_network`'s network.
    convex : ConvexSolution
        The solution of :func:`twolayer.convex.solve_convex` on the basis ``U'``.
    Uprime : numpy.ndarray, shape (n, k + 1)
    V : numpy.ndarray, shape (d, k)
    Sigma : numpy.ndarray, shape (k,)
        The basis the program was built on (``k = r``, or fewer with ``components``).
    """

    value: float
    convex: ConvexSolution = field(repr=False)
    Uprime: np.ndarray = field(repr=False)
    V: np.ndarray = field(repr=False)
    Sigma: np.ndarray = field(repr=False)

    @property
    def predictions(self) -> np.ndarray:
        """Fitted values on the training batch, shape (n,)."""
        return self.convex.predictions


def _truncate(
    basis: tuple[np.ndarray, np.ndarray, np.ndarray], components: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    Uprime, V, s = basis
    if components is None or components >= s.size:
        return basis
    return np.column_stack([Uprime[:, :components], Uprime[:, -1]]), V[:, :components], \
        s[:components]


def solve_bn_convex(
    X: object,
    y: object,
    beta: float,
    patterns: object,
    *,
    components: int | None = None,
    solver: str = "CLARABEL",
    solver_options: dict | None = None,
) -> BNConvexSolution:
    """Solve the convex program of weight-decay training of a BN ReLU network.

    The program of :func:`twolayer.convex.solve_convex` with the data matrix replaced by the
    whitened basis ``U'`` of :func:`bn_basis` (Ergen et al., 2022)::

        min  1/2 ||sum_i D_i U' (v_i - w_i) - y||^2 + beta sum_i (||v_i|| + ||w_i||)
        s.t. (2 D_i - I) U' v_i >= 0,  (2 D_i - I) U' w_i >= 0,

    with ``D_i`` activation patterns of ``U'`` (all of them: the optimum over BN networks of
    width ``m >= m*``; a subset, e.g. :func:`twolayer.arrangements.sample_patterns` of ``U'``:
    an upper bound, attained by the recovered network).

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    beta : float, > 0
    patterns : array_like of bool, shape (P, n)
        Patterns ``1[U' u >= 0]`` of the basis (with ``components``: of the truncated basis).
    components : int, optional
        Keep only the ``components`` leading singular directions in ``U'`` (and the constant
        column): the program over BN networks whose first layer lies in the span of the
        leading right singular vectors, a restriction (the book's spectral variant).
    solver, solver_options
        Passed to :func:`twolayer.convex.solve_convex` (e.g. ``solver="ipm"`` once available).

    Returns
    -------
    BNConvexSolution
    """
    X, y = _check_data(X, y)
    if components is not None:
        components = check_int(components, "components", low=1)
    basis = _truncate(_basis(X), components)
    sol = solve_convex(basis[0], y, beta, patterns, solver=solver, solver_options=solver_options)
    return BNConvexSolution(sol.value, sol, *basis)


def _network_from_coefficients(
    C: np.ndarray, a: np.ndarray, V: np.ndarray, s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """BN network ``(W, gamma, alpha, a)`` with ``BN(X w_j) = U' c_j`` for the rows ``c_j`` of C."""
    C1 = C[:, :-1]
    gamma = np.linalg.norm(C1, axis=1)
    alpha = C[:, -1].copy()
    W = (C1 / s) @ V.T
    # a neuron with c_{1:r} = 0 outputs the constant alpha/sqrt(n): any w with a non-constant
    # pre-activation will do, with gamma = 0
    flat = gamma == 0.0
    W[flat] = V[:, 0] / s[0]
    # unit-norm rows: BN is scale-invariant in w, and this keeps the network readable
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    return W, gamma, alpha, a.copy()


def recover_bn_network(
    solution: BNConvexSolution, tol: float = 1e-6
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read a BN network off a solution of the convex program.

    :func:`twolayer.convex.recover_network` gives a balanced ReLU network ``(C, a)`` on ``U'``;
    each row ``c_j`` becomes ``gamma_j = ||c_{j,1:r}||``, ``alpha_j = c_{j,r+1}`` and
    ``w_j = V Sigma^{-1} c_{j,1:r}`` (normalized), so that ``BN(X w_j) = U' c_j`` and
    ``gamma_j^2 + alpha_j^2 = ||c_j||^2 = a_j^2``: the BN objective equals the convex value.

    Parameters
    ----------
    solution : BNConvexSolution
    tol : float
        Relative threshold for a group to count as zero, as in ``recover_network``.

    Returns
    -------
    W (m, d), gamma (m,), alpha (m,), a (m,)
    """
    if not isinstance(solution, BNConvexSolution):
        raise TypeError(
            f"solution must be a BNConvexSolution, got {type(solution).__name__}"
        )
    C, a = recover_network(solution.convex, tol=tol)
    return _network_from_coefficients(C, a, solution.V, solution.Sigma)


# --------------------------------------------------------------------------- the closed form


@dataclass(frozen=True)
class BNClosedForm:
    """The optimal BN network in the over-parameterized regime (:func:`bn_closed_form`).

    Attributes
    ----------
    fit : numpy.ndarray, shape (n,)
        ``(1 - beta/||y+||)_+ y+ - (1 - beta/||y-||)_+ y-``: independent of ``X``.
    value : float
        Optimal objective, ``sum_(+-) (beta ||y_(+-)|| - beta^2/2 if ||y_(+-)|| > beta
        else ||y_(+-)||^2 / 2)``.
    W (m, d), gamma (m,), alpha (m,), a (m,)
        An optimal BN network with at most two neurons.
    """

    fit: np.ndarray
    value: float
    W: np.ndarray
    gamma: np.ndarray
    alpha: np.ndarray
    a: np.ndarray


def _whitened_fit(y: np.ndarray, beta: float) -> tuple[np.ndarray, float]:
    """Optimal fit ``sum_(+-) +-(1 - beta/||y_(+-)||)_+ y_(+-)`` and value for whitened data."""
    fit = np.zeros(y.size)
    value = 0.0
    for sign in (1.0, -1.0):
        part = np.maximum(sign * y, 0.0)
        size = float(np.linalg.norm(part))
        if size > beta:
            fit += sign * (1.0 - beta / size) * part
            value += beta * size - 0.5 * beta**2
        else:
            value += 0.5 * size**2
    return fit, value


def bn_closed_form(X: object, y: object, beta: float) -> BNClosedForm:
    """Optimal BN network when the centred data have rank ``n - 1`` (e.g. ``n <= d``).

    Then ``U'`` is an ``n x n`` orthogonal matrix, ``U' c`` ranges over all of ``R^n`` with
    ``||U' c|| = ||c||``, and the problem is that of whitened data (Ergen et al., 2022):
    with ``y+ = max(y, 0)`` and ``y- = max(-y, 0)`` the optimal fit is
    ``(1 - beta/||y+||)_+ y+ - (1 - beta/||y-||)_+ y-``, one neuron per sign, whatever ``X``.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    beta : float, > 0

    Returns
    -------
    BNClosedForm

    Raises
    ------
    ValueError
        If the centred data have rank below ``n - 1`` (use :func:`solve_bn_convex`).
    """
    X, y = _check_data(X, y)
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    Uprime, V, s = _basis(X)
    n = X.shape[0]
    if s.size < n - 1:
        raise ValueError(
            f"the closed form needs centred data of rank n - 1 = {n - 1} (e.g. n <= d), got "
            f"rank {s.size}; solve the convex program (solve_bn_convex) instead"
        )
    fit, value = _whitened_fit(y, beta)
    rows, weights = [], []
    for sign in (1.0, -1.0):
        p = np.maximum(sign * fit, 0.0)
        size = float(np.linalg.norm(p))
        if size > 0.0:
            # the neuron relu(u) a with u = p / sqrt(||p||), a = sign sqrt(||p||): balanced
            root = np.sqrt(size)
            rows.append(Uprime.T @ (p / root))
            weights.append(sign * root)
    C = np.array(rows).reshape(-1, s.size + 1)
    W, gamma, alpha, a = _network_from_coefficients(C, np.array(weights), V, s)
    return BNClosedForm(fit, value, W, gamma, alpha, a)


# --------------------------------------------------------------------------- gradient descent


@dataclass(frozen=True)
class BNTrainResult:
    """Outcome of :func:`train_bn`: final BN network and the objective along the way.

    ``history[t]`` is the objective after ``steps_recorded[t]`` steps.
    """

    W: np.ndarray
    gamma: np.ndarray
    alpha: np.ndarray
    a: np.ndarray
    history: np.ndarray
    steps_recorded: np.ndarray


def _descend(
    X: np.ndarray, y: np.ndarray, params: list[np.ndarray], beta: float, lr: float,
    steps: int, record_every: int,
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Full-batch GD on a batch of BN networks; returns parameters and history ``(T, R)``."""
    params = [p.copy() for p in params]
    Xc = X - X.mean(axis=0)
    scale = float(np.linalg.norm(Xc))
    history, recorded = [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps + 1):
            record = t % record_every == 0 or t == steps
            value, *grads = _centred_value_and_gradient(
                Xc, y, *params, beta, scale if record else None
            )
            if record:
                if not np.all(np.isfinite(value)):
                    raise FloatingPointError(f"training diverged at step {t}; lower lr (got {lr})")
                history.append(value)
                recorded.append(t)
            if t == steps:
                break
            for p, g in zip(params, grads):
                p -= lr * g
    return params, np.asarray(history), np.asarray(recorded)


def _check_schedule(lr: object, steps: object, record_every: object) -> tuple[float, int, int]:
    return (
        check_real(lr, "lr", low=0.0, low_open=True),
        check_int(steps, "steps", low=0),
        check_int(record_every, "record_every", low=1),
    )


def train_bn(
    X: object, y: object, W: object, gamma: object, alpha: object, a: object, beta: float,
    *, lr: float, steps: int, record_every: int = 1,
) -> BNTrainResult:
    """Minimize :func:`bn_objective` by full-batch gradient descent from ``(W, gamma, alpha, a)``.

    BN statistics are those of the whole batch ``X`` at every step. With ``z = Sigma V^T w``
    a step in ``w`` moves ``z`` by ``-lr Sigma^2 grad_z``: gradient descent is
    ``Sigma^2``-preconditioned in the whitened coordinates and learns the leading singular
    directions first (the algorithmic bias that Ergen et al., 2022, describe).

    Raises
    ------
    FloatingPointError
        If the iterates diverge; ValueError if a neuron's pre-activation becomes constant.
    """
    X, y = _check_data(X, y)
    W, gamma, alpha, a = _check_network(W, gamma, alpha, a, X.shape[1])
    beta = check_real(beta, "beta", low=0.0)
    schedule = _check_schedule(lr, steps, record_every)
    params, history, recorded = _descend(
        X, y, [W[None], gamma[None], alpha[None], a[None]], beta, *schedule
    )
    return BNTrainResult(*(p[0] for p in params), history[:, 0], recorded)


def _init_bn(d: int, m: int, runs: int, gen: np.random.Generator, scale: float):
    W = gen.standard_normal((runs, m, d)) / np.sqrt(d)
    gamma = gen.normal(scale=scale / np.sqrt(m), size=(runs, m))
    alpha = gen.normal(scale=scale / np.sqrt(m), size=(runs, m))
    a = gen.normal(scale=scale / np.sqrt(m), size=(runs, m))
    return [W, gamma, alpha, a]


def train_bn_from_random_inits(
    X: object, y: object, m: int, beta: float, *, runs: int, rng: object, lr: float,
    steps: int, scale: float = 1.0, record_every: int = 1,
) -> list[BNTrainResult]:
    """Train ``runs`` width-``m`` BN networks from independent random starts, all at once.

    ``w_j ~ N(0, I_d / d)``, and ``gamma_j, alpha_j, a_j ~ N(0, scale^2 / m)``; one generator
    seeded by ``rng`` draws every start. The runs advance together as one batched array
    computation (see :func:`train_bn`).

    Returns
    -------
    list of BNTrainResult, one per run
    """
    X, y = _check_data(X, y)
    m = check_int(m, "m", low=1)
    beta = check_real(beta, "beta", low=0.0)
    runs = check_int(runs, "runs", low=1)
    scale = check_real(scale, "scale", low=0.0, low_open=True)
    gen = as_rng(rng)
    schedule = _check_schedule(lr, steps, record_every)
    params, history, recorded = _descend(
        X, y, _init_bn(X.shape[1], m, runs, gen, scale), beta, *schedule
    )
    return [
        BNTrainResult(*(p[r] for p in params), history[:, r], recorded) for r in range(runs)
    ]


# --------------------------------------------------------------------------- analysis


def _coefficients(
    X: np.ndarray, W: np.ndarray, gamma: np.ndarray, alpha: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``c_j`` with ``BN(X w_j) = U' c_j`` and the singular values of the centred data."""
    Uprime, V, s = _basis(X)
    Zt = (W @ V) * s  # rows Sigma V^T w_j
    norms = np.linalg.norm(Zt, axis=1, keepdims=True)
    if np.any(norms == 0.0):
        raise ValueError("a neuron has a constant pre-activation: batch normalization is undefined")
    C = np.column_stack([gamma[:, None] * Zt / norms, alpha])
    return C, s


def bn_energy(
    X: object, W: object, gamma: object, alpha: object, a: object
) -> np.ndarray:
    """Share of a BN network's path norm along each singular direction of the centred data.

    Neuron ``j`` is ``relu(U' c_j) a_j``; its path weight ``|a_j| ||c_j||`` is split over the
    columns of ``U'`` by the squared direction cosines ``c_jk^2 / ||c_j||^2``. Entry ``k`` of
    the result is ``sum_j |a_j| c_jk^2 / ||c_j||``, divided by the path norm
    ``sum_j |a_j| ||c_j||``: the first ``r`` entries are the singular directions (largest first),
    the last the constant direction ``1 / sqrt(n)``; they sum to one.

    Returns
    -------
    numpy.ndarray, shape (r + 1,)
    """
    X, _ = _check_data(X)
    W, gamma, alpha, a = _check_network(W, gamma, alpha, a, X.shape[1])
    C, _ = _coefficients(X, W, gamma, alpha)
    return _energy(C, a)


def _energy(C: np.ndarray, a: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(C, axis=1)
    alive = norms > 0
    share = (np.abs(a[alive]) / norms[alive]) @ (C[alive] ** 2)
    total = float(share.sum())
    if total == 0.0:
        raise ValueError("the network is zero: its energy has no direction")
    return share / total


# --------------------------------------------------------------------------- experiments


@dataclass(frozen=True)
class ExactResult:
    """Result 1 of the chapter (:func:`exact_experiment`): exact program against GD.

    Attributes
    ----------
    optimum : float
        Convex optimum over all patterns of ``U'`` (exact for ``d = 1``: ``U'`` has two columns).
    recovered : float
        BN objective of the recovered network (equals ``optimum``).
    width : int
        Its number of neurons.
    gd : numpy.ndarray, shape (runs,)
        Final BN objectives of gradient descent from ``runs`` seeds.
    patterns : int
        Number of patterns of ``U'``.
    fit : numpy.ndarray, shape (n,)
        Fit of the recovered network.
    gd_fits : numpy.ndarray, shape (runs, n)
        Fits of the GD networks.
    """

    optimum: float
    recovered: float
    width: int
    gd: np.ndarray
    patterns: int
    fit: np.ndarray
    gd_fits: np.ndarray


def exact_experiment(
    x: object, y: object, beta: float, *, m: int, runs: int, rng: object, lr: float,
    steps: int, solver: str = "CLARABEL",
) -> ExactResult:
    """Exact convex program against gradient descent for a BN network on 1-D data.

    For ``x (n,)`` the centred data have rank one and ``U' (n, 2)`` is two-dimensional, so
    :func:`twolayer.arrangements.enumerate_patterns_2d` lists all its patterns and the convex
    optimum is the global minimum over BN networks of any width ``m >= m*``.

    Parameters
    ----------
    x : array_like, shape (n,);  y : array_like, shape (n,)
    beta : float, > 0
    m, runs, rng, lr, steps
        Width, number of random starts, their seed, step size and number of GD steps.
    solver : str
        Passed to :func:`twolayer.convex.solve_convex`.
    """
    from .arrangements import enumerate_patterns_2d

    x = as_array(x, "x", ndim=1)
    X, y = _check_data(x[:, None], y)
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    Uprime, V, s = _basis(X)
    patterns = enumerate_patterns_2d(Uprime)
    sol = solve_convex(Uprime, y, beta, patterns, solver=solver)
    C, a = recover_network(sol)
    net = _network_from_coefficients(C, a, V, s)
    recovered = _value_and_gradient(X, y, *(p[None] for p in net), beta)[0][0]
    m = check_int(m, "m", low=1)
    runs = check_int(runs, "runs", low=1)
    schedule = _check_schedule(lr, steps, max(1, steps))
    params, history, _ = _descend(X, y, _init_bn(1, m, runs, as_rng(rng), 1.0), beta, *schedule)
    H, _, _ = _bn_outputs(X, *params[:3], X)
    gd_fits = np.einsum("rnm,rm->rn", np.maximum(H, 0.0), params[3])
    H, _, _ = _bn_outputs(X, *net[:3], X)
    return ExactResult(sol.value, float(recovered), int(C.shape[0]), history[-1].copy(),
                       int(patterns.shape[0]), np.maximum(H, 0.0) @ net[3], gd_fits)


@dataclass(frozen=True)
class DigitsResult:
    """Result 3 and 4 of the chapter (:func:`digits_experiment`).

    Objectives are BN training objectives on the projected training images; accuracies are
    held-out accuracies of ``sign(f)`` with BN statistics of the training batch.

    Attributes
    ----------
    convex_objective, convex_accuracy : float
        The convex BN program (sampled patterns plus those of the GD networks).
    gd_objective, gd_accuracy : numpy.ndarray, shape (runs,)
        Gradient descent from ``runs`` seeds.
    spectral_objective, spectral_accuracy : float
        The spectral variant: the program on the ``keep`` leading singular directions only.
    sigma : numpy.ndarray, shape (r,)
        Singular values of the centred projected training data.
    energy_convex, energy_spectral : numpy.ndarray, shape (r + 1,)
    energy_gd, energy_gd_early : numpy.ndarray, shape (runs, r + 1)
        Path-norm shares along the singular directions (:func:`bn_energy`); ``energy_gd_early``
        after the first ``early`` steps of the same GD runs.
    n_train, n_test, components, keep, patterns : int
    """

    convex_objective: float
    convex_accuracy: float
    gd_objective: np.ndarray
    gd_accuracy: np.ndarray
    spectral_objective: float
    spectral_accuracy: float
    sigma: np.ndarray
    energy_convex: np.ndarray
    energy_gd: np.ndarray
    energy_spectral: np.ndarray
    energy_gd_early: np.ndarray
    early: int
    n_train: int
    n_test: int
    components: int
    keep: int
    patterns: int


def _accuracy(
    X_train: np.ndarray, X_test: np.ndarray, y_test: np.ndarray, net: tuple[np.ndarray, ...]
) -> float:
    W, gamma, alpha, a = net
    H, _, _ = _bn_outputs(X_test, W, gamma, alpha, X_train)
    pred = np.maximum(H, 0.0) @ a
    return float(np.mean(np.where(pred >= 0, 1.0, -1.0) == y_test))


def digits_experiment(
    X_train: object, y_train: object, X_test: object, y_test: object, beta: float, *,
    components: int, keep: int, m: int, runs: int, lr: float, steps: int, early: int,
    num_patterns: int, rng: object, solver: str = "CLARABEL", solver_options: dict | None = None,
) -> DigitsResult:
    """Convex BN model, GD-trained BN networks and the spectral variant on real images.

    The images are centred with the training mean and projected on the ``components`` leading
    right singular vectors of the centred training images (the BN network then acts on these
    coordinates). Gradient descent trains ``runs`` width-``m`` BN networks
    (:func:`train_bn_from_random_inits`). The convex program (:func:`solve_bn_convex`) is built
    on ``num_patterns`` sampled patterns of ``U'`` together with the patterns of the GD
    networks' neurons, so that its value is at most every GD objective (each GD network is
    feasible for it after merging neurons). The spectral variant keeps the ``keep`` leading
    directions of ``U'`` only, the span gradient descent moves in fastest; it is the book's
    explicit-regularization variant, built on its own sampled patterns and those of the GD
    neurons with their coefficients on the dropped directions set to zero.

    Parameters
    ----------
    X_train (n, d), y_train (n,), X_test (n_test, d), y_test (n_test,)
        Images and ``+-1`` labels.
    beta : float, > 0
    components : int
        Number of leading singular directions of the images kept as inputs.
    keep : int
        Number of leading directions of the spectral variant, ``1 <= keep <= components``.
    m, runs, lr, steps
        Width, number of seeds, step size and steps of gradient descent.
    early : int
        Step at which the energy of the GD runs is also recorded, ``1 <= early <= steps``.
    num_patterns : int
        Random directions sampled for the patterns of each program.
    rng : Generator or int
        Draws the GD starts and the sampled patterns.
    solver : str
        Passed to :func:`twolayer.convex.solve_convex` (``"ipm"`` once available).
    solver_options : dict, optional
        Passed to ``solve_convex``; for CLARABEL the default is :data:`DIGITS_CLARABEL_OPTIONS`.

    Returns
    -------
    DigitsResult
    """
    X_train, y_train = _check_data(X_train, y_train)
    X_test = as_array(X_test, "X_test", ndim=2)
    y_test = as_array(y_test, "y_test", ndim=1)
    check_same_length(X_test, "X_test", y_test, "y_test")
    if X_test.shape[1] != X_train.shape[1]:
        raise ValueError(
            f"X_test must have {X_train.shape[1]} columns like X_train, got shape {X_test.shape}"
        )
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    components = check_int(components, "components", low=1)
    keep = check_int(keep, "keep", low=1)
    if keep > components:
        raise ValueError(f"keep must be at most components = {components}, got {keep}")
    num_patterns = check_int(num_patterns, "num_patterns", low=1)
    m = check_int(m, "m", low=1)
    runs = check_int(runs, "runs", low=1)
    lr, steps, early = _check_schedule(lr, steps, early)
    if early > steps:
        raise ValueError(f"early must be at most steps = {steps}, got {early}")
    if solver_options is None and solver == "CLARABEL":
        solver_options = DIGITS_CLARABEL_OPTIONS
    gen = as_rng(rng)
    mean = X_train.mean(axis=0)
    _, _, Vt = np.linalg.svd(X_train - mean, full_matrices=False)
    P = Vt[:components].T
    Ztr, Zte = (X_train - mean) @ P, (X_test - mean) @ P

    # GD in two legs of one trajectory: the energy after the first `early` steps, then the rest
    params, _, _ = _descend(Ztr, y_train, _init_bn(Ztr.shape[1], m, runs, gen, 1.0), beta, lr,
                            early, early)
    early_nets = [tuple(p[r] for p in params) for r in range(runs)]
    params, history, _ = _descend(Ztr, y_train, params, beta, lr, steps - early, steps)
    gd_nets = [tuple(p[r] for p in params) for r in range(runs)]
    basis = _basis(Ztr)
    coeffs = [_coefficients(Ztr, W, g, al)[0] for W, g, al, _ in gd_nets]
    # the patterns of GD's own neurons make every GD network feasible for the program
    own = [patterns_from_directions(basis[0], C) for C in coeffs]
    pats = np.vstack([sample_patterns(basis[0], num_patterns, gen), *own])
    pats = np.unique(pats, axis=0)
    sol = solve_convex(basis[0], y_train, beta, pats, solver=solver, solver_options=solver_options)
    C, a = recover_network(sol)
    convex_net = _network_from_coefficients(C, a, basis[1], basis[2])

    small = _truncate(basis, keep)
    # GD's neurons with their coefficients on the dropped directions set to zero
    own_k = [patterns_from_directions(small[0], np.column_stack([C[:, :keep], C[:, -1]]))
             for C in coeffs]
    pats_k = np.unique(np.vstack([sample_patterns(small[0], num_patterns, gen), *own_k]), axis=0)
    sol_k = solve_convex(small[0], y_train, beta, pats_k, solver=solver,
                         solver_options=solver_options)
    Ck, ak = recover_network(sol_k)
    spectral_net = _network_from_coefficients(Ck, ak, small[1], small[2])

    def objective(net: tuple[np.ndarray, ...]) -> float:
        return float(_value_and_gradient(Ztr, y_train, *(p[None] for p in net), beta)[0][0])

    def energy(net: tuple[np.ndarray, ...]) -> np.ndarray:
        return _energy(_coefficients(Ztr, *net[:3])[0], net[3])

    return DigitsResult(
        convex_objective=objective(convex_net),
        convex_accuracy=_accuracy(Ztr, Zte, y_test, convex_net),
        gd_objective=history[-1].copy(),
        gd_accuracy=np.array([_accuracy(Ztr, Zte, y_test, net) for net in gd_nets]),
        spectral_objective=objective(spectral_net),
        spectral_accuracy=_accuracy(Ztr, Zte, y_test, spectral_net),
        sigma=basis[2],
        energy_convex=energy(convex_net),
        energy_gd=np.array([energy(net) for net in gd_nets]),
        energy_gd_early=np.array([energy(net) for net in early_nets]),
        energy_spectral=energy(spectral_net),
        n_train=int(Ztr.shape[0]),
        n_test=int(Zte.shape[0]),
        components=components,
        keep=keep,
        early=early,
        patterns=int(pats.shape[0]),
    )


@dataclass(frozen=True)
class ExploreResult:
    """The explorer's frame (:func:`explore_dimension`): the optimal BN fit at ``(beta, d)``.

    Attributes
    ----------
    y, fit, whitened_fit : numpy.ndarray, shape (n,)
        Targets, the optimal BN fit on the data, and the closed-form fit of whitened data.
    value : float
        Optimal objective (closed form, or convex program on sampled patterns).
    beta : float
    d, rank : int
        Input dimension and rank of the centred data.
    closed_form : bool
        Whether the centred rank is ``n - 1`` (then ``fit == whitened_fit``).
    """

    y: np.ndarray
    fit: np.ndarray
    whitened_fit: np.ndarray
    value: float
    beta: float
    d: int
    rank: int
    closed_form: bool


def explore_dimension(
    beta: float, d: int, *, n: int = 10, rng: object = 0, num_patterns: int = 20,
    solver: str = "CLARABEL",
) -> ExploreResult:
    """Optimal BN fit of fixed targets on Gaussian data ``X (n, d)``, for the chapter's explorer.

    The targets ``y ~ N(0, I_n)`` and the data are drawn from ``rng`` (the targets first, so
    they do not change with ``d``). When the centred data have rank ``n - 1`` the closed form
    (:func:`bn_closed_form`) gives the fit; below, the convex program (:func:`solve_bn_convex`)
    on ``num_patterns`` sampled patterns of ``U'`` plus the sign patterns of ``y``.
    """
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    d = check_int(d, "d", low=1)
    n = check_int(n, "n", low=3)
    num_patterns = check_int(num_patterns, "num_patterns", low=1)
    gen = as_rng(rng)
    y = gen.standard_normal(n)
    X = gen.standard_normal((n, d))
    whitened, white_value = _whitened_fit(y, beta)
    Uprime, _, s = _basis(X)
    if s.size == n - 1:
        return ExploreResult(y, whitened, whitened, white_value, beta, d, s.size, True)
    patterns = np.vstack([sample_patterns(Uprime, num_patterns, gen), y > 0, y < 0])
    sol = solve_convex(Uprime, y, beta, np.unique(patterns, axis=0), solver=solver)
    return ExploreResult(y, sol.predictions, whitened, sol.value, beta, d, s.size, False)

"""The chapter's digits experiment: the convex BN model, GD-trained BN networks and the spectral
variant on scikit-learn's digits.

Imports :mod:`twolayer._checks`, :mod:`twolayer.arrangements`, :mod:`twolayer.convex` and the
package's modules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_rng, check_int, check_real, check_test_set
from ..arrangements import patterns_from_directions, sample_patterns
from ..convex import recover_network, solve_convex
from ._checks import check_data, check_schedule
from .basis import _basis, _coefficients, _energy
from .forward import _bn_outputs, _value_and_gradient
from .program import _network_from_coefficients, _truncate
from .training import _descend, _init_bn

__all__ = ["DIGITS_CLARABEL_OPTIONS", "DigitsResult", "digits_experiment"]

#: CLARABEL settings of :func:`digits_experiment`: the programs on sampled patterns plus those
#: of GD's neurons (cones that are often thin) end ``optimal_inaccurate`` at the solver's
#: default 1e-8 and at the library's 1e-10, and are solved at 1e-7.
DIGITS_CLARABEL_OPTIONS = {"tol_gap_abs": 1e-7, "tol_gap_rel": 1e-7, "tol_feas": 1e-7}


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
    X_train, y_train = check_data(X_train, y_train)
    X_test, y_test = check_test_set(X_test, y_test, X_train.shape[1])
    beta = check_real(beta, "beta", low=0.0, low_open=True)
    components = check_int(components, "components", low=1)
    keep = check_int(keep, "keep", low=1)
    if keep > components:
        raise ValueError(f"keep must be at most components = {components}, got {keep}")
    num_patterns = check_int(num_patterns, "num_patterns", low=1)
    m = check_int(m, "m", low=1)
    runs = check_int(runs, "runs", low=1)
    lr, steps, early = check_schedule(lr, steps, early, "early")
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

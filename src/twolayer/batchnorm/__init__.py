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

Modules: ``forward`` (forward pass, objective, gradient), ``basis`` (the whitened basis and a
network's coordinates in it), ``program`` (the convex program and the recovered network),
``closed_form`` (the optimum for centred rank ``n - 1``), ``training`` (gradient descent),
``experiments`` (exact program against GD, the explorer's frame), ``digits`` (the digits
experiment). Each imports only :mod:`twolayer._checks`, :mod:`twolayer._descent`,
:mod:`twolayer.arrangements`, :mod:`twolayer.convex` and modules of this package listed before it.
"""

from __future__ import annotations

from .basis import RANK_TOL, bn_basis, bn_energy
from .closed_form import BNClosedForm, bn_closed_form
from .digits import DIGITS_CLARABEL_OPTIONS, DigitsResult, digits_experiment
from .experiments import ExactResult, ExploreResult, exact_experiment, explore_dimension
from .forward import DEGENERATE_TOL, bn_forward, bn_gradient, bn_objective
from .program import BNConvexSolution, recover_bn_network, solve_bn_convex
from .training import BNTrainResult, train_bn, train_bn_from_random_inits

__all__ = [
    "BNClosedForm",
    "BNConvexSolution",
    "BNTrainResult",
    "DEGENERATE_TOL",
    "DIGITS_CLARABEL_OPTIONS",
    "DigitsResult",
    "ExactResult",
    "ExploreResult",
    "RANK_TOL",
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

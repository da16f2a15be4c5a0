"""Shallow linear networks under Dropout and Dropconnect.

The network is ``x -> W2 F W1 x`` with first layer ``W1 (m, d)`` (row ``i`` is ``v_i``), second
layer ``W2 (k, m)`` (column ``i`` is ``u_i``) and a random mask ``F``:

* **Dropout** (Srivastava et al. 2014): ``F = diag(f)``, ``f_i ~ Bernoulli(p)`` independent,
  one keep/drop decision per hidden unit;
* **Dropconnect** (Wan et al. 2013): every entry of ``W1`` is kept independently with
  probability ``p``, ``W1 -> B * W1`` with ``B_ij ~ Bernoulli(p)``.

No rescaling by ``1/p`` is used; ``p`` is the *keep* probability. On data ``X (n, d)`` (rows are
samples) and targets ``Y (n, k)`` the network outputs ``X W1^T F W2^T``, and the expected squared
loss has the closed form (derived in the chapter "Dropout flows")::

    E ||Y - X W1^T F W2^T||_F^2 = ||Y - p X W1^T W2^T||_F^2 + p (1 - p) R(W1, W2),
    R_dropout     = sum_i ||u_i||^2 ||X v_i||^2,
    R_dropconnect = sum_i sum_j W1_ij^2 ||u_i||^2 ||X_{:, j}||^2.

The module computes these objectives, checks them by exact enumeration of every mask and by
Monte Carlo, gives the closed-form global minimizer of the Dropout objective (Mianjy, Arora & Vidal
2018; Cavazza et al. 2018), integrates the gradient flow and measures its local linear rate, which
is compared with the smallest positive Hessian eigenvalue at the limit (Senen-Cerda & Sanders
2022), and runs stochastic Dropout gradient descent.

Modules: ``objectives`` (one mask, in expectation, by enumeration, by Monte Carlo), ``minimizer``
(the closed-form global minimizer), ``training`` (gradient descent and stochastic Dropout),
``rates`` (gradient flow and its linear rate), ``experiments`` (the chapter's studies: measured
against predicted flow rates, grids of rates and of shrunk singular values). The synthetic data
of the chapter come from :func:`twolayer.data.dropout_data`.

Targets may be given as ``y (n,)``; they are then treated as ``Y (n, 1)`` and ``W2`` must be
``(1, m)``.
"""

from .experiments import (
    FlowRateStudy,
    RateGrid,
    SgdAgainstFlow,
    ShrinkagePaths,
    SingleOutputFlowStudy,
    flow_rate_study,
    rate_grid,
    sgd_against_flow,
    shrinkage_paths,
    single_output_flow_study,
)
from .minimizer import (
    DropoutMinimizer,
    dropout_minimizer,
    equalize_factorization,
    induced_regularizer,
    perturb,
    rebalance,
    unit_products,
)
from .objectives import (
    MAX_MASKS,
    enumerate_expected_gradient,
    enumerate_expected_objective,
    expected_gradient,
    expected_hessian,
    expected_objective,
    masked_gradient,
    masked_loss,
    monte_carlo_objective,
    regularizer,
)
from .rates import (
    DescentComparison,
    FlowResult,
    HessianRate,
    descent_against_minimizer,
    fit_rate,
    gradient_flow,
    hessian_rate,
    single_output_rate,
)
from .training import RunResult, dropout_gradient_descent, dropout_sgd

__all__ = [
    "MAX_MASKS",
    "DescentComparison",
    "DropoutMinimizer",
    "FlowRateStudy",
    "FlowResult",
    "HessianRate",
    "RateGrid",
    "SgdAgainstFlow",
    "RunResult",
    "ShrinkagePaths",
    "SingleOutputFlowStudy",
    "descent_against_minimizer",
    "dropout_gradient_descent",
    "dropout_minimizer",
    "dropout_sgd",
    "enumerate_expected_gradient",
    "enumerate_expected_objective",
    "equalize_factorization",
    "expected_gradient",
    "expected_hessian",
    "expected_objective",
    "fit_rate",
    "flow_rate_study",
    "gradient_flow",
    "hessian_rate",
    "induced_regularizer",
    "masked_gradient",
    "masked_loss",
    "monte_carlo_objective",
    "perturb",
    "rate_grid",
    "sgd_against_flow",
    "rebalance",
    "regularizer",
    "shrinkage_paths",
    "single_output_flow_study",
    "single_output_rate",
    "unit_products",
]

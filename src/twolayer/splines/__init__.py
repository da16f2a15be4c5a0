"""Univariate two-layer ReLU networks: minimum-norm interpolants and the regimes of GD.

A univariate network is ``f(x) = sum_i c_i relu(a_i x + b_i) + v x + d`` with ``m`` units
``(a_i, b_i, c_i)`` and, where stated, a free *linear unit* ``v x`` and a free output bias ``d``
(:class:`UnivariateNetwork`). Two costs of a network appear in this module, and they differ in
whether the biases ``b_i`` are charged:

* ``sum_i |c_i| |a_i|`` -- weight decay on ``(a, c)`` only, biases free. Its infimum over the
  networks that represent ``f`` is the representational cost of Savarese, Evron, Soudry &
  Srebro (2019): ``max(int |f''|, |f'(-inf) + f'(+inf)|)`` with a free output bias, and
  ``int |f''|`` when a free linear unit is added (:func:`representation_cost`).
* ``sum_i |c_i| ||(a_i, b_i)||`` -- weight decay on the whole first layer, biases included. This
  is what the convex program of Pilanci & Ergen (2020) on the augmented data ``[x, 1]`` charges
  (:func:`bias_penalized_network`, built on :func:`twolayer.convex.solve_convex`).

The exact minimum of the first cost over interpolants is computed three ways: in closed form
(:func:`min_representation_cost`), by a linear program over units with knots at the samples
(:func:`min_cost_network`), and from the function the program returns
(:func:`representation_cost`).

The second half of the module runs gradient descent on wide networks without linear unit
(Williams, Trager, Panozzo, Silva, Zorin & Bruna 2019) from initializations that differ only in
the ratio ``|c_i| / ||(a_i, b_i)||`` (:func:`init_univariate`, :func:`train_univariate`), and
compares the result with the natural cubic spline and the linear interpolant
(:func:`spline_distances`).

Modules: ``networks`` (univariate networks and their costs), ``programs`` (the convex programs),
``dynamics`` (gradient descent and its regimes), ``kernel_limit`` (frozen first layer, infinite
width), ``regimes`` (sweeps over the layer ratio).
"""

from __future__ import annotations

from .dynamics import (
    DynamicsResult,
    balance_gaps,
    curvature_near_samples,
    hessian_bound,
    init_univariate,
    polar_coordinates,
    spline_distances,
    tangent_kernel,
    train_univariate,
)
from .kernel_limit import (
    frozen_layer_interpolant,
    kernel_limit,
    lazy_index,
    uniform_knot_kernel,
)
from .networks import (
    UnivariateNetwork,
    linear_interpolant,
    min_representation_cost,
    representation_cost,
    slope_changes,
    triangle_samples,
    unit_cost,
)
from .programs import (
    BiasPenalizedResult,
    MinCostPath,
    MinCostResult,
    bias_penalized_network,
    knot_grid,
    min_cost_network,
    min_cost_path,
    value_range_at,
)
from .regimes import (
    RatioSweep,
    ratio_sweep,
    sweep_summary,
)

__all__ = [
    "BiasPenalizedResult",
    "DynamicsResult",
    "MinCostPath",
    "MinCostResult",
    "RatioSweep",
    "UnivariateNetwork",
    "balance_gaps",
    "bias_penalized_network",
    "curvature_near_samples",
    "frozen_layer_interpolant",
    "hessian_bound",
    "init_univariate",
    "kernel_limit",
    "knot_grid",
    "lazy_index",
    "linear_interpolant",
    "min_cost_network",
    "min_cost_path",
    "min_representation_cost",
    "polar_coordinates",
    "ratio_sweep",
    "representation_cost",
    "slope_changes",
    "spline_distances",
    "sweep_summary",
    "tangent_kernel",
    "train_univariate",
    "triangle_samples",
    "uniform_knot_kernel",
    "unit_cost",
    "value_range_at",
]

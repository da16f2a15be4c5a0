"""twolayer: the library behind the book *Two-Layer Networks: Convexity, Symmetry and Dynamics*.

Modules, one per concept: ``data`` (synthetic data sets), ``network`` (the two-layer ReLU network,
its weight-decay objective and training), ``arrangements`` (activation patterns of the data),
``convex`` (the convex program of weight-decay training), ``batchnorm`` (ReLU networks with
batch normalization, their convex program and closed forms), ``duality`` (its dual, certificates,
cutting planes), ``splines`` (univariate networks, minimum-cost interpolants, gradient dynamics),
``dropout`` (shallow linear networks under Dropout and
Dropconnect), ``gaussian`` (population quantities for Gaussian inputs), ``symmetry`` (permutation
actions, isotropy, symmetric families of critical points), ``plotting`` (the book's figures) and
``widgets`` (ipywidgets explorers).
Every module is importable from here; the functions whose names are unambiguous across the
library are re-exported too (``twolayer.train``); the rest are used as ``twolayer.dropout.f``.
"""

from . import (
    arrangements,
    batchnorm,
    convex,
    data,
    dropout,
    duality,
    gaussian,
    network,
    splines,
    symmetry,
)
from .arrangements import enumerate_patterns_1d, enumerate_patterns_2d, sample_patterns
from .batchnorm import (
    bn_basis,
    bn_closed_form,
    bn_forward,
    bn_objective,
    recover_bn_network,
    solve_bn_convex,
)
from .convex import ConvexSolution, merge_neurons, recover_network, solve_convex
from .data import (
    circle_teacher_regression,
    digits_classification,
    gaussian_classification,
    spiral_classification,
    teacher_regression,
    univariate_regression,
)
from .dropout import dropout_gradient_descent, dropout_minimizer, dropout_sgd
from .duality import certificate, cutting_plane, solve_dual
from .gaussian import (
    arccos_kernel,
    fit_student,
    population_gradient,
    population_hessian,
    population_loss,
    spurious_minima_experiment,
)
from .network import (
    TrainResult,
    balance,
    forward,
    gradient,
    init_network,
    objective,
    path_norm,
    train,
    train_from_random_inits,
)
from .splines import (
    min_cost_network,
    min_representation_cost,
    representation_cost,
    train_univariate,
)
from .symmetry import (
    detect_isotropy,
    follow_type_a,
    type_a_critical_point,
    type_a_spectrum,
    type_a_weights,
)

__version__ = "0.1.0"

__all__ = [
    "ConvexSolution",
    "TrainResult",
    "arccos_kernel",
    "arrangements",
    "balance",
    "batchnorm",
    "bn_basis",
    "bn_closed_form",
    "bn_forward",
    "bn_objective",
    "certificate",
    "circle_teacher_regression",
    "convex",
    "cutting_plane",
    "data",
    "detect_isotropy",
    "digits_classification",
    "dropout",
    "dropout_gradient_descent",
    "dropout_minimizer",
    "dropout_sgd",
    "duality",
    "enumerate_patterns_1d",
    "enumerate_patterns_2d",
    "fit_student",
    "follow_type_a",
    "forward",
    "gaussian",
    "gaussian_classification",
    "gradient",
    "init_network",
    "merge_neurons",
    "min_cost_network",
    "min_representation_cost",
    "network",
    "objective",
    "path_norm",
    "population_gradient",
    "population_hessian",
    "population_loss",
    "recover_bn_network",
    "recover_network",
    "representation_cost",
    "sample_patterns",
    "solve_bn_convex",
    "solve_convex",
    "solve_dual",
    "spiral_classification",
    "splines",
    "spurious_minima_experiment",
    "symmetry",
    "teacher_regression",
    "train",
    "train_from_random_inits",
    "train_univariate",
    "type_a_critical_point",
    "type_a_spectrum",
    "type_a_weights",
    "univariate_regression",
]

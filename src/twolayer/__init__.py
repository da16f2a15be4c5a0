"""twolayer: the library behind the book *Two-Layer Networks: Convexity, Symmetry and Dynamics*.

Modules, one per concept: ``data`` (synthetic data sets), ``network`` (the two-layer ReLU network,
its weight-decay objective and training), ``dropout`` (shallow linear networks under Dropout and
Dropconnect), ``gaussian`` (population quantities for Gaussian inputs), ``symmetry`` (permutation
actions, isotropy, symmetric families of critical points), ``plotting`` (the book's figures) and
``widgets`` (ipywidgets explorers).
Every module is importable from here; the functions whose names are unambiguous across the
library are re-exported too (``twolayer.train``); the rest are used as ``twolayer.dropout.f``.
"""

from . import data, dropout, gaussian, network, symmetry
from .data import (
    circle_teacher_regression,
    gaussian_classification,
    spiral_classification,
    teacher_regression,
    univariate_regression,
)
from .dropout import dropout_gradient_descent, dropout_minimizer, dropout_sgd
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
from .symmetry import (
    detect_isotropy,
    follow_type_a,
    type_a_critical_point,
    type_a_spectrum,
    type_a_weights,
)

__version__ = "0.1.0"

__all__ = [
    "TrainResult",
    "arccos_kernel",
    "balance",
    "circle_teacher_regression",
    "data",
    "detect_isotropy",
    "dropout",
    "dropout_gradient_descent",
    "dropout_minimizer",
    "dropout_sgd",
    "fit_student",
    "follow_type_a",
    "forward",
    "gaussian",
    "gaussian_classification",
    "gradient",
    "init_network",
    "network",
    "objective",
    "path_norm",
    "population_gradient",
    "population_hessian",
    "population_loss",
    "spiral_classification",
    "spurious_minima_experiment",
    "symmetry",
    "teacher_regression",
    "train",
    "train_from_random_inits",
    "type_a_critical_point",
    "type_a_spectrum",
    "type_a_weights",
    "univariate_regression",
]

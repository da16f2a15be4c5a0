"""twolayer: the library behind the book *Two-Layer Networks: Convexity, Symmetry and Dynamics*.

Modules, one per concept: ``data`` (synthetic data sets), ``network`` (the two-layer ReLU network,
its weight-decay objective and training), ``dropout`` (shallow linear networks under Dropout and
Dropconnect), ``plotting`` (the book's figures) and ``widgets`` (ipywidgets explorers).
Every module is importable from here; the functions whose names are unambiguous across the
library are re-exported too (``twolayer.train``); the rest are used as ``twolayer.dropout.f``.
"""

from . import data, dropout, network
from .data import (
    circle_teacher_regression,
    gaussian_classification,
    spiral_classification,
    teacher_regression,
    univariate_regression,
)
from .dropout import dropout_gradient_descent, dropout_minimizer, dropout_sgd
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

__version__ = "0.1.0"

__all__ = [
    "TrainResult",
    "balance",
    "circle_teacher_regression",
    "data",
    "dropout",
    "dropout_gradient_descent",
    "dropout_minimizer",
    "dropout_sgd",
    "forward",
    "gaussian_classification",
    "gradient",
    "init_network",
    "network",
    "objective",
    "path_norm",
    "spiral_classification",
    "teacher_regression",
    "train",
    "train_from_random_inits",
    "univariate_regression",
]

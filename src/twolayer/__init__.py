"""twolayer: the library behind the book *Two-Layer Networks: Convexity, Symmetry and Dynamics*.

Modules, one per concept: ``data`` (synthetic data sets), ``network`` (the two-layer ReLU network,
its weight-decay objective and training), ``plotting`` (the book's figures) and ``widgets``
(ipywidgets explorers). The public functions of ``data`` and ``network`` are re-exported here.
"""

from . import data, network
from .data import (
    circle_regression,
    gaussian_classification,
    spiral_classification,
    teacher_regression,
    univariate_regression,
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

__version__ = "0.1.0"

__all__ = [
    "TrainResult",
    "balance",
    "circle_regression",
    "data",
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

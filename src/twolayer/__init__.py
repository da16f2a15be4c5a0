"""twolayer: the library behind the book *Two-Layer Networks: Convexity, Symmetry and Dynamics*.

Modules, one per concept: ``data`` (synthetic data sets), ``network`` (the two-layer ReLU network,
its weight-decay objective and training), ``arrangements`` (activation patterns of the data),
``convex`` (the convex program of weight-decay training), ``scale`` (the convex program solved at
scale by the structured interior-point method, against SGD), ``batchnorm`` (ReLU networks with
batch normalization, their convex program and closed forms), ``duality`` (its dual, certificates,
cutting planes), ``extreme`` (the convex geometry of optimal neurons: spike-free data, closed
forms, auto-encoder neurons, the spike-free cutting plane), ``splines`` (univariate networks,
minimum-cost interpolants, gradient dynamics), ``dropout`` (shallow linear networks under Dropout
and Dropconnect), ``gaussian`` (population quantities for Gaussian inputs), ``kernels`` (the neural
tangent kernel, random features, kernel ridge), ``symmetry`` (permutation actions, isotropy,
symmetric families of critical points), ``plotting`` (the book's figures) and ``widgets``
(ipywidgets explorers).
Importing the package limits BLAS to one thread (``twolayer._blas``: the library works on small
matrices, where more threads are slower; ``TWOLAYER_BLAS_THREADS`` or :func:`set_blas_threads`
choose otherwise).
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
    extreme,
    gaussian,
    kernels,
    network,
    scale,
    splines,
    symmetry,
)
from ._blas import limit_at_import as _limit_blas_threads
from ._blas import set_blas_threads
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
    abs_teacher,
    abs_teacher_samples,
    breast_cancer_classification,
    circle_teacher_regression,
    digits_classification,
    gaussian_classification,
    spiral_classification,
    teacher_regression,
    univariate_regression,
)
from .dropout import dropout_gradient_descent, dropout_minimizer, dropout_sgd
from .duality import certificate, cutting_plane, solve_dual
from .extreme import (
    autoencoder_neurons,
    is_spike_free,
    rank_one_network,
    spike_free_cutting_plane,
    whitened_classification,
    whitened_multiclass,
    whitened_regression,
)
from .gaussian import (
    abs_teacher_loss,
    arccos_kernel,
    arccos_kernel0,
    fit_student,
    population_gradient,
    population_hessian,
    population_loss,
    spurious_minima_experiment,
    spurious_rates,
    wilson_interval,
)
from .kernels import empirical_ntk, kernel_ridge, kernel_vs_gd, ntk
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
from .scale import convex_against_sgd, ipm_convergence, program_sizes
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

_limit_blas_threads()  # after the imports above, which load NumPy's and SciPy's BLAS

__version__ = "0.1.0"

__all__ = [
    "ConvexSolution",
    "TrainResult",
    "abs_teacher",
    "abs_teacher_loss",
    "abs_teacher_samples",
    "arccos_kernel",
    "arccos_kernel0",
    "arrangements",
    "autoencoder_neurons",
    "balance",
    "batchnorm",
    "bn_basis",
    "bn_closed_form",
    "bn_forward",
    "bn_objective",
    "breast_cancer_classification",
    "certificate",
    "circle_teacher_regression",
    "convex",
    "convex_against_sgd",
    "cutting_plane",
    "data",
    "detect_isotropy",
    "digits_classification",
    "dropout",
    "dropout_gradient_descent",
    "dropout_minimizer",
    "dropout_sgd",
    "duality",
    "empirical_ntk",
    "extreme",
    "enumerate_patterns_1d",
    "enumerate_patterns_2d",
    "fit_student",
    "follow_type_a",
    "forward",
    "gaussian",
    "gaussian_classification",
    "gradient",
    "init_network",
    "ipm_convergence",
    "is_spike_free",
    "kernel_ridge",
    "kernel_vs_gd",
    "kernels",
    "merge_neurons",
    "min_cost_network",
    "min_representation_cost",
    "network",
    "ntk",
    "objective",
    "path_norm",
    "population_gradient",
    "population_hessian",
    "population_loss",
    "program_sizes",
    "rank_one_network",
    "recover_bn_network",
    "recover_network",
    "representation_cost",
    "sample_patterns",
    "scale",
    "set_blas_threads",
    "solve_bn_convex",
    "solve_convex",
    "solve_dual",
    "spike_free_cutting_plane",
    "spiral_classification",
    "splines",
    "spurious_minima_experiment",
    "spurious_rates",
    "symmetry",
    "teacher_regression",
    "train",
    "train_from_random_inits",
    "train_univariate",
    "type_a_critical_point",
    "type_a_spectrum",
    "type_a_weights",
    "univariate_regression",
    "whitened_classification",
    "whitened_multiclass",
    "whitened_regression",
    "wilson_interval",
]

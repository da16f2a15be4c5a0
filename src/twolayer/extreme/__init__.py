"""The convex geometry of optimal neurons (Ergen and Pilanci, 2021), one module per concept.

* :mod:`.geometry`: the rectified ellipsoid ``Q_X = {(Xu)_+ : ||u|| <= 1}``, spike-free data
  (:func:`is_spike_free`), neurons as auto-encoders (:func:`autoencoder_neurons`).
* :mod:`.closed_forms`: optimal networks in closed form for whitened data
  (:func:`whitened_regression`, :func:`whitened_multiclass`, hinge-loss
  :func:`whitened_classification`) and for rank-one data
  (:func:`rank_one_network`).
* :mod:`.cutting`: the spike-free relaxation and its cutting-plane method
  (:func:`spike_free_cutting_plane`, Algorithm 1 of the paper), with a certificate.
* :mod:`.experiments`: the experiments the chapter "Extreme points" reports, as functions
  returning frozen dataclasses; :mod:`.relaxation`: those that measure the spike-free
  relaxation where it is not exact by a theorem.

Networks are in the library's form: first layer ``W (m, d)`` (rows are neurons), biases
``b (m,)`` where there are any, second layer ``a (m,)`` (or ``A (m, K)`` for ``K`` outputs), so
that :func:`twolayer.network.objective` evaluates them.
"""

from .closed_forms import (
    hinge_convex_program,
    hinge_objective,
    multiclass_objective,
    rank_one_network,
    whiten,
    whitened_classification,
    whitened_multiclass,
    whitened_optimal_value,
    whitened_regression,
)
from .cutting import SpikeFreeCuttingPlane, random_direction_check, spike_free_cutting_plane
from .experiments import (
    ClassificationRegions,
    DigitsExperiment,
    GDComparison,
    classification_regions,
    digits_experiment,
    gd_against_closed_form,
)
from .geometry import (
    RectifiedEllipsoid,
    autoencoder_neurons,
    hull_vertices,
    is_spike_free,
    rectified_ellipsoid_2d,
    spike_excess,
)
from .relaxation import (
    CuttingVsSampling,
    RelaxationGap,
    cutting_vs_sampling,
    gaussian_relaxation_gap,
)

__all__ = [
    "ClassificationRegions",
    "CuttingVsSampling",
    "DigitsExperiment",
    "GDComparison",
    "RectifiedEllipsoid",
    "RelaxationGap",
    "SpikeFreeCuttingPlane",
    "autoencoder_neurons",
    "classification_regions",
    "cutting_vs_sampling",
    "digits_experiment",
    "gaussian_relaxation_gap",
    "gd_against_closed_form",
    "hinge_convex_program",
    "hinge_objective",
    "hull_vertices",
    "is_spike_free",
    "multiclass_objective",
    "random_direction_check",
    "rank_one_network",
    "rectified_ellipsoid_2d",
    "spike_excess",
    "spike_free_cutting_plane",
    "whiten",
    "whitened_classification",
    "whitened_multiclass",
    "whitened_optimal_value",
    "whitened_regression",
]

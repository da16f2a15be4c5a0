"""Population quantities of teacher-student ReLU fitting with standard Gaussian inputs.

The student ``f(x; W) = sum_{i<=k} relu(w_i . x)`` (rows of ``W (k, d)`` are neurons) is fitted
to the teacher ``f(x; V) = sum_{j<=m} relu(v_j . x)`` (``V (m, d)``) under the population loss

    L(W) = 1/2 E_{x ~ N(0, I_d)} [ (f(x; W) - f(x; V))^2 ],

with the factor 1/2 of Safran & Shamir (2018, eq. 1) and Arjevani & Field (2020, eq. 1).
Everything is in closed form through the first-order arc-cosine kernel (Cho & Saul 2009)::

    kappa(w, v) = E[relu(w.x) relu(v.x)] = |w| |v| (sin t + (pi - t) cos t) / (2 pi),

``t`` the angle between ``w`` and ``v``, so that::

    L(W) = 1/2 sum_ij kappa(w_i, w_j) - sum_ij kappa(w_i, v_j) + 1/2 sum_ij kappa(v_i, v_j).

The gradient and the Hessian (Brutzkus & Globerson 2017; Safran & Shamir 2018, appendix;
Arjevani & Field 2020, section 3) are vectorized over neuron pairs. The Hessian acts on
``vec(W)``, the rows of ``W`` stacked (row-major): entry ``(i, a), (l, b)`` is
``d^2 L / dW[i, a] dW[l, b]``.

The package also runs the experiment of Safran & Shamir (2018): L-BFGS from random
initializations, and the classification of the end points into global and spurious minima; and
it holds the population quantities of the ``|x|`` teacher of Li, Ma & Zhang (2020).

Modules: ``arccos`` (the arc-cosine kernels), ``relu_teacher`` (loss, gradient and Hessian of
ReLU teacher-student fitting), ``students`` (fitting students, spurious minima),
``batched`` (many students at once: batched L-BFGS and gradient descent, classification,
rates with Wilson intervals), ``published`` (the spurious-minimum counts of Safran, Yehudai &
Shamir 2021, for comparison), ``abs_teacher`` (the teacher ``sum_i a_i |v_i . x|``, its
Hermite terms and dynamics).
"""

from __future__ import annotations

from .abs_teacher import (
    StagedDynamics,
    WidthStudy,
    abs_teacher_dynamics,
    abs_teacher_gradient,
    abs_teacher_hermite_terms,
    abs_teacher_loss,
    hermite_abs_coefficients,
    neuron_alignment,
    width_study,
)
from .arccos import (
    arccos_kernel,
    arccos_kernel0,
)
from .batched import (
    BatchedFit,
    SpuriousRates,
    batched_gradient_descent,
    batched_lbfgs,
    batched_loss_and_gradient,
    classify_point,
    pool_rates,
    spurious_rates,
    spurious_rates_gd,
    wilson_interval,
)
from .published import PublishedRates, safran2021_rates
from .relu_teacher import (
    hessian_rows,
    hessian_spectrum,
    monte_carlo_loss,
    population_gradient,
    population_hessian,
    population_loss,
)
from .students import (
    FitResult,
    SpuriousExperiment,
    fit_student,
    identity_teacher,
    newton_polish,
    spurious_minima_experiment,
)

__all__ = [
    "BatchedFit",
    "FitResult",
    "PublishedRates",
    "SpuriousExperiment",
    "SpuriousRates",
    "StagedDynamics",
    "WidthStudy",
    "abs_teacher_dynamics",
    "abs_teacher_gradient",
    "abs_teacher_hermite_terms",
    "abs_teacher_loss",
    "arccos_kernel",
    "arccos_kernel0",
    "batched_gradient_descent",
    "batched_lbfgs",
    "batched_loss_and_gradient",
    "classify_point",
    "fit_student",
    "hermite_abs_coefficients",
    "hessian_rows",
    "hessian_spectrum",
    "identity_teacher",
    "monte_carlo_loss",
    "neuron_alignment",
    "newton_polish",
    "population_gradient",
    "population_hessian",
    "population_loss",
    "spurious_minima_experiment",
    "pool_rates",
    "safran2021_rates",
    "spurious_rates",
    "spurious_rates_gd",
    "width_study",
    "wilson_interval",
]

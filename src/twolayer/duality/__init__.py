"""The dual of weight-decay training, its constraint, certificates and cutting planes.

For the network ``f(x) = sum_j a_j relu(w_j . x)`` trained with
``1/2 ||f(X) - y||^2 + beta/2 sum_j (||w_j||^2 + a_j^2)``, Pilanci and Ergen (2020)
and Ergen and Pilanci (2021) derive the dual problem::

    max_v  -1/2 ||v - y||^2 + 1/2 ||y||^2     s.t.   max_{||u|| <= 1} |v^T relu(X u)| <= beta.

Weak duality holds for every network of every width: any dual-feasible ``v`` gives a lower
bound on the objective of any network, so a trained network comes with a *certificate* of how
far it is from global optimality (:func:`certificate`). At the optimum the dual vector is the
residual ``v* = y - f*(X)`` and the constraint is active, ``|v*^T relu(X u)| = beta``, exactly
at the directions ``u = w_j / ||w_j||`` of the optimal neurons.

The constraint is a maximum over the sphere of a piecewise-linear function of ``u``: on the
cone of each activation pattern ``D_i`` it equals ``v^T D_i X u``. For ``d = 2`` it is
computed exactly over the arcs between consecutive critical angles; for any ``d`` and a list of
patterns it is computed exactly on the union of their cones, by a nonnegative least-squares
projection onto each cone.

Modules: ``constraint`` (the dual vector, objective and constraint), ``certificates``
(certificates of optimality and the dual problem), ``cutting_plane`` (the cutting-plane
method), ``experiments`` (the chapter's studies: optimal widths, a certificate path, pattern
sampling).
"""

from __future__ import annotations

from .certificates import (
    Certificate,
    certificate,
    convex_certificate,
    network_patterns,
    solve_dual,
)
from .constraint import (
    ConstraintMax,
    dual_constraint,
    dual_value,
    dual_vector,
    max_dual_constraint,
)
from .cutting_plane import (
    CuttingPlaneResult,
    cutting_plane,
)
from .experiments import (
    CertificatePath,
    OptimalWidthStudy,
    PatternSamplingStudy,
    certificate_path,
    optimal_width_study,
    pattern_sampling_study,
)

__all__ = [
    "Certificate",
    "CertificatePath",
    "ConstraintMax",
    "CuttingPlaneResult",
    "OptimalWidthStudy",
    "PatternSamplingStudy",
    "certificate",
    "certificate_path",
    "convex_certificate",
    "cutting_plane",
    "dual_constraint",
    "dual_value",
    "dual_vector",
    "max_dual_constraint",
    "network_patterns",
    "optimal_width_study",
    "pattern_sampling_study",
    "solve_dual",
]

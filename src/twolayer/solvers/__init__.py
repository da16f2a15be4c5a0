"""Structured solvers for the convex program of a two-layer ReLU network.

NumPy and SciPy only; cvxpy with Clarabel (:func:`twolayer.convex.solve_convex`) stays the
reference they are tested against.

- :mod:`twolayer.solvers.ipm`: the interior-point method for the program with cone
  constraints, stopped on a duality-gap certificate (``solve_convex(..., solver="ipm")``).
- :mod:`twolayer.solvers.gated`: the gated-ReLU relaxation (group lasso without the cones)
  and warm-started beta paths.
"""

from .gated import GatedSolution, PathResult, gated_predictions, solve_gated, solve_path
from .ipm import Certificate, IPMResult, NotConvergedError, solve_ipm

__all__ = [
    "Certificate",
    "GatedSolution",
    "IPMResult",
    "NotConvergedError",
    "PathResult",
    "gated_predictions",
    "solve_gated",
    "solve_ipm",
    "solve_path",
]

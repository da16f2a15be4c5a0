"""Structured solvers for the convex program of a two-layer ReLU network.

NumPy and SciPy only; cvxpy with Clarabel (:func:`twolayer.convex.solve_convex`) stays the
reference they are tested against.

- :mod:`twolayer.solvers.ipm`: the interior-point method for the program with cone
  constraints, stopped on a duality-gap certificate (``solve_convex(..., solver="ipm")``).
"""

from .ipm import Certificate, IPMResult, NotConvergedError, solve_ipm

__all__ = ["Certificate", "IPMResult", "NotConvergedError", "solve_ipm"]

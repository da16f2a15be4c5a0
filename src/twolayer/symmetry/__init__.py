"""Symmetry of the teacher-student problem: group action, isotropy, type-A family, spectra.

With the teacher ``V = I_d`` and the student ``W (k, d)``, the population loss of
:mod:`twolayer.gaussian` is invariant under ``Gamma = S_k x S_d``: a permutation of the rows
(the student's neurons) and a permutation of the columns (the input coordinates, which the
teacher ``sum_j relu(x_j)`` does not see) (Arjevani & Field 2019, sec. 2). The isotropy group
of W is the subgroup that fixes it. Spurious minima found by gradient methods have large
isotropy, for instance ``Delta S_{d-1}`` ("type A"; Arjevani & Field 2019, 2020): inside its
fixed-point space such a matrix is described by a handful of scalars, so the family of critical
points can be followed in k by Newton's method on a handful of equations, and the Hessian, which
commutes with the isotropy group, splits along the isotypic decomposition into small blocks
whose eigenvalues have known multiplicities (Arjevani & Field 2020).

This module implements

* the action and the numerical detection of isotropy (:func:`act`, :func:`detect_isotropy`),
  and the reading of its labels (:func:`largest_diagonal_orbit`, :func:`is_maximal_isotropy`);
* the type-A fixed-point space for ``k >= d`` (isotropy ``Delta S_{d-1} x S_{k-d}``), its
  reduced equations and Newton's method on them (:func:`type_a_weights`,
  :func:`type_a_critical_point`, :func:`follow_type_a`);
* the symmetry-reduced Hessian spectrum (:func:`type_a_spectrum`) and tools to compare it with
  the dense one (:func:`cluster_eigenvalues`).

Indices are 0-based. For the type-A space the first ``d - 1`` rows and columns form the
diagonal orbit, row and column ``d - 1`` are the special neuron and coordinate, and rows
``d, ..., k - 1`` are the extra neurons of an over-parameterized student.

Modules: ``beyond`` (input laws, activations and depths beyond the closed form of standard
Gaussian inputs, and the isotropy of their minima), ``isotropy`` (the action and isotropy
detection), ``type_a`` (the type-A family and Newton's method), ``spectrum`` (the reduced
Hessian spectrum).
"""

from __future__ import annotations

from .beyond import (
    InputLaw,
    RhoSweep,
    SampleNoise,
    SymmetryRow,
    correlated_gaussian,
    gaussian_mixture,
    law_loss_and_gradient,
    least_symmetry_table,
    rho_sweep,
    sample_noise_isotropy,
    symmetric_sample,
    symmetry_of_minima,
    three_layer_symmetry,
)
from .isotropy import (
    Isotropy,
    act,
    detect_isotropy,
    is_maximal_isotropy,
    isotropy_labels,
    label_math,
    largest_diagonal_orbit,
)
from .spectrum import (
    ReducedSpectrum,
    cluster_eigenvalues,
    type_a_spectrum,
)
from .type_a import (
    TypeAPoint,
    follow_type_a,
    type_a_critical_point,
    type_a_loss,
    type_a_parameters,
    type_a_weights,
)

__all__ = [
    "InputLaw",
    "Isotropy",
    "ReducedSpectrum",
    "RhoSweep",
    "SampleNoise",
    "SymmetryRow",
    "TypeAPoint",
    "act",
    "cluster_eigenvalues",
    "correlated_gaussian",
    "detect_isotropy",
    "gaussian_mixture",
    "is_maximal_isotropy",
    "isotropy_labels",
    "label_math",
    "largest_diagonal_orbit",
    "law_loss_and_gradient",
    "least_symmetry_table",
    "rho_sweep",
    "sample_noise_isotropy",
    "symmetric_sample",
    "symmetry_of_minima",
    "three_layer_symmetry",
    "follow_type_a",
    "type_a_critical_point",
    "type_a_loss",
    "type_a_parameters",
    "type_a_spectrum",
    "type_a_weights",
]

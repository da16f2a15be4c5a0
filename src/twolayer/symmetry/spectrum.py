"""The symmetry-reduced Hessian spectrum at a type-A point: one small block per isotypic
component, eigenvalues with their multiplicities (Arjevani & Field 2020), and the comparison
with the dense spectrum.

Imports :mod:`twolayer._checks`, :mod:`twolayer.gaussian` and the package's ``_checks`` and
``type_a``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .._checks import as_array, check_real
from ..gaussian import hessian_rows, identity_teacher
from ._checks import check_type_a_shape
from .type_a import _fix_coefficients, _fix_readout, type_a_weights

__all__ = [
    "ReducedSpectrum",
    "cluster_eigenvalues",
    "type_a_spectrum",
]


# ----------------------------------------------------------------------------- reduced spectrum


@dataclass
class ReducedSpectrum:
    """Hessian spectrum from the isotypic decomposition (:func:`type_a_spectrum`).

    Attributes
    ----------
    labels : list of str
        Isotypic type of each eigenvalue: ``"trivial"``, ``"S"`` (standard representation of
        ``S_{d-1}``), ``"X"`` and ``"Y"`` (the representations ``(d-3, 2)`` and
        ``(d-3, 1, 1)``), ``"S'"`` (standard representation of ``S_{k-d}``) and ``"S⊗S'"``.
    eigenvalues : ndarray
        One eigenvalue per (type, copy): the eigenvalues of the small blocks.
    multiplicities : ndarray of int
        Dimension of the irreducible representation: how often each eigenvalue occurs.
    """

    labels: list[str]
    eigenvalues: np.ndarray
    multiplicities: np.ndarray

    @property
    def size(self) -> int:
        """Total number of eigenvalues with multiplicity, ``k d``."""
        return int(self.multiplicities.sum())

    def expand(self) -> np.ndarray:
        """All ``k d`` eigenvalues, each repeated by its multiplicity, ascending."""
        return np.sort(np.repeat(self.eigenvalues, self.multiplicities))


@lru_cache(maxsize=16)
def _standard_patterns(k: int, d: int):
    """Isotypic blocks of M(k, d) under Delta S_{d-1} x S_{k-d}: patterns and read-outs."""
    D, s = d - 1, d - 1
    E = k - d
    x = np.zeros(D)
    x[0], x[1] = 1.0, -1.0  # e_0 - e_1, a vector of the standard representation

    def dense(entries: dict[tuple[int, int], float]):
        keys = list(entries)
        return (
            np.array([a for a, _ in keys]),
            np.array([b for _, b in keys]),
            np.array([entries[kk] for kk in keys]),
        )

    i, j = np.meshgrid(np.arange(D), np.arange(D), indexing="ij")
    off = i != j
    S = [
        (np.arange(D), np.arange(D), x.copy()),  # diagonal
        (i[off], j[off], x[i[off]]),  # x_i off the diagonal
        (i[off], j[off], x[j[off]]),  # x_j off the diagonal
        (np.arange(D), np.full(D, s), x.copy()),  # special column
        (np.full(D, s), np.arange(D), x.copy()),  # special row
    ]
    S_read = [(0, 0), (0, 2), (2, 0), (0, s), (s, 0)]
    if E >= 1:
        er, ec = np.meshgrid(np.arange(d, k), np.arange(D), indexing="ij")
        S.append((er.ravel(), ec.ravel(), x[ec.ravel()]))  # extra rows carry x_j
        S_read.append((d, 0))
    sym = {(0, 2): 1, (0, 3): -1, (1, 2): -1, (1, 3): 1}
    X = dense({**sym, **{(b, a): v for (a, b), v in sym.items()}})
    Y = dense({**sym, **{(b, a): -v for (a, b), v in sym.items()}})
    S = [(r[v != 0], c[v != 0], v[v != 0]) for r, c, v in S]  # keep the nonzero entries
    blocks = [
        ("trivial", 1, None, [tuple(p) for p in _fix_readout(k, d)]),
        ("S", D - 1, S, S_read),
        ("X", D * (D - 3) // 2, [X], [(0, 2)]),
        ("Y", (D - 1) * (D - 2) // 2, [Y], [(0, 2)]),
    ]
    if E >= 2:
        y_rows = np.array([d, d + 1])
        T = [
            (np.repeat(y_rows, D), np.tile(np.arange(D), 2), np.repeat([1.0, -1.0], D)),
            (y_rows, np.full(2, s), np.array([1.0, -1.0])),
        ]
        blocks.append(("S'", E - 1, T, [(d, 0), (d, s)]))
        ST = dense({(d, 0): 1, (d, 1): -1, (d + 1, 0): -1, (d + 1, 1): 1})
        blocks.append(("S⊗S'", (D - 1) * (E - 1), [ST], [(d, 0)]))
    return blocks


def type_a_spectrum(alpha: object, k: int, d: int | None = None) -> ReducedSpectrum:
    """Hessian spectrum at a point of the type-A space, by the isotypic decomposition.

    The Hessian H at ``W = type_a_weights(alpha, k, d)`` commutes with the isotropy group
    ``G = Delta S_{d-1} x S_{k-d}``. As a G-representation ``M(k, d)`` splits into isotypic
    components; for ``k = d`` (``D = d - 1``)::

        M(d, d) = 5 trivial + 5 S + X + Y,   dimensions 1, D - 1, D (D - 3)/2, (D - 1)(D - 2)/2,

    and for ``k > d`` there are 7 trivial, 6 S, one X, one Y, 2 S' and one S⊗S'. By Schur's
    lemma H maps each copy of an irreducible representation to a combination of the copies of
    the same type with the same coefficients for every vector, so each type contributes a small
    matrix (at most 5 x 5 for k = d, 7 x 7 for k > d) whose eigenvalues are eigenvalues of H
    with multiplicity the dimension of the representation (Arjevani & Field 2020, sec. 4). For
    each type this function takes one pattern vector per copy, ``u_b``, reads ``(H u_b)`` at one
    position per copy from :func:`twolayer.gaussian.hessian_rows`, and solves for the block. The
    cost is ``O(k d)``: 7 Hessian rows for k = d and 9 for k > d, never the ``k d x k d`` matrix.

    Parameters
    ----------
    alpha : array_like, shape (5,) if k == d else (7,)
    k : int
    d : int, optional (default k)

    Returns
    -------
    ReducedSpectrum
    """
    k, d = check_type_a_shape(k, d)
    W = type_a_weights(alpha, k, d)
    blocks = _standard_patterns(k, d)
    positions = sorted({p for *_, read in blocks for p in read})
    rows = hessian_rows(W, identity_teacher(d), np.array(positions, dtype=int))
    row_of = dict(zip(positions, rows))
    labels, values, mults = [], [], []
    for label, mult, patterns, read in blocks:  # d >= 5: every block has mult >= 1
        if patterns is None:  # the fixed-point space: P = I, M[a, b] = <H[pos_a, :], E_b>
            B = np.array([_fix_coefficients(row_of[p], k, d) for p in read])
        else:
            P = np.array([[_pattern_value(u, p) for u in patterns] for p in read])
            M = np.array([[(row_of[p][r, c] * v).sum() for r, c, v in patterns] for p in read])
            B = np.linalg.solve(P, M)
        ev = np.linalg.eigvals(B)
        if np.max(np.abs(ev.imag)) > 1e-8 * max(1.0, np.max(np.abs(ev.real))):
            raise RuntimeError(f"block {label} has complex eigenvalues {ev}; not a symmetric block")
        for e in np.sort(ev.real):
            labels.append(label)
            values.append(e)
            mults.append(mult)
    spec = ReducedSpectrum(labels, np.array(values), np.array(mults, dtype=int))
    if spec.size != k * d:
        raise RuntimeError(f"multiplicities add up to {spec.size}, expected k d = {k * d}")
    return spec


def _pattern_value(u: tuple[np.ndarray, np.ndarray, np.ndarray], pos: tuple[int, int]) -> float:
    r, c, v = u
    hit = (r == pos[0]) & (c == pos[1])
    return float(v[hit].sum())


def cluster_eigenvalues(
    values: object, *, tol: float = 1e-7
) -> tuple[np.ndarray, np.ndarray]:
    """Group sorted eigenvalues that differ by at most ``tol`` (relative to ``max(1, |value|)``).

    Parameters
    ----------
    values : array_like, shape (n,)
    tol : float

    Returns
    -------
    (distinct, counts) : ndarray, ndarray of int
        Mean of each cluster and its size (the multiplicity).
    """
    v = np.sort(as_array(values, "values", ndim=1))
    tol = check_real(tol, "tol", low=0.0)
    if v.size == 0:
        return v, np.zeros(0, dtype=int)
    breaks = np.flatnonzero(np.diff(v) > tol * np.maximum(1.0, np.abs(v[1:]))) + 1
    groups = np.split(v, breaks)
    return np.array([g.mean() for g in groups]), np.array([g.size for g in groups], dtype=int)

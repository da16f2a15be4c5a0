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

* the action and the numerical detection of isotropy (:func:`act`, :func:`detect_isotropy`);
* the type-A fixed-point space for ``k >= d`` (isotropy ``Delta S_{d-1} x S_{k-d}``), its
  reduced equations and Newton's method on them (:func:`type_a_weights`,
  :func:`type_a_critical_point`, :func:`follow_type_a`);
* the symmetry-reduced Hessian spectrum (:func:`type_a_spectrum`) and tools to compare it with
  the dense one (:func:`cluster_eigenvalues`).

Indices are 0-based. For the type-A space the first ``d - 1`` rows and columns form the
diagonal orbit, row and column ``d - 1`` are the special neuron and coordinate, and rows
``d, ..., k - 1`` are the extra neurons of an over-parameterized student.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from math import factorial

import numpy as np
from scipy.optimize import linear_sum_assignment

from ._checks import as_array, check_int, check_real
from .gaussian import hessian_rows, identity_teacher, population_gradient

__all__ = [
    "Isotropy",
    "ReducedSpectrum",
    "TypeAPoint",
    "act",
    "cluster_eigenvalues",
    "detect_isotropy",
    "follow_type_a",
    "type_a_critical_point",
    "type_a_loss",
    "type_a_parameters",
    "type_a_spectrum",
    "type_a_weights",
]


# ----------------------------------------------------------------------------- group action


def act(W: object, rows: Sequence[int], cols: Sequence[int]) -> np.ndarray:
    """Apply a row and a column permutation: ``out[i, a] = W[rows[i], cols[a]]``.

    This is ``P W Q^T`` for the permutation matrices P, Q with ``P[i, rows[i]] = 1`` and
    ``Q[a, cols[a]] = 1``, the action of ``S_k x S_d`` on ``M(k, d)``.

    Parameters
    ----------
    W : array_like, shape (k, d)
    rows : sequence of int, a permutation of ``range(k)``
    cols : sequence of int, a permutation of ``range(d)``

    Returns
    -------
    ndarray, shape (k, d)
    """
    W = as_array(W, "W", ndim=2)
    r = _check_perm(rows, W.shape[0], "rows")
    c = _check_perm(cols, W.shape[1], "cols")
    return W[np.ix_(r, c)]


def _check_perm(perm: object, n: int, name: str) -> np.ndarray:
    p = np.asarray(perm)
    if p.shape != (n,) or p.dtype.kind not in "iu" or not np.array_equal(np.sort(p), np.arange(n)):
        raise ValueError(f"{name} must be a permutation of range({n}), got {perm!r}")
    return p


# ----------------------------------------------------------------------------- isotropy


@dataclass
class Isotropy:
    """Isotropy detected by :func:`detect_isotropy`.

    Attributes
    ----------
    diagonal_blocks : list of list of (int, int)
        Orbits of matched (row, column) pairs on which every transposition, applied to the rows
        and to the matched columns at once, fixes W: each block of size n gives a factor
        ``Delta S_n``.
    row_blocks : list of list of int
        Sets of unmatched rows that are equal (factor ``S_n`` acting on rows only).
    col_blocks : list of list of int
        Sets of unmatched columns that are equal (factor ``S_n`` acting on columns only).
    row_order, col_order : ndarray of int
        Permutations that bring W to the canonical form ``act(W, row_order, col_order)``: matched
        pairs on the diagonal, the largest diagonal block first.
    residual : float
        Largest ``max |g W - W|`` over the detected generators g (at most ``tol``).
    """

    diagonal_blocks: list[list[tuple[int, int]]]
    row_blocks: list[list[int]]
    col_blocks: list[list[int]]
    row_order: np.ndarray
    col_order: np.ndarray
    residual: float

    @property
    def order(self) -> int:
        """Order of the detected group, the product of ``n!`` over the blocks."""
        out = 1
        for block in [*self.diagonal_blocks, *self.row_blocks, *self.col_blocks]:
            out *= factorial(len(block))
        return out

    @property
    def label(self) -> str:
        """Name of the detected group, e.g. ``"ΔS_5"`` or ``"ΔS_4 × ΔS_2"`` (``"1"`` if trivial)."""
        parts = [f"ΔS_{len(b)}" for b in self.diagonal_blocks if len(b) > 1]
        parts += [f"S_{len(b)}(rows)" for b in self.row_blocks if len(b) > 1]
        parts += [f"S_{len(b)}(cols)" for b in self.col_blocks if len(b) > 1]
        return " × ".join(parts) if parts else "1"

    def canonical(self, W: object) -> np.ndarray:
        """W with rows and columns reordered to the canonical form."""
        return act(W, self.row_order, self.col_order)


def _components(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for x in range(n):
        groups.setdefault(find(x), []).append(x)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def detect_isotropy(W: object, *, tol: float = 1e-6) -> Isotropy:
    """Detect the permutations of rows and columns that fix W up to ``tol``.

    Three kinds of generators are tested, for every pair of rows and of columns: a
    transposition of two equal rows, of two equal columns, and a "diagonal" transposition
    ``((i j), (a b))`` of two rows together with the two columns in which they differ. The
    connected components of the accepted diagonal transpositions are the orbits ``Delta S_n``;
    those of the row and column transpositions give factors ``S_n`` acting on rows or columns
    only. The detected group, the product of these symmetric groups, contains every element of
    the isotropy group that is a product of such transpositions, which for the minima studied
    here is the whole isotropy group (Arjevani & Field 2019, sec. 4).

    The canonical order puts each diagonal orbit first, largest first, with its columns matched
    to its rows (each row's matched column is the entry that stands out of the row; a linear
    assignment, ``scipy.optimize.linear_sum_assignment``, resolves it), then the remaining rows
    and columns.

    Parameters
    ----------
    W : array_like, shape (k, d)
    tol : float
        Largest entrywise change ``max |g W - W|`` accepted for a generator g.

    Returns
    -------
    Isotropy
    """
    W = as_array(W, "W", ndim=2)
    tol = check_real(tol, "tol", low=0.0, low_open=True)
    k, d = W.shape
    residual = 0.0
    row_edges, col_edges, diag_edges = [], [], []
    for i in range(k):
        for j in range(i + 1, k):
            diff = np.flatnonzero(np.abs(W[i] - W[j]) > tol)
            if diff.size == 0:
                row_edges.append((i, j))
                residual = max(residual, float(np.max(np.abs(W[i] - W[j]))))
            elif diff.size == 2:
                a, b = diff
                r, c = np.arange(k), np.arange(d)
                r[[i, j]] = [j, i]
                c[[a, b]] = [b, a]
                err = float(np.max(np.abs(W[np.ix_(r, c)] - W)))
                if err <= tol:
                    diag_edges.append((i, j, int(a), int(b)))
                    residual = max(residual, err)
    for a in range(d):
        for b in range(a + 1, d):
            if np.max(np.abs(W[:, a] - W[:, b])) <= tol:
                col_edges.append((a, b))
                residual = max(residual, float(np.max(np.abs(W[:, a] - W[:, b]))))

    row_comp = _components(k, [(i, j) for i, j, _, _ in diag_edges])
    col_comp = _components(d, [(a, b) for _, _, a, b in diag_edges])
    col_of_row = {}
    for i, _j, a, _b in diag_edges:
        col_of_row.setdefault(i, a)
    diagonal = []
    used_rows, used_cols = set(), set()
    for comp in row_comp:
        if len(comp) < 2:
            continue
        cols = next(c for c in col_comp if col_of_row[comp[0]] in c)
        block = W[np.ix_(comp, cols)]
        score = np.abs(block - np.median(block, axis=1, keepdims=True))
        rr, cc = linear_sum_assignment(score, maximize=True)
        diagonal.append([(comp[r], cols[c]) for r, c in zip(rr, cc)])
        used_rows.update(comp)
        used_cols.update(cols)
    free_rows = [i for i in range(k) if i not in used_rows]
    free_cols = [a for a in range(d) if a not in used_cols]
    row_blocks = _restrict(_components(k, row_edges), free_rows)
    col_blocks = _restrict(_components(d, col_edges), free_cols)
    row_order = [i for b in diagonal for i, _ in b] + [i for b in row_blocks for i in b]
    col_order = [a for b in diagonal for _, a in b] + [a for b in col_blocks for a in b]
    return Isotropy(
        diagonal_blocks=diagonal,
        row_blocks=row_blocks,
        col_blocks=col_blocks,
        row_order=np.array(row_order, dtype=int),
        col_order=np.array(col_order, dtype=int),
        residual=residual,
    )


def _restrict(components: list[list[int]], keep: list[int]) -> list[list[int]]:
    """Components restricted to ``keep``; singletons first, then larger blocks by size."""
    out = [[x for x in comp if x in keep] for comp in components]
    out = [b for b in out if b]
    return sorted(out, key=lambda b: (len(b), b[0]))


# ----------------------------------------------------------------------------- type-A space


def _type_a_shape(k: int, d: int | None) -> tuple[int, int]:
    k = check_int(k, "k", low=5)
    d = k if d is None else check_int(d, "d", low=5)
    if d > k:
        raise ValueError(f"the type-A family needs k >= d, got k = {k} and d = {d}")
    return k, d


def _n_params(k: int, d: int) -> int:
    return 5 if k == d else 7


@lru_cache(maxsize=16)
def _fix_basis(k: int, d: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Sparse basis (rows, cols, values) of Fix(Delta S_{d-1} x S_{k-d}) in M(k, d)."""
    D, s = d - 1, d - 1
    i, j = np.meshgrid(np.arange(D), np.arange(D), indexing="ij")
    off = i != j
    extra = np.arange(d, k)
    basis = [
        (np.arange(D), np.arange(D)),  # alpha_1: diagonal
        (i[off], j[off]),  # alpha_2: off-diagonal of the D x D block
        (np.arange(D), np.full(D, s)),  # alpha_3: special column
        (np.full(D, s), np.arange(D)),  # alpha_4: special row
        (np.array([s]), np.array([s])),  # alpha_5: corner
    ]
    if k > d:
        er, ec = np.meshgrid(extra, np.arange(D), indexing="ij")
        basis += [
            (er.ravel(), ec.ravel()),  # alpha_6: extra rows, first D columns
            (extra, np.full(k - d, s)),  # alpha_7: extra rows, special column
        ]
    return [(r, c, np.ones(r.size)) for r, c in basis]


def _fix_readout(k: int, d: int) -> np.ndarray:
    s = d - 1
    pos = [(0, 0), (0, 1), (0, s), (s, 0), (s, s)]
    if k > d:
        pos += [(d, 0), (d, s)]
    return np.array(pos, dtype=int)


def type_a_weights(alpha: object, k: int, d: int | None = None) -> np.ndarray:
    """The matrix of the type-A fixed-point space with parameters alpha.

    For ``k = d`` (Arjevani & Field 2019, eq. 5)::

        W = [[ a1 I + a2 (11^T - I),  a3 1 ],
             [ a4 1^T,                a5   ]]      (blocks of sizes d-1 and 1),

    and for ``k > d`` the extra ``k - d`` rows are all ``(a6 1^T, a7)``. The isotropy of a
    generic such W is ``Delta S_{d-1} x S_{k-d}``.

    Parameters
    ----------
    alpha : array_like, shape (5,) if k == d else (7,)
    k : int
        Student neurons (k >= 5).
    d : int, optional
        Input dimension, ``5 <= d <= k`` (default ``k``).

    Returns
    -------
    ndarray, shape (k, d)
    """
    k, d = _type_a_shape(k, d)
    alpha = as_array(alpha, "alpha", shape=(_n_params(k, d),))
    D = d - 1
    W = np.empty((k, d))
    W[:D, :D] = alpha[1]
    W[np.arange(D), np.arange(D)] = alpha[0]
    W[:D, D] = alpha[2]
    W[D, :D] = alpha[3]
    W[D, D] = alpha[4]
    if k > d:
        W[d:, :D] = alpha[5]
        W[d:, D] = alpha[6]
    return W


def _fix_coefficients(R: np.ndarray, k: int, d: int) -> np.ndarray:
    """Inner products ``<R, E_a>`` of a (k, d) array with the type-A basis matrices."""
    D = d - 1
    diag = np.trace(R[:D, :D])
    out = [diag, R[:D, :D].sum() - diag, R[:D, D].sum(), R[D, :D].sum(), R[D, D]]
    if k > d:
        out += [R[d:, :D].sum(), R[d:, D].sum()]
    return np.array(out)


def type_a_parameters(W: object, *, tol: float = 1e-6) -> np.ndarray:
    """Read alpha from a matrix in the canonical type-A form (inverse of :func:`type_a_weights`).

    Raises
    ------
    ValueError
        If W is farther than ``tol`` (entrywise) from the type-A space.
    """
    W = as_array(W, "W", ndim=2)
    k, d = _type_a_shape(W.shape[0], W.shape[1])
    alpha = np.array([W[r, c].mean() for r, c, _ in _fix_basis(k, d)])
    err = float(np.max(np.abs(type_a_weights(alpha, k, d) - W)))
    if err > tol:
        raise ValueError(
            f"W is not in the type-A fixed-point space: the closest point differs by {err:.2e} "
            f"(tol {tol:.1e}); reorder it with detect_isotropy(W).canonical(W) first"
        )
    return alpha


def type_a_loss(alpha: object, k: int, d: int | None = None) -> float:
    """Population loss at :func:`type_a_weights` in ``O(k d)`` operations.

    Rows in one orbit contribute equally, so ``L = 1/2 sum_orbits |orbit| r(w_rep) + L_VV``
    with ``r(w_i) = sum_j kappa(w_i, w_j) - 2 sum_j kappa(w_i, e_j)`` and the teacher's own term
    ``1/2 sum_ij kappa(e_i, e_j) = d/4 + d (d - 1) / (4 pi)``.
    """
    k, d = _type_a_shape(k, d)
    W = type_a_weights(alpha, k, d)
    reps = [0, d - 1] + ([d] if k > d else [])
    sizes = [d - 1, 1] + ([k - d] if k > d else [])
    return _orbit_loss(W, reps, sizes)


def _orbit_loss(W: np.ndarray, reps: list[int], sizes: list[int]) -> float:
    d = W.shape[1]
    nw = np.sqrt(np.einsum("ij,ij->i", W, W))
    total = 0.0
    for i, size in zip(reps, sizes):
        wi, ni = W[i], nw[i]
        c = np.clip((W @ wi) / (nw * ni), -1.0, 1.0)
        s = np.sqrt(1.0 - c * c)
        t = np.arctan2(s, c)
        kww = nw * ni * (s + (np.pi - t) * c) / (2 * np.pi)
        cv = np.clip(wi / ni, -1.0, 1.0)
        sv = np.sqrt(1.0 - cv * cv)
        tv = np.arctan2(sv, cv)
        kwv = ni * (sv + (np.pi - tv) * cv) / (2 * np.pi)
        total += size * (kww.sum() - 2.0 * kwv.sum())
    teacher = d / 2.0 + d * (d - 1) / (2.0 * np.pi)
    return float(max(0.5 * total + 0.5 * teacher, 0.0))


# ----------------------------------------------------------------------------- Newton


@dataclass
class TypeAPoint:
    """A critical point of the type-A family, found by :func:`type_a_critical_point`.

    Attributes
    ----------
    k, d : int
    alpha : ndarray, shape (5,) or (7,)
    loss : float
        Population loss (:func:`type_a_loss`).
    grad_norm : float
        Frobenius norm of the full gradient ``dL/dW`` at ``type_a_weights(alpha, k, d)``,
        exact: the gradient lies in the fixed-point space, so its ``k d`` entries are
        determined by the reduced gradient.
    iterations : int
        Newton steps taken.
    """

    k: int
    d: int
    alpha: np.ndarray
    loss: float
    grad_norm: float
    iterations: int

    @property
    def W(self) -> np.ndarray:
        """The weight matrix, shape (k, d)."""
        return type_a_weights(self.alpha, self.k, self.d)


def _reduced_gradient(alpha: np.ndarray, k: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients of dL/dW in the Fix basis, and the basis sizes |E_a|^2."""
    W = type_a_weights(alpha, k, d)
    pos = _fix_readout(k, d)
    rows = np.unique(pos[:, 0])
    G = population_gradient(W, identity_teacher(d), rows=rows)
    lookup = {int(r): n for n, r in enumerate(rows)}
    g = np.array([G[lookup[int(i)], a] for i, a in pos])
    D = d - 1
    sizes = [D, D * (D - 1), D, D, 1] + ([(k - d) * D, k - d] if k > d else [])
    return g, np.array(sizes, dtype=float)


def _reduced_jacobian(alpha: np.ndarray, k: int, d: int) -> np.ndarray:
    """J[a, b] = <H[pos_a, :], E_b> = d g_a / d alpha_b (the Hessian on the fixed space)."""
    W = type_a_weights(alpha, k, d)
    R = hessian_rows(W, identity_teacher(d), _fix_readout(k, d))
    return np.array([_fix_coefficients(Ra, k, d) for Ra in R])


def type_a_critical_point(
    k: int,
    alpha0: object,
    d: int | None = None,
    *,
    tol: float = 1e-10,
    max_iter: int = 50,
) -> TypeAPoint:
    """Newton's method on the reduced equations of the type-A fixed-point space.

    By equivariance the gradient at a point of ``Fix(G)`` lies in ``Fix(G)``, so
    ``grad L(W(alpha)) = sum_a g_a(alpha) E_a`` and the critical points of L in the
    fixed-point space are the zeros of the 5 (or 7) functions ``g_a`` (principle of symmetric
    criticality; Arjevani & Field 2019, sec. 5). The Jacobian ``dg_a / dalpha_b`` is the
    Hessian restricted to ``Fix(G)``, read from :func:`twolayer.gaussian.hessian_rows`; one
    step costs ``O(k d)``.

    Parameters
    ----------
    k : int
        Student neurons (k >= 5).
    alpha0 : array_like, shape (5,) if k == d else (7,)
        Starting point.
    d : int, optional
        Input dimension (default k).
    tol : float
        Required Frobenius norm of the full gradient; once it is reached, up to two more
        Newton steps are taken while they reduce it further (to the rounding floor, about
        ``1e-16 k d``).
    max_iter : int
        Newton steps allowed.

    Returns
    -------
    TypeAPoint

    Raises
    ------
    RuntimeError
        If Newton's method does not reach ``tol`` within ``max_iter`` steps.
    """
    k, d = _type_a_shape(k, d)
    alpha = as_array(alpha0, "alpha0", shape=(_n_params(k, d),)).copy()
    tol = check_real(tol, "tol", low=0.0, low_open=True)
    max_iter = check_int(max_iter, "max_iter", low=1)
    g, sizes = _reduced_gradient(alpha, k, d)
    norm = float(np.sqrt(np.sum(sizes * g * g)))
    it = 0
    while norm > tol and it < max_iter:
        J = _reduced_jacobian(alpha, k, d)
        try:
            step = np.linalg.solve(J, g)
        except np.linalg.LinAlgError as err:
            raise RuntimeError(
                f"Newton's method on the type-A equations hit a singular Jacobian at k = {k}, "
                f"d = {d} after {it} steps (gradient norm {norm:.2e})"
            ) from err
        # Damped Newton: halve the step while the gradient norm grows.
        for _ in range(30):
            trial = alpha - step
            g_new, _ = _reduced_gradient(trial, k, d)
            new_norm = float(np.sqrt(np.sum(sizes * g_new * g_new)))
            if new_norm < norm or new_norm < tol:
                break
            step = step / 2
        else:
            break
        alpha, g, norm = trial, g_new, new_norm
        it += 1
    # Polish: full steps while they still reduce the gradient (down to the rounding floor).
    for _ in range(2 if norm <= tol else 0):
        try:
            trial = alpha - np.linalg.solve(_reduced_jacobian(alpha, k, d), g)
        except np.linalg.LinAlgError:
            break
        g_new, _ = _reduced_gradient(trial, k, d)
        new_norm = float(np.sqrt(np.sum(sizes * g_new * g_new)))
        if new_norm >= norm:
            break
        alpha, g, norm = trial, g_new, new_norm
        it += 1
    if norm > tol:
        raise RuntimeError(
            f"Newton's method on the type-A equations did not converge at k = {k}, d = {d}: "
            f"gradient norm {norm:.2e} after {it} steps (tol {tol:.1e})"
        )
    return TypeAPoint(k, d, alpha, type_a_loss(alpha, k, d), norm, it)


def follow_type_a(
    ks: Sequence[int],
    alpha0: object,
    *,
    d_offset: int = 0,
    tol: float = 1e-10,
    max_iter: int = 50,
) -> list[TypeAPoint]:
    """Follow the type-A family along increasing k by continuation.

    The critical point at each k (with ``d = k - d_offset``) starts Newton's method at the next
    k: from the previous alpha, or, once two points are known, from the linear extrapolation in
    ``1/sqrt(k)``, the variable of the expansions of Arjevani & Field (2019).

    Parameters
    ----------
    ks : sequence of int, increasing
    alpha0 : array_like
        Starting point of Newton's method at ``ks[0]``.
    d_offset : int
        ``k - d`` (0 for the square case).
    tol, max_iter : see :func:`type_a_critical_point`

    Returns
    -------
    list of TypeAPoint
    """
    ks = [check_int(k, "ks[i]", low=5) for k in ks]
    if any(b <= a for a, b in zip(ks, ks[1:])):
        raise ValueError(f"ks must be strictly increasing, got {ks}")
    d_offset = check_int(d_offset, "d_offset", low=0)
    points: list[TypeAPoint] = []
    guess = as_array(alpha0, "alpha0", ndim=1)
    for k in ks:
        if len(points) >= 2:
            (k1, a1), (k2, a2) = [(p.k, p.alpha) for p in points[-2:]]
            x1, x2, x = k1**-0.5, k2**-0.5, k**-0.5
            guess = a2 + (a2 - a1) * (x - x2) / (x2 - x1)
        points.append(type_a_critical_point(k, guess, k - d_offset, tol=tol, max_iter=max_iter))
        guess = points[-1].alpha
    return points


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
    k, d = _type_a_shape(k, d)
    W = type_a_weights(alpha, k, d)
    blocks = _standard_patterns(k, d)
    positions = sorted({p for *_, read in blocks for p in read})
    rows = hessian_rows(W, identity_teacher(d), np.array(positions, dtype=int))
    row_of = dict(zip(positions, rows))
    labels, values, mults = [], [], []
    for label, mult, patterns, read in blocks:
        if mult == 0:
            continue
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

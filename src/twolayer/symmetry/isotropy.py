"""The action of ``S_k x S_d`` on a student ``W (k, d)`` and the numerical detection of its
isotropy group (:func:`act`, :func:`detect_isotropy`).

Imports only :mod:`twolayer._checks`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from math import factorial

import numpy as np
from scipy.optimize import linear_sum_assignment

from .._checks import as_array, check_int, check_real

__all__ = [
    "Isotropy",
    "act",
    "detect_isotropy",
    "is_maximal_isotropy",
    "isotropy_labels",
    "label_math",
    "largest_diagonal_orbit",
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


_LABEL_PART = re.compile(r"(?P<delta>Δ?)S_(?P<n>\d+)(?:\((?P<side>rows|cols)\))?")


def _label_factors(label: object) -> list[tuple[bool, int, str | None]]:
    """The factors of an :attr:`Isotropy.label` in its order: ``(diagonal, n, side)`` with
    ``side`` ``"rows"``, ``"cols"`` or ``None``; ``[]`` for ``"1"``, the trivial group."""
    if not isinstance(label, str):
        raise TypeError(f"label must be a str, got {type(label).__name__}")
    if label == "1":
        return []
    factors = []
    for part in label.split(" × "):
        match = _LABEL_PART.fullmatch(part)
        if match is None:
            raise ValueError(f"label must be a label of Isotropy, got {label!r}")
        factors.append((bool(match["delta"]), int(match["n"]), match["side"]))
    return factors


def label_math(label: str) -> str:
    """An :attr:`Isotropy.label` as inline TeX for prose, e.g. ``"ΔS_4 × ΔS_2"`` to
    ``"$\\Delta S_{4} \\times \\Delta S_{2}$"`` (``"S_3(rows)"`` to ``S_{3}`` with a ``rows``
    superscript; ``"1"``, the trivial group, to ``"$1$"``).

    Raises
    ------
    TypeError
        If ``label`` is not a string.
    ValueError
        If ``label`` is not of that form.
    """
    parts = []
    for diagonal, n, side in _label_factors(label):
        tex = ("\\Delta " if diagonal else "") + f"S_{{{n}}}"
        if side:
            tex += f"^{{\\text{{{side}}}}}"
        parts.append(tex)
    return "$" + " \\times ".join(parts or ["1"]) + "$"


def largest_diagonal_orbit(label: str) -> int:
    """The ``n`` of the first (largest) factor ``ΔS_n`` of an :attr:`Isotropy.label`: the
    neurons of its largest orbit, ``0`` when it has no such factor (``"1"``, ``"S_3(rows)"``).

    A point with this isotropy among ``k`` neurons has ``k - n`` outside that orbit. Raises as
    :func:`label_math`.
    """
    factors = _label_factors(label)
    return factors[0][1] if factors and factors[0][0] else 0


def is_maximal_isotropy(label: str, k: int) -> bool:
    """Whether an :attr:`Isotropy.label` of ``k`` neurons is ``ΔS_k``, ``ΔS_{k-1}`` or
    ``ΔS_{k-p} × ΔS_p``: the diagonal of a maximal intransitive subgroup of ``S_k`` (one orbit,
    or two that hold every neuron), the symmetry of a global minimum ``ΔS_k`` broken least.
    Raises as :func:`label_math`."""
    k = check_int(k, "k", low=1)
    factors = _label_factors(label)
    if not all(diagonal for diagonal, _, _ in factors):
        return False
    sizes = [n for _, n, _ in factors]
    return (len(sizes) == 1 and sizes[0] >= k - 1) or (len(sizes) == 2 and sum(sizes) == k)


def isotropy_labels(
    points: Sequence[object], losses: Sequence[float], *, tol: float = 1e-6
) -> list[str]:
    """:attr:`Isotropy.label` of each point, detected once per orbit.

    Points with the same loss (to ``1e-9``) and the same sorted entries (to ``1e-5``) are taken
    to lie on one orbit of ``S_k x S_d``, whose points have conjugate isotropy groups and so the
    same label; :func:`detect_isotropy` runs on the first point of each orbit only.

    Parameters
    ----------
    points : sequence of array_like, each (k, d)
    losses : sequence of float, one per point
    tol : float
        As in :func:`detect_isotropy`.

    Returns
    -------
    list of str
    """
    if len(points) != len(losses):
        raise ValueError(
            f"points and losses must have the same length, got {len(points)} and {len(losses)}"
        )
    tol = check_real(tol, "tol", low=0.0, low_open=True)
    cache: dict[tuple[float, bytes], str] = {}
    out = []
    for i, (W, loss) in enumerate(zip(points, losses)):
        W = as_array(W, f"points[{i}]", ndim=2)
        key = (round(float(loss), 9), np.round(np.sort(W, axis=None), 5).tobytes())
        if key not in cache:
            cache[key] = detect_isotropy(W, tol=tol).label
        out.append(cache[key])
    return out

"""Linear algebra of the convex program's structure, shared by the solvers of this package.

The program has ``2P`` groups ``x_g`` (the ``v_i`` and then the ``w_i`` of Pilanci and Ergen,
2020), each with the cone ``(2 D_i - I) X x_g >= 0``. Every group is a row of a ``(2P, d)``
array; the patterns enter as the float mask ``M (n, 2P)`` (the ``P`` columns twice) and the
signs ``S = 2 M - 1``. Because ``S_g^2 = I``, every weighted cone block is
``X^T diag(w_g) X``. Of the ``n`` rows of a cone only those near the group enter its barrier
(:class:`Rows`): the arrays of the barrier are ``(2P, q)`` instead of ``(n, 2P)``.
"""

from __future__ import annotations

import numpy as np

#: Largest number of float64 entries of one chunk of the ``(n, c d)`` matrix of ``K``.
_CHUNK_ENTRIES = 4_000_000


class Structure:
    """Data of one problem: ``X``, the masks and signs of the ``2P`` groups, the unit rows.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, d)
    patterns : numpy.ndarray of bool, shape (P, n)
    """

    def __init__(self, X: np.ndarray, patterns: np.ndarray) -> None:
        self.X = X
        self.n, self.d = X.shape
        self.P = patterns.shape[0]
        mask = patterns.T.astype(float)  # (n, P)
        self.mask = np.hstack([mask, mask])  # (n, 2P)
        self.signs = 2.0 * self.mask - 1.0
        # rows with x_k = 0 give the vacuous constraint 0 >= 0: left out of every barrier
        self.row_norms = np.linalg.norm(X, axis=1)  # (n,)
        self.live = self.row_norms > 0
        #: unit rows ``x_k / ||x_k||`` (zero rows stay zero), for distances to the hyperplanes
        self.unit_rows = X / np.where(self.live, self.row_norms, 1.0)[:, None]
        self.signs_t = np.ascontiguousarray(self.signs.T)  # (2P, n)

    def apply(self, G: np.ndarray) -> np.ndarray:
        """Fit ``A x = sum_i D_i X (v_i - w_i)``, shape (n,)."""
        P = self.P
        return np.einsum("kd,kd->k", self.X, self.mask[:, :P] @ (G[:P] - G[P:]))

    def adjoint(self, w: np.ndarray) -> np.ndarray:
        """``A^T w``: rows ``+-X^T D_g w``, shape (2P, d)."""
        P = self.P
        half = self.mask[:, :P].T @ (w[:, None] * self.X)  # (P, d)
        return np.vstack([half, -half])

    def distances(self, G: np.ndarray) -> np.ndarray:
        """Signed distances ``(2 D_g - I)_kk x_k^T x_g / ||x_k||`` of every group to every
        hyperplane of its cone, shape (2P, n); ``+inf`` on the rows of zero ``x_k``."""
        dist = self.signs_t * (G @ self.unit_rows.T)
        if not self.live.all():
            dist[:, ~self.live] = np.inf
        return dist


class Rows:
    """The rows ``idx (2P, q)`` of each group's cone kept in the barrier, and the cone
    operations restricted to them (constraint reduction, Tits, Absil and Woessner, 2006).

    The slacks, multipliers and weights of the kept rows are ``(2P, q)`` arrays; the rows left
    out have multiplier 0.
    """

    def __init__(self, st: Structure, idx: np.ndarray) -> None:
        self.idx = idx
        self.X = st.X[idx]  # (2P, q, d)
        self.signs = st.signs_t[np.arange(idx.shape[0])[:, None], idx]  # (2P, q)

    def slacks(self, G: np.ndarray) -> np.ndarray:
        """Cone slacks ``(2 D_g - I) X x_g`` on the kept rows, shape (2P, q)."""
        return self.signs * np.einsum("gqd,gd->gq", self.X, G)

    def cone_adjoint(self, Z: np.ndarray) -> np.ndarray:
        """Rows ``X^T S_g z_g`` for multipliers ``Z (2P, q)`` of the kept rows, shape (2P, d)."""
        return np.einsum("gq,gqd->gd", self.signs * Z, self.X)

    def blocks(self, W: np.ndarray) -> np.ndarray:
        """All ``X^T diag(w_g) X`` for weights ``W (2P, q)`` of the kept rows, shape (2P, d, d)."""
        return np.matmul((self.X * W[:, :, None]).transpose(0, 2, 1), self.X)


def nearest_rows(dist: np.ndarray, q: int, kept: np.ndarray | None, favour: float) -> np.ndarray:
    """Indices ``(2P, q)`` of the ``q`` hyperplanes nearest to each group (``dist (2P, n)``
    from :meth:`Structure.distances`), the distances of the rows in ``kept`` multiplied by
    ``favour`` first, so that a kept row is replaced only by one clearly nearer. ``dist`` is
    overwritten."""
    if kept is not None:
        dist[np.arange(kept.shape[0])[:, None], kept] *= favour
    if q == dist.shape[1]:
        return np.broadcast_to(np.arange(q), dist.shape).copy()
    return np.ascontiguousarray(np.argpartition(dist, q - 1, axis=1)[:, :q])


def _ridged_cholesky(C: np.ndarray) -> np.ndarray:
    """Cholesky factors of unit-diagonal blocks ``C (k, d, d)``, with the smallest ridge
    (1e-14, then 100 times more, up to 1e-4) that makes every block positive definite."""
    eye = np.eye(C.shape[1])
    ridge = 0.0
    while True:
        try:
            return np.linalg.cholesky(C + ridge * eye)
        except np.linalg.LinAlgError:
            ridge = 1e-14 if ridge == 0.0 else 100.0 * ridge
            if ridge > 1e-4:
                raise


def inverse_factors(B: np.ndarray) -> np.ndarray:
    """Inverse Cholesky factors ``F_g`` with ``B_g^{-1} = F_g^T F_g``, shape (k, d, d).

    Each block is scaled to unit diagonal first (the barrier weights span many orders of
    magnitude); a block that is still not numerically positive definite gets a relative ridge.
    """
    diag = np.sqrt(np.einsum("gii->gi", B))
    scale = 1.0 / diag
    C = B * scale[:, :, None] * scale[:, None, :]
    L = _ridged_cholesky(C)
    Linv = np.linalg.inv(L)
    return Linv * scale[:, None, :]


def pattern_factors(F: np.ndarray) -> np.ndarray:
    """Factors ``C_i`` with ``C_i^T C_i = B_{v_i}^{-1} + B_{w_i}^{-1}``, shape (P, d, d).

    The two groups of pattern ``i`` share ``D_i``, so their terms of the Woodbury matrix add up
    to ``D_i X (B_{v_i}^{-1} + B_{w_i}^{-1}) X^T D_i``: one term per pattern, half the work.
    ``F`` holds the inverse factors of the ``2P`` groups (:func:`inverse_factors`).
    """
    P = F.shape[0] // 2
    inv = np.einsum("gki,gkj->gij", F, F)  # B_g^{-1} = F_g^T F_g
    total = inv[:P] + inv[P:]
    diag = np.sqrt(np.maximum(np.einsum("gii->gi", total), np.finfo(float).tiny))
    C = total / diag[:, :, None] / diag[:, None, :]
    L = _ridged_cholesky(C)
    return (L * diag[:, :, None]).transpose(0, 2, 1)


def apply_inverse(F: np.ndarray, G: np.ndarray) -> np.ndarray:
    """``B_g^{-1} g_g`` for every group, from :func:`inverse_factors`, shape (k, d)."""
    return np.einsum("gji,gj->gi", F, np.einsum("gij,gj->gi", F, G))


def woodbury_matrix(st: Structure, F: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
    """``A B^{-1} A^T = sum_g D_g X B_g^{-1} X^T D_g``, shape (n, n), in chunks of groups.

    ``B_g^{-1} = F_g^T F_g`` so each term is ``Y_g Y_g^T`` with ``Y_g = D_g X F_g^T``: the sum is
    one symmetric product of the ``(n, 2P d)`` matrix ``[Y_1, ..., Y_2P]``, formed in chunks.
    """
    n, d = st.n, st.d
    idx = np.arange(F.shape[0]) if groups is None else groups
    K = np.zeros((n, n))
    step = max(1, _CHUNK_ENTRIES // (n * d))
    for start in range(0, idx.size, step):
        part = idx[start:start + step]
        chunk = F[start:start + step]
        # Y[k, g, e] = sum_j X[k, j] F[g, e, j]: one product with the factors side by side
        Y = st.X @ chunk.transpose(2, 0, 1).reshape(d, -1)
        Y = (Y.reshape(n, part.size, d) * st.mask[:, part, None]).reshape(n, -1)
        K += Y @ Y.T
    return K

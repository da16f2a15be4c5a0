"""Argument checks shared by the modules of :mod:`twolayer.gaussian`.

Imports nothing of ours.
"""

from __future__ import annotations

import numpy as np


def row_norms(W: np.ndarray, name: str, *, allow_zero: bool) -> np.ndarray:
    """Norms of the rows of ``W``; with ``allow_zero=False`` a zero row raises, naming it."""
    norms = np.sqrt(np.einsum("ij,ij->i", W, W))
    if not allow_zero and np.any(norms == 0.0):
        i = int(np.flatnonzero(norms == 0.0)[0])
        raise ValueError(
            f"row {i} of {name} is zero: the loss is not differentiable there, "
            f"every neuron needs a nonzero weight vector"
        )
    return norms

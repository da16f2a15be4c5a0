"""Argument checks shared by the modules of :mod:`twolayer.symmetry`.

Imports only :mod:`twolayer._checks`.
"""

from __future__ import annotations

from .._checks import check_int


def check_type_a_shape(k: int, d: int | None) -> tuple[int, int]:
    """The shape ``(k, d)`` of the type-A family: ``k >= d >= 5`` (``d`` defaults to ``k``)."""
    k = check_int(k, "k", low=5)
    d = k if d is None else check_int(d, "d", low=5)
    if d > k:
        raise ValueError(f"the type-A family needs k >= d, got k = {k} and d = {d}")
    return k, d

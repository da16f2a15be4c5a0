"""Input validation shared by every public function of ``twolayer``.

Each checker names the argument it inspects, what it received and what it needed,
so that bad input fails at the door with a clear message instead of deep inside NumPy.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

__all__ = [
    "IPM_DEFAULTS",
    "as_array",
    "as_rng",
    "check_callable",
    "check_int",
    "check_int_sequence",
    "check_ipm_options",
    "check_pair",
    "check_patterns",
    "check_problem",
    "check_regression",
    "check_random_starts",
    "check_real",
    "check_same_length",
]


def as_array(
    value: object,
    name: str,
    *,
    ndim: int | None = None,
    shape: tuple[int | None, ...] | None = None,
    finite: bool = True,
) -> np.ndarray:
    """Return ``value`` as a float64 array after checking its dtype, shape and values.

    Parameters
    ----------
    value : array_like
        Real numbers (bool, integer or float dtype).
    name : str
        Argument name used in error messages.
    ndim : int, optional
        Required number of dimensions.
    shape : tuple of (int or None), optional
        Required shape; ``None`` entries accept any length. Implies ``ndim``.
    finite : bool
        Reject NaN and infinite entries.

    Raises
    ------
    TypeError
        If the entries are not real numbers.
    ValueError
        If the shape is wrong or an entry is not finite.
    """
    try:
        arr = np.asarray(value)
    except ValueError as err:  # ragged nested lists
        raise ValueError(
            f"{name} must be a rectangular array, got nested sequences of unequal lengths"
        ) from err
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold real numbers, got an array of dtype {arr.dtype}"
        )
    arr = arr.astype(np.float64, copy=False)
    if shape is not None:
        ndim = len(shape)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if shape is not None:
        for axis, (got, want) in enumerate(zip(arr.shape, shape, strict=True)):
            if want is not None and got != want:
                raise ValueError(
                    f"{name} must have length {want} along axis {axis}, "
                    f"got shape {arr.shape}"
                )
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got NaN or infinite entries")
    return arr


def check_real(
    value: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a float after checking it is a finite real in the given interval."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    out = float(value)
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite, got {out}")
    if low is not None and (out < low or (low_open and out == low)):
        bound = ">" if low_open else ">="
        raise ValueError(f"{name} must be {bound} {low}, got {out}")
    if high is not None and (out > high or (high_open and out == high)):
        bound = "<" if high_open else "<="
        raise ValueError(f"{name} must be {bound} {high}, got {out}")
    return out


def check_int(value: object, name: str, *, low: int | None = None) -> int:
    """Return ``value`` as an int after checking it is an integer at least ``low``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    out = int(value)
    if low is not None and out < low:
        raise ValueError(f"{name} must be >= {low}, got {out}")
    return out


def check_same_length(
    first: np.ndarray, first_name: str, second: np.ndarray, second_name: str
) -> None:
    """Raise if two arrays disagree in their first dimension (number of samples or neurons)."""
    if first.shape[0] != second.shape[0]:
        raise ValueError(
            f"{first_name} and {second_name} must have the same number of rows, "
            f"got {first.shape[0]} and {second.shape[0]}"
        )


def as_rng(rng: object) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from a Generator or an integer seed."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (bool, np.bool_)) or not isinstance(rng, Integral):
        raise TypeError(
            f"rng must be a numpy.random.Generator or an integer seed, got {type(rng).__name__}"
        )
    if int(rng) < 0:
        raise ValueError(f"rng must be a nonnegative integer seed, got {int(rng)}")
    return np.random.default_rng(int(rng))


def check_int_sequence(value: object, name: str, *, low: int | None = None) -> list[int]:
    """Return ``value`` as a list of ints after checking it is a sequence of integers."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(
            f"{name} must be a sequence of integers, got {type(value).__name__}"
        )
    return [check_int(v, f"{name}[{i}]", low=low) for i, v in enumerate(value)]


def check_callable(value: object, name: str) -> None:
    """Raise TypeError unless ``value`` can be called."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__}")


def check_patterns(patterns: object, n: int, name: str = "patterns") -> np.ndarray:
    """Return activation patterns as a boolean array ``(P, n)``, ``P >= 1``.

    Accepts booleans or the numbers 0 and 1; rejects other dtypes (strings, objects), NaN and
    any other value, and a wrong shape.
    """
    try:
        pat = np.asarray(patterns)
    except ValueError as err:
        raise ValueError(
            f"{name} must be a rectangular array, got nested sequences of unequal lengths"
        ) from err
    if pat.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be boolean (or 0/1), got an array of dtype {pat.dtype}")
    if pat.ndim != 2 or pat.shape[1] != n:
        raise ValueError(f"{name} must have shape (P, n) with n = {n}, got shape {pat.shape}")
    if pat.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one pattern, got shape (0, n)")
    if pat.dtype != bool:
        if not np.isin(pat, (0, 1)).all():
            raise ValueError(f"{name} must be boolean (or 0/1), got other values")
        pat = pat.astype(bool)
    return pat


def check_pair(
    W: object, V: object, names: tuple[str, str] = ("W", "V")
) -> tuple[np.ndarray, np.ndarray]:
    """Two weight matrices with the same number of columns, each with a row and a column."""
    first, second = names
    W = as_array(W, first, ndim=2)
    V = as_array(V, second, ndim=2)
    if W.shape[1] != V.shape[1]:
        raise ValueError(
            f"{first} and {second} must have the same number of columns (the input dimension "
            f"d), got {first} of shape {W.shape} and {second} of shape {V.shape}"
        )
    for arr, name in ((W, first), (V, second)):
        if arr.shape[0] == 0 or arr.shape[1] == 0:
            raise ValueError(
                f"{name} must have at least one row and one column, got shape {arr.shape}"
            )
    return W, V


def check_regression(
    X: object, y: object, beta: object
) -> tuple[np.ndarray, np.ndarray, float]:
    """Weight-decay regression data ``X (n, d)`` with ``n >= 1``, ``y (n,)`` and ``beta > 0``."""
    X = as_array(X, "X", ndim=2)
    y = as_array(y, "y", ndim=1)
    check_same_length(X, "X", y, "y")
    if X.shape[0] == 0:
        raise ValueError("X must have at least one row, got shape (0, d)")
    return X, y, check_real(beta, "beta", low=0.0, low_open=True)


def check_problem(
    X: object, y: object, beta: object, patterns: object
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """The convex program's data (:func:`check_regression`) and activation patterns ``(P, n)``
    (:func:`check_patterns`)."""
    X, y, beta = check_regression(X, y, beta)
    return X, y, beta, check_patterns(patterns, X.shape[0])


#: Options of the structured interior-point solver (``solvers.solve_ipm``, and
#: ``convex.solve_convex(..., solver="ipm")``) and their defaults.
IPM_DEFAULTS = {"tol_gap": 1e-8, "tol_feas": 1e-8, "max_iter": 100, "raise_on_limit": True}


def check_ipm_options(options: dict | None) -> dict:
    """Checked options of ``solvers.solve_ipm`` (also ``solver_options`` of ``solver="ipm"``),
    completed with :data:`IPM_DEFAULTS`."""
    options = dict(options or {})
    unknown = sorted(set(options) - set(IPM_DEFAULTS))
    if unknown:
        raise TypeError(
            f"solver_options of solver='ipm' must be among {sorted(IPM_DEFAULTS)}, got {unknown}"
        )
    out = {**IPM_DEFAULTS, **options}
    for name in ("tol_gap", "tol_feas"):
        out[name] = check_real(out[name], name, low=0.0, high=1.0, low_open=True,
                               high_open=True)
    out["max_iter"] = check_int(out["max_iter"], "max_iter", low=0)
    out["raise_on_limit"] = bool(out["raise_on_limit"])
    return out


def check_random_starts(
    m: object, runs: object, scale: object, rng: object
) -> tuple[int, int, float, np.random.Generator]:
    """Width ``m >= 1``, number of ``runs >= 1``, initialization ``scale > 0`` and the one
    generator that draws every start, of a training from seeded random initializations."""
    return (
        check_int(m, "m", low=1),
        check_int(runs, "runs", low=1),
        check_real(scale, "scale", low=0.0, low_open=True),
        as_rng(rng),
    )


def check_test_set(X_test: object, y_test: object, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Held-out data ``X_test (n_test, d)`` with the ``d`` columns of the training data and
    ``y_test (n_test,)``."""
    X_test = as_array(X_test, "X_test", ndim=2)
    y_test = as_array(y_test, "y_test", ndim=1)
    check_same_length(X_test, "X_test", y_test, "y_test")
    if X_test.shape[1] != d:
        raise ValueError(
            f"X_test must have {d} columns like X_train, got shape {X_test.shape}"
        )
    return X_test, y_test

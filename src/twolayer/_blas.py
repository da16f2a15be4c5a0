"""One BLAS thread by default, whatever the caller's environment.

The library calls BLAS on many small matrices (``n`` and ``m`` in the tens to a thousand, a
training step at a time). A multithreaded OpenBLAS spends far more on synchronising its threads
than on that arithmetic: on a 2-core machine the chapter "Hessian spectra" ran in 340 s instead of
21 s without ``OPENBLAS_NUM_THREADS=1``. A fixed thread count also keeps the floating-point
reductions, and so the printed digits, the same on every machine.

So ``import twolayer`` limits every BLAS library loaded in the process (NumPy's and SciPy's
OpenBLAS, or MKL) to one thread, through threadpoolctl, and sets ``OPENBLAS_NUM_THREADS`` and
``MKL_NUM_THREADS`` to ``1`` when unset, for BLAS libraries loaded later.
The environment variable ``TWOLAYER_BLAS_THREADS`` chooses another count (a positive integer), or
``keep`` to leave the BLAS libraries as they are; :func:`set_blas_threads` changes it at run time.
"""

from __future__ import annotations

import os

from threadpoolctl import threadpool_limits

from ._checks import check_int

__all__ = ["set_blas_threads"]

ENV = "TWOLAYER_BLAS_THREADS"
_LATE_LOADERS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def set_blas_threads(threads: int) -> None:
    """Limit every BLAS library loaded in this process to ``threads`` threads.

    ``import twolayer`` calls it with ``1`` (or with ``TWOLAYER_BLAS_THREADS``). Large matrix
    products of your own may run faster with more threads: ``set_blas_threads(os.cpu_count())``;
    the library's functions are then slower on small problems, and their last digits may differ.

    Parameters
    ----------
    threads : int
        Number of threads, at least 1.
    """
    threads = check_int(threads, "threads", low=1)
    threadpool_limits(limits=threads, user_api="blas")


def _threads_from_environment() -> int | None:
    """The count of ``TWOLAYER_BLAS_THREADS`` (default 1), or None for ``keep``."""
    value = os.environ.get(ENV, "1").strip().lower()
    if value == "keep":
        return None
    try:
        threads = int(value)
    except ValueError:
        threads = 0
    if threads < 1:
        raise ValueError(f"{ENV} must be a positive integer or 'keep', got {value!r}")
    return threads


def limit_at_import() -> None:
    """The import-time default: one BLAS thread unless ``TWOLAYER_BLAS_THREADS`` says otherwise."""
    threads = _threads_from_environment()
    if threads is None:
        return
    for name in _LATE_LOADERS:
        os.environ.setdefault(name, str(threads))
    threadpool_limits(limits=threads, user_api="blas")

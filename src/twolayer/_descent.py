"""The loop of batched gradient descent shared by the training functions of the library.

Many networks (a leading run axis on every parameter array) advance together as one array
computation; the objective is recorded every ``record_every`` steps and at the end, and a
non-finite recorded value stops the run with the step at which it happened.
:mod:`twolayer.network` and :mod:`twolayer.batchnorm` call it with their own objective and
gradient, on arguments checked at their door.

Imports nothing of ours.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: ``evaluate(params, value, gradient) -> (values (R,) or None, gradients or None)``: the
#: objective of each run when ``value``, the gradients (shaped like ``params``) when ``gradient``.
Evaluate = Callable[
    [list[np.ndarray], bool, bool], tuple[np.ndarray | None, list[np.ndarray] | None]
]


def descend(
    evaluate: Evaluate, params: list[np.ndarray], lr: float, steps: int, record_every: int
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """``steps`` steps ``p -= lr * grad`` from ``params`` (not modified), all runs at once.

    Returns the final parameters, the recorded objective values ``(T, R)`` and the steps ``(T,)``
    at which they were recorded (step 0, every ``record_every`` steps, and the last).

    Raises
    ------
    FloatingPointError
        If a recorded objective is not finite (the iterates diverged), naming the step and ``lr``.
    """
    params = [p.copy() for p in params]
    history, recorded = [], []
    # Overflow is reported as the FloatingPointError below, not as NumPy warnings.
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps + 1):
            record = t % record_every == 0 or t == steps
            value, grads = evaluate(params, record, t < steps)
            if record:
                if not np.all(np.isfinite(value)):
                    raise FloatingPointError(f"training diverged at step {t}; lower lr (got {lr})")
                history.append(value)
                recorded.append(t)
            if t == steps:
                break
            for p, g in zip(params, grads, strict=True):
                p -= lr * g
    return params, np.asarray(history), np.asarray(recorded)


def split_runs(
    params: list[np.ndarray], history: np.ndarray, recorded: np.ndarray
) -> list[tuple[list[np.ndarray], np.ndarray, np.ndarray]]:
    """One ``(parameters, history (T,), recorded steps (T,))`` per run of :func:`descend`."""
    return [([p[r] for p in params], history[:, r], recorded) for r in range(history.shape[1])]

"""Explorer of the chapter "Splines": sliders for the layer ratio and the gradient-descent steps.

The chapter's runs need 7,000 to 35,000 steps of gradient descent at width 1000 to interpolate the
data (tens of seconds on one core for the seven ratios together), far beyond what one slider
callback may take (0.2 s). So every ratio is trained once, to convergence, with the chapter's
settings, and its network stored at checkpoints (:func:`regime_trajectory`); the training runs in
a background thread while the explorer is already usable, and a slider move only draws a stored
checkpoint (:meth:`RegimeTrajectory.checkpoint`). Both explorers draw :func:`regime_frame`: the
ipywidgets one for a checkpoint, the chapter's kernel-free one for each run of the ratio sweep.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from numbers import Integral

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .._checks import as_rng, check_int, check_real
from ..plotting.splines import plot_fit_and_knots
from ..splines import (
    DynamicsResult,
    UnivariateNetwork,
    init_univariate,
    spline_distances,
    train_univariate,
)
from ..splines._checks import check_samples
from . import show_figure

__all__ = ["CHECKPOINTS", "RATIOS", "RegimeTrajectory", "regime_explorer", "regime_frame",
           "regime_trajectory"]

#: The initial ratios of the chapter's runs and sweep.
RATIOS = (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)
#: Steps at which a trajectory keeps its network: multiples of the kernel refresh (10 steps), so
#: that training from checkpoint to checkpoint takes exactly the steps of one uninterrupted run.
CHECKPOINTS = (0, 100, 200, 500, 1000, 2000, 3000, 5000, 7000, 10000, 15000, 20000, 30000,
               40000, 60000, 80000)


@dataclass
class RegimeTrajectory:
    """One gradient-descent run of :func:`twolayer.splines.train_univariate`, at checkpoints.

    Attributes
    ----------
    ratio : float
        Initial ratio ``|c_i| / ||(a_i, b_i)||`` of :func:`twolayer.splines.init_univariate`.
    initial : UnivariateNetwork
    steps : list of int
        Checkpoints reached so far (the last one is the step of convergence if ``converged``).
    networks : list of UnivariateNetwork
        The network at each of ``steps``.
    converged : bool
        Whether every residual fell below the tolerance (the run then stopped).
    """

    ratio: float
    initial: UnivariateNetwork
    steps: list[int] = field(default_factory=list)
    networks: list[UnivariateNetwork] = field(default_factory=list)
    converged: bool = False

    def at(self, step: int) -> tuple[int, UnivariateNetwork]:
        """The last stored checkpoint at or before ``step``: its step and network."""
        k = int(np.searchsorted(self.steps, step, side="right")) - 1
        return self.steps[max(k, 0)], self.networks[max(k, 0)]

    def checkpoint(self, steps: int) -> tuple[DynamicsResult, str]:
        """The run up to the last checkpoint at or before ``steps``, and how far it got.

        Returns
        -------
        run : DynamicsResult
            From ``initial`` to the network of that checkpoint (no history is kept), for
            :func:`regime_frame`.
        status : str
            ``"converged after N steps"``, ``"N steps"``, or, while ``steps`` is not reached yet
            by a run still training, the checkpoint shown and the step asked for.
        """
        steps = check_int(steps, "steps", low=0)
        shown, net = self.at(steps)
        converged = self.converged and shown == self.steps[-1]
        if converged and steps >= shown:
            status = f"converged after {shown} steps"
        elif shown < steps:
            status = f"step {shown} (step {steps} still training, move a slider again)"
        else:
            status = f"{shown} steps"
        run = DynamicsResult(initial=self.initial, final=net, steps=shown, time=float("nan"),
                             converged=converged, history_step=np.array([]),
                             history_time=np.array([]), history_loss=np.array([]),
                             knot_history=np.empty((0, net.width)),
                             delta_drift=np.zeros(net.width))
        return run, status


def _extend(x: np.ndarray, y: np.ndarray, traj: RegimeTrajectory, checkpoints: Sequence[int],
            tol: float, max_turn: float) -> None:
    """Train ``traj`` from its last checkpoint through ``checkpoints``, stopping at convergence."""
    if not traj.steps:
        traj.steps.append(0)
        traj.networks.append(traj.initial)
    for target in checkpoints:
        if traj.converged or target <= traj.steps[-1]:
            continue
        seg = train_univariate(x, y, traj.networks[-1], steps=target - traj.steps[-1], tol=tol,
                               max_turn=max_turn, record_every=10**9)
        traj.networks.append(seg.final)
        traj.steps.append(traj.steps[-1] + seg.steps)
        traj.converged = seg.converged


def _check_settings(x: object, y: object, width: object, tol: object, max_turn: object,
                    checkpoints: object) -> tuple:
    """The checks shared by :func:`regime_trajectory` and :func:`regime_explorer`."""
    x, y = check_samples(x, y)
    values = tuple(check_int(c, "checkpoints", low=0) for c in checkpoints)  # type: ignore[union-attr]
    if not values or any(c % 10 for c in values) or list(values) != sorted(set(values)):
        raise ValueError("checkpoints must be increasing multiples of 10 (the kernel refresh), "
                         f"got {values}")
    return (x, y, check_int(width, "width", low=2), check_real(tol, "tol", low=0.0),
            check_real(max_turn, "max_turn", low=0.0, low_open=True), values)


def regime_trajectory(
    x: object, y: object, ratio: float, *, width: int = 1000, rng: object,
    tol: float = 1e-2, max_turn: float = 0.05, checkpoints: Sequence[int] = CHECKPOINTS,
) -> RegimeTrajectory:
    """Train from :func:`twolayer.splines.init_univariate` and keep the network at checkpoints.

    The run is that of the chapter (``train_univariate(x, y, net, steps=checkpoints[-1],
    tol=tol, max_turn=max_turn)``), cut at ``checkpoints``: each piece starts where the previous
    one stopped, and since the checkpoints are multiples of the kernel refresh (10 steps) the
    networks are those of the uninterrupted run.

    Parameters
    ----------
    x : array_like, shape (n,), strictly increasing
    y : array_like, shape (n,)
    ratio : float
        Initial layer ratio, ``> 0``.
    width : int
        Number of units ``m``.
    rng : int or numpy.random.Generator
        Seed of the initialization.
    tol, max_turn : float
        As in :func:`twolayer.splines.train_univariate`.
    checkpoints : sequence of int
        Increasing multiples of 10; the last one is the largest number of steps.

    Returns
    -------
    RegimeTrajectory
    """
    x, y, width, tol, max_turn, checkpoints = _check_settings(x, y, width, tol, max_turn,
                                                              checkpoints)
    ratio = check_real(ratio, "ratio", low=0.0, low_open=True)
    traj = RegimeTrajectory(ratio=ratio, initial=init_univariate(width, ratio, as_rng(rng)))
    _extend(x, y, traj, checkpoints, tol, max_turn)
    return traj


def _regime_frame(x: np.ndarray, y: np.ndarray, run: DynamicsResult, status: str) -> Figure:
    net = run.initial
    ratio = float(np.median(np.abs(net.c) / np.hypot(net.a, net.b)))
    d_cubic, d_linear = spline_distances(x, y, run.final)
    when = f", {status}" if status else ""
    title = (f"ratio {ratio:.0e}, m = {run.final.width}{when}: "
             f"distance to cubic {d_cubic:.3f}, to linear {d_linear:.3f}")
    return plot_fit_and_knots(x, y, run, title=title)


def regime_frame(x: object, y: object, run: DynamicsResult, *, status: str = "") -> Figure:
    """The figure of both explorers: a network trained from one initial layer ratio.

    Draws :func:`twolayer.plotting.splines.plot_fit_and_knots`: the trained function
    ``run.final`` against the natural cubic spline and the linear interpolant of the samples,
    and its knots weighted by their slope jumps (trained: filled; ``run.initial``: outline).
    The title gives the initial ratio ``|c_i| / ||(a_i, b_i)||`` of ``run.initial`` (the median
    over the units, which share it at :func:`twolayer.splines.init_univariate`), the width, the
    ``status`` if any, and the sup-norm distances to both splines
    (:func:`twolayer.splines.spline_distances`). The figure has the same size for every run, as
    the kernel-free explorer (:func:`twolayer.widgets.static.static_explorer`) requires.

    Parameters
    ----------
    x : array_like, shape (n,), strictly increasing
    y : array_like, shape (n,)
    run : DynamicsResult
        A run of :func:`twolayer.splines.train_univariate`, or a checkpoint of one
        (:meth:`RegimeTrajectory.checkpoint`).
    status : str, optional
        How far the run got, put in the title after the width (e.g. ``"1000 steps"``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    x, y = check_samples(x, y)
    if not isinstance(run, DynamicsResult):
        raise TypeError(f"run must be a DynamicsResult, got {type(run).__name__}")
    if not isinstance(status, str):
        raise TypeError(f"status must be a str, got {type(status).__name__}")
    return _regime_frame(x, y, run, status)


def regime_explorer(
    x: object, y: object, *, ratios: Sequence[float] = RATIOS, width: int = 1000,
    rng: object, tol: float = 1e-2, max_turn: float = 0.05,
    checkpoints: Sequence[int] = CHECKPOINTS, background: bool = True,
) -> widgets.Widget:
    """Sliders for the initial ratio ``|c_i| / ||(a_i, b_i)||`` and the number of GD steps.

    Every ratio is trained once with the chapter's settings (width 1000, ``tol``, ``max_turn``)
    to convergence, keeping the network at ``checkpoints`` (:func:`regime_trajectory`); with
    ``background=True`` this runs in a thread (tens of seconds on one core for the seven ratios,
    the selected ratio first) and the explorer shows the checkpoints reached so far. A slider move
    only draws a stored checkpoint (:meth:`RegimeTrajectory.checkpoint`) with
    :func:`regime_frame`, well under 0.2 s.

    The returned widget has ``trajectories`` (ratio -> :class:`RegimeTrajectory`) and ``wait()``,
    which returns once the training is done.
    """
    x, y, width, tol, max_turn, checkpoints = _check_settings(x, y, width, tol, max_turn,
                                                              checkpoints)
    ratios = tuple(check_real(r, "ratios", low=0.0, low_open=True) for r in ratios)
    if not ratios:
        raise ValueError("ratios must hold at least one ratio, got none")
    if not isinstance(background, bool):
        raise TypeError(f"background must be a bool, got {type(background).__name__}")
    # One seed for every ratio: the same knots and signs, as in the chapter (rng=0 each time).
    seed = int(rng) if isinstance(rng, Integral) else int(as_rng(rng).integers(2**63))
    trajectories = {r: RegimeTrajectory(ratio=r, initial=init_univariate(width, r, seed))
                    for r in ratios}
    first = 10.0 if 10.0 in trajectories else ratios[0]
    order = [first, *(r for r in ratios if r != first)]

    def train_all() -> None:
        for r in order:
            _extend(x, y, trajectories[r], checkpoints, tol, max_turn)

    for r in order:  # step 0 of every ratio at once
        _extend(x, y, trajectories[r], checkpoints[:1], tol, max_turn)
    worker = threading.Thread(target=train_all, name="regime-explorer", daemon=True)
    if background:
        worker.start()
    else:
        train_all()

    def show(ratio: float, steps: int) -> None:
        run, status = trajectories[ratio].checkpoint(steps)
        show_figure(_regime_frame(x, y, run, status))

    explorer = widgets.interactive(
        show,
        ratio=widgets.SelectionSlider(options=[(f"{r:.0e}", r) for r in ratios], value=first,
                                      description="ratio |c|/|w|", continuous_update=False),
        steps=widgets.SelectionSlider(options=list(checkpoints), value=checkpoints[-1],
                                      description="GD steps", continuous_update=False),
    )
    explorer.trajectories = trajectories
    explorer.wait = lambda: worker.join() if worker.is_alive() else None
    return explorer


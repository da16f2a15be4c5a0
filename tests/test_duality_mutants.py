"""Tests of twolayer.duality written against the mutants that the other tests let survive.

The refined certificate recomputed from the convex program on the live neurons' patterns, the
exact circle maximum and the neighbouring arcs under rotations of the data, the cutting-plane
loop's stops (documented defaults, stall, tie at the tolerance) with a scripted solver and
oracle, and the studies of the chapter against direct computations.
"""

from __future__ import annotations

import importlib
import itertools
from types import SimpleNamespace

import numpy as np
import pytest

from twolayer.arrangements import (
    critical_angles_2d,
    enumerate_patterns_2d,
    sample_patterns,
    unit_circle,
)
from twolayer.convex import merge_neurons, recover_network, solve_convex
from twolayer.data import circle_teacher_regression
from twolayer.duality import (
    ConstraintMax,
    certificate,
    certificate_path,
    cutting_plane,
    dual_constraint,
    dual_value,
    max_dual_constraint,
    network_patterns,
    optimal_width_study,
    pattern_sampling_study,
    solve_dual,
)
from twolayer.duality.cutting_plane import _cutting_plane_loop
from twolayer.network import init_network, train

from .messages import exactly

BETA = 0.1  # the beta of conftest's circle_problem, whose optimum some tests use
# the module, not the function of the same name that twolayer.duality exports
cutting_plane_module = importlib.import_module("twolayer.duality.cutting_plane")


def _rotation(phi: float) -> np.ndarray:
    return np.array([[np.cos(phi), -np.sin(phi)], [np.sin(phi), np.cos(phi)]])


def _scaled_dual(X, y, beta, r, patterns=None, complete=False):
    """The documented dual bound of a residual: ``v = s r`` with ``s = clip(r.y / ||r||^2, 0,
    beta / max_u |r^T relu(X u)|)`` and the dual objective at ``v``."""
    c = max_dual_constraint(X, r, patterns, complete).value
    return dual_value(y, np.clip(r @ y / (r @ r), 0.0, beta / c) * r)


def _refined_dual(X, y, beta, W_live, patterns=None, complete=False):
    """The dual bound of the convex program on the patterns of the given (live) neurons."""
    sol = solve_convex(X, y, beta, network_patterns(X, W_live))
    return _scaled_dual(X, y, beta, sol.residual, patterns, complete)


# -- the refined certificate -----------------------------------------------------------------


def test_refined_certificate_uses_exactly_the_live_neurons(circle_problem):
    # live = a != 0 and w != 0 (certificate's docstring: the network's own patterns): a neuron
    # with a = 0 or w = 0 computes nothing and must not add its patterns; a = 1 is live
    X, y = circle_problem.X, circle_problem.y
    gen = np.random.default_rng(3)
    W, a = gen.standard_normal((3, 2)), gen.standard_normal(3)
    a[1] = 1.0
    Wf = np.vstack([W, [[0.2, 1.0]], [[0.0, 0.0]]])
    af = np.r_[a, 0.0, 0.7]
    basic = certificate(X, y, Wf, af, BETA)
    cert = certificate(X, y, Wf, af, BETA, refine=True)
    expected = _refined_dual(X, y, BETA, W)
    # the data were chosen so that each dead neuron, and dropping the a = 1 one, moves the bound
    for other in (np.vstack([W, Wf[3:4]]), np.vstack([W, Wf[4:5]]), W[[0, 2]]):
        assert abs(_refined_dual(X, y, BETA, other) - expected) > 1e-4
    assert expected > basic.dual + 1e-3
    assert cert.refined is True
    # the same solver and options as solve_convex's defaults: the same bits
    assert cert.dual == expected
    assert cert.gap == cert.primal - expected
    assert (cert.primal, cert.primal_balanced) == (basic.primal, basic.primal_balanced)
    r = y - np.maximum(X @ Wf.T, 0.0) @ af
    path = np.sum(np.abs(af) * np.linalg.norm(Wf, axis=1))
    assert cert.primal_balanced == pytest.approx(0.5 * r @ r + BETA * path, rel=1e-12)


def test_refined_certificate_without_live_neurons_or_without_gain_is_the_basic_one(
    circle_problem,
):
    X, y = circle_problem.X, circle_problem.y
    gen = np.random.default_rng(3)
    W, a = gen.standard_normal((3, 2)), gen.standard_normal(3)
    # a = 0: no live neuron, no restricted program
    assert certificate(X, y, W, np.zeros(3), BETA, refine=True) == certificate(
        X, y, W, np.zeros(3), BETA)
    # y = 0: both dual points give the bound 0 (scale 0); the refined one is taken only when
    # it is higher (docstring of _certificates), so the tie keeps the basic certificate
    tie = certificate(X, np.zeros(X.shape[0]), W, a, BETA, refine=True)
    assert (tie.dual, tie.refined) == (0.0, False)


def test_refined_certificate_in_three_dimensions_takes_the_given_patterns():
    gen = np.random.default_rng(21)
    X, y = gen.standard_normal((8, 3)), gen.standard_normal(8)
    W, a = gen.standard_normal((4, 3)), gen.standard_normal(4)
    P = sample_patterns(X, 2000, np.random.default_rng(22))
    cert = certificate(X, y, W, a, BETA, patterns=P, complete=True, refine=True)
    sol = solve_convex(X, y, BETA, network_patterns(X, W))
    assert cert.refined is True and cert.exact is True  # complete=True passed on
    assert cert.dual == _refined_dual(X, y, BETA, W, P, True)
    assert cert.constraint_max == max_dual_constraint(X, sol.residual, P, True).value
    assert certificate(X, y, W, a, BETA, patterns=P, refine=True).exact is False


def test_dual_program_of_zero_data_is_y():
    # X = 0: every network predicts 0 and the constraint is 0, so the dual optimum is v = y,
    # of value ||y||^2 / 2, the objective of the zero network (no cone has a bounding row)
    y = np.array([1.0, -2.0, 0.5])
    value, v = solve_dual(np.zeros((3, 2)), y, 0.3, np.ones((1, 3), bool))
    assert value == pytest.approx(0.5 * y @ y, rel=1e-9)
    np.testing.assert_allclose(v, y, rtol=1e-9)


# -- the circle: rotations of the data --------------------------------------------------------


def test_circle_maximum_does_not_depend_on_where_angle_zero_falls():
    # rotating the data rotates the constraint function: the same maximum, wherever the
    # maximizer lies; rotated onto angle 0 it is inside the arc that wraps around 0 (the last)
    X, _, _, _ = circle_teacher_regression(15, rng=3, noise=0.1)
    gen = np.random.default_rng(6)
    U = unit_circle(np.linspace(0, 2 * np.pi, 20001))
    for _ in range(4):
        v = gen.standard_normal(15)
        top = max_dual_constraint(X, v)
        theta = np.arctan2(top.direction[1], top.direction[0])
        for phi in (-theta, -theta + 0.5, 1.0, 2.0):
            Xr = X @ _rotation(phi).T
            assert max_dual_constraint(Xr, v).value == pytest.approx(top.value, rel=1e-12)
            assert dual_constraint(Xr, v, U).max() <= top.value * (1 + 1e-12)


def test_network_patterns_find_the_neighbouring_arcs_whatever_the_rotation(circle_problem):
    # for a neuron inside arc k: its pattern and those of arcs k - 1 and k + 1 (mod K), from
    # the critical angles computed here; the rotations move the wrap-around arc
    for phi in np.linspace(0, 2 * np.pi, 7)[:-1]:
        X = circle_problem.X @ _rotation(phi).T
        angles = critical_angles_2d(X)
        K = angles.size
        mids = 0.5 * (angles + np.r_[angles[1:], angles[0] + 2 * np.pi])
        for k in range(K):
            three = unit_circle(mids[[(k - 1) % K, k, (k + 1) % K]])
            expected = {tuple(p) for p in (three @ X.T >= 0)}
            got = {tuple(p) for p in network_patterns(X, unit_circle(mids[[k]]))}
            assert got == expected, (phi, k)


# -- the cutting-plane loop -----------------------------------------------------------------


class _Scripted:
    """solve_convex and _constraint_max replaced in cutting_plane's module: the solver records
    each working set and solver, the oracle returns ``value`` and a cut chosen by ``cut``."""

    def __init__(self, monkeypatch, value, cut):
        self.sets, self.solvers = [], []
        self.value, self.cut = value, cut
        monkeypatch.setattr(cutting_plane_module, "solve_convex", self.solve)
        monkeypatch.setattr(cutting_plane_module, "_constraint_max", self.oracle)

    def solve(self, X, y, beta, patterns, solver):
        self.sets.append(patterns.copy())
        self.solvers.append(solver)
        return SimpleNamespace(value=float(len(self.sets)), residual=np.zeros(len(y)))

    def oracle(self, X, v, candidates, complete):
        return ConstraintMax(self.value, np.zeros(2), self.cut(self.sets[-1]), 1.0, True)


def _new_pattern(held):
    """The first 0/1 pattern (in lexicographic order) not in ``held``."""
    have = {tuple(p) for p in held}
    return np.array(next(p for p in itertools.product([False, True], repeat=held.shape[1])
                         if p not in have))


_X8 = np.random.default_rng(30).standard_normal((8, 2))
_Y8 = np.random.default_rng(31).standard_normal(8)


def test_cutting_plane_defaults_are_fifty_solves_by_clarabel(monkeypatch):
    # the documented defaults max_iter=50 and solver="CLARABEL": an oracle that always finds a
    # violated new pattern runs out of solves after exactly 50
    s = _Scripted(monkeypatch, 2 * BETA, _new_pattern)
    res = cutting_plane(_X8, _Y8, BETA, rng=0)
    assert res.values.size == 50 and len(s.sets) == 50
    assert res.converged is False
    assert set(s.solvers) == {"CLARABEL"}
    first = sample_patterns(_X8, 4, np.random.default_rng(0)).shape[0]
    assert res.num_patterns.tolist() == list(range(first, first + 50))


def test_cutting_plane_stops_at_a_stall(monkeypatch):
    # the oracle returns a pattern already in the working set (a numerical stall): the run
    # ends after that solve, unconverged, without adding the duplicate
    s = _Scripted(monkeypatch, 2 * BETA, lambda held: held[0])
    res = cutting_plane(_X8, _Y8, BETA, rng=0, initial=2, max_iter=5)
    assert s.sets[0].shape[0] == 2  # two distinct initial patterns, the first one returned
    assert (res.values.tolist(), res.num_patterns.tolist(), res.converged) == ([1.0], [2], False)


def test_cutting_plane_converges_at_violation_one_plus_tol_exactly(monkeypatch):
    # the stop is max <= beta (1 + tol): 0.75 / 0.5 = 1.5 = 1 + 0.5 exactly in binary
    _Scripted(monkeypatch, 0.75, _new_pattern)
    res = cutting_plane(_X8, _Y8, 0.5, rng=0, tol=0.5)
    assert res.converged is True and res.values.size == 1
    assert cutting_plane(_X8, _Y8, 0.5, rng=0, tol=0.25, max_iter=3).converged is False


def test_cutting_plane_loop_keeps_the_working_set_it_solved_last():
    # _cutting_plane_loop (shared with extreme.spike_free_cutting_plane): out of solves, the
    # working set returned is the one just solved, not extended once more; at a stall
    # (extend gives None) the loop returns what it has
    solved = []

    def solve(ws):
        solved.append(list(ws))
        return len(ws), float(len(ws)), np.zeros(1)

    def oracle(v):
        return 2.0, "cut"

    loop = _cutting_plane_loop(["a"], solve, oracle, lambda ws, cut: ws + [cut], len, 3, 0.0)
    assert loop.working_set == ["a", "cut", "cut"] == solved[-1]
    assert (loop.solution, loop.sizes.tolist(), loop.converged) == (3, [1, 2, 3], False)
    stalled = _cutting_plane_loop(["a"], solve, oracle, lambda ws, cut: None, len, 3, 0.0)
    assert (stalled.working_set, stalled.sizes.tolist()) == (["a"], [1])


# -- the studies ------------------------------------------------------------------------------


def test_certificate_path_is_sgd_with_a_decaying_step_certified_at_each_checkpoint(
    circle_problem,
):
    # certificate_path's docstring, redone with the public functions: init_network(2, width)
    # from the generator of rng, then stretch k of SGD at lr / (1 + k / 2) with the same
    # generator, and certificate (basic and refine=True) of the network after each stretch
    X, y, p_star = circle_problem.X, circle_problem.y, circle_problem.solution.value
    path = certificate_path(X, y, BETA, width=4, rng=7, checkpoints=3, steps_per_checkpoint=5,
                            lr=0.05, batch_size=10)
    gen = np.random.default_rng(7)
    W, a = init_network(2, 4, gen)
    basic, refined = [], []
    for k in range(3):
        run = train(X, y, W, a, BETA, lr=0.05 / (1 + k / 2), steps=5, batch_size=10, rng=gen,
                    record_every=5)
        W, a = run.W, run.a
        basic.append(certificate(X, y, W, a, BETA))
        refined.append(certificate(X, y, W, a, BETA, refine=True))
    np.testing.assert_array_equal(path.W, W)
    np.testing.assert_array_equal(path.a, a)
    assert path.steps.tolist() == [5, 10, 15]
    assert path.primal.tolist() == [c.primal for c in basic]
    assert path.basic_gap.tolist() == [c.relative_gap for c in basic]
    assert path.refined_gap.tolist() == [c.relative_gap for c in refined]
    assert (path.basic, path.refined) == (basic[-1], refined[-1])
    # the true relative suboptimality (L_k - p*) / L_k
    np.testing.assert_allclose(path.true_gap(p_star), (path.primal - p_star) / path.primal,
                               rtol=1e-15)
    with pytest.raises(TypeError, match=exactly("optimum must be a real number, got str")):
        path.true_gap("1.0")


def test_certificate_path_accepts_its_smallest_settings(circle_problem):
    X, y = circle_problem.X, circle_problem.y
    one = certificate_path(X, y, BETA, width=1, rng=0, checkpoints=1, steps_per_checkpoint=1,
                           lr=0.01, batch_size=1)
    assert one.steps.tolist() == [1] and one.W.shape == (1, 2)
    full = certificate_path(X, y, BETA, width=2, rng=0, checkpoints=1, steps_per_checkpoint=1,
                            lr=0.01, batch_size=X.shape[0])  # batch_size = n is allowed
    assert full.primal.shape == (1,)


def test_pattern_sampling_study_solves_the_program_on_each_nested_sample(circle_problem):
    # for seed s, the first num of one draw of Gaussian directions: the same patterns as
    # sample_patterns(X, num, seed) (the first rows of a standard-normal draw); the values
    # are solve_convex's on them, bit for bit (the same solver and options)
    X, y, opt = circle_problem.X, circle_problem.y, circle_problem.solution.value
    study = pattern_sampling_study(X, y, BETA, [1, 2, 8], seeds=[0, 3], optimum=opt)
    assert study.num_directions.tolist() == [1, 2, 8] and study.seeds.tolist() == [0, 3]
    assert study.optimum == opt and study.found.dtype.kind == "i"
    for s, seed in enumerate([0, 3]):
        for k, num in enumerate([1, 2, 8]):
            sampled = sample_patterns(X, num, np.random.default_rng(seed))
            assert study.found[s, k] == sampled.shape[0]
            assert study.values[s, k] == solve_convex(X, y, BETA, sampled).value
    np.testing.assert_array_equal(study.excess, (study.values - opt) / opt)


def test_optimal_width_study_is_the_merged_width_of_the_exact_program():
    # for each seed and n: circle_teacher_regression(n, rng=seed, noise), solve_convex on all
    # patterns, recover_network and merge_neurons; seed 0 and noise 0 are allowed
    study = optimal_width_study([3, 5], seeds=[0, 2], beta=BETA, noise=0.0)
    assert study.ns.tolist() == [3, 5] and study.seeds.tolist() == [0, 2]
    assert study.beta == BETA and study.widths.dtype.kind == "i"
    for s, seed in enumerate([0, 2]):
        for k, n in enumerate([3, 5]):
            X, y, _, _ = circle_teacher_regression(n, rng=seed, noise=0.0)
            sol = solve_convex(X, y, BETA, enumerate_patterns_2d(X))
            assert study.widths[s, k] == merge_neurons(*recover_network(sol))[1].size
            assert study.values[s, k] == sol.value


_X30, _Y30, _, _ = circle_teacher_regression(30, rng=0, noise=0.1)
_PATH = {"checkpoints": 1, "steps_per_checkpoint": 1, "lr": 0.1, "batch_size": 1}

_STUDY_ERRORS = [
    (lambda: optimal_width_study([3], [-1], BETA), "seeds[0] must be >= 0, got -1"),
    (lambda: optimal_width_study([3], [0], 0.0), "beta must be > 0.0, got 0.0"),
    (lambda: optimal_width_study([3], [0], BETA, noise=-0.5), "noise must be >= 0.0, got -0.5"),
    (lambda: certificate_path(_X30, _Y30, BETA, 0, 0, **_PATH), "width must be >= 1, got 0"),
    (lambda: certificate_path(_X30, _Y30, BETA, 1, 0, **{**_PATH, "checkpoints": 0}),
     "checkpoints must be >= 1, got 0"),
    (lambda: certificate_path(_X30, _Y30, BETA, 1, 0, **{**_PATH, "steps_per_checkpoint": 0}),
     "steps_per_checkpoint must be >= 1, got 0"),
    (lambda: certificate_path(_X30, _Y30, BETA, 1, 0, **{**_PATH, "lr": 0.0}),
     "lr must be > 0.0, got 0.0"),
    (lambda: certificate_path(_X30, _Y30, BETA, 1, 0, **{**_PATH, "batch_size": 0}),
     "batch_size must be >= 1, got 0"),
    (lambda: certificate_path(_X30, _Y30, BETA, 1, 0, **{**_PATH, "batch_size": 31}),
     "batch_size must be at most n = 30, got 31"),
    (lambda: pattern_sampling_study(_X30, _Y30, BETA, [0, 2], [0], 1.0),
     "num_directions[0] must be >= 1, got 0"),
    (lambda: pattern_sampling_study(_X30, _Y30, BETA, [4, 4], [0], 1.0),
     "num_directions must be a nonempty, strictly increasing sequence, got [4, 4]"),
    (lambda: pattern_sampling_study(_X30, _Y30, BETA, [4], [-1], 1.0),
     "seeds[0] must be >= 0, got -1"),
    (lambda: pattern_sampling_study(_X30, _Y30, BETA, [4], [], 1.0),
     "seeds must hold at least one seed, got an empty sequence"),
]


@pytest.mark.parametrize(("call", "message"), _STUDY_ERRORS, ids=[m for _, m in _STUDY_ERRORS])
def test_studies_name_the_bad_argument(call, message):
    with pytest.raises(ValueError, match=exactly(message)):
        call()

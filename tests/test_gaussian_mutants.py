"""Behaviour of twolayer.gaussian that the mutation run of relu_teacher, batched and _checks
(tests/MUTATION.md) found unchecked: the subgradient at a zero row that the fitting loop's line
search relies on, the rows argument of the gradient, the zero-row error of every check, the
batched kernel run by run, and the stopping tests, line search and curvature test of the batched
L-BFGS on quadratics whose iterates are known in closed form."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer.gaussian import arccos_kernel, batched, population_gradient, population_loss
from twolayer.gaussian.relu_teacher import _loss_and_gradient


def test_a_zero_row_gets_the_documented_subgradient_and_changes_no_other_term():
    # _loss_and_gradient's docstring: a zero row of W gets the subgradient without the sin t
    # term, with the angle pi/2 that arccos._angles gives a zero row. Its gradient is then
    # 1/(2 pi) (pi/2) (sum_j w_j - sum_j v_j) = (sum W - sum V) / 4 (its own term is 0 w_i),
    # and it adds nothing to the loss or to the gradients of the other rows (|w_i| = 0).
    rng = np.random.default_rng(19)
    W, V = rng.standard_normal((3, 3)), rng.standard_normal((2, 3))
    Wz = np.vstack([W[:1], np.zeros(3), W[1:]])
    nv = np.sqrt((V * V).sum(axis=1))
    const = 0.5 * arccos_kernel(V, V).sum()  # the docstring's 1/2 sum kappa(V, V)
    loss, grad = _loss_and_gradient(Wz, V, nv, const)
    assert np.all(np.isfinite(grad))
    assert loss == pytest.approx(population_loss(W, V), rel=1e-12)
    assert np.allclose(grad[[0, 2, 3]], population_gradient(W, V), atol=1e-14)
    assert np.allclose(grad[1], (W.sum(axis=0) - V.sum(axis=0)) / 4.0, atol=1e-14)
    # away from zero rows it is the loss and gradient of the public functions
    loss, grad = _loss_and_gradient(W, V, nv, const)
    assert loss == pytest.approx(population_loss(W, V), rel=1e-12)
    assert np.allclose(grad, population_gradient(W, V), atol=1e-14)


def test_rows_that_are_empty_but_not_one_dimensional_are_rejected():
    # population_gradient: rows is a 1-d sequence of integers; an empty 1-d one selects nothing,
    # an empty 2-d one is not a 1-d sequence (it must not pass as "no rows").
    W, V = np.random.default_rng(1).standard_normal((2, 3, 3))
    assert population_gradient(W, V, rows=np.zeros(0, dtype=int)).shape == (0, 3)
    with pytest.raises(TypeError, match="rows must be a 1-d sequence of integers"):
        population_gradient(W, V, rows=[[]])
    with pytest.raises(TypeError, match="rows must be a 1-d sequence of integers"):
        population_gradient(W, V, rows=np.zeros((2, 0), dtype=int))


def test_a_zero_row_is_named_by_its_first_index_with_the_reason():
    # gaussian._checks.row_norms: the first zero row is named, with why it is refused
    W = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    message = (
        "row 1 of W is zero: the loss is not differentiable there, every neuron needs a "
        "nonzero weight vector"
    )
    with pytest.raises(ValueError) as info:
        population_gradient(W, np.eye(2))
    assert str(info.value) == message


def test_the_orbit_key_joins_points_of_one_orbit_and_separates_the_others():
    # spurious_rates: end points with the same loss (to 1e-9) and the same sorted entries (to
    # 1e-5) are taken for one orbit of S_k x S_d and share one Hessian; _orbit_key is that key.
    from twolayer.gaussian.batched import _orbit_key

    W = np.array([[1.0, 0.25], [-0.5, 2.0]])
    loss = 0.123456789
    moved = W[::-1][:, ::-1]  # a row and a column permutation: the same orbit
    assert _orbit_key(moved, loss) == _orbit_key(W, loss)
    assert _orbit_key(W + 3e-6, loss + 2e-10) == _orbit_key(W, loss)  # within both roundings
    # the same sorted entries at another loss, and the same loss with other entries, are not
    assert _orbit_key(W.T, loss + 1e-8) != _orbit_key(W, loss)
    assert _orbit_key(W.T, loss + 0.3) != _orbit_key(W, loss)
    assert _orbit_key(W + 1e-3, loss) != _orbit_key(W, loss)


def test_a_batched_fit_near_the_teacher_runs_on_to_a_hundredth_of_global_tol():
    # spurious_rates: the runs go on until the largest gradient entry is at most gtol or the
    # loss is below global_tol / 100; a start near the global minimum ends there, "global"
    from twolayer.gaussian.batched import _fit_batch

    k = 3
    V = np.eye(k)
    W0 = V + 0.05 * np.random.default_rng(3).standard_normal((k, k))
    assert population_loss(W0, V) > 1e-4  # the start is not yet global
    (fit,), _ = _fit_batch(W0[None], V, 1e-8, 3000, 1e-8)
    assert fit.kind == "global" and fit.iterations > 0
    assert fit.loss <= 1e-10
    # the loss is a difference of terms of order 1 (const = 1/2 sum kappa(V, V) = 3/4 + 3/(2 pi)
    # for V = I_3, by the arc-cosine kernel): two formulas for it agree to a few roundings of 1,
    # about 1e-15, not relatively at 1e-11
    assert fit.loss == pytest.approx(population_loss(fit.W, V), rel=1e-9, abs=1e-14)


def test_a_batched_end_point_with_a_small_but_nonzero_gradient_is_other():
    # spurious_rates applies the gradient test (norm 1e-6) to every end point before any
    # Hessian: one iteration from near the type-A minimum (Safran & Shamir 2018) leaves a
    # gradient of about 4e-3, far below 1 and far above 1e-6, so the point is "other"
    from twolayer.gaussian.batched import _fit_batch
    from twolayer.symmetry import type_a_critical_point, type_a_weights

    k = 6
    V = np.eye(k)
    start = type_a_weights(type_a_critical_point(k, [1.0, -0.05, 0.3, 0.2, -0.6]).alpha, k)
    W0 = start + 1e-3 * np.random.default_rng(5).standard_normal((k, k))
    (fit,), _ = _fit_batch(W0[None], V, 1e-9, 1, 1e-8)
    assert 1e-4 < fit.grad_norm < 0.1
    assert fit.grad_norm == pytest.approx(np.linalg.norm(population_gradient(fit.W, V)))
    assert fit.kind == "other" and np.isnan(fit.min_eig) and fit.iterations == 1


def test_a_split_neuron_of_the_type_a_minimum_is_a_saddle_of_the_batched_fit():
    # Splitting the last neuron of the type-A minimum (k = d = 6) into two halves keeps the
    # point critical (positive homogeneity); its smallest Hessian eigenvalue, about -0.18 by
    # the dense Hessian here, is negative but above -1: the fit calls it a saddle
    from twolayer.gaussian import population_hessian
    from twolayer.gaussian.batched import _fit_batch
    from twolayer.symmetry import type_a_critical_point, type_a_weights

    k = 6
    V = np.eye(k)
    W = type_a_weights(type_a_critical_point(k, [1.0, -0.05, 0.3, 0.2, -0.6]).alpha, k)
    W = np.vstack([W[:-1], 0.5 * W[-1:], 0.5 * W[-1:]])
    lam = np.linalg.eigvalsh(population_hessian(W, V))[0]
    assert -1.0 < lam < -0.1
    (fit,), _ = _fit_batch(W[None], V, 1e-9, 1, 1e-8)
    assert fit.kind == "saddle" and fit.min_eig == pytest.approx(lam, rel=1e-9)


def test_a_degenerate_critical_point_is_undecided_by_the_batched_fit():
    # classify_point's rule, applied by the batched fit: |lambda_min| <= 1e-8 is "other"
    # (undecided at second order). A teacher neuron split into two halves is critical with an
    # exactly flat direction (test_gaussian.py) and no negative curvature (it is a global
    # minimum); with the global test switched off (global_tol < 0) the Hessian decides.
    from twolayer.gaussian import population_hessian
    from twolayer.gaussian.batched import _fit_batch

    V = np.eye(3)
    W = np.vstack([0.5 * V[:1], 0.5 * V[:1], V[1:]])
    assert abs(np.linalg.eigvalsh(population_hessian(W, V))[0]) < 1e-12
    (fit,), _ = _fit_batch(W[None], V, 1e-9, 1, -1.0)
    assert fit.kind == "other" and abs(fit.min_eig) < 1e-12 and fit.grad_norm < 1e-12


def test_the_batched_kernel_gives_a_zero_row_the_subgradient_of_the_single_loss():
    # the batched L-BFGS of spurious_rates evaluates trial points that may pass through a zero
    # row; _batched_kernel then gives the loss and subgradient of _loss_and_gradient (tested
    # above against the closed form (sum W - sum V) / 4), not NaN
    from twolayer.gaussian.batched import _batched_kernel

    rng = np.random.default_rng(7)
    W, V = rng.standard_normal((3, 3)), rng.standard_normal((2, 3))
    W[1] = 0.0
    nv = np.sqrt((V * V).sum(axis=1))
    const = 0.5 * arccos_kernel(V, V).sum()
    loss, grad = _batched_kernel(W[None], V, const)
    expected_loss, expected_grad = _loss_and_gradient(W, V, nv, const)
    assert loss[0] == pytest.approx(expected_loss, rel=1e-12)
    assert np.allclose(grad[0], expected_grad, atol=1e-14)


def test_the_batched_kernel_is_the_single_students_kernel_run_by_run(relu_loss_by_hand):
    # _batched_kernel: the loss and gradient of population_loss and population_gradient for
    # each of R students, also where the sine is recomputed (student rows nearly parallel to
    # one another, to a teacher row, or nearly antiparallel to one), where the rows are
    # exactly (anti)parallel and their cosines round outside [-1, 1], at a zero teacher row
    # and for m != k teacher rows
    from twolayer.gaussian.batched import _batched_kernel

    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 4))[3]  # a row whose cosines with its multiples round off +-1
    V = np.vstack([rng.standard_normal((2, 4)), np.zeros(4)])  # m = 3, a zero row
    W = rng.standard_normal((4, 3, 4))
    tiny = 1e-7 * rng.standard_normal((6, 4))
    W[1, 2] = 0.7 * W[1, 0] + tiny[0]  # nearly parallel to another student row
    W[1, 1] = -1.3 * V[0] + tiny[1]  # nearly antiparallel to a teacher row
    W[2, 0] = 2.0 * V[1] + tiny[2]  # nearly parallel to a teacher row
    W[2, 1] = -0.4 * W[2, 2] + tiny[3]  # nearly antiparallel to another student row
    W[3] = [a, -3.0 * a, 0.5 * a]  # exactly (anti)parallel
    unit = W[3] / np.linalg.norm(W[3], axis=1)[:, None]
    cosines = unit @ unit.T
    assert cosines.max() > 1.0 and cosines.min() < -1.0  # the clip to [-1, 1] is needed
    const = 0.5 * arccos_kernel(V, V).sum()  # the docstring's 1/2 sum kappa(V, V)
    loss, grad = _batched_kernel(W, V, const)
    assert loss.shape == (4,) and grad.shape == W.shape
    for r in range(4):
        assert loss[r] == pytest.approx(population_loss(W[r], V), rel=1e-12, abs=1e-15)
        # a zero teacher neuron outputs relu(0) = 0: the loss of the other two
        assert loss[r] == pytest.approx(relu_loss_by_hand(W[r], V[:2]), rel=1e-6)
        np.testing.assert_allclose(grad[r], population_gradient(W[r], V), rtol=0, atol=1e-14)


def test_the_batched_loss_near_the_teacher_is_accurate_to_rounding():
    # 1e-6 from the global minimum the loss is about 1.5e-12 and the angles between a student
    # row and its teacher row about 1e-6, where arccos(c) has an error of about 1e-10 (its
    # slope is 1/sin t); the batched kernel takes them from arctan2(s, c) as
    # population_loss does, so the loss the batched fit compares with its target
    # global_tol / 100 = 1e-10 is that of population_loss to rounding (arccos gave 1.3e-11)
    from twolayer.gaussian.batched import batched_loss_and_gradient

    V = np.eye(4)
    W = V + 1e-6 * np.random.default_rng(1).standard_normal((4, 4))
    loss, grad = batched_loss_and_gradient(W[None], V)
    expected = population_loss(W, V)
    assert 1e-13 < expected < 1e-11
    assert loss[0] == pytest.approx(expected, rel=1e-6)
    np.testing.assert_allclose(grad[0], population_gradient(W, V), rtol=0, atol=1e-15)


# ----------------------------------------------------------------------------- batched L-BFGS


def _quadratic(curvature: float = 1.0, shift: float = 0.0):
    """``f(x) = curvature / 2 |x|^2 + shift`` of each row, and its gradient ``curvature x``."""

    def fun(X):
        return 0.5 * curvature * np.einsum("rp,rp->r", X, X) + shift, curvature * X

    return fun


def test_the_stopping_tests_include_their_ties_at_the_start_and_after_each_iteration():
    # batched_lbfgs: a run stops when its largest gradient entry is at most gtol or its loss at
    # most ftarget, each test on its own and run by run. On f = |x|^2 / 2 + 1 (gradient x), in
    # binary fractions: a start with gradient entry exactly gtol = 1/4 and loss 9/8 above
    # ftarget, a start with loss exactly ftarget = 1 + 9/128 and gradient 3/8, a start that
    # needs one iteration (the first step -g / max(1, |g|) is the Newton step from |x| <= 1)
    # and one that needs two (its first step -g / |g|, then the secant step of its pair).
    X0 = np.array([[0.25] * 4, [0.375, 0, 0, 0], [0.5] * 4, [3.0, 4.0, 0, 0]])
    res = batched.batched_lbfgs(_quadratic(shift=1.0), X0, gtol=0.25, ftarget=1 + 9 / 128)
    assert res.iterations.dtype.kind == "i"  # BatchedFit: iterations are integers
    assert res.iterations.tolist() == [0, 0, 1, 2] and res.converged.all()
    np.testing.assert_array_equal(res.x[:2], X0[:2])  # the two starts that were done
    np.testing.assert_allclose(res.x[2:], 0.0, atol=1e-15)
    # after an iteration: from (2, 0) the first step lands on (1, 0), gradient entry 1 = gtol,
    # and stops there while the run from (0, 8) goes on (to 0 by its secant step); from
    # (0, 4) on (0, 3), loss 9/2 = ftarget. Each stops there, converged.
    X0 = np.array([[2.0, 0.0], [0.0, 8.0]])
    res = batched.batched_lbfgs(_quadratic(), X0, gtol=1.0, ftarget=-1.0)
    assert res.iterations.tolist() == [1, 2] and res.converged.all()
    assert res.x[0].tolist() == [1.0, 0.0] and res.grad_max[0] == 1.0
    res = batched.batched_lbfgs(_quadratic(), np.array([[0.0, 4.0]]), gtol=1e-9, ftarget=4.5)
    assert res.iterations.tolist() == [1] and res.converged.all()
    assert res.x.tolist() == [[0.0, 3.0]] and res.loss.tolist() == [4.5]


def test_a_trial_that_does_not_decrease_the_loss_enough_is_halved():
    # The first step of a run without curvature pairs is -g / max(1, |g|); on f = x^2 from
    # x = 1/4 (gradient 1/2) it lands on -1/4, the same loss: Armijo's rule f(x + a p) <=
    # f(x) + 1e-4 a g.p rejects it, and the half step reaches the minimum 0 (three evaluations
    # of fun: the start and two trials), from either side
    res = batched.batched_lbfgs(_quadratic(curvature=2.0), np.array([[0.25], [-0.125]]))
    assert res.x.tolist() == [[0.0], [0.0]] and res.converged.all()
    assert res.iterations.tolist() == [1, 1] and res.evaluations == 3


def test_a_curvature_pair_is_judged_by_its_cosine_not_by_the_scale_of_the_loss():
    # L-BFGS stores (s, y) when s.y > 1e-12 |s| |y|, a test on the angle between s and y that a
    # scaling of the loss does not change: on a quadratic of curvature 1e-6 the first step
    # (-g, with |g| < 1) gives the pair, whose scaling gamma = s.y / y.y = 1e6 makes the
    # second step the Newton step to the minimum. Without the pair every step would be -g,
    # shrinking x by 1 - 1e-6 per iteration.
    res = batched.batched_lbfgs(
        _quadratic(curvature=1e-6), np.array([[1.0, 2.0]]), gtol=1e-15, max_iter=50
    )
    assert res.iterations.tolist() == [2] and res.converged.all()
    np.testing.assert_allclose(res.x, 0.0, atol=1e-9)


def test_a_loss_without_curvature_stores_no_pair():
    # On the linear loss 2 x, y = 0 for every step: no pair passes s.y > 1e-12 |s| |y| (0 > 0
    # is false), so every step is the first step -g / |g| = -1, accepted whole, until the loss
    # is at most ftarget = -10.5: x = -6 after six iterations
    def fun(X):
        return 2.0 * X[:, 0], np.full_like(X, 2.0)

    res = batched.batched_lbfgs(fun, np.zeros((1, 1)), ftarget=-10.5)
    assert res.x.tolist() == [[-6.0]] and res.iterations.tolist() == [6]
    assert res.converged.all() and res.evaluations == 7


def test_a_constant_added_to_the_loss_changes_no_step():
    # The stopping rule on the decrease compares fa - f_new (not their sum) with
    # 1e-15 max(1, |fa|): a loss shifted to negative values takes the same two steps from
    # (3, 4) to the minimum (the first -g / |g|, the second the secant step)
    X0 = np.array([[3.0, 4.0]])
    plain = batched.batched_lbfgs(_quadratic(), X0, gtol=1e-12)
    shifted = batched.batched_lbfgs(_quadratic(shift=-100.0), X0, gtol=1e-12, ftarget=-200.0)
    assert plain.iterations.tolist() == shifted.iterations.tolist() == [2]
    np.testing.assert_array_equal(shifted.x, plain.x)
    assert shifted.converged.all() and shifted.loss[0] == pytest.approx(-100.0, abs=1e-12)


def test_a_decrease_below_the_rounding_of_the_loss_stops_a_run_unconverged():
    # A run stops when its step decreases the loss by at most 1e-15 max(1, |f|), the rounding
    # the loss can resolve. On f = x^2 / 4 (+ C), from x = 1.5 2^-24 the first step -g halves x
    # and decreases f by 0.421875 2^-48, about 1.5e-15: above 1e-15 at C = 0 (the run goes on
    # to the minimum by its secant step), while at C = 1e6, from x = 5e-5, a decrease of about
    # 4.7e-10 is below 1e-15 C = 1e-9: the run stops after that step, its gradient 1.25e-5
    # above gtol
    x0 = 1.5 * 2.0**-24
    res = batched.batched_lbfgs(_quadratic(curvature=0.5), np.array([[x0]]), gtol=1e-30)
    assert res.iterations.tolist() == [2] and res.converged.all() and res.x[0, 0] == 0.0
    res = batched.batched_lbfgs(_quadratic(curvature=0.5, shift=1e6), np.array([[5e-5]]), gtol=1e-8)
    assert res.iterations.tolist() == [1] and not res.converged.any()
    assert res.x[0, 0] == pytest.approx(2.5e-5, rel=1e-12)
    assert res.grad_max[0] == pytest.approx(1.25e-5, rel=1e-12)


def test_a_direction_whose_slope_is_not_negative_is_replaced_by_minus_the_gradient():
    # batched_lbfgs: a direction that is not a descent direction (slope g.p not < 0) is
    # replaced by -g, with slope -|g|^2. Rounding decides it at both ends of the range:
    # a gradient of about 1e-170 has |g|^2 = 0 (underflow), so the slope of -g is -0, not < 0;
    # the replacement -g, with slope -0, makes Armijo's test 0 <= 0 + 0 accept the first
    # trial, the minimum of f = |x|^2 / 2 (whose values underflow to 0)
    X0 = 1e-170 * np.array([[1.0, -2.0]])
    res = batched.batched_lbfgs(_quadratic(), X0, gtol=1e-300, ftarget=-1.0)
    assert res.x.tolist() == [[0.0, 0.0]] and res.converged.all()
    assert res.iterations.tolist() == [1] and res.evaluations == 2

    # a gradient of 1e160 has |g|^2 = inf: the first step -g / |g| is the zero vector, slope 0;
    # its replacement -g has slope -inf, which no finite trial satisfies: the run stops where
    # it is after the 30 halvings, not converged, rather than accept a zero (or an uphill) step
    def fun(X):
        u = 1.0 + np.abs(X)  # f = 1e160 sum x / (1 + |x|), bounded
        return 1e160 * (X / u).sum(axis=1), 1e160 / u / u

    res = batched.batched_lbfgs(fun, np.zeros((1, 2)), ftarget=-1e300, max_iter=10)
    assert res.x.tolist() == [[0.0, 0.0]] and not res.converged.any()
    assert res.iterations.tolist() == [1] and res.evaluations == 31


def test_fit_student_reports_the_smallest_hessian_eigenvalue_of_its_end_point():
    # FitResult.min_eig is the smallest eigenvalue of the exact Hessian at W, also at a point
    # that is not critical (one iteration from a random start: simple eigenvalues, the two
    # smallest about -0.13 and -0.03 here, so the second is not the first)
    from twolayer.gaussian import fit_student, hessian_spectrum, identity_teacher

    V = identity_teacher(4)
    W0 = np.random.default_rng(1).standard_normal((4, 4))
    fit = fit_student(W0, V, max_iter=1, polish_steps=0)
    spectrum = hessian_spectrum(fit.W, V)
    assert fit.kind == "other" and spectrum[0] < spectrum[1] - 1e-3
    assert fit.min_eig == spectrum[0]

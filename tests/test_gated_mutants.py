"""twolayer.solvers, the gated-ReLU relaxation: its certificate field by field, the smoothed
norms, one Newton step against the dense Newton system, the continuation in ``mu``, the
iteration limit and its defaults, tied betas on a path (tests/MUTATION.md, section "solvers")."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pytest

from twolayer.arrangements import sample_patterns
from twolayer.solvers import NotConvergedError, _gated, solve_gated, solve_path

from .messages import exactly

BETA = 0.1


def _problem():
    gen = np.random.default_rng(11)
    X, y = gen.standard_normal((12, 3)), gen.standard_normal(12)
    return X, y, sample_patterns(X, 10, 0)


X, Y, PAT = _problem()
M = PAT.T.astype(float)
P = PAT.shape[0]


def _fit_by_hand(V):
    return sum(PAT[i] * (X @ V[i]) for i in range(P))


def _primal_by_hand(V, y=Y, beta=BETA):
    r = y - _fit_by_hand(V)
    return 0.5 * float(r @ r) + beta * sum(float(np.linalg.norm(v)) for v in V)


def _worst_by_hand(lam):
    """``max_i ||X^T D_i lam||``, the largest dual constraint."""
    return max(float(np.linalg.norm(X.T @ (PAT[i] * lam))) for i in range(P))


def _points():
    """A few primal points: the cold start, a random one with a zero group, the optimum."""
    gen = np.random.default_rng(3)
    random = gen.standard_normal((P, 3))
    random[2] = 0.0
    return {"zero": np.zeros((P, 3)), "random": random,
            "solved": solve_gated(X, Y, BETA, PAT, tol_gap=1e-10).V}


POINTS = _points()


@pytest.fixture(scope="module")
def dual_optimum():
    """The optimum of the dual ``max lam^T y - 1/2 ||lam||^2 s.t. ||X^T D_i lam|| <= beta``,
    by cvxpy + Clarabel."""
    import cvxpy as cp

    from twolayer.convex import solve_problem

    lam = cp.Variable(X.shape[0])
    problem = cp.Problem(cp.Maximize(lam @ Y - 0.5 * cp.sum_squares(lam)),
                         [cp.norm(X.T @ cp.multiply(PAT[i], lam)) <= BETA for i in range(P)])
    solve_problem(problem, "CLARABEL", None, "the gated dual")
    return problem.value


@pytest.mark.parametrize("name", sorted(POINTS))
def test_the_certificate_of_a_point_against_its_pieces_by_hand(name, dual_optimum):
    V = POINTS[name]
    cert = _gated.gated_certificate(X, M, Y, BETA, V)
    lam = Y - _fit_by_hand(V)
    assert cert.primal == pytest.approx(_primal_by_hand(V), rel=1e-13)
    # the dual point is the residual scaled into the dual's constraints: the best multiple
    # s lam, 0 <= s <= beta / max_i ||X^T D_i lam||, of a concave quadratic in s, so at one end
    # of the interval or at its vertex lam^T y / ||lam||^2 if that lies inside
    worst = _worst_by_hand(lam)
    ends = [0.0, BETA / worst, float(np.clip(lam @ Y / (lam @ lam), 0.0, BETA / worst))]
    assert cert.dual == pytest.approx(max(s * lam @ Y - 0.5 * s * s * lam @ lam for s in ends),
                                      rel=1e-13)
    assert cert.dual <= dual_optimum * (1 + 1e-9)  # a feasible dual point: a lower bound
    assert cert.gap == pytest.approx((cert.primal - cert.dual) / cert.primal, rel=1e-12)
    # no constraints in the primal; the dual residual is the unscaled residual's violation
    assert cert.primal_residual == 0.0
    assert cert.dual_residual == pytest.approx(max(0.0, worst / BETA - 1.0), rel=1e-12,
                                               abs=1e-15)
    if name == "solved":
        assert cert.dual == pytest.approx(dual_optimum, rel=1e-7)
        assert 0.0 <= cert.dual_residual <= 1e-6
    else:
        assert cert.gap > 0.1 and cert.dual_residual > 1.0  # far from optimal


def test_zero_targets_are_certified_by_the_zero_start_without_a_division_or_a_warning():
    # lam = 0: no residual to scale (its norm and every dual constraint are 0), and the
    # primal and dual objectives both 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sol = solve_gated(X, np.zeros(12), BETA, PAT)
    assert sol.iterations == 0 and not sol.V.any() and sol.value == 0.0
    cert = sol.certificate
    assert (cert.primal, cert.dual, cert.gap, cert.primal_residual, cert.dual_residual) == (
        0.0, 0.0, 0.0, 0.0, 0.0)
    assert sol.history == (0.0,)


def test_a_tolerance_equal_to_the_gap_of_the_start_is_met_by_the_start():
    gap0 = _gated.gated_certificate(X, M, Y, BETA, np.zeros((P, 3))).gap
    met = solve_gated(X, Y, BETA, PAT, tol_gap=gap0)
    assert met.iterations == 0 and met.certificate.gap == gap0 and not met.V.any()
    below = solve_gated(X, Y, BETA, PAT, tol_gap=float(np.nextafter(gap0, 0.0)))
    assert below.iterations >= 1 and below.certificate.gap < gap0


def test_the_smoothed_norm_is_the_eliminated_barrier_and_its_gradient(central_difference):
    beta, mu = 0.3, 0.02
    V = POINTS["random"]
    rho, q, coef, value = _gated._smoothed(V, beta, mu)
    np.testing.assert_allclose(rho, np.linalg.norm(V, axis=1), rtol=1e-15)
    np.testing.assert_allclose(q, np.sqrt(mu**2 + (beta * rho) ** 2), rtol=1e-15)

    # the barrier of the epigraph tau >= rho, minimized over tau at
    # tau = (mu + sqrt(mu^2 + beta^2 rho^2)) / beta (src/twolayer/solvers/_ipm.py)
    def barrier(r):
        tau = (mu + np.sqrt(mu**2 + (beta * r) ** 2)) / beta
        return beta * tau - mu * np.log(tau**2 - r**2)

    # up to a constant, chosen so that the smoothed norm of 0 is mu (q = mu there, log 1 = 0)
    np.testing.assert_allclose(value - value[2], barrier(rho) - barrier(0.0), rtol=1e-12)
    assert value[2] == pytest.approx(mu, rel=1e-15)
    # the gradient of the sum over the groups is coef v_g
    grad = central_difference(lambda W: _gated._smoothed(W, beta, mu)[3].sum(), V)
    np.testing.assert_allclose(grad, coef[:, None] * V, rtol=1e-7, atol=1e-9)


def test_a_newton_step_solves_the_dense_newton_system():
    mu = 0.05
    V = POINTS["random"]  # group 2 at zero: the smoothed norm's Hessian there is coef I
    # A (n, P d): block i is D_i X, so that A vec(V) = sum_i D_i X v_i
    A = np.hstack([PAT[i][:, None] * X for i in range(P)])
    v = V.ravel()
    rho = np.linalg.norm(V, axis=1)
    q = np.sqrt(mu**2 + (BETA * rho) ** 2)
    # h(v) = q - mu log((mu + q) / (2 mu)): gradient beta^2 v / (mu + q), Hessian
    # beta^2 / (mu + q) I - beta^4 v v^T / (q (mu + q)^2)
    grad = A.T @ (A @ v - Y) + np.concatenate(
        [BETA**2 / (mu + q[i]) * V[i] for i in range(P)])
    H = A.T @ A
    for i in range(P):
        block = slice(3 * i, 3 * i + 3)
        H[block, block] += (BETA**2 / (mu + q[i]) * np.eye(3)
                            - BETA**4 * np.outer(V[i], V[i]) / (q[i] * (mu + q[i]) ** 2))
    dense = -np.linalg.solve(H, grad)
    step, dec = _gated._newton_step(X, X @ X.T, M, Y, BETA, mu, V)
    np.testing.assert_allclose(step.ravel(), dense, rtol=1e-8, atol=1e-10 * np.abs(dense).max())
    assert dec == pytest.approx(float(grad @ np.linalg.solve(H, grad)), rel=1e-9)


@dataclass
class _Step:
    mu: float
    V: np.ndarray
    step: np.ndarray
    dec: float


def _record_steps(monkeypatch):
    steps: list[_Step] = []
    real = _gated._newton_step

    def record(X, XXt, M, y, beta, mu, V):
        step, dec = real(X, XXt, M, y, beta, mu, V)
        steps.append(_Step(mu, V.copy(), step, dec))
        return step, dec

    monkeypatch.setattr(_gated, "_newton_step", record)
    return steps


def test_each_step_is_backtracked_and_mu_shrinks_tenfold_after_full_or_short_steps(monkeypatch):
    # the rule of _gated.solve_gated: the step halved until the objective (smoothed at the
    # current mu) falls by a quarter of size * decrement; mu divided by 10 after a full step
    # or a decrement at most 1% of max(mu P, tol_gap * primal), else kept
    steps = _record_steps(monkeypatch)
    state = _gated.solve_gated(X, PAT, Y, BETA, tol_gap=1e-8, max_iter=200)
    assert len(steps) == state.iterations and state.certificate.gap <= 1e-8
    assert steps[0].mu == 0.5 * float(Y @ Y) / P  # cold start: the objective of 0 over P
    assert not steps[0].V.any()
    after = [*steps[1:], _Step(state.mu, state.V, None, None)]
    sizes = []
    for now, nxt in zip(steps, after, strict=True):
        def f(V, mu=now.mu):
            return _gated._objective(X, M, Y, BETA, mu, V)

        size = 1.0
        while size > 1e-10 and f(now.V + size * now.step) > f(now.V) - 0.25 * size * now.dec:
            size *= 0.5
        np.testing.assert_array_equal(nxt.V, now.V + size * now.step)
        small = now.dec <= 1e-2 * max(now.mu * P, 1e-8 * _primal_by_hand(now.V))
        assert nxt.mu == (0.1 * now.mu if small or size == 1.0 else now.mu)
        sizes.append(size)
    # both kinds of step occur: full steps with a large decrement, and damped ones
    assert 1.0 in sizes and min(sizes) < 1.0


def test_a_warm_start_begins_with_mu_at_a_tenth_of_its_gap(monkeypatch):
    V0 = solve_gated(X, Y, 0.3, PAT).V
    start = _gated.gated_certificate(X, M, Y, BETA, V0)
    steps = _record_steps(monkeypatch)
    state = _gated.solve_gated(X, PAT, Y, BETA, V0=V0)
    # "mu starts at the size of the warm start's gap": primal - dual, a tenth of it per group
    assert steps[0].mu == pytest.approx(0.1 * (start.primal - start.dual) / P, rel=1e-12)
    np.testing.assert_array_equal(steps[0].V, V0)
    assert state.certificate.gap <= 1e-8  # the kernel's default tolerance, as solve_gated's


@pytest.mark.parametrize(("decrement", "shrinks"), [
    (lambda mu: 0.5e-2 * mu * P, True),
    (lambda mu: 1e-2 * (mu * P), True),  # exactly 1% of mu P, as the solver computes it
    (lambda mu: 2e-2 * mu * P, False),
])
def test_after_a_damped_step_mu_shrinks_only_for_a_decrement_of_at_most_a_hundredth_of_mu_p(
        monkeypatch, decrement, shrinks):
    # a step 1000 times the Newton step (the line search halves it), reported with the given
    # decrement (mu P is far above tol_gap * primal here)
    real = _gated._newton_step
    mus = []

    def long_step(X, XXt, M, y, beta, mu, V):
        mus.append(mu)
        return 1e3 * real(X, XXt, M, y, beta, mu, V)[0], decrement(mu)

    monkeypatch.setattr(_gated, "_newton_step", long_step)
    state = _gated.solve_gated(X, PAT, Y, BETA, max_iter=1, raise_on_limit=False)
    assert state.iterations == 1 and len(mus) == 1
    assert mus[0] * P > 1e6 * 1e-8 * _primal_by_hand(np.zeros((P, 3)))
    newton = real(X, X @ X.T, M, Y, BETA, mus[0], np.zeros((P, 3)))[0]
    assert 0 < np.abs(state.V).max() < 1e3 * np.abs(newton).max()  # damped, not zero
    assert state.mu == (0.1 * mus[0] if shrinks else mus[0])


def _no_progress(monkeypatch):
    monkeypatch.setattr(_gated, "_newton_step", lambda X, XXt, M, y, beta, mu, V:
                        (np.zeros_like(V), 0.0))


def test_without_progress_the_solvers_stop_after_200_steps_by_default(monkeypatch):
    # the documented defaults: max_iter 200, tol_gap 1e-8, raise_on_limit True; the kernel's
    # are those of solve_gated
    _no_progress(monkeypatch)
    gap0 = _gated.gated_certificate(X, M, Y, BETA, np.zeros((P, 3))).gap
    message = exactly(f"the gated-ReLU solver did not reach its certificate in 200 iterations: "
                      f"last relative duality gap {gap0:.3e} (tolerance 1.0e-08)")
    for call in (lambda: _gated.solve_gated(X, PAT, Y, BETA),
                 lambda: solve_gated(X, Y, BETA, PAT),
                 lambda: solve_path(X, Y, [BETA], PAT)):
        with pytest.raises(NotConvergedError, match=message) as info:
            call()
        assert info.value.gap == gap0
    state = _gated.solve_gated(X, PAT, Y, BETA, raise_on_limit=False)
    assert state.iterations == 200 and state.history == (gap0,) * 201
    assert not state.V.any() and state.certificate.gap == gap0
    mu = 0.5 * float(Y @ Y) / P
    for _ in range(200):  # every step is full: mu shrinks tenfold each time
        mu *= 0.1
    assert state.mu == pytest.approx(mu, rel=1e-12)
    assert solve_gated(X, Y, BETA, PAT, raise_on_limit=False).iterations == 200


def test_the_last_iterate_at_the_limit_is_returned_with_its_certificate_and_history():
    limited = _gated.solve_gated(X, PAT, Y, BETA, max_iter=3, raise_on_limit=False)
    assert limited.iterations == 3 and len(limited.history) == 4
    assert limited.certificate.primal == pytest.approx(_primal_by_hand(limited.V), rel=1e-13)
    assert limited.history[-1] == limited.certificate.gap > 1e-8
    assert isinstance(limited.mu, float) and 0 < limited.mu < 0.5 * float(Y @ Y) / P
    with pytest.raises(NotConvergedError, match=exactly(
            "the gated-ReLU solver did not reach its certificate in 3 iterations: last relative "
            f"duality gap {limited.certificate.gap:.3e} (tolerance 1.0e-08)")):
        _gated.solve_gated(X, PAT, Y, BETA, max_iter=3)
    start = _gated.solve_gated(X, PAT, Y, BETA, max_iter=0, raise_on_limit=False)
    assert start.iterations == 0 and len(start.history) == 1 and not start.V.any()


def test_tied_betas_are_solved_in_the_given_order():
    # the sort is stable: of equal betas the first given is solved (warm-started from the
    # larger beta), the later ones start at its solution, certified, and take no step
    betas = [0.1, 0.2, 0.1, 0.1, 0.2, 0.05, 0.1]
    path = solve_path(X, Y, betas, PAT)
    assert path.iterations[1] > 0 and path.iterations[4] == 0
    assert path.iterations[0] > 0 and (path.iterations[[2, 3, 6]] == 0).all()
    for j in (2, 3, 6):
        np.testing.assert_array_equal(path.solutions[j].V, path.solutions[0].V)


def test_a_newton_matrix_that_stops_factoring_stops_the_solver_without_its_certificate(
        monkeypatch):
    # the third Newton matrix fails to factor: two steps taken, the second iterate returned
    real = _gated._newton_step
    calls = []

    def third_fails(X, XXt, M, y, beta, mu, V):
        calls.append(mu)
        if len(calls) == 3:
            raise np.linalg.LinAlgError("3-th leading minor of the array is not positive definite")
        return real(X, XXt, M, y, beta, mu, V)

    monkeypatch.setattr(_gated, "_newton_step", third_fails)
    last = _gated.solve_gated(X, PAT, Y, BETA, raise_on_limit=False)
    assert last.iterations == 2 and len(last.history) == 3 and len(calls) == 3
    assert last.history[-1] == last.certificate.gap > 1e-8
    assert last.certificate.primal == pytest.approx(_primal_by_hand(last.V), rel=1e-13)
    assert last.mu == calls[-1]
    calls.clear()
    with pytest.raises(NotConvergedError, match=exactly(
            "the gated-ReLU solver did not reach its certificate in 2 iterations: last relative "
            f"duality gap {last.certificate.gap:.3e} (tolerance 1.0e-08)")) as info:
        solve_gated(X, Y, BETA, PAT)
    assert info.value.gap == last.certificate.gap


def test_a_tolerance_below_the_rounding_floor_ends_in_not_converged_error():
    # tol_gap 1e-15 on 12 samples, a few units in the last place of the objective: with mu near
    # 1e-17, about 40 steps in, rounding left the Newton matrix numerically indefinite and its
    # Cholesky factorization raised LinAlgError; whether the factorization or the step limit
    # stops it, the solver ends without its certificate
    gen = np.random.default_rng(2)
    X2, y2 = gen.standard_normal((12, 3)), gen.standard_normal(12)
    pat2 = sample_patterns(X2, 10, 0)
    last = solve_gated(X2, y2, BETA, pat2, tol_gap=1e-15, raise_on_limit=False)
    assert last.iterations <= 200 and len(last.history) == last.iterations + 1
    assert last.certificate.gap > 1e-15 and last.history[-1] == last.certificate.gap
    with pytest.raises(NotConvergedError, match=exactly(
            f"the gated-ReLU solver did not reach its certificate in {last.iterations} "
            f"iterations: last relative duality gap {last.certificate.gap:.3e} "
            "(tolerance 1.0e-15)")):
        solve_gated(X2, y2, BETA, pat2, tol_gap=1e-15)

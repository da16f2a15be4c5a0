"""twolayer.solvers: the arguments of the gated solvers named in their errors, what their
results report, and the order of a beta path (tests/MUTATION.md, section "solvers")."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from twolayer.arrangements import sample_patterns
from twolayer.solvers import (
    NotConvergedError,
    gated_predictions,
    solve_gated,
    solve_ipm,
    solve_path,
)


def _problem():
    gen = np.random.default_rng(5)
    X, y = gen.standard_normal((12, 3)), gen.standard_normal(12)
    return X, y, sample_patterns(X, 10, 0)


X, Y, PAT = _problem()


@pytest.mark.parametrize(("call", "message"), [
    (lambda: solve_gated(X, Y, 0.1, PAT, tol_gap=0.0), r"tol_gap must be > 0.0, got 0.0"),
    (lambda: solve_gated(X, Y, 0.1, PAT, tol_gap=1.0), r"tol_gap must be < 1.0, got 1.0"),
    (lambda: solve_gated(X, Y, 0.1, PAT, max_iter=-1), r"max_iter must be >= 0, got -1"),
    (lambda: solve_path(X, Y, [0.1], PAT, tol_gap=-0.5), r"tol_gap must be > 0.0, got -0.5"),
    (lambda: solve_path(X, Y, [0.1], PAT, max_iter=-2), r"max_iter must be >= 0, got -2"),
    (lambda: solve_path(X, Y, [], PAT), r"betas must hold at least one value, got an empty array"),
    (lambda: solve_path(X, Y, [0.2, 0.0], PAT), r"betas must all be > 0, got minimum 0.0"),
    (lambda: solve_path(X, Y, [[0.1]], PAT), r"betas must be"),
])
def test_gated_solvers_name_each_bad_argument_at_the_start_of_its_error(call, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_gated_solver_reports_its_tolerance_beta_history_and_fit():
    tight = solve_gated(X, Y, 0.1, PAT)
    loose = solve_gated(X, Y, 0.1, PAT, tol_gap=0.5)  # the tolerance is passed on
    assert loose.certificate.gap <= 0.5 and loose.iterations < tight.iterations
    assert tight.certificate.gap <= 1e-8 and tight.beta == 0.1
    assert len(tight.history) == tight.iterations + 1
    assert tight.history[-1] == tight.certificate.gap
    # the fit sum_i D_i X v_i, by hand
    fit = sum(PAT[i] * (X @ tight.V[i]) for i in range(PAT.shape[0]))
    np.testing.assert_allclose(gated_predictions(X, tight), fit, rtol=1e-12, atol=1e-14)
    # the smallest accepted settings: max_iter 0 without raising, a tolerance just below 1
    start = solve_gated(X, Y, 0.1, PAT, max_iter=0, raise_on_limit=False)
    assert start.iterations == 0
    assert solve_gated(X, Y, 0.1, PAT, tol_gap=0.999).certificate.gap <= 0.999


def test_gated_solvers_raise_when_the_iteration_limit_stops_them():
    with pytest.raises(NotConvergedError):
        solve_gated(X, Y, 0.1, PAT, max_iter=0)
    with pytest.raises(NotConvergedError):  # a path raises too: no solve claims success
        solve_path(X, Y, [0.1], PAT, max_iter=0)


def test_a_path_solves_from_the_largest_beta_down_and_answers_in_the_given_order():
    betas = [0.05, 0.2, 0.1]
    path = solve_path(X, Y, betas, PAT)
    cold = [solve_gated(X, Y, b, PAT) for b in betas]
    np.testing.assert_array_equal(path.betas, betas)
    np.testing.assert_allclose(path.values, [c.value for c in cold], rtol=1e-7)
    # the largest beta is solved first, from the cold start: the same iterations
    assert path.iterations[1] == cold[1].iterations
    assert [s.beta for s in path.solutions] == betas
    one = solve_path(X, Y, [0.2], PAT)  # a single beta is a path
    assert one.values[0] == pytest.approx(cold[1].value, rel=1e-12)


@pytest.mark.parametrize("size", [1.0, 1e-3])
def test_a_path_counts_the_groups_above_a_millionth_of_the_largest(size):
    # size 1e-3: y and beta scaled down, every group norm below 1 (the threshold is relative)
    path = solve_path(X, size * Y, [size * 0.05, size * 0.3], PAT)
    for sol, active in zip(path.solutions, path.active):
        norms = np.linalg.norm(sol.V, axis=1)
        assert active == int((norms > 1e-6 * norms.max()).sum())
        assert 1 < active < PAT.shape[0]


# The structured interior-point method's pieces one by one (tests/MUTATION.md, section
# "solvers"): each against a direct computation written out here with numpy.

def _dense_A(st):
    """The ``(n, 2P d)`` matrix of the fit ``sum_i D_i X (v_i - w_i)``, groups side by side."""
    P = st.P
    return np.hstack([(1.0 if g < P else -1.0) * st.mask[:, g][:, None] * st.X
                      for g in range(2 * P)])


def _structure(seed=7, n=10, d=3, P=8):
    from twolayer.solvers._blocks import Structure

    gen = np.random.default_rng(seed)
    X, y = gen.standard_normal((n, d)), gen.standard_normal(n)
    pat = sample_patterns(X, P, 0)
    return X, y, pat, Structure(X, pat), gen


def test_certificate_holds_at_exactly_the_tolerances():
    from twolayer.solvers._ipm import Certificate

    cert = Certificate(primal=1.0, dual=1.0 - 1e-8, gap=1e-8, primal_residual=1e-9,
                       dual_residual=1e-9)
    assert cert.holds(1e-8, 1e-9)
    assert not cert.holds(0.99e-8, 1e-9) and not cert.holds(1e-8, 0.99e-9)
    assert not Certificate(1.0, 1.0, 0.0, 2e-9, 0.0).holds(1e-8, 1e-9)


def test_certify_against_the_dual_point_built_by_hand(circle_problem):
    from twolayer.solvers._blocks import Rows, Structure
    from twolayer.solvers._ipm import certify, interior_directions

    X, y, beta, pat = circle_problem.data
    st = Structure(X, pat)
    P, n = pat.shape
    E = interior_directions(st)
    G = 0.3 * np.vstack([E, E + 0.1 * np.roll(E, 1, axis=1)])  # a point that is no optimum
    Z = np.random.default_rng(0).uniform(0.0, 0.01, (2 * P, n))
    Z[5] = 0.0  # a group without multipliers: no direction b_g
    rows = Rows(st, np.broadcast_to(np.arange(n), (2 * P, n)).copy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cert, lam_scaled = certify(st, y, beta, G, [rows.cone_adjoint(Z)], -0.25)
    # by hand: fit, residual, a_g = +-X^T D_i lam, b_g = sum_k (2 D_i - I)_kk z_gk x_k
    S = 2.0 * pat - 1.0
    fit = sum(pat[i] * (X @ (G[i] - G[P + i])) for i in range(P))
    lam = y - fit
    primal = 0.5 * lam @ lam + beta * np.linalg.norm(G, axis=1).sum()
    worst = 0.0
    for g in range(2 * P):
        i, sign = g % P, (1.0 if g < P else -1.0)
        a = sign * X.T @ (pat[i] * lam)
        b = X.T @ (S[i] * Z[g])
        gamma = max(0.0, -(a @ b) / (b @ b)) if b @ b > 0 else 0.0
        worst = max(worst, np.linalg.norm(a + gamma * b))
    alpha = max(0.0, min((lam @ y) / (lam @ lam), beta / worst))
    dual = alpha * (lam @ y) - 0.5 * alpha**2 * (lam @ lam)
    assert worst > beta and 0 < alpha < 1  # the scaling binds: a point far from the optimum
    assert cert.primal == pytest.approx(primal, rel=1e-12)
    assert cert.dual == pytest.approx(dual, rel=1e-12)
    assert cert.gap == pytest.approx((primal - dual) / primal, rel=1e-10)
    assert cert.dual_residual == pytest.approx(worst / beta - 1.0, rel=1e-12)
    size = np.abs(X).max() * np.linalg.norm(G, axis=1).max()
    assert cert.primal_residual == pytest.approx(0.25 / size, rel=1e-12)
    np.testing.assert_allclose(lam_scaled, alpha * lam, rtol=1e-12, atol=1e-15)
    # weak duality: the optimum of the program (the conftest's Clarabel solve) lies between
    assert cert.dual <= circle_problem.solution.value <= cert.primal
    # no multipliers at all: the dual point is the scaled residual alone, a_g unchanged
    bare, _ = certify(st, y, beta, G, [], 0.0)
    plain = max(np.linalg.norm(X.T @ (pat[i] * lam)) for i in range(P))
    assert bare.dual_residual == pytest.approx(plain / beta - 1.0, rel=1e-12)
    assert bare.primal_residual == 0.0


def test_certify_of_the_zero_network_with_zero_targets_is_exact():
    from twolayer.solvers._ipm import Certificate, certify

    X, _, _, st, _ = _structure()
    cert, lam = certify(st, np.zeros(st.n), 0.1, np.zeros((2 * st.P, st.d)), [], 0.0)
    assert cert == Certificate(0.0, 0.0, 0.0, 0.0, 0.0)
    assert not lam.any()


def test_xnorm2_is_the_largest_squared_singular_value():
    from twolayer.solvers._ipm import _XNORM2

    X, _, _, st, _ = _structure()
    assert _XNORM2(st) == pytest.approx(np.linalg.svd(X, compute_uv=False)[0] ** 2, rel=1e-12)


def test_interior_directions_names_the_first_pattern_without_interior_and_counts_them():
    from twolayer.solvers._blocks import Structure
    from twolayer.solvers._ipm import interior_directions

    X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])
    # pattern 0 has interior points; 1 and 3 hold x1.v >= 0 and -x1.v >= 0; 2 is fine again
    pat = np.array([[True, False, True], [True, True, True], [False, True, False],
                    [True, True, False]])
    message = (r"^patterns\[1\] has a cone \(2 D - I\) X v >= 0 without interior points "
               r"\(2 such patterns\); the interior-point solver needs strictly feasible cones: "
               r"use solver='CLARABEL'$")
    with pytest.raises(ValueError, match=message):
        interior_directions(Structure(X, pat))
    E = interior_directions(Structure(X, pat[[0, 2]]))
    S = 2.0 * pat[[0, 2]] - 1.0
    assert (S * (E @ X.T)).min() > 0
    np.testing.assert_allclose(np.linalg.norm(E, axis=1), 1.0, rtol=1e-15)


def _smoothed_norm_hessian(x, beta, mu):
    """Hessian of ``h_mu(x) = min_tau beta tau - mu log(tau^2 - ||x||^2)``, whose gradient is
    ``beta x / tau(||x||)``: the chain rule with ``dtau/drho = beta rho / q``."""
    rho = np.linalg.norm(x)
    q = np.sqrt(mu * mu + (beta * rho) ** 2)
    tau = (mu + q) / beta
    if rho == 0:
        return beta / tau * np.eye(x.size)
    u = x / rho
    return beta / tau * (np.eye(x.size) - rho * (beta * rho / q) / tau * np.outer(u, u))


def test_newton_system_against_the_dense_newton_matrix():
    from twolayer.solvers._ipm import _newton_system

    X, y, pat, st, gen = _structure()
    P, d = st.P, st.d
    G = gen.standard_normal((2 * P, d))
    G[3] = 0.0  # a zero group: the smoothed norm's Hessian is beta / tau I there
    B = np.array([M @ M.T + 0.1 * np.eye(d) for M in gen.standard_normal((2 * P, d, d))])
    # large cone blocks on half of the patterns: their Woodbury terms are small and left out
    # of the factorization, so only the refinement makes the solve exact
    B[: P // 2] *= 1e3
    B[P: P + P // 2] *= 1e3
    beta, mu = 0.3, 0.05
    A = _dense_A(st)
    H = A.T @ A
    grad = A.T @ (A @ G.ravel() - y)
    for g in range(2 * P):
        block = slice(g * d, (g + 1) * d)
        tau = (mu + np.sqrt(mu * mu + (beta * np.linalg.norm(G[g])) ** 2)) / beta
        grad[block] += beta * G[g] / tau
        H[block, block] += B[g] + _smoothed_norm_hessian(G[g], beta, mu)
    got, solve_h = _newton_system(st, y, beta, G, B, mu)
    np.testing.assert_allclose(got.ravel(), grad, rtol=1e-12, atol=1e-14 * np.abs(grad).max())
    for scale in [1.0, 1e-4, 1e4]:  # the refinement's stopping rule is relative to the rhs
        rhs = scale * gen.standard_normal((2 * P, d))
        ref = np.linalg.solve(H, rhs.ravel())
        err = np.abs(solve_h(rhs).ravel() - ref).max() / np.abs(ref).max()
        assert err < 1e-11, scale  # 1e-15 with the refinement, 3e-4 with a single solve


def test_max_step_is_099_of_the_way_to_the_boundary_at_most_1():
    from twolayer.solvers._ipm import _max_step

    gen = np.random.default_rng(1)
    current = gen.uniform(0.1, 2.0, (6, 5))
    for scale in [0.1, 1.0, 10.0, 100.0]:
        change = scale * gen.standard_normal((6, 5))
        falling = change < 0
        boundary = (-current[falling] / change[falling]).min() if falling.any() else np.inf
        assert _max_step(current, change) == pytest.approx(min(1.0, 0.99 * boundary),
                                                           rel=1e-14)
    assert _max_step(current, np.abs(gen.standard_normal((6, 5)))) == 1.0  # nothing falls
    assert _max_step(current, np.zeros((6, 5))) == 1.0
    # the rows of zero x_k: +inf in both (Structure.distances), left out, without a warning
    current[:, 2] = np.inf
    change = -np.ones((6, 5))
    change[:, 2] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _max_step(current, change) == pytest.approx(0.99 * current[:, [0, 1, 3, 4]].min())


def test_no_warnings_on_data_with_a_zero_row():
    # a zero row of X gives +inf distances (Structure.distances) and inf / inf ratios that the
    # step length leaves out; the solve neither warns nor loses its certificate
    gen = np.random.default_rng(2)
    X, y = gen.standard_normal((12, 3)), gen.standard_normal(12)
    X[4] = 0.0
    pat = sample_patterns(X, 20, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = solve_ipm(X, y, 0.1, pat)
    assert res.converged and res.certificate.gap <= 1e-8


def test_cost_ratio_is_the_documented_operation_count():
    # _cost_ratio's docstring: (n^2 P d + n^3 / 3) / (4 (n P d + n^2)), about n / 4
    from twolayer.solvers._blocks import Structure
    from twolayer.solvers._ipm import _cost_ratio

    for n, d, P in [(200, 1, 1), (60, 5, 60)]:
        st = Structure(np.ones((n, d)), np.ones((P, n), dtype=bool))
        assert _cost_ratio(st) == pytest.approx(
            (n * n * P * d + n**3 / 3) / (4 * (n * P * d + n * n)), rel=1e-14)


def test_corrector_count_steps_at_ratios_10_30_50(monkeypatch):
    from twolayer.solvers import _ipm

    counts = []
    for ratio in [9.99, 10.0, 10.5, 29.99, 30.0, 30.5, 49.99, 50.0, 50.5]:
        monkeypatch.setattr(_ipm, "_cost_ratio", lambda st, r=ratio: r)
        counts.append(_ipm._corrector_count(None))
    assert counts == [0, 1, 1, 1, 2, 2, 2, 3, 3]


def _corrector_case(monkeypatch, ap, ad, new):
    """_centrality_corrected with three correctors allowed, a current direction of steps
    ``ap, ad`` and every corrected step returning the steps ``new``; the solves it made."""
    from twolayer.solvers import _ipm

    calls = []

    def corrected(rows, grad, solve_h, slack, Z, W, corr):
        calls.append(corr)
        return ("new step", np.ones((2, 3)), np.ones((2, 3)), *new)

    monkeypatch.setattr(_ipm, "_corrector_count", lambda st: 3)
    monkeypatch.setattr(_ipm, "_corrected_step", corrected)
    ones = np.ones((2, 3))
    out = _ipm._centrality_corrected(None, None, None, None, ones, ones, ones, ones, 1.0,
                                     ("step", ones, ones, ap, ad))
    return out, calls


def test_a_full_step_takes_no_corrector(monkeypatch):
    out, calls = _corrector_case(monkeypatch, 1.0, 1.0, (1.0, 1.0))
    assert out[0] == "step" and out[3:] == (1.0, 1.0) and calls == []


def test_a_corrector_is_kept_only_if_it_lengthens_the_shorter_step_by_a_tenth(monkeypatch):
    # steps 0.5 and 0.6: alpha 0.5, enlarged min(1, 1.5 alpha + 0.1) = 0.85, so a corrector
    # must reach 0.5 + 0.1 (0.85 - 0.5) = 0.535 in both steps
    out, calls = _corrector_case(monkeypatch, 0.5, 0.6, (0.1, 1.0))  # primal step shorter
    assert out[0] == "step" and len(calls) == 1
    out, calls = _corrector_case(monkeypatch, 0.5, 0.6, (0.52, 0.9))  # too little gain
    assert out[0] == "step" and len(calls) == 1
    out, calls = _corrector_case(monkeypatch, 0.5, 0.6, (0.54, 0.9))
    # kept; from 0.54 the next one (enlarged 0.91) would need 0.577: the second is dropped
    assert out[0] == "new step" and out[3:] == (0.54, 0.9) and len(calls) == 2


def test_stall_rule_looks_at_all_of_the_last_values():
    from twolayer.solvers._ipm import _PATIENCE, _stalled

    # the first of the last _PATIENCE values halves the best before them: progress
    assert not _stalled([1.0, 0.2, 0.09] + [0.15] * (_PATIENCE - 1))
    assert not _stalled([1.0, 0.2, 0.3, 0.09] + [0.15] * (_PATIENCE - 2))


def test_distances_to_the_hyperplanes_and_inf_on_zero_rows():
    from twolayer.solvers._blocks import Structure

    X, _, pat, _, gen = _structure()
    X = X.copy()
    X[2] = 0.0
    st = Structure(X, pat)
    G = gen.standard_normal((2 * st.P, st.d))
    dist = st.distances(G)
    S = np.vstack([2.0 * pat - 1.0] * 2)
    for k in range(st.n):
        if k == 2:
            assert (dist[:, k] == np.inf).all()
        else:
            np.testing.assert_allclose(dist[:, k], S[:, k] * (G @ X[k]) / np.linalg.norm(X[k]),
                                       rtol=1e-13, atol=1e-15)


def test_nearest_rows_are_those_of_a_full_sort():
    from twolayer.solvers._blocks import nearest_rows

    # 300 rows: numpy's partition sorts short rows completely, which would hide a wrong kth
    dist = np.random.default_rng(4).uniform(0.0, 1.0, (50, 300))
    for q in [1, 2, 5, 40, 150, 299]:
        got = nearest_rows(dist.copy(), q, None, 0.5)
        assert got.shape == (50, q)
        np.testing.assert_array_equal(np.sort(got, axis=1), np.sort(np.argsort(dist)[:, :q]))


def test_ridged_cholesky_takes_the_smallest_sufficient_ridge_and_stops_at_1e_4():
    from twolayer.solvers._blocks import _ridged_cholesky

    eye = np.eye(2)
    C = np.array([[1.0, 1.0 + 1e-9], [1.0 + 1e-9, 1.0]])  # eigenvalue -1e-9: ridge 1e-8
    np.testing.assert_array_equal(_ridged_cholesky(eye[None])[0], eye)  # no ridge needed
    L = _ridged_cholesky(np.array([eye, C]))  # one ridge for all blocks
    for block, L_block in [(eye, L[0]), (C, L[1])]:
        np.testing.assert_allclose(np.diag(L_block @ L_block.T - block), 1e-8, rtol=1e-6)
    # eigenvalue -1e-3 needs a ridge above 1e-4, the largest tried
    with pytest.raises(np.linalg.LinAlgError):
        _ridged_cholesky(np.array([[[1.0, 1.001], [1.001, 1.0]]]))


def test_inverse_factors_give_the_inverse_with_a_ridge_relative_to_the_diagonal():
    from twolayer.solvers._blocks import apply_inverse, inverse_factors

    gen = np.random.default_rng(3)
    M = gen.standard_normal((4, 3, 3))
    B = M @ M.transpose(0, 2, 1) + 0.1 * np.eye(3)
    B[1] *= 1e6  # the weights span many orders of magnitude
    # a block that is not positive definite: eigenvalue -1e-9 of its unit-diagonal scaling,
    # which gets the ridge 1e-8 times its diagonal (_ridged_cholesky)
    d = np.array([1.0, 1e4])
    B2 = np.array([[1.0, 1.0 + 1e-9], [1.0 + 1e-9, 1.0]]) * np.outer(d, d)
    for blocks, ridged in [(B, B), (B2[None], (B2 + 1e-8 * np.diag(np.diag(B2)))[None])]:
        F = inverse_factors(blocks)
        inv = np.linalg.inv(ridged)
        np.testing.assert_allclose(F.transpose(0, 2, 1) @ F, inv, rtol=1e-6,
                                   atol=1e-9 * np.abs(inv).max())
        rhs = gen.standard_normal((blocks.shape[0], blocks.shape[1]))
        np.testing.assert_allclose(apply_inverse(F, rhs), np.einsum("gij,gj->gi", inv, rhs),
                                   rtol=1e-6, atol=1e-9 * np.abs(inv).max())


def test_woodbury_matrix_is_the_dense_sum_in_any_chunks(monkeypatch):
    from twolayer.solvers import _blocks

    X, _, pat, st, gen = _structure()
    F = gen.standard_normal((2 * st.P, st.d, st.d))
    A = _dense_A(st)
    Binv = np.zeros((A.shape[1], A.shape[1]))
    for g in range(2 * st.P):
        Binv[g * st.d:(g + 1) * st.d, g * st.d:(g + 1) * st.d] = F[g].T @ F[g]
    dense = A @ Binv @ A.T
    np.testing.assert_allclose(_blocks.woodbury_matrix(st, F), dense, rtol=1e-12, atol=1e-12)
    some = np.array([1, 4, 5, 2 * st.P - 1])
    # the groups given: their factors F[some], the sum of their terms only
    sub = sum((A[:, g * st.d:(g + 1) * st.d] @ F[g].T) @ (A[:, g * st.d:(g + 1) * st.d]
                                                          @ F[g].T).T for g in some)
    np.testing.assert_allclose(_blocks.woodbury_matrix(st, F[some], some), sub, rtol=1e-12,
                               atol=1e-12)
    monkeypatch.setattr(_blocks, "_CHUNK_ENTRIES", 2 * st.n * st.d)  # two groups a chunk
    np.testing.assert_allclose(_blocks.woodbury_matrix(st, F), dense, rtol=1e-12, atol=1e-12)


def test_row_space_counts_singular_values_above_max_shape_eps_times_the_largest():
    from twolayer.solvers.ipm import _row_space

    eps = np.finfo(float).eps
    full = np.random.default_rng(1).standard_normal((5, 3))
    np.testing.assert_array_equal(_row_space(full), np.eye(3))  # full rank: exactly I
    # threshold 3 eps * 1 = 6.7e-16: 1e-15 counts, 1e-16 does not
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Q = _row_space(np.diag([1.0, 1e-15, 1e-16]))
    assert Q.shape == (3, 2)
    np.testing.assert_allclose(np.abs(Q), np.eye(3)[:, :2], atol=1e-15)
    # the threshold grows with the larger dimension: 5 eps = 1.1e-15 with five rows
    X = np.vstack([np.diag([1.0, 1e-15, 1e-16]), np.zeros((2, 3))])
    assert 5 * eps > 1e-15 and _row_space(X).shape == (3, 1)
    # rank 2 of 4 columns: an orthonormal basis Q whose projection keeps X
    gen = np.random.default_rng(0)
    X = gen.standard_normal((6, 2)) @ gen.standard_normal((2, 4))
    Q = _row_space(X)
    assert Q.shape == (4, 2)
    np.testing.assert_allclose(Q.T @ Q, np.eye(2), atol=1e-14)
    np.testing.assert_allclose(X @ Q @ Q.T, X, atol=1e-13)
    assert _row_space(np.zeros((3, 2))).shape == (2, 1)  # no rank at all: one direction


def test_zero_network_result_has_the_shapes_dual_and_history_of_any_result():
    X, y, pat = _problem()
    P, d = pat.shape[0], X.shape[1]
    big = 10 * np.abs(X).sum() * np.abs(y).max()  # above every ||X^T D_i y||
    res = solve_ipm(X, y, big, pat)
    assert res.iterations == 0 and res.converged and res.history == (0.0,)
    assert res.solution.V.shape == res.solution.U.shape == (P, d)
    assert not res.solution.V.any() and not res.solution.U.any()
    np.testing.assert_array_equal(res.dual, y)  # lam = y, z = 0: the residual of x = 0


def test_ipm_solution_carries_its_data_and_its_scaled_residual():
    X, y, pat = _problem()
    res = solve_ipm(X, y, 0.1, pat)
    sol = res.solution
    assert sol.X is X and sol.y is y and sol.beta == 0.1
    np.testing.assert_array_equal(sol.patterns, pat)
    # the dual vector is a multiple alpha (y - fit), alpha near 1 at the optimum
    r = y - sol.predictions
    alpha = (res.dual @ r) / (r @ r)
    np.testing.assert_allclose(res.dual, alpha * r, rtol=1e-10, atol=1e-14)
    assert alpha == pytest.approx(1.0, abs=1e-6)


def test_ipm_passes_the_feasibility_tolerance_on():
    # beta at 0.9 of the smallest beta of the zero network: at the start the gap is about
    # 1/2 and the dual residual 1 / 0.9 - 1 = 0.111 (numbers of this test's problem), so with
    # tol_gap 0.9 only the feasibility tolerance decides whether the start is certified
    X, y, pat = _problem()
    top = max(np.linalg.norm(X.T @ (p * y)) for p in pat)
    runs = [solve_ipm(X, y, 0.9 * top, pat, tol_gap=0.9, tol_feas=tol, max_iter=0,
                      raise_on_limit=False) for tol in (0.5, 0.05)]
    assert runs[0].certificate.dual_residual == pytest.approx(1 / 0.9 - 1, rel=1e-6)
    assert [r.converged for r in runs] == [True, False]


def test_a_gap_tolerance_below_the_rounding_floor_ends_as_not_converged():
    # tol_gap 1e-14 is accepted (0 < tol < 1) but lies below what the Newton matrix resolves:
    # its factorization breaks down near the floor (a LinAlgError escaped before the fix);
    # the method stops there without its certificate, as at the iteration limit
    X, y, pat = _problem()
    with pytest.raises(NotConvergedError, match="did not reach its certificate") as info:
        solve_ipm(X, y, 0.1, pat, tol_gap=1e-14)
    assert info.value.gap <= 1e-10
    last = solve_ipm(X, y, 0.1, pat, tol_gap=1e-14, raise_on_limit=False)
    assert not last.converged and last.solution.status == "iteration_limit"
    assert last.certificate.gap <= 1e-10 and len(last.history) == last.iterations + 1
    assert last.solution.value == pytest.approx(solve_ipm(X, y, 0.1, pat).solution.value,
                                                rel=1e-8)


def test_zero_certificate_is_exact_up_to_beta_equal_to_the_largest_group_norm():
    from twolayer.solvers._ipm import Certificate, zero_certificate

    X, y, pat, st, _ = _structure()
    norms = [np.linalg.norm(X.T @ (p * y)) for p in pat]
    top = max(norms)
    assert np.sqrt(np.sum(np.square(norms))) > 1.01 * top  # the largest, not all together
    value = 0.5 * y @ y
    assert zero_certificate(st, y, top) == Certificate(value, value, 0.0, 0.0, 0.0)
    assert zero_certificate(st, y, 1.001 * top) == Certificate(value, value, 0.0, 0.0, 0.0)
    assert zero_certificate(st, y, 0.999 * top) is None


def test_ipm_state_holds_the_multipliers_of_the_kept_rows():
    from twolayer.solvers import _ipm

    X, y, pat, st, _ = _structure()
    state = _ipm.solve(st, y, 0.1)  # the defaults: gap and residuals 1e-8
    assert state.converged and state.certificate.holds(1e-8, 1e-8)
    assert state.Z.shape == state.rows.shape == (2 * st.P, st.n)  # 10 rows < 4 * 3 d: all
    assert (state.Z > 0).all()
    # complementarity near the optimum: z_k s_k small next to the objective
    slack = np.vstack([2.0 * pat - 1.0] * 2)[np.arange(2 * st.P)[:, None], state.rows] * (
        np.einsum("gqd,gd->gq", X[state.rows], state.G))
    assert (slack > 0).all()
    assert (state.Z * slack).sum() <= 1e-7 * state.certificate.primal

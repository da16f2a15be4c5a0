"""Tests of twolayer.dropout: the chapter "Dropout flows" and its central claims."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from twolayer import data, dropout
from twolayer.plotting import dropout_flows as dplot


@pytest.fixture(scope="module")
def small():
    X, Y = data.dropout_data(12, 4, 2, rng=0)
    gen = np.random.default_rng(1)
    return X, Y, gen.standard_normal((3, 4)), gen.standard_normal((2, 3))


@pytest.fixture(scope="module")
def whitened():
    return data.dropout_data(30, 5, 3, rng=0, whiten=True)


def _flat(W1, W2):
    return np.concatenate([W1.ravel(), W2.ravel()])


def _split(theta, W1, W2):
    return theta[: W1.size].reshape(W1.shape), theta[W1.size :].reshape(W2.shape)


# ------------------------------------------------------------------ expected objectives


@pytest.mark.parametrize("kind", ["dropout", "dropconnect"])
@pytest.mark.parametrize("p", [0.2, 0.7, 1.0])
def test_closed_form_equals_enumeration(small, kind, p):
    X, Y, W1, W2 = small
    closed = dropout.expected_objective(X, Y, W1, W2, p, kind=kind)
    exact = dropout.enumerate_expected_objective(X, Y, W1, W2, p, kind=kind)
    assert closed == pytest.approx(exact, rel=1e-12)


@pytest.mark.parametrize("kind", ["dropout", "dropconnect"])
def test_closed_form_within_monte_carlo_error(small, kind):
    X, Y, W1, W2 = small
    closed = dropout.expected_objective(X, Y, W1, W2, 0.6, kind=kind)
    mean, se = dropout.monte_carlo_objective(X, Y, W1, W2, 0.6, kind=kind, samples=20_000, rng=3)
    assert abs(mean - closed) < 4 * se
    assert se < 0.01 * closed


def test_regularizer_is_the_gap(small):
    X, Y, W1, W2 = small
    p = 0.4
    plain = np.sum((Y - p * X @ W1.T @ W2.T) ** 2)
    for kind in ("dropout", "dropconnect"):
        total = dropout.expected_objective(X, Y, W1, W2, p, kind=kind)
        reg = dropout.regularizer(X, W1, W2, kind=kind)
        assert total - plain == pytest.approx(p * (1 - p) * reg, rel=1e-12)
    # the Dropout regularizer by its definition
    direct = sum(np.sum(W2[:, i] ** 2) * np.sum((X @ W1[i]) ** 2) for i in range(3))
    assert dropout.regularizer(X, W1, W2) == pytest.approx(direct, rel=1e-12)


def test_whitened_dropout_equals_dropconnect(whitened):
    X, Y = whitened
    gen = np.random.default_rng(2)
    W1, W2 = gen.standard_normal((4, 5)), gen.standard_normal((3, 4))
    a = dropout.expected_objective(X, Y, W1, W2, 0.3, kind="dropout")
    b = dropout.expected_objective(X, Y, W1, W2, 0.3, kind="dropconnect")
    assert a == pytest.approx(b, rel=1e-12)


def test_masked_loss_and_all_kept(small):
    X, Y, W1, W2 = small
    full = dropout.masked_loss(X, Y, W1, W2, np.ones(3))
    assert full == pytest.approx(dropout.expected_objective(X, Y, W1, W2, 1.0), rel=1e-12)
    assert dropout.masked_loss(X, Y, W1, W2, np.zeros((3, 4)), kind="dropconnect") == (
        pytest.approx(np.sum(Y**2))
    )


@pytest.mark.parametrize("kind", ["dropout", "dropconnect"])
def test_masked_gradient_is_unbiased(small, kind):
    X, Y, W1, W2 = small
    g1, g2 = dropout.expected_gradient(X, Y, W1, W2, 0.65, kind=kind)
    e1, e2 = dropout.enumerate_expected_gradient(X, Y, W1, W2, 0.65, kind=kind)
    np.testing.assert_allclose(e1, g1, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(e2, g2, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("kind", ["dropout", "dropconnect"])
def test_gradient_and_hessian_match_finite_differences(small, kind, central_difference):
    X, Y, W1, W2 = small
    p = 0.55
    theta = _flat(W1, W2)

    def f(t):
        return dropout.expected_objective(X, Y, *_split(t, W1, W2), p, kind=kind)

    def g(t):
        return _flat(*dropout.expected_gradient(X, Y, *_split(t, W1, W2), p, kind=kind))

    g_fd = central_difference(f, theta)
    H_fd = central_difference(g, theta)
    H = dropout.expected_hessian(X, Y, W1, W2, p, kind=kind)
    assert np.max(np.abs(g_fd - g(theta))) < 1e-6 * np.max(np.abs(g_fd))
    assert np.max(np.abs(H_fd - H)) < 1e-6 * np.max(np.abs(H))
    np.testing.assert_allclose(H, H.T)


# ------------------------------------------------------------------ minimizers


def test_equalize_factorization():
    gen = np.random.default_rng(5)
    M = gen.standard_normal((3, 2)) @ gen.standard_normal((2, 6))  # rank 2
    for m in (2, 3, 5):
        A, B = dropout.equalize_factorization(M, m)
        np.testing.assert_allclose(A @ B, M, atol=1e-12)
        nuc = np.sum(np.linalg.svd(M, compute_uv=False))
        np.testing.assert_allclose(np.sum(A**2, axis=0), nuc / m, rtol=1e-10)
        np.testing.assert_allclose(np.sum(B**2, axis=1), nuc / m, rtol=1e-10)
        assert dropout.induced_regularizer(M, m) == pytest.approx(
            np.sum(np.sum(A**2, axis=0) * np.sum(B**2, axis=1)), rel=1e-10
        )
    with pytest.raises(ValueError, match="at least rank"):
        dropout.equalize_factorization(M, 1)


def test_induced_regularizer_is_a_lower_bound():
    gen = np.random.default_rng(6)
    A0, B0 = gen.standard_normal((3, 4)), gen.standard_normal((4, 5))
    M = A0 @ B0
    bound = dropout.induced_regularizer(M, 4)
    for _ in range(20):
        G = gen.standard_normal((4, 4))
        A, B = A0 @ G, np.linalg.solve(G, B0)
        value = np.sum(np.sum(A**2, axis=0) * np.sum(B**2, axis=1))
        assert value >= bound * (1 - 1e-12)


@pytest.mark.parametrize(("p", "m", "whiten"), [(0.5, 4, True), (0.8, 2, True), (0.3, 6, False),
                                                (0.9, 1, True), (1.0, 3, False)])
def test_minimizer_is_stationary_and_structured(p, m, whiten):
    X, Y = data.dropout_data(30, 5, 3, rng=0, whiten=whiten)
    star = dropout.dropout_minimizer(X, Y, p, m)
    assert dropout.expected_objective(X, Y, star.W1, star.W2, p) == pytest.approx(
        star.objective, rel=1e-12
    )
    g1, g2 = dropout.expected_gradient(X, Y, star.W1, star.W2, p)
    assert max(np.abs(g1).max(), np.abs(g2).max()) < 1e-10
    # equalized products, common value ||M||_* / m
    np.testing.assert_allclose(dropout.unit_products(X, star.W1, star.W2), star.product, rtol=1e-9)
    # soft threshold of the whitened target's singular values
    sigma, r = star.singular_values, star.rank
    assert r <= m
    theta = (1 - p) * np.sum(sigma[:r]) / (m * p + r * (1 - p))
    assert star.threshold == pytest.approx(theta)
    np.testing.assert_allclose(star.shrunk[:r], sigma[:r] - theta, rtol=1e-12)
    assert np.all(star.shrunk[r:] == 0)
    # the predictor p W2 W1 C^(1/2) has exactly these singular values
    C = X.T @ X
    ev, U = np.linalg.eigh(C)
    half = (U * np.sqrt(ev)) @ U.T
    sv = np.linalg.svd(p * star.W2 @ star.W1 @ half, compute_uv=False)
    np.testing.assert_allclose(sv[:r], star.shrunk[:r], rtol=1e-9)


def test_gradient_descent_reaches_closed_form(whitened):
    X, Y = whitened
    p, m = 0.5, 4
    star = dropout.dropout_minimizer(X, Y, p, m)
    gen = np.random.default_rng(3)
    run = dropout.dropout_gradient_descent(
        X, Y, 0.3 * gen.standard_normal((m, 5)), 0.3 * gen.standard_normal((3, m)), p,
        lr=0.05, steps=3000, record_every=100,
    )
    assert abs(run.objective[-1] - star.objective) < 1e-10
    assert np.all(np.diff(run.objective) <= 1e-12)
    np.testing.assert_allclose(dropout.unit_products(X, run.W1, run.W2), star.product, rtol=1e-6)
    # no random point beats the closed form
    for _ in range(10):
        W1, W2 = gen.standard_normal((m, 5)), gen.standard_normal((3, m))
        assert dropout.expected_objective(X, Y, W1, W2, p) > star.objective


@pytest.mark.parametrize(("p", "m"), [(0.5, 4), (0.3, 6), (0.8, 2), (0.6, 3)])
def test_null_dimension_counts_the_manifold(whitened, p, m):
    X, Y = whitened
    star = dropout.dropout_minimizer(X, Y, p, m)
    r = star.rank
    info = dropout.hessian_rate(X, Y, star.W1, star.W2, p)
    assert info.null_dim == r * m - r * (r + 1) // 2 + 1
    assert info.eigenvalues[info.null_dim] > 1e-3


# ------------------------------------------------------------------ flows and rates


def test_flow_conserves_imbalance(whitened):
    X, Y = whitened
    gen = np.random.default_rng(8)
    W1, W2 = 0.5 * gen.standard_normal((4, 5)), 0.5 * gen.standard_normal((3, 4))
    flow = dropout.gradient_flow(X, Y, W1, W2, 0.5, t_max=5.0, num=5)
    before = np.sum(W2**2, axis=0) - np.sum(W1**2, axis=1)
    after = np.sum(flow.W2**2, axis=0) - np.sum(flow.W1**2, axis=1)
    np.testing.assert_allclose(after, before, atol=1e-8)
    assert flow.objective[-1] < flow.objective[0]


@pytest.mark.parametrize("p", [0.3, 0.5, 0.7, 0.9])
def test_measured_rate_matches_hessian(whitened, p):
    """The chapter's claim: near a minimizer, L - L* decays at 2 lambda_min^+ (within 2%)."""
    X, Y = whitened
    star = dropout.dropout_minimizer(X, Y, p, 4)
    W1, W2 = dropout.perturb(star.W1, star.W2, 1e-2, rng=1)
    t_max = 30 / dropout.hessian_rate(X, Y, star.W1, star.W2, p).rate
    flow = dropout.gradient_flow(X, Y, W1, W2, p, t_max=t_max, num=300)
    measured = dropout.fit_rate(flow.t, flow.objective - star.objective, window=(1e-12, 1e-8))
    predicted = dropout.hessian_rate(X, Y, flow.W1, flow.W2, p).rate
    assert measured == pytest.approx(predicted, rel=0.02)


@pytest.mark.parametrize(("p", "m", "whiten"), [(0.3, 2, True), (0.6, 4, True), (0.9, 8, True),
                                                (0.5, 3, False), (0.5, 1, True)])
def test_single_output_closed_form_rate(p, m, whiten):
    X, y = data.dropout_data(30, 5, 1, rng=4, whiten=whiten)
    star = dropout.dropout_minimizer(X, y, p, m)
    W1b, W2b = dropout.rebalance(star.W1, star.W2)
    rate, lam = dropout.single_output_rate(X, y, p, m)
    info = dropout.hessian_rate(X, y, W1b, W2b, p)
    assert info.null_dim == m
    assert rate == pytest.approx(info.rate, rel=1e-8)
    if whiten and m >= 2:
        closed = 4 * p * (1 - p) * np.linalg.norm(X.T @ y) / (m * p + 1 - p)
        assert rate == pytest.approx(closed, rel=1e-10)
    W1, W2 = dropout.rebalance(*dropout.perturb(W1b, W2b, 1e-2, rng=1))
    flow = dropout.gradient_flow(X, y, W1, W2, p, t_max=30 / rate, num=300)
    measured = dropout.fit_rate(flow.t, flow.objective - star.objective, window=(1e-12, 1e-8))
    assert measured == pytest.approx(rate, rel=0.02)


def test_rate_is_largest_at_p_star():
    X, y = data.dropout_data(30, 5, 1, rng=4, whiten=True)
    grid = np.linspace(0.01, 0.99, 99)
    for m in (2, 4, 9):
        rates = [dropout.single_output_rate(X, y, p, m)[0] for p in grid]
        assert grid[int(np.argmax(rates))] == pytest.approx(1 / (1 + np.sqrt(m)), abs=0.011)
        assert max(rates) == pytest.approx(
            4 * np.linalg.norm(X.T @ y) / (1 + np.sqrt(m)) ** 2, rel=1e-3
        )


def test_sgd_follows_the_flow(whitened):
    X, Y = whitened
    p, m, T = 0.5, 4, 10.0
    star = dropout.dropout_minimizer(X, Y, p, m)
    gen = np.random.default_rng(3)
    W1, W2 = 0.3 * gen.standard_normal((m, 5)), 0.3 * gen.standard_normal((3, m))
    flow = dropout.gradient_flow(X, Y, W1, W2, p, t_max=T, num=101)
    devs, excess = [], []
    for lr in (0.02, 0.005):
        steps = int(T / lr)
        run = dropout.dropout_sgd(X, Y, W1, W2, p, lr=lr, steps=steps, rng=1,
                                  record_every=steps // 100)
        ref = np.interp(lr * run.steps, flow.t, flow.objective)
        devs.append(np.max(np.abs(run.objective - ref)))
        excess.append(np.mean(run.objective[-25:] - star.objective))
    assert devs[1] < devs[0]
    assert 0 < excess[1] < excess[0]


def test_fit_rate_recovers_an_exponential():
    t = np.linspace(0, 10, 101)
    assert dropout.fit_rate(t, 3e-3 * np.exp(-1.7 * t), window=(1e-10, 1e-4)) == pytest.approx(1.7)
    with pytest.raises(ValueError, match="fewer than 3"):
        dropout.fit_rate(t, np.ones_like(t), window=(1e-10, 1e-4))


# ------------------------------------------------------------------ explorer and figures


def test_explorer_and_figures(whitened):
    from twolayer.widgets.dropout_flows import dropout_explorer

    X, Y = whitened
    res = dropout.descent_against_minimizer(X, Y, 0.5, 4, steps=800, lr=0.05, rng=0)
    assert res.gap[0] > res.gap[-1] >= 0
    assert 0 < res.predicted_factor < 1
    fig = dplot.plot_descent_and_products(res, title="t")
    assert isinstance(fig, Figure)
    plt.close(fig)
    widget = dropout_explorer(X, Y, lr=0.05, rng=0)
    assert [c.description for c in widget.children[:3]] == ["keep p", "width m", "GD steps"]
    plt.close("all")


# ------------------------------------------------------------------ bad input


def test_bad_p(small):
    X, Y, W1, W2 = small
    for p in (0.0, -0.1, 1.5, np.nan):
        with pytest.raises(ValueError, match="p must"):
            dropout.expected_objective(X, Y, W1, W2, p)
    with pytest.raises(ValueError, match="p must"):
        dropout.dropout_minimizer(X, Y, 0.0, 2)
    with pytest.raises(TypeError, match="p must be a real number"):
        dropout.expected_objective(X, Y, W1, W2, "0.5")


def test_shape_mismatches(small):
    X, Y, W1, W2 = small
    with pytest.raises(ValueError, match="W2 must have length 2 along axis 0"):
        dropout.expected_objective(X, Y, W1, W2[:1], 0.5)
    with pytest.raises(ValueError, match="W2 must have length 3 along axis 1"):
        dropout.expected_objective(X, Y, W1, W2[:, :2], 0.5)
    with pytest.raises(ValueError, match="W1 must have length 4 along axis 1"):
        dropout.expected_objective(X, Y, W1[:, :3], W2, 0.5)
    with pytest.raises(ValueError, match="same number of rows"):
        dropout.expected_objective(X, Y[:5], W1, W2, 0.5)
    with pytest.raises(ValueError, match="mask must have length 3"):
        dropout.masked_loss(X, Y, W1, W2, np.ones(4))
    with pytest.raises(ValueError, match="only 0 and 1"):
        dropout.masked_loss(X, Y, W1, W2, np.full(3, 0.5))
    with pytest.raises(ValueError, match="kind must be"):
        dropout.expected_objective(X, Y, W1, W2, 0.5, kind="dropblock")


def test_non_finite_data(small):
    X, Y, W1, W2 = small
    Xbad = X.copy()
    Xbad[0, 0] = np.nan
    with pytest.raises(ValueError, match="X must be finite"):
        dropout.expected_objective(Xbad, Y, W1, W2, 0.5)
    Ybad = Y.copy()
    Ybad[1, 1] = np.inf
    with pytest.raises(ValueError, match="Y must be finite"):
        dropout.dropout_minimizer(X, Ybad, 0.5, 2)
    W2bad = W2.copy()
    W2bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="W2 must be finite"):
        dropout.gradient_flow(X, Y, W1, W2bad, 0.5, t_max=1.0)


def test_other_errors(small):
    X, Y, W1, W2 = small
    with pytest.raises(ValueError, match="exact enumeration needs 2\\*\\*"):
        dropout.enumerate_expected_objective(
            X, Y, np.ones((5, 4)), np.ones((2, 5)), 0.5, kind="dropconnect"
        )
    with pytest.raises(ValueError, match="full column rank"):
        dropout.dropout_minimizer(np.ones((6, 3)), np.ones((6, 1)), 0.5, 2)
    with pytest.raises(ValueError, match="one output"):
        dropout.single_output_rate(X, Y, 0.5, 2)
    with pytest.raises(ValueError, match="width must be >= 1"):
        dropout.dropout_minimizer(X, Y, 0.5, 0)
    with pytest.raises(ValueError, match="not a minimizer"):
        dropout.hessian_rate(X, Y, np.zeros_like(W1), np.zeros_like(W2), 0.5)

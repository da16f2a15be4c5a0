"""twolayer.dropout: the argument checks and the behaviour that mutation testing found untested
(tests/MUTATION.md, section "dropout"). Every expected number is computed by hand in a comment
or independently of the library (NumPy)."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer import dropout

GEN = np.random.default_rng(11)
X = GEN.standard_normal((6, 3))
Y = GEN.standard_normal((6, 2))
W1 = GEN.standard_normal((2, 3))
W2 = GEN.standard_normal((2, 2))
y1 = GEN.standard_normal(6)


def _diverging(run, **kwargs):
    """A run with lr = 1000: the weights overflow (NumPy's warnings silenced)."""
    with np.errstate(all="ignore"):
        return run(X, Y, W1, W2, 0.5, lr=1e3, steps=50, **kwargs)


BAD = [
    (lambda: dropout.expected_objective(X, Y, W1, W2, 0.0), ValueError,
     r"^p must be > 0.0, got 0.0$"),
    (lambda: dropout.expected_objective(X, Y, W1, W2, 1.5), ValueError,
     r"^p must be <= 1.0, got 1.5$"),
    (lambda: dropout.expected_objective(X, Y, W1, W2, 0.5, kind="drop"), ValueError,
     r"^kind must be 'dropout' or 'dropconnect', got 'drop'$"),
    (lambda: dropout.expected_objective(X[0], Y, W1, W2, 0.5), ValueError,
     "^X must be 2-dimensional"),
    (lambda: dropout.expected_objective(X, np.ones((6, 1, 1)), W1, W2, 0.5), ValueError,
     "^Y must be 2-dimensional"),
    (lambda: dropout.expected_objective(X, Y[:5], W1, W2, 0.5), ValueError,
     r"^X and Y must have the same number of rows \(samples\), got 6 and 5$"),
    (lambda: dropout.expected_objective(X, Y, W1[:, :2], W2, 0.5), ValueError,
     "^W1 must have length 3 along axis 1"),
    (lambda: dropout.expected_objective(X, Y, W1, W2[:1], 0.5), ValueError,
     "^W2 must have length 2 along axis 0"),
    (lambda: dropout.masked_loss(X, Y, W1, W2, np.ones(3)), ValueError,
     r"^mask must have length 2 along axis 0"),
    (lambda: dropout.masked_loss(X, Y, W1, W2, np.ones(2), kind="dropconnect"), ValueError,
     r"^mask must be 2-dimensional"),
    (lambda: dropout.masked_gradient(X, Y, W1, W2, np.array([1.0, 2.0])), ValueError,
     r"^mask must hold only 0 and 1$"),
    (lambda: dropout.masked_gradient(X, Y, W1, W2, np.ones(2), kind="x"), ValueError,
     r"^kind must be"),
    (lambda: dropout.regularizer(X[0], W1, W2), ValueError, "^X must be 2-dimensional"),
    (lambda: dropout.regularizer(X, W1, W2, kind="x"), ValueError, "^kind must be"),
    (lambda: dropout.regularizer(X, W1[:, :2], W2), ValueError, "^W1 must have length 3"),
    (lambda: dropout.monte_carlo_objective(X, Y, W1, W2, 0.5, 0, samples=1), ValueError,
     r"^samples must be >= 2, got 1$"),
    (lambda: dropout.monte_carlo_objective(X, Y, W1, W2, 0.5, "0"), TypeError, "^rng must"),
    (lambda: dropout.enumerate_expected_objective(X, Y, np.ones((17, 3)), np.ones((2, 17)), 0.5),
     ValueError, r"^exact enumeration needs 2\*\*17 masks, more than the limit 65536; use "
     r"smaller sizes or monte_carlo_objective$"),
    (lambda: dropout.enumerate_expected_gradient(X, Y, np.ones((6, 3)), np.ones((2, 6)), 0.5,
                                                 kind="dropconnect"),
     ValueError, r"^exact enumeration needs 2\*\*18 masks"),
    (lambda: dropout.unit_products(X[0], W1, W2), ValueError, "^X must be 2-dimensional"),
    (lambda: dropout.unit_products(X, W1[:, :2], W2), ValueError, "^W1 must have length 3"),
    (lambda: dropout.induced_regularizer(np.ones(3), 2), ValueError, "^M must be 2-dimensional"),
    (lambda: dropout.induced_regularizer(np.eye(3), 0), ValueError, r"^width must be >= 1, got 0$"),
    (lambda: dropout.induced_regularizer(np.eye(3), 2), ValueError,
     r"^width must be at least rank\(M\) = 3, got 2$"),
    (lambda: dropout.equalize_factorization(np.ones(3), 2), ValueError,
     "^M must be 2-dimensional"),
    (lambda: dropout.equalize_factorization(np.eye(3), 0), ValueError, r"^width must be >= 1"),
    (lambda: dropout.equalize_factorization(np.eye(3), 2), ValueError,
     r"^width must be at least rank\(M\) = 3, got 2$"),
    (lambda: dropout.dropout_minimizer(X, Y, 0.5, 0), ValueError, r"^width must be >= 1, got 0$"),
    (lambda: dropout.dropout_minimizer(X, Y, 0.0, 2), ValueError, r"^p must be > 0.0"),
    (lambda: dropout.dropout_minimizer(np.ones((6, 2)), Y, 0.5, 2), ValueError,
     r"^X must have full column rank d = 2 for the closed-form minimizer \(smallest eigenvalue "
     r"of X\^T X is "),
    (lambda: dropout.rebalance(np.ones(3), W2), ValueError, "^W1 must be 2-dimensional"),
    (lambda: dropout.rebalance(W1, W2[:, :1]), ValueError, "^W2 must have length 2 along axis 1"),
    (lambda: dropout.perturb(np.ones(3), W2, 0.1, 0), ValueError, "^W1 must be 2-dimensional"),
    (lambda: dropout.perturb(W1, W2[:, :1], 0.1, 0), ValueError, "^W2 must have length 2"),
    (lambda: dropout.perturb(W1, W2, -0.1, 0), ValueError, r"^scale must be >= 0.0, got -0.1$"),
    (lambda: dropout.perturb(W1, W2, 0.1, "0"), TypeError, "^rng must"),
    (lambda: dropout.gradient_flow(X, Y, W1, W2, 0.5, t_max=0.0), ValueError,
     r"^t_max must be > 0.0, got 0.0$"),
    (lambda: dropout.gradient_flow(X, Y, W1, W2, 0.5, t_max=1.0, num=1), ValueError,
     r"^num must be >= 2, got 1$"),
    (lambda: dropout.gradient_flow(X, Y, W1, W2, 0.5, t_max=1.0, rtol=0.0), ValueError,
     r"^rtol must be > 0.0, got 0.0$"),
    (lambda: dropout.gradient_flow(X, Y, W1, W2, 0.5, t_max=1.0, atol=0.0), ValueError,
     r"^atol must be > 0.0, got 0.0$"),
    (lambda: dropout.fit_rate(np.ones((2, 2)), np.ones(2)), ValueError,
     "^t must be 1-dimensional"),
    (lambda: dropout.fit_rate(np.arange(4.0), np.ones(3)), ValueError,
     "^gap must have length 4 along axis 0"),
    (lambda: dropout.fit_rate(np.arange(4.0), np.array([1e-6, 1e-7, 1e-3, 1e-2])), ValueError,
     r"^fewer than 3 samples with 1e-10 <= gap <= 1e-05 \(got 2\); integrate longer or widen "
     r"the window$"),
    (lambda: dropout.hessian_rate(X, Y, W1, W2, 0.5, rel_tol=0.0), ValueError,
     r"^rel_tol must be > 0.0, got 0.0$"),
    (lambda: dropout.hessian_rate(X, 0 * Y, 0 * W1, 0 * W2, 1.0), ValueError,
     r"^the Hessian has no positive eigenvalue$"),  # H = 0 without targets and regularizer
    (lambda: dropout.hessian_rate(X, Y, 0 * W1, 0 * W2, 0.5), ValueError,
     r"^the Hessian has a negative eigenvalue -[0-9.]+e\+[0-9]+: the point is not a minimizer$"),
    (lambda: dropout.single_output_rate(X, Y, 0.5, 2), ValueError,
     r"^single_output_rate needs one output, got Y with shape \(6, 2\)$"),
    (lambda: dropout.single_output_rate(X, y1, 0.0, 2), ValueError, r"^p must be > 0.0"),
    (lambda: dropout.single_output_rate(X, y1, 0.5, 0), ValueError, r"^width must be >= 1"),
    (lambda: dropout.descent_against_minimizer(X, Y, 0.0, 2, steps=1, lr=0.1, rng=0),
     ValueError, r"^p must be > 0.0"),
    (lambda: dropout.descent_against_minimizer(X, Y, 0.5, 0, steps=1, lr=0.1, rng=0),
     ValueError, r"^width must be >= 1"),
    (lambda: dropout.descent_against_minimizer(X, Y, 0.5, 2, steps=0, lr=0.1, rng=0),
     ValueError, r"^steps must be >= 1, got 0$"),
    (lambda: dropout.descent_against_minimizer(X, Y, 0.5, 2, steps=1, lr=0.0, rng=0),
     ValueError, r"^lr must be > 0.0, got 0.0$"),
    (lambda: dropout.descent_against_minimizer(X, Y, 0.5, 2, steps=1, lr=0.1, rng=0,
                                               init_scale=0.0),
     ValueError, r"^init_scale must be > 0.0, got 0.0$"),
    (lambda: dropout.descent_against_minimizer(X, Y, 0.5, 2, steps=1, lr=0.1, rng="0"),
     TypeError, "^rng must"),
    (lambda: dropout.dropout_gradient_descent(X, Y, W1, W2, 0.5, lr=0.0, steps=1), ValueError,
     r"^lr must be > 0.0, got 0.0$"),
    (lambda: dropout.dropout_gradient_descent(X, Y, W1, W2, 0.5, lr=0.1, steps=-1), ValueError,
     r"^steps must be >= 0, got -1$"),
    (lambda: dropout.dropout_gradient_descent(X, Y, W1, W2, 0.5, lr=0.1, steps=1,
                                              record_every=0),
     ValueError, r"^record_every must be >= 1, got 0$"),
    (lambda: _diverging(dropout.dropout_gradient_descent), RuntimeError,
     r"^gradient descent diverged \(lr=1000.0 too large\?\)$"),
    (lambda: _diverging(dropout.dropout_sgd, rng=0), RuntimeError,
     r"^stochastic Dropout diverged \(lr=1000.0 too large\?\)$"),
    (lambda: dropout.dropout_sgd(X, Y, W1, W2, 0.5, lr=0.1, steps=1, rng="0"), TypeError,
     "^rng must"),
    (lambda: dropout.rate_grid(X, Y, [0.5], [2]), ValueError,
     r"^rate_grid needs one output, got Y with shape \(6, 2\)$"),
    (lambda: dropout.rate_grid(X, y1, [], [2]), ValueError,
     r"^ps must hold at least one keep probability, got an empty array$"),
    (lambda: dropout.rate_grid(X, y1, [0.5, 0.0], [2]), ValueError,
     r"^ps must lie in \(0, 1\], got ps\[1\] = 0.0$"),
    (lambda: dropout.rate_grid(X, y1, [[0.5]], [2]), ValueError, "^ps must be 1-dimensional"),
    (lambda: dropout.rate_grid(X, y1, [0.5], []), ValueError,
     r"^widths must hold at least one width, got an empty sequence$"),
    (lambda: dropout.rate_grid(X, y1, [0.5], 2), TypeError,
     r"^widths must be a sequence of integers"),
    (lambda: dropout.rate_grid(X, y1, [0.5], [2, 0]), ValueError,
     r"^widths\[1\] must be >= 1, got 0$"),
    (lambda: dropout.rate_grid(X, y1, [0.5], [2]).at_width(3), ValueError,
     r"^width must be one of \[2\], got 3$"),
    (lambda: dropout.rate_grid(X, y1, [0.5], [2]).at_width(0), ValueError,
     r"^width must be >= 1, got 0$"),
    (lambda: dropout.rate_grid(X, y1, [0.5], [2]).at_p(0.25), ValueError,
     r"^p must be one of \[0.5\], got 0.25$"),
    (lambda: dropout.rate_grid(X, y1, [0.5], [2]).at_p(0.0), ValueError, r"^p must be > 0.0"),
    (lambda: dropout.shrinkage_paths(X, Y, [0.5], [2], p_fixed=0.5, m_fixed=0), ValueError,
     r"^m_fixed must be >= 1, got 0$"),
    (lambda: dropout.shrinkage_paths(X, Y, [1.5], [2], p_fixed=0.5, m_fixed=2), ValueError,
     r"^ps must lie in \(0, 1\], got ps\[0\] = 1.5$"),
    (lambda: dropout.shrinkage_paths(X, Y, [0.5], [0], p_fixed=0.5, m_fixed=2), ValueError,
     r"^widths\[0\] must be >= 1"),
    (lambda: dropout.flow_rate_study(X, Y, [0.5, 1.0], 2, seed=0), ValueError,
     r"^ps must lie in \(0, 1\) \(at p = 1 there is no regularizer\), got 1.0$"),
    (lambda: dropout.flow_rate_study(X, Y, [], 2, seed=0), ValueError,
     r"^ps must hold at least one keep probability"),
    (lambda: dropout.flow_rate_study(X, Y, [0.5], 0, seed=0), ValueError,
     r"^width must be >= 1, got 0$"),
    (lambda: dropout.flow_rate_study(X, Y, [0.5], 2, seed=-1), ValueError,
     r"^seed must be >= 0, got -1$"),
    (lambda: dropout.flow_rate_study(X, Y, [0.5], 2, seed=0, scale=0.0), ValueError,
     r"^scale must be > 0.0, got 0.0$"),
    (lambda: dropout.flow_rate_study(X, Y, [0.5], 2, seed=0, horizon=0.0), ValueError,
     r"^horizon must be > 0.0, got 0.0$"),
    (lambda: dropout.flow_rate_study(X, Y, [0.5], 2, seed=0, num=2), ValueError,
     r"^num must be >= 3, got 2$"),
    (lambda: dropout.flow_rate_study(X, Y, [0.5], 2, seed=0, window=[1e-12, 1e-8]), TypeError,
     r"^window must be a pair \(low, high\), got \[1e-12, 1e-08\]$"),
    (lambda: dropout.flow_rate_study(X, Y, [0.5], 2, seed=0, window=(1e-12,)), TypeError,
     r"^window must be a pair"),
    (lambda: dropout.flow_rate_study(X, Y, [0.5], 2, seed=0, window=(0.0, 1e-8)), ValueError,
     r"^window\[0\] must be > 0.0, got 0.0$"),
    (lambda: dropout.flow_rate_study(X, Y, [0.5], 2, seed=0, window=(1e-8, 1e-8)), ValueError,
     r"^window\[1\] must be > 1e-08, got 1e-08$"),
    (lambda: dropout.single_output_flow_study(X, Y, [0.5], [2], seed=0), ValueError,
     r"^single_output_flow_study needs one output, got Y with shape \(6, 2\)$"),
    (lambda: dropout.single_output_flow_study(X, y1, [0.5, 1.0], [2], seed=0), ValueError,
     r"^ps must lie in \(0, 1\) \(at p = 1 there is no regularizer\), got 1.0$"),
    (lambda: dropout.single_output_flow_study(X, y1, [0.0], [2], seed=0), ValueError,
     r"^ps must lie in \(0, 1\], got ps\[0\] = 0.0$"),
    (lambda: dropout.single_output_flow_study(X, y1, [0.5], [], seed=0), ValueError,
     r"^widths must hold at least one width"),
    (lambda: dropout.single_output_flow_study(X, y1, [0.5], [2], seed=-1), ValueError,
     r"^seed must be >= 0, got -1$"),
    (lambda: dropout.single_output_flow_study(X, y1, [0.5], [2], seed=0, scale=0.0), ValueError,
     r"^scale must be > 0.0, got 0.0$"),
    (lambda: dropout.single_output_flow_study(X, y1, [0.5], [2], seed=0, horizon=0.0),
     ValueError, r"^horizon must be > 0.0, got 0.0$"),
    (lambda: dropout.single_output_flow_study(X, y1, [0.5], [2], seed=0, num=2), ValueError,
     r"^num must be >= 3, got 2$"),
    (lambda: dropout.single_output_flow_study(X, y1, [0.5], [2], seed=0, window=(1.0, 0.5)),
     ValueError, r"^window\[1\] must be > 1.0, got 0.5$"),
    (lambda: dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [[0.01]], t_max=1.0, optimum=0.0,
                                      seed=0), ValueError, "^lrs must be 1-dimensional"),
    (lambda: dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [0.01, 0.0], t_max=1.0, optimum=0.0,
                                      seed=0), ValueError,
     r"^lrs must be a nonempty sequence of step sizes > 0, got \[0.01 0.  \]$"),
    (lambda: dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [0.01], t_max=0.0, optimum=0.0,
                                      seed=0), ValueError, r"^t_max must be > 0.0, got 0.0$"),
    (lambda: dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [0.01], t_max=1.0, optimum="0",
                                      seed=0), TypeError, r"^optimum must be a real number"),
    (lambda: dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [0.01], t_max=1.0, optimum=0.0,
                                      seed=-1), ValueError, r"^seed must be >= 0, got -1$"),
    (lambda: dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [0.01], t_max=1.0, optimum=0.0,
                                      seed=0, records=0), ValueError,
     r"^records must be >= 1, got 0$"),
    (lambda: dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [0.01], t_max=1.0, optimum=0.0,
                                      seed=0, tail=0), ValueError, r"^tail must be >= 1, got 0$"),
    (lambda: dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [0.01], t_max=1.0, optimum=0.0,
                                      seed=0, num=1), ValueError, r"^num must be >= 2, got 1$"),
    (lambda: dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [0.011], t_max=1.0, optimum=0.0,
                                      seed=0, records=100), ValueError,
     r"^lrs must be at most t_max / records = 0.01, got \[0.011\]$"),
    (lambda: dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [0.01], t_max=1.0, optimum=0.0,
                                      seed=0, records=10, tail=12), ValueError,
     r"^tail must be at most records \+ 1 = 11, got 12$"),
]


@pytest.mark.parametrize(("call", "error", "match"), BAD)
def test_each_bad_argument_is_named_at_the_start_of_its_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_the_smallest_documented_arguments_are_accepted():
    # p = 1, width 1, steps 0, record_every 1, samples 2, tail = records + 1, lr = t_max / records
    assert dropout.expected_objective(X, Y, W1, W2, 1.0) == pytest.approx(
        np.sum((Y - X @ W1.T @ W2.T) ** 2))
    assert dropout.dropout_minimizer(X, Y, 0.5, 1).rank == 1
    assert dropout.induced_regularizer(np.ones((2, 2)), 1) == pytest.approx(4.0)  # ||M||_* = 2
    run = dropout.dropout_gradient_descent(X, Y, W1, W2, 0.5, lr=0.01, steps=0)
    np.testing.assert_array_equal(run.steps, [0])
    assert np.isfinite(dropout.monte_carlo_objective(X, Y, W1, W2, 0.5, 0, samples=2)[1])
    study = dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [0.01], t_max=0.1, optimum=0.0, seed=0,
                                     records=10, tail=11, num=2)
    assert study.steps.tolist() == [10]
    assert study.excess[0] == pytest.approx(np.mean(study.runs[0].objective))
    assert dropout.perturb(W1, W2, 0.0, 0)[0] == pytest.approx(W1)


# --------------------------------------------------------------------------------------------
# objectives
# --------------------------------------------------------------------------------------------


def test_masked_loss_and_gradient_of_one_mask_by_hand():
    for kind, mask in (("dropout", np.array([1.0, 0.0])),
                       ("dropconnect", np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]))):
        Wk = W1 * (mask[:, None] if kind == "dropout" else mask)
        R = Y - X @ Wk.T @ W2.T
        assert dropout.masked_loss(X, Y, W1, W2, mask, kind=kind) == pytest.approx(
            np.sum(R**2), rel=1e-14)
        g1, g2 = dropout.masked_gradient(X, Y, W1, W2, mask, kind=kind)
        # d/dW2 ||R||^2 = -2 R^T X Wk^T; d/dWk = -2 W2^T R^T X, masked by the chain rule
        np.testing.assert_allclose(g2, -2.0 * R.T @ X @ Wk.T, rtol=1e-13)
        keep = mask[:, None] if kind == "dropout" else mask
        np.testing.assert_allclose(g1, -2.0 * keep * (W2.T @ R.T @ X), rtol=1e-13)
    # the default kind is Dropout
    assert dropout.masked_loss(X, Y, W1, W2, np.array([0.0, 1.0])) == pytest.approx(
        np.sum((Y - np.outer(X @ W1[1], W2[:, 1])) ** 2))


def test_regularizers_in_closed_form():
    h = np.sum(W2**2, axis=0)  # ||u_i||^2
    reg = np.sum(h * np.sum((X @ W1.T) ** 2, axis=0))
    assert dropout.regularizer(X, W1, W2) == pytest.approx(reg, rel=1e-14)
    col = np.sum(X**2, axis=0)
    reg = sum(W1[i, j] ** 2 * h[i] * col[j] for i in range(2) for j in range(3))
    assert dropout.regularizer(X, W1, W2, kind="dropconnect") == pytest.approx(reg, rel=1e-14)
    for kind in ("dropout", "dropconnect"):
        value = np.sum((Y - 0.3 * X @ W1.T @ W2.T) ** 2) + 0.3 * 0.7 * dropout.regularizer(
            X, W1, W2, kind=kind)
        assert dropout.expected_objective(X, Y, W1, W2, 0.3, kind=kind) == pytest.approx(value)


def test_enumeration_in_chunks_and_monte_carlo_from_its_draws():
    # 2^8 masks of 4000 samples: _batch_losses works in chunks of 2^20 // (4000 * 9) = 29 masks
    gen = np.random.default_rng(2)
    Xl, Yl = gen.standard_normal((4000, 2)), gen.standard_normal((4000, 1))
    A, B = gen.standard_normal((8, 2)), gen.standard_normal((1, 8))
    assert dropout.enumerate_expected_objective(Xl, Yl, A, B, 0.4) == pytest.approx(
        dropout.expected_objective(Xl, Yl, A, B, 0.4), rel=1e-12)
    for kind, shape in (("dropout", (50, 2)), ("dropconnect", (50, 2, 3))):
        mean, err = dropout.monte_carlo_objective(X, Y, W1, W2, 0.3, 5, kind=kind, samples=50)
        masks = np.random.default_rng(5).random(shape) < 0.3
        losses = [dropout.masked_loss(X, Y, W1, W2, mk.astype(float), kind=kind) for mk in masks]
        assert mean == pytest.approx(np.mean(losses), rel=1e-12)
        assert err == pytest.approx(np.std(losses, ddof=1) / np.sqrt(50), rel=1e-12)
    # the default is 10000 draws of Dropout masks
    mean, err = dropout.monte_carlo_objective(X, Y, W1, W2, 0.3, 5)
    masks = np.random.default_rng(5).random((10_000, 2)) < 0.3
    R = Y[None] - ((X @ W1.T)[None] * masks[:, None, :]) @ W2.T
    losses = np.sum(R**2, axis=(1, 2))
    assert mean == pytest.approx(losses.mean(), rel=1e-12)
    assert err == pytest.approx(losses.std(ddof=1) / 100.0, rel=1e-12)


def test_enumerated_gradient_of_dropconnect_weighs_every_mask():
    A, B = W1[:, :2], W2  # 2 x 2 weights: 16 masks
    g1, g2 = dropout.enumerate_expected_gradient(X[:, :2], Y, A, B, 0.3, kind="dropconnect")
    e1, e2 = dropout.expected_gradient(X[:, :2], Y, A, B, 0.3, kind="dropconnect")
    np.testing.assert_allclose(g1, e1, rtol=1e-11)
    np.testing.assert_allclose(g2, e2, rtol=1e-11)
    assert dropout.enumerate_expected_objective(X[:, :2], Y, A, B, 0.3, kind="dropconnect") == (
        pytest.approx(dropout.expected_objective(X[:, :2], Y, A, B, 0.3, kind="dropconnect")))


@pytest.mark.parametrize("kind", ["dropout", "dropconnect"])
def test_flow_and_descent_use_the_gradient_of_the_objective(kind):
    # one step of gradient descent moves by lr times expected_gradient
    run = dropout.dropout_gradient_descent(X, Y, W1, W2, 0.4, lr=1e-3, steps=1, kind=kind)
    g1, g2 = dropout.expected_gradient(X, Y, W1, W2, 0.4, kind=kind)
    np.testing.assert_allclose(run.W1, W1 - 1e-3 * g1, rtol=1e-12)
    np.testing.assert_allclose(run.W2, W2 - 1e-3 * g2, rtol=1e-12)
    np.testing.assert_allclose(run.objective, [
        dropout.expected_objective(X, Y, W1, W2, 0.4, kind=kind),
        dropout.expected_objective(X, Y, run.W1, run.W2, 0.4, kind=kind)], rtol=1e-12)
    flow = dropout.gradient_flow(X, Y, W1, W2, 0.4, t_max=0.5, num=4, kind=kind)
    np.testing.assert_allclose(flow.t, [0.0, 1 / 6, 1 / 3, 0.5])
    assert flow.objective[0] == pytest.approx(run.objective[0], rel=1e-12)
    assert np.all(np.diff(flow.objective) < 0)
    end = dropout.expected_gradient(X, Y, flow.W1, flow.W2, 0.4, kind=kind)
    assert flow.grad_norm[-1] == pytest.approx(np.sqrt(np.sum(end[0] ** 2)
                                                       + np.sum(end[1] ** 2)), rel=1e-12)
    assert flow.grad_norm[0] == pytest.approx(np.sqrt(np.sum(g1**2) + np.sum(g2**2)), rel=1e-12)
    assert flow.objective[-1] == pytest.approx(
        dropout.expected_objective(X, Y, flow.W1, flow.W2, 0.4, kind=kind), rel=1e-12)
    # the flow of 0.5 against 1000 small steps of gradient descent
    fine = dropout.dropout_gradient_descent(X, Y, W1, W2, 0.4, lr=5e-4, steps=1000, kind=kind,
                                            record_every=250)
    np.testing.assert_array_equal(fine.steps, [0, 250, 500, 750, 1000])
    np.testing.assert_allclose(fine.W1, flow.W1, rtol=1e-2, atol=1e-3)


def test_stochastic_steps_follow_the_masks_of_the_generator():
    for kind, shape in (("dropout", (2,)), ("dropconnect", (2, 3))):
        run = dropout.dropout_sgd(X, Y, W1, W2, 0.6, lr=1e-2, steps=2, rng=9, kind=kind)
        gen = np.random.default_rng(9)
        A, B = W1.copy(), W2.copy()
        for _ in range(2):
            mask = (gen.random(shape) < 0.6).astype(float)
            g1, g2 = dropout.masked_gradient(X, Y, A, B, mask, kind=kind)
            A, B = A - 1e-2 * g1, B - 1e-2 * g2
        np.testing.assert_allclose(run.W1, A, rtol=1e-13)
        np.testing.assert_allclose(run.W2, B, rtol=1e-13)
        np.testing.assert_array_equal(run.steps, [0, 1, 2])
        assert run.objective[-1] == pytest.approx(
            dropout.expected_objective(X, Y, A, B, 0.6, kind=kind), rel=1e-13)


# --------------------------------------------------------------------------------------------
# the minimizer
# --------------------------------------------------------------------------------------------


def _whitened_target(Xd, Yd):
    evals, evecs = np.linalg.eigh(Xd.T @ Xd)
    inv_half = (evecs / np.sqrt(evals)) @ evecs.T
    return np.linalg.svd(Yd.T @ Xd @ inv_half, compute_uv=False)


@pytest.mark.parametrize(("p", "width"), [(0.5, 1), (0.2, 2), (0.9, 3), (0.05, 4)])
def test_minimizer_thresholds_and_objective_in_closed_form(p, width):
    gen = np.random.default_rng(4)
    Xd, Yd = gen.standard_normal((20, 4)), gen.standard_normal((20, 3))
    Yd[:, 0] *= 5.0  # one large singular value: small p cuts the others
    star = dropout.dropout_minimizer(Xd, Yd, p, width)
    sigma = _whitened_target(Xd, Yd)
    np.testing.assert_allclose(star.singular_values, sigma, rtol=1e-12)
    # the largest r <= min(width, rank) with sigma_r > theta_r
    r = max(c for c in range(1, min(width, 3) + 1)
            if sigma[c - 1] > (1 - p) * sigma[:c].sum() / (width * p + c * (1 - p)))
    theta = (1 - p) * sigma[:r].sum() / (width * p + r * (1 - p))
    assert star.rank == r
    assert star.threshold == pytest.approx(theta, rel=1e-12)
    np.testing.assert_allclose(star.shrunk[:r], sigma[:r] - theta, rtol=1e-12)
    np.testing.assert_array_equal(star.shrunk[r:], 0.0)
    assert star.objective == pytest.approx(
        dropout.expected_objective(Xd, Yd, star.W1, star.W2, p), rel=1e-10)
    products = dropout.unit_products(Xd, star.W1, star.W2)
    np.testing.assert_allclose(products, star.product, rtol=1e-8)
    assert star.product == pytest.approx(np.sum(star.shrunk) / p / width, rel=1e-12)
    # a global minimizer: stationary
    g1, g2 = dropout.expected_gradient(Xd, Yd, star.W1, star.W2, p)
    assert max(np.abs(g1).max(), np.abs(g2).max()) < 1e-8 * (1 + np.abs(Yd).max())


def test_a_zero_target_gives_the_zero_network():
    star = dropout.dropout_minimizer(X, np.zeros((6, 2)), 0.5, 3)
    assert star.rank == 0 and star.threshold == 0.0 and star.product == 0.0
    np.testing.assert_array_equal(star.W1, np.zeros((3, 3)))
    np.testing.assert_array_equal(star.W2, np.zeros((2, 3)))
    assert star.objective == 0.0


def test_equalized_factors_have_equal_units_also_for_wide_and_rank_deficient_maps():
    gen = np.random.default_rng(6)
    for M, width in ((gen.standard_normal((3, 2)) @ gen.standard_normal((2, 5)), 4),
                     (np.diag([5.0, 1.0, 0.1]), 3), (np.zeros((2, 2)), 2),
                     (np.diag([3.0, 3.0]), 2)):
        A, B = dropout.equalize_factorization(M, width)
        np.testing.assert_allclose(A @ B, M, atol=1e-12)
        nuclear = np.linalg.svd(M, compute_uv=False).sum()
        np.testing.assert_allclose(np.sum(A**2, axis=0), nuclear / width, atol=1e-10)
        np.testing.assert_allclose(np.sum(B**2, axis=1), nuclear / width, atol=1e-10)
        assert dropout.induced_regularizer(M, width) == pytest.approx(
            nuclear**2 / width, abs=1e-12)
        assert np.sum(np.sum(A**2, axis=0) * np.sum(B**2, axis=1)) == pytest.approx(
            nuclear**2 / width, abs=1e-10)


def test_rebalance_and_perturb():
    A = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, 0.0]])  # rows v_i
    B = np.array([[1.0, 2.0, 0.0], [0.0, 0.0, 0.0]])  # columns u_i: |u| = 1, 2, 0
    R1, R2 = dropout.rebalance(A, B)
    # unit 0: |v| = 5, |u| = 1, c = sqrt 5; units 1 (v = 0) and 2 (u = 0) are left alone
    np.testing.assert_allclose(R1, [[3 / np.sqrt(5), 4 / np.sqrt(5)], [0, 0], [1, 0]])
    np.testing.assert_allclose(R2, [[np.sqrt(5), 2, 0], [0, 0, 0]])
    np.testing.assert_allclose(R2 @ R1, B @ A)
    P1, P2 = dropout.perturb(A, B, 0.1, 3)
    gen = np.random.default_rng(3)
    np.testing.assert_allclose(P1, A + 0.1 * gen.standard_normal(A.shape))
    np.testing.assert_allclose(P2, B + 0.1 * gen.standard_normal(B.shape))
    np.testing.assert_allclose(dropout.unit_products(np.eye(2), A, B), [5.0, 0.0, 0.0])


# --------------------------------------------------------------------------------------------
# rates
# --------------------------------------------------------------------------------------------


def test_fit_rate_uses_the_closed_window():
    t = np.arange(6.0)
    gap = np.exp(-2.0 * t)
    gap[0] = 5.0  # outside the window: ignored
    # the window's ends are inclusive: exactly three samples e^-2, e^-4, e^-6
    assert dropout.fit_rate(t, gap, window=(np.exp(-6.0), np.exp(-2.0))) == pytest.approx(2.0)
    noisy = gap.copy()
    noisy[3:] = [1e-11, 3e-7, 1e-6]  # only 3e-7 and 1e-6 lie in the default (1e-10, 1e-5)
    with pytest.raises(ValueError, match=r"^fewer than 3 samples with 1e-10 <= gap <= 1e-05"):
        dropout.fit_rate(t, noisy)


def test_hessian_rate_counts_the_null_space():
    star = dropout.dropout_minimizer(X, Y, 0.5, 3)
    H = dropout.expected_hessian(X, Y, star.W1, star.W2, 0.5)
    ev = np.linalg.eigvalsh(H)
    tol = 1e-6 * np.abs(ev).max()
    res = dropout.hessian_rate(X, Y, star.W1, star.W2, 0.5)
    np.testing.assert_allclose(res.eigenvalues, ev, rtol=1e-10, atol=1e-10)
    assert res.null_dim == int(np.sum(ev <= tol))
    assert res.lambda_min == pytest.approx(ev[ev > tol][0], rel=1e-10)
    assert res.rate == pytest.approx(2.0 * res.lambda_min)
    loose = dropout.hessian_rate(X, Y, star.W1, star.W2, 0.5, rel_tol=0.5)
    assert loose.null_dim == int(np.sum(ev <= 0.5 * np.abs(ev).max()))


@pytest.mark.parametrize("width", [1, 3])
def test_single_output_rate_is_twice_the_smallest_positive_hessian_eigenvalue(width):
    gen = np.random.default_rng(8)
    Xd, yd = gen.standard_normal((15, 3)), gen.standard_normal(15)
    rate, lam = dropout.single_output_rate(Xd, yd, 0.4, width)
    star = dropout.dropout_minimizer(Xd, yd, 0.4, width)
    A, B = dropout.rebalance(star.W1, star.W2)
    assert rate == pytest.approx(2.0 * lam)
    assert lam == pytest.approx(dropout.hessian_rate(Xd, yd, A, B, 0.4).lambda_min, rel=1e-6)


def test_descent_against_minimizer_reports_its_run():
    gen = np.random.default_rng(1)
    Xd, Yd = gen.standard_normal((12, 3)), gen.standard_normal((12, 2))
    res = dropout.descent_against_minimizer(Xd, Yd, 0.5, 3, steps=400, lr=0.01, rng=2,
                                            init_scale=0.5)
    draws = np.random.default_rng(2)
    A = 0.5 * draws.standard_normal((3, 3))
    B = 0.5 * draws.standard_normal((2, 3))
    run = dropout.dropout_gradient_descent(Xd, Yd, A, B, 0.5, lr=0.01, steps=400,
                                           record_every=2)
    star = dropout.dropout_minimizer(Xd, Yd, 0.5, 3)
    np.testing.assert_array_equal(res.steps, run.steps)
    np.testing.assert_allclose(res.gap, np.maximum(run.objective - star.objective, 0.0),
                               rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(res.products, dropout.unit_products(Xd, run.W1, run.W2))
    assert res.product_star == star.product
    np.testing.assert_array_equal(res.shrunk, star.shrunk)
    np.testing.assert_array_equal(res.singular_values, star.singular_values)
    assert res.hessian_at_limit == bool(res.gap[-1] < 1e-9)
    at = (run.W1, run.W2) if res.hessian_at_limit else (star.W1, star.W2)
    lam = dropout.hessian_rate(Xd, Yd, *at, 0.5).lambda_min
    assert res.predicted_factor == pytest.approx((1 - 0.01 * lam) ** 2, rel=1e-12)
    # far from converged after 3 steps: the Hessian is taken at the minimizer; the default
    # initial scale is 0.3
    short = dropout.descent_against_minimizer(Xd, Yd, 0.5, 3, steps=3, lr=0.01, rng=2)
    assert not short.hessian_at_limit
    np.testing.assert_array_equal(short.steps, [0, 1, 2, 3])
    draws = np.random.default_rng(2)
    A = 0.3 * draws.standard_normal((3, 3))
    B = 0.3 * draws.standard_normal((2, 3))
    first = dropout.expected_objective(Xd, Yd, A, B, 0.5) - star.objective
    assert short.gap[0] == pytest.approx(first, rel=1e-12)
    lam = dropout.hessian_rate(Xd, Yd, star.W1, star.W2, 0.5).lambda_min
    assert short.predicted_factor == pytest.approx((1 - 0.01 * lam) ** 2, rel=1e-12)


def test_descent_that_reaches_the_minimum_takes_the_hessian_at_its_limit():
    gen = np.random.default_rng(1)
    Xd, Yd = gen.standard_normal((12, 3)), gen.standard_normal((12, 1))
    res = dropout.descent_against_minimizer(Xd, Yd, 0.5, 2, steps=4000, lr=0.05, rng=2)
    assert res.hessian_at_limit and res.gap[-1] < 1e-9
    assert res.steps[1] == 20  # one record every steps // 200 steps
    star = dropout.dropout_minimizer(Xd, Yd, 0.5, 2)
    draws = np.random.default_rng(2)
    A, B = 0.3 * draws.standard_normal((2, 3)), 0.3 * draws.standard_normal((1, 2))
    run = dropout.dropout_gradient_descent(Xd, Yd, A, B, 0.5, lr=0.05, steps=4000)
    lam = dropout.hessian_rate(Xd, Yd, run.W1, run.W2, 0.5).lambda_min
    assert res.predicted_factor == pytest.approx((1 - 0.05 * lam) ** 2, rel=1e-9)
    assert lam != pytest.approx(dropout.hessian_rate(Xd, Yd, star.W1, star.W2, 0.5).lambda_min,
                                rel=1e-6)


# --------------------------------------------------------------------------------------------
# the studies of the chapter
# --------------------------------------------------------------------------------------------


def test_rate_grid_and_its_lookups():
    grid = dropout.rate_grid(X, y1, [0.2, 0.5, 1.0], [1, 3])
    assert grid.rates.shape == (2, 3)
    for i, m in enumerate((1, 3)):
        for j, p in enumerate((0.2, 0.5, 1.0)):
            assert grid.rates[i, j] == dropout.single_output_rate(X, y1, p, m)[0]
    np.testing.assert_array_equal(grid.at_width(3), grid.rates[1])
    np.testing.assert_array_equal(grid.at_p(0.5), grid.rates[:, 1])
    np.testing.assert_array_equal(grid.widths, [1, 3])
    np.testing.assert_array_equal(dropout.rate_grid(X, y1[:, None], [1.0], [2]).ps, [1.0])


def test_shrinkage_paths_are_minimizers_along_p_and_m():
    paths = dropout.shrinkage_paths(X, Y, [0.3, 0.9], [1, 4], p_fixed=0.6, m_fixed=2)
    for i, p in enumerate((0.3, 0.9)):
        star = dropout.dropout_minimizer(X, Y, p, 2)
        np.testing.assert_array_equal(paths.shrunk_p[i], star.shrunk)
        assert paths.rank_p[i] == star.rank
    for i, m in enumerate((1, 4)):
        star = dropout.dropout_minimizer(X, Y, 0.6, m)
        np.testing.assert_array_equal(paths.shrunk_w[i], star.shrunk)
        assert paths.threshold_w[i] == star.threshold
    np.testing.assert_array_equal(paths.singular_values, star.singular_values)
    assert paths.p_fixed == 0.6 and paths.m_fixed == 2
    np.testing.assert_array_equal(paths.ps, [0.3, 0.9])
    np.testing.assert_array_equal(paths.widths, [1, 4])


@pytest.fixture(scope="module")
def planted():
    # whitened-free data with a planted linear map: the rates are well separated from 0
    gen = np.random.default_rng(3)
    Xd = gen.standard_normal((20, 3))
    return Xd, Xd @ gen.standard_normal((3, 2)) + 0.1 * gen.standard_normal((20, 2))


def test_flow_rate_study_measures_what_its_parts_measure(planted):
    Xd, Yd = planted
    study = dropout.flow_rate_study(Xd, Yd, [0.4], 2, seed=7, scale=0.02, horizon=25.0,
                                    num=120, window=(1e-11, 1e-7))
    star = dropout.dropout_minimizer(Xd, Yd, 0.4, 2)
    gen = np.random.default_rng(7)
    A = star.W1 + 0.02 * gen.standard_normal(star.W1.shape)
    B = star.W2 + 0.02 * gen.standard_normal(star.W2.shape)
    t_max = 25.0 / dropout.hessian_rate(Xd, Yd, star.W1, star.W2, 0.4).rate
    flow = dropout.gradient_flow(Xd, Yd, A, B, 0.4, t_max=t_max, num=120)
    np.testing.assert_allclose(study.flows[0].objective, flow.objective, rtol=1e-12)
    measured = dropout.fit_rate(flow.t, flow.objective - star.objective, window=(1e-11, 1e-7))
    assert study.measured[0] == pytest.approx(measured, rel=1e-10)
    limit = dropout.hessian_rate(Xd, Yd, flow.W1, flow.W2, 0.4)
    assert study.predicted[0] == pytest.approx(limit.rate, rel=1e-10)
    assert study.null_dims[0] == limit.null_dim
    assert study.ranks[0] == star.rank and study.minima[0] == star.objective
    assert study.width == 2
    np.testing.assert_allclose(study.relative_errors, study.measured / study.predicted - 1)
    assert abs(study.relative_errors[0]) < 0.05


def test_flow_rate_study_defaults(planted):
    Xd, Yd = planted
    study = dropout.flow_rate_study(Xd, Yd, [0.6], 2, seed=1)
    flow = study.flows[0]
    assert flow.t.size == 300  # num
    star = dropout.dropout_minimizer(Xd, Yd, 0.6, 2)
    rate = dropout.hessian_rate(Xd, Yd, star.W1, star.W2, 0.6).rate
    assert flow.t[-1] == pytest.approx(30.0 / rate, rel=1e-12)  # horizon
    gen = np.random.default_rng(1)
    A = star.W1 + 1e-2 * gen.standard_normal(star.W1.shape)  # scale
    start = dropout.expected_objective(Xd, Yd, A, star.W2 + 1e-2 * gen.standard_normal(
        star.W2.shape), 0.6)
    assert flow.objective[0] == pytest.approx(start, rel=1e-12)
    gap = flow.objective - star.objective
    assert study.measured[0] == pytest.approx(
        dropout.fit_rate(flow.t, gap, window=(1e-12, 1e-8)), rel=1e-10)


def test_single_output_flow_study_measures_balanced_flows(planted):
    Xd, Yd = planted
    yd = Yd[:, 0]
    study = dropout.single_output_flow_study(Xd, yd, [0.3, 0.7], [1, 2], seed=4, scale=0.02,
                                             horizon=20.0, num=100, window=(1e-11, 1e-7))
    assert study.closed.shape == (2, 2)
    for i, m in enumerate((1, 2)):
        for j, p in enumerate((0.3, 0.7)):
            closed = dropout.single_output_rate(Xd, yd, p, m)[0]
            assert study.closed[i, j] == closed
            star = dropout.dropout_minimizer(Xd, yd, p, m)
            A, B = dropout.rebalance(star.W1, star.W2)
            assert study.hessian[i, j] == pytest.approx(
                dropout.hessian_rate(Xd, yd, A, B, p).rate, rel=1e-10)
            gen = np.random.default_rng(4)
            A = A + 0.02 * gen.standard_normal(A.shape)
            B = B + 0.02 * gen.standard_normal(B.shape)
            A, B = dropout.rebalance(A, B)
            flow = dropout.gradient_flow(Xd, yd, A, B, p, t_max=20.0 / closed, num=100)
            assert study.measured[i, j] == pytest.approx(dropout.fit_rate(
                flow.t, flow.objective - star.objective, window=(1e-11, 1e-7)), rel=1e-8)
    np.testing.assert_allclose(study.relative_errors, study.measured / study.closed - 1)
    np.testing.assert_array_equal(study.ps, [0.3, 0.7])
    np.testing.assert_array_equal(study.widths, [1, 2])


def test_sgd_against_flow_deviation_and_excess():
    study = dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [0.004, 0.002], t_max=0.4,
                                     optimum=1.5, seed=3, records=20, tail=5, num=41,
                                     kind="dropconnect")
    assert study.steps.tolist() == [100, 200]
    for lr, T, run, dev, exc in zip(study.lrs, study.steps, study.runs, study.deviation,
                                    study.excess, strict=True):
        direct = dropout.dropout_sgd(X, Y, W1, W2, 0.5, lr=lr, steps=int(T), rng=3,
                                     kind="dropconnect", record_every=int(T) // 20)
        np.testing.assert_array_equal(run.objective, direct.objective)
        np.testing.assert_array_equal(run.steps, direct.steps)
        flow_at = np.interp(lr * run.steps, study.flow.t, study.flow.objective)
        assert dev == pytest.approx(np.max(np.abs(run.objective - flow_at)), rel=1e-12)
        assert exc == pytest.approx(np.mean(run.objective[-5:] - 1.5), rel=1e-12)
    flow = dropout.gradient_flow(X, Y, W1, W2, 0.5, t_max=0.4, num=41, kind="dropconnect")
    np.testing.assert_array_equal(study.flow.objective, flow.objective)
    # the defaults: 200 records, the last 50 of them, the flow at 201 times
    default = dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [0.001], t_max=0.4, optimum=0.0,
                                       seed=3)
    assert default.runs[0].steps.size == 201 and default.flow.t.size == 201
    assert default.excess[0] == pytest.approx(np.mean(default.runs[0].objective[-50:]))


# --------------------------------------------------------------------------------------------
# what the full run of 2026-12-03 left (tests/MUTATION.md, "dropout")
# --------------------------------------------------------------------------------------------


def test_the_rank_of_a_map_is_relative_to_its_largest_singular_value():
    # singular values 1e6 and 1e-8: the second is below 1e-12 * 1e6, so the rank is 1
    M = np.diag([1e6, 1e-8])
    assert dropout.induced_regularizer(M, 1) == pytest.approx((1e6 + 1e-8) ** 2, rel=1e-15)
    A, B = dropout.equalize_factorization(M, 1)
    np.testing.assert_allclose(A @ B, np.diag([1e6, 0.0]), atol=1e-9)
    # ... and at least 1e-12 for maps below 1: 1.5e-12 counts
    small = np.diag([1.0, 1.5e-12])
    for call in (dropout.induced_regularizer, dropout.equalize_factorization):
        with pytest.raises(ValueError, match=r"^width must be at least rank\(M\) = 2, got 1$"):
            call(small, 1)
    # a map with no rows has rank 0: the empty factorization, and cost 0
    assert dropout.induced_regularizer(np.zeros((0, 3)), 1) == 0.0
    A, B = dropout.equalize_factorization(np.zeros((0, 3)), 2)
    assert A.shape == (0, 2)
    np.testing.assert_array_equal(B, np.zeros((2, 3)))


def test_full_column_rank_is_relative_to_the_scale_of_the_data():
    # X^T X with eigenvalues 1e6, 1 and 1e-8: below 1e-12 * 1e6, rejected with its eigenvalue
    Xd = np.vstack([np.diag([1e3, 1.0, 1e-4]), np.zeros((2, 3))])
    Yd = np.ones((5, 1))
    with pytest.raises(ValueError, match=r"^X must have full column rank d = 3 for the "
                                         r"closed-form minimizer \(smallest eigenvalue of X\^T X "
                                         r"is 1.000e-08\)$"):
        dropout.dropout_minimizer(Xd, Yd, 0.5, 2)
    # data in tiny units (X^T X of order 1e-14) have full rank: the minimum does not change
    star = dropout.dropout_minimizer(X, Y, 0.5, 2)
    tiny = dropout.dropout_minimizer(1e-7 * X, Y, 0.5, 2)
    assert tiny.objective == pytest.approx(star.objective, rel=1e-9)


def test_enumeration_allows_exactly_max_masks():
    # 16 hidden units: 2**16 = MAX_MASKS Dropout masks are summed, as documented
    gen = np.random.default_rng(5)
    Xd, Yd = gen.standard_normal((2, 2)), gen.standard_normal((2, 1))
    A, B = gen.standard_normal((16, 2)), gen.standard_normal((1, 16))
    assert dropout.MAX_MASKS == 2**16
    assert dropout.enumerate_expected_objective(Xd, Yd, A, B, 0.3) == pytest.approx(
        dropout.expected_objective(Xd, Yd, A, B, 0.3), rel=1e-12)


def test_a_network_without_units_has_the_expected_loss_of_its_targets():
    # one mask (the empty one), of probability 1: E ||Y - 0||^2 = ||Y||^2
    empty1, empty2 = np.zeros((0, 3)), np.zeros((2, 0))
    assert dropout.enumerate_expected_objective(X, Y, empty1, empty2, 0.5) == pytest.approx(
        np.sum(Y**2), rel=1e-15)


def test_the_enumerated_gradient_is_that_of_dropout_by_default():
    default = dropout.enumerate_expected_gradient(X, Y, W1, W2, 0.4)
    for got, want in zip(default, dropout.expected_gradient(X, Y, W1, W2, 0.4), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_a_saddle_with_one_negative_eigenvalue_is_no_minimizer():
    # at W1 = W2 = 0 with d = k = m = 1 the loss is ||y||^2 - 2 p w1 w2 x.y + O(|w|^4): the
    # Hessian [[0, -2 p x.y], [-2 p x.y, 0]], eigenvalues -+3 for p = 0.5, x.y = 3
    Xd, yd = np.ones((2, 1)), np.array([1.0, 2.0])
    with pytest.raises(ValueError, match=r"^the Hessian has a negative eigenvalue -3.000e\+00: "
                                         r"the point is not a minimizer$"):
        dropout.hessian_rate(Xd, yd, np.zeros((1, 1)), np.zeros((1, 1)), 0.5)


def _record_solve_ivp(monkeypatch, replace=None):
    """The keyword arguments of every solve_ivp call of twolayer.dropout.rates."""
    from twolayer.dropout import rates

    calls, solve = [], rates.solve_ivp

    def record(*args, **kwargs):
        calls.append(kwargs)
        return solve(*args, **kwargs) if replace is None else replace
    monkeypatch.setattr(rates, "solve_ivp", record)
    return calls


def test_the_flow_is_integrated_by_dop853_at_its_tolerances(monkeypatch):
    calls = _record_solve_ivp(monkeypatch)
    flow = dropout.gradient_flow(X, Y, W1, W2, 0.5, t_max=0.2)
    assert flow.t.size == 200  # the default num
    assert [(c["method"], c["rtol"], c["atol"]) for c in calls] == [("DOP853", 1e-10, 1e-12)]
    np.testing.assert_array_equal(calls[0]["t_eval"], np.linspace(0.0, 0.2, 200))


def test_a_failed_integration_is_raised_with_its_status_and_message(monkeypatch):
    from types import SimpleNamespace

    _record_solve_ivp(monkeypatch, replace=SimpleNamespace(status=-1, message="step too small"))
    with pytest.raises(RuntimeError, match=r"^solve_ivp failed with status -1: step too small$"):
        dropout.gradient_flow(X, Y, W1, W2, 0.5, t_max=0.2)


def test_the_hessian_is_taken_at_the_last_recorded_iterate():
    # the data of test_descent_that_reaches_the_minimum_takes_the_hessian_at_its_limit: find a
    # run whose last record is the first with gap < 1e-9
    gen = np.random.default_rng(1)
    Xd, Yd = gen.standard_normal((12, 3)), gen.standard_normal((12, 1))
    star = dropout.dropout_minimizer(Xd, Yd, 0.5, 2)
    draws = np.random.default_rng(2)
    A, B = 0.3 * draws.standard_normal((2, 3)), 0.3 * draws.standard_normal((1, 2))
    full = dropout.dropout_gradient_descent(Xd, Yd, A, B, 0.5, lr=0.05, steps=4000)
    gap = full.objective - star.objective
    steps = next(s for s in range(1000, 4001)
                 if gap[s // max(1, s // 200) * max(1, s // 200)] < 1e-9
                 <= gap[(s // max(1, s // 200) - 1) * max(1, s // 200)])
    every = max(1, steps // 200)
    res = dropout.descent_against_minimizer(Xd, Yd, 0.5, 2, steps=steps, lr=0.05, rng=2)
    np.testing.assert_array_equal(res.steps, np.arange(0, steps + 1, every))
    assert res.hessian_at_limit and res.gap[-1] < 1e-9 <= res.gap[-2]


def test_a_descent_shorter_than_200_records_records_every_step():
    gen = np.random.default_rng(1)
    Xd, Yd = gen.standard_normal((12, 3)), gen.standard_normal((12, 2))
    res = dropout.descent_against_minimizer(Xd, Yd, 0.5, 3, steps=300, lr=0.01, rng=2)
    np.testing.assert_array_equal(res.steps, np.arange(301))  # 300 // 200 = 1


def test_the_steps_of_sgd_against_flow_are_integers_and_its_records_evenly_spaced():
    # t_max / lr = 90 steps in 20 records: one every 90 // 20 = 4 steps (4.5 is no step)
    study = dropout.sgd_against_flow(X, Y, W1, W2, 0.5, [0.01], t_max=0.9, optimum=0.0,
                                     seed=1, records=20, tail=3, num=11)
    assert study.steps.dtype.kind == "i" and study.steps.tolist() == [90]
    np.testing.assert_array_equal(study.runs[0].steps, np.arange(0, 91, 4))


def test_shrinkage_paths_along_a_single_keep_probability():
    paths = dropout.shrinkage_paths(X, Y, [0.5], [2], p_fixed=0.5, m_fixed=2)
    star = dropout.dropout_minimizer(X, Y, 0.5, 2)
    np.testing.assert_array_equal(paths.singular_values, star.singular_values)
    np.testing.assert_array_equal(paths.shrunk_p, [star.shrunk])


def test_single_output_flow_study_defaults(planted, monkeypatch):
    from twolayer.dropout import experiments

    Xd, yd = planted[0], planted[1][:, 0]
    flows, integrate = [], experiments._gradient_flow

    def record(*args):
        flows.append(args)
        return integrate(*args)
    monkeypatch.setattr(experiments, "_gradient_flow", record)
    study = dropout.single_output_flow_study(Xd, yd, [0.6], [2], seed=1)
    (_, _, A, B, p, kind, t_max, num, rtol, atol), = flows
    assert (p, kind, num, rtol, atol) == (0.6, "dropout", 300, 1e-10, 1e-12)
    assert t_max == pytest.approx(30.0 / study.closed[0, 0], rel=1e-15)  # horizon 30
    star = dropout.dropout_minimizer(Xd, yd, 0.6, 2)
    Ab, Bb = dropout.rebalance(star.W1, star.W2)
    gen = np.random.default_rng(1)  # scale 1e-2
    Ab = Ab + 1e-2 * gen.standard_normal(Ab.shape)
    Bb = Bb + 1e-2 * gen.standard_normal(Bb.shape)
    Ab, Bb = dropout.rebalance(Ab, Bb)
    np.testing.assert_allclose(A, Ab, rtol=1e-14)
    np.testing.assert_allclose(B, Bb, rtol=1e-14)

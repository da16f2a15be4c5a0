"""twolayer.extreme: closed forms against the convex solver, extreme points, the cutting plane."""

import itertools

import numpy as np
import pytest

from twolayer import convex, extreme, network
from twolayer.arrangements import enumerate_patterns_2d


def _whitened(n, d, seed):
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((d, n)))[0]  # (d, n), orthonormal columns
    return Q.T, rng.standard_normal(n)


def _all_patterns(n):
    # a whitened X has full row rank, so every subset of the samples is an activation pattern
    return np.array(list(itertools.product([False, True], repeat=n)))[1:]


@pytest.mark.parametrize("beta", [0.05, 0.3, 1.2])
def test_whitened_regression_matches_the_convex_program(beta):
    X, y = _whitened(5, 8, 0)
    W, a = extreme.whitened_regression(X, y, beta)
    closed = network.objective(X, y, W, a, beta)
    exact = convex.solve_convex(X, y, beta, _all_patterns(5)).value
    assert abs(closed - exact) <= 1e-6 * exact
    assert abs(closed - extreme.whitened_optimal_value(y, beta)) <= 1e-12 * closed
    yp, ym = np.linalg.norm(np.maximum(y, 0)), np.linalg.norm(np.maximum(-y, 0))
    assert a.size == int(yp > beta) + int(ym > beta)
    if beta < min(yp, ym):
        assert closed == pytest.approx(beta * (yp + ym) - beta**2, rel=1e-12)
        assert np.allclose(np.abs(a), np.linalg.norm(W, axis=1))  # balanced


def test_whitened_multiclass_matches_the_convex_program_class_by_class():
    X, _ = _whitened(6, 9, 1)
    labels = np.array([0, 1, 2, 0, 1, 2])
    Y = np.eye(3)[labels]
    beta = 0.4
    W, A = extreme.whitened_multiclass(X, Y, beta)
    closed = extreme.multiclass_objective(X, Y, W, A, beta)
    per_class = sum(convex.solve_convex(X, Y[:, k], beta, _all_patterns(6)).value
                    for k in range(3))
    assert abs(closed - per_class) <= 1e-6 * closed
    assert closed == pytest.approx(extreme.whitened_optimal_value(Y, beta), rel=1e-12)
    # the residual is dual feasible for the vector-output problem on many random directions
    R = Y - np.maximum(X @ W.T, 0) @ A
    U = np.random.default_rng(2).standard_normal((20000, 9))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    assert np.linalg.norm(np.maximum(U @ X.T, 0) @ R, axis=1).max() <= beta * (1 + 1e-9)


@pytest.mark.parametrize("beta", [0.5, 1.0, 1.5, 1.9, 2.5])
def test_whitened_classification_matches_the_hinge_convex_program(beta):
    X, _ = _whitened(6, 10, 3)
    y = np.array([1.0, -1.0, 1.0, 1.0, -1.0, 1.0])  # n_+ = 4, n_- = 2
    W, a = extreme.whitened_classification(X, y, beta)
    closed = extreme.hinge_objective(X, y, W, a, beta)
    exact = extreme.hinge_convex_program(X, y, beta, _all_patterns(6))
    assert abs(closed - exact) <= 1e-6 * exact
    roots = np.sqrt([4.0, 2.0])
    assert closed == pytest.approx(np.minimum(beta * roots, roots**2).sum(), rel=1e-12)
    assert a.size == int((roots > beta).sum())
    assert np.allclose(np.abs(a), np.linalg.norm(W, axis=1))  # balanced
    # the dual point of Theorem 12 certifies it independently of any solver: y_i v_i in [0, 1],
    # |v.(Xu)_+| <= beta on the whole sphere (sampled) and v.y equal to the closed form's value
    Z = np.column_stack([y > 0, y < 0]).astype(float)
    v = (Z * np.minimum(beta / roots, 1.0)) @ np.array([1.0, -1.0])
    assert np.all((y * v >= 0) & (y * v <= 1 + 1e-12))
    U = np.random.default_rng(4).standard_normal((20000, 10))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    assert np.abs(np.maximum(U @ X.T, 0) @ v).max() <= beta * (1 + 1e-12)
    assert v @ y == pytest.approx(closed, rel=1e-12)
    if a.size == 2:  # every sample on the margin, the class neurons on the class means
        assert np.allclose(y * network.forward(X, W, a), 1.0)
        assert np.allclose(W[0] / np.linalg.norm(W[0]), X.T @ Z[:, 0] / 2.0)


def test_whitened_classification_neuron_is_the_raw_second_moment_discriminant():
    rng = np.random.default_rng(8)
    X_raw = rng.standard_normal((7, 12)) + 0.5
    y = np.where(rng.standard_normal(7) > 0, 1.0, -1.0)
    y[:2] = [1.0, -1.0]
    Xw, M = extreme.whiten(X_raw)
    W, a = extreme.whitened_classification(Xw, y, 0.1)
    Sigma = X_raw.T @ X_raw / 7
    mu = X_raw.T @ (y > 0) / 7
    raw = M @ W[0]  # the neuron acting on raw samples: (x_raw M) . w = x_raw . (M w)
    fisher = np.linalg.pinv(Sigma) @ mu
    assert abs(raw @ fisher) == pytest.approx(np.linalg.norm(raw) * np.linalg.norm(fisher),
                                              rel=1e-10)


def test_whitened_classification_errors_name_the_argument():
    X, _ = _whitened(4, 6, 0)
    y = np.array([1.0, -1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"y must hold labels in \{-1, \+1\}, got y\[2\]"):
        extreme.whitened_classification(X, [1.0, -1.0, 0.5, 1.0], 0.1)
    with pytest.raises(ValueError, match="whitened"):
        extreme.whitened_classification(2 * X, y, 0.1)
    with pytest.raises(ValueError, match="beta must be > 0"):
        extreme.whitened_classification(X, y, -1.0)
    with pytest.raises(ValueError, match=r"threshold sqrt\(n_-\) = 1 of the -1 class"):
        extreme.whitened_classification(X, y, 1.0, strict=True)
    assert extreme.whitened_classification(X, y, 1.0)[1].tolist() == pytest.approx([3**0.25])
    with pytest.raises(ValueError, match="y must have"):
        extreme.hinge_objective(X, np.ones(3), np.zeros((1, 6)), np.zeros(1), 0.1)


def _rank_one_data(seed, n=8, d=3):
    rng = np.random.default_rng(seed)
    c = np.sort(rng.uniform(0.2, 2.0, n))
    q = rng.standard_normal(d)
    return np.outer(c, q), np.sin(3 * c) + 0.3 * rng.standard_normal(n), c * np.linalg.norm(q)


@pytest.mark.parametrize("beta", [0.01, 0.1])
def test_rank_one_network_is_certified_by_the_exact_dual(beta):
    X, y, t = _rank_one_data(3)
    W, b, a = extreme.rank_one_network(X, y, beta)
    primal = network.objective(X, y, W, a, beta, b=b)
    v = y - network.forward(X, W, a, b)
    # dual constraint with a free bias: 1^T v = 0 and |v^T (s (t - t_i))_+| <= beta at the knots
    assert abs(v.sum()) <= 1e-6 * np.abs(y).sum()
    atoms = np.hstack([np.maximum(t[:, None] - t, 0), np.maximum(t - t[:, None], 0)])
    assert np.abs(v @ atoms).max() <= beta * (1 + 1e-6)
    dual = -0.5 * np.sum((v - y) ** 2) + 0.5 * y @ y
    assert primal - dual <= 1e-6 * primal
    # and on random (u, b) directions: |v^T (X u + b)_+| never exceeds beta ||u||
    rng = np.random.default_rng(4)
    U = rng.standard_normal((5000, X.shape[1]))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    B = rng.uniform(-5, 5, 5000)
    assert np.abs(np.maximum(U @ X.T + B[:, None], 0) @ v).max() <= beta * (1 + 1e-6)
    # knots at samples: every neuron's kink -b_j / (w_j . q) is a sample or outside the data
    q = X[0] / np.linalg.norm(X[0])
    slopes = W @ q
    kinks = -b[slopes != 0] / slopes[slopes != 0]
    assert all(np.min(np.abs(t - k)) < 1e-8 or k < t.min() or k > t.max() for k in kinks)


def test_rank_one_network_gd_never_beats_it():
    X, y, _ = _rank_one_data(5, n=6, d=2)
    res = extreme.gd_against_closed_form(X, y, 0.05, kind="rank_one", m=12, scales=[1.0],
                                         runs=3, rng=0, lr=0.02, steps=3000)
    assert np.all(res.finals >= res.closed_value * (1 - 1e-6))


def test_autoencoder_neurons_isolate_each_sample_and_interpolate():
    theta = np.sort(np.random.default_rng(0).uniform(0, 2 * np.pi, 7))
    X = np.column_stack([np.cos(theta), np.sin(theta)]) * 1.5
    U, b = extreme.autoencoder_neurons(X)
    P = X @ U.T + b  # P[j, i]: pre-activation of sample j at neuron i
    assert np.allclose(np.linalg.norm(U, axis=1), 1)
    off = P[~np.eye(7, dtype=bool)]
    assert off.max() <= 1e-9 and np.diag(P).min() > 1e-3
    y = np.random.default_rng(1).standard_normal(7)
    a = y / np.diag(P)
    assert np.allclose(network.forward(X, U, a, b), y, atol=1e-9)
    assert extreme.hull_vertices(X).all()


def test_autoencoder_neurons_refuse_a_sample_inside_the_hull():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.2, 0.2]])
    assert list(extreme.hull_vertices(X)) == [True, True, True, False]
    with pytest.raises(ValueError, match="sample 3 lies in it"):
        extreme.autoencoder_neurons(X)


def test_spike_free_conditions():
    X, _ = _whitened(4, 6, 2)
    assert extreme.is_spike_free(X, rng=0)
    assert extreme.is_spike_free(np.outer([1.0, 2.0, 0.5], [1.0, -1.0]), rng=0)
    acute = np.array([[1.0, 0.0], [np.cos(1.0), np.sin(1.0)]])
    obtuse = np.array([[1.0, 0.0], [np.cos(2.2), np.sin(2.2)]])
    assert extreme.is_spike_free(acute, rng=0)
    assert not extreme.is_spike_free(obtuse, rng=0)
    # the spike of the obtuse pair: u = e_1 switches sample 2 off and (1, 0) is outside X B_2
    assert extreme.spike_excess(obtuse, [[1.0, 0.0]])[0] > 0.1
    assert not extreme.is_spike_free(np.random.default_rng(0).standard_normal((20, 3)), rng=0)


def test_optimal_neurons_are_extreme_points_in_the_directions_of_the_dual_vector():
    X = np.array([[1.0, 0.2], [np.cos(2.0), np.sin(2.0)]])
    y = np.array([1.0, -0.6])
    beta = 0.2
    sol = convex.solve_convex(X, y, beta, enumerate_patterns_2d(X))
    W, a = convex.merge_neurons(*convex.recover_network(sol))
    v = sol.residual
    geo = extreme.rectified_ellipsoid_2d(X, num=4001)
    support = np.abs(geo.rectified @ v).max()
    assert support == pytest.approx(beta, rel=1e-5)  # the dual constraint is active
    for w, aj in zip(W, a):
        z = np.maximum(X @ (w / np.linalg.norm(w)), 0)
        assert np.sign(aj) * (v @ z) == pytest.approx(beta, rel=1e-6)
        # z is on the boundary of the hull: no hull vertex goes further along +-v
        assert abs(v @ z) >= np.abs(geo.hull @ v).max() * (1 - 1e-5)
    assert not geo.spike_free


def test_spike_free_cutting_plane_reaches_the_closed_form_with_a_checked_certificate():
    X, y = _whitened(30, 40, 3)
    beta = 0.2
    res = extreme.spike_free_cutting_plane(X, y, beta, rng=0, num_random=2000)
    closed = extreme.whitened_optimal_value(y, beta)
    assert res.converged
    assert abs(res.values[-1] - closed) <= 1e-6 * closed
    assert res.certificate.gap <= 1e-6 * closed
    assert np.all(np.diff(res.values) <= 1e-9)
    assert res.working_set[-1] == res.working_set.max() >= 2
    # independent check of the certificate's dual point on many random directions
    v = res.certificate.scale * (y - network.forward(X, res.W, res.a))
    U = np.random.default_rng(9).standard_normal((20000, 40))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    assert np.abs(np.maximum(U @ X.T, 0) @ v).max() <= beta * (1 + 1e-9)
    assert res.random_check <= 1 + 1e-9


def test_cutting_plane_on_gaussian_data_brackets_the_relaxed_optimum():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((15, 30))
    y = rng.standard_normal(15)
    res = extreme.spike_free_cutting_plane(X, y, 0.3, rng=1, max_iter=20, num_random=5000)
    # the relaxation is the convex program on the single pattern D = I (Theorem 4)
    relaxed = convex.solve_convex(X, y, 0.3, np.ones((1, 15), bool)).value
    assert network.objective(X, y, res.W, res.a, 0.3) == pytest.approx(res.values[-1], rel=1e-9)
    assert res.values[-1] >= relaxed * (1 - 1e-7)
    assert res.certificate.dual <= relaxed * (1 + 1e-7)
    assert np.all(np.diff(res.values) <= 1e-9)
    assert np.all(X @ res.W.T >= -1e-9)  # neurons stay in the cone Xu >= 0


def test_gd_reaches_the_whitened_closed_form_from_a_normal_scale():
    X, y = _whitened(4, 6, 0)
    res = extreme.gd_against_closed_form(X, y, 0.1, kind="whitened", m=8, scales=[1.0],
                                         runs=4, rng=1, lr=0.3, steps=4000)
    assert np.all(res.finals >= res.closed_value * (1 - 1e-9))
    assert np.all(res.relative_excess <= 1e-8)


def test_digits_closed_form_is_below_every_sgd_run():
    res = extreme.digits_experiment(n_train=30, beta=0.1, runs=2, rng=0, m=10, steps=300,
                                    classes=(0, 1, 2))
    assert np.all(res.sgd_values >= res.closed_value * (1 - 1e-9))
    assert res.closed_train_accuracy == 1.0
    assert 0.5 < res.closed_test_accuracy <= 1.0
    assert res.n_test > 400


def test_classification_regions_separate_and_put_knots_at_samples():
    x = np.array([-1.0, -0.6, -0.2, 0.1, 0.5, 0.9])
    y = np.array([1.0, 1.0, -1.0, -1.0, 1.0, -1.0])
    res = extreme.classification_regions(x, y, np.linspace(-1.2, 1.2, 241))
    margins = y * np.interp(x, res.grid, res.network)
    assert margins.min() >= 1 - 1e-5
    assert np.all(np.isin(res.knots, x))
    assert np.all(np.sign(np.interp(x, res.grid, res.ntk)) == y)


def test_cutting_vs_sampling_sampled_programs_stay_above_the_certified_bound():
    X, y = _whitened(12, 16, 6)
    res = extreme.cutting_vs_sampling(X, y, 0.2, num_directions=[4, 16], rng=0,
                                      num_random=1000)
    assert np.all(res.sampled_values >= res.cutting.certificate.dual * (1 - 1e-7))
    assert np.all(res.sampled_gap >= -1e-7)


def test_whiten_gives_orthonormal_rows_and_refuses_dependent_rows():
    X = np.random.default_rng(0).standard_normal((5, 9))
    Xw, M = extreme.whiten(X)
    assert np.allclose(Xw @ Xw.T, np.eye(5), atol=1e-12)
    assert np.allclose(X @ M, Xw)
    with pytest.raises(ValueError, match="linearly independent rows"):
        extreme.whiten(np.vstack([X, X[:1]]))


def test_clear_errors():
    X, y = _whitened(4, 6, 0)
    with pytest.raises(ValueError, match="whitened"):
        extreme.whitened_regression(2 * X, y, 0.1)
    with pytest.raises(ValueError, match="n <= d"):
        extreme.whitened_regression(X.T, np.zeros(6), 0.1)
    with pytest.raises(ValueError, match="threshold"):
        extreme.whitened_regression(X, y, 100.0, strict=True)
    assert extreme.whitened_regression(X, y, 100.0)[0].shape == (0, 6)
    with pytest.raises(ValueError, match="beta must be > 0"):
        extreme.whitened_regression(X, y, 0.0)
    with pytest.raises(ValueError, match="one-hot"):
        extreme.whitened_multiclass(X, np.ones((4, 2)), 0.1)
    with pytest.raises(ValueError, match="rank one"):
        extreme.rank_one_network(np.eye(3), np.ones(3), 0.1)
    with pytest.raises(ValueError, match="c >= 0"):
        extreme.rank_one_network(np.outer([1.0, -1.0, 2.0], [1.0, 0.0]), np.ones(3), 0.1)
    with pytest.raises(TypeError, match="beta must be a real number"):
        extreme.whitened_regression(X, y, "0.1")
    with pytest.raises(ValueError, match="kind"):
        extreme.gd_against_closed_form(X, y, 0.1, kind="other", m=2, scales=[1.0], runs=1,
                                       rng=0, lr=0.1, steps=1)


def test_explorer_redraws_when_its_slider_moves_and_the_snapshot_is_pure(capsys):
    import matplotlib.pyplot as plt

    from twolayer.widgets.extreme_points import extreme_points_explorer, extreme_points_snapshot

    plt.close("all")
    widget = extreme_points_explorer()
    capsys.readouterr()
    slider = next(c for c in widget.children[:-1] if "angle" in c.description)
    slider.value = 60.0
    assert "Figure" in capsys.readouterr().out
    assert plt.get_fignums() == []
    first = extreme_points_snapshot(np.radians(60.0))
    again = extreme_points_snapshot(np.radians(60.0))
    assert first.get_size_inches().tolist() == again.get_size_inches().tolist()
    assert "spike-free" in first._suptitle.get_text()
    assert "with spikes" in extreme_points_snapshot(np.radians(150.0))._suptitle.get_text()
    plt.close("all")
    with pytest.raises(ValueError, match="angle"):
        extreme_points_snapshot(0.1)


def _biased_spike_free(n, d, seed):
    """X with [X, 1] of orthogonal rows of equal norm: X X^T = (n + 1) I - 1 1^T."""
    rng = np.random.default_rng(seed)
    vals, vecs = np.linalg.eigh((n + 1) * np.eye(n) - np.ones((n, n)))
    R = np.linalg.qr(rng.standard_normal((d, n)))[0].T  # (n, d), orthonormal rows
    return vecs @ (np.sqrt(vals)[:, None] * R), rng.standard_normal(n)


def test_cutting_plane_with_biases_reaches_the_program_with_biases_on_spike_free_data():
    X, y = _biased_spike_free(5, 7, 0)
    Xa = np.column_stack([X, np.ones(5)])
    assert np.allclose(Xa @ Xa.T, 6 * np.eye(5))
    beta = 0.3
    cut = extreme.spike_free_cutting_plane(X, y, beta, rng=0, bias=True, num_random=5000)
    exact = convex.solve_convex(Xa, y, beta, _all_patterns(5)).value  # every pattern of [X, 1]
    assert cut.converged and cut.b.shape == cut.a.shape and cut.W.shape[1] == 7
    assert abs(cut.values[-1] - exact) <= 1e-6 * exact
    assert cut.certificate.relative_gap <= 1e-6 and cut.random_check <= 1 + 1e-6
    # the value is the objective with the biases penalized like the weights
    unpenalized = network.objective(X, y, cut.W, cut.a, beta, b=cut.b)
    assert cut.values[-1] == pytest.approx(unpenalized + 0.5 * beta * cut.b @ cut.b, rel=1e-10)


def test_cutting_plane_with_biases_solves_the_relaxation_on_generic_data():
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((5, 8)), rng.standard_normal(5)
    Xa = np.column_stack([X, np.ones(5)])
    cut = extreme.spike_free_cutting_plane(X, y, 0.5, rng=0, bias=True, num_random=2000)
    relaxed = convex.solve_convex(Xa, y, 0.5, np.ones((1, 5), bool)).value  # the one cone
    exact = convex.solve_convex(Xa, y, 0.5, _all_patterns(5)).value
    assert cut.converged
    assert abs(cut.values[-1] - relaxed) <= 1e-5 * relaxed
    assert cut.values[-1] >= exact * (1 - 1e-7)
    assert np.all(np.diff(cut.values) <= 1e-9)
    # the cone certificate bounds the relaxed problem only: on these data the whole sphere
    # has directions that violate it, as the random check shows
    assert cut.random_check > 1.0 and exact < relaxed * (1 - 1e-3)
    with pytest.raises(TypeError, match="bias must be True or False"):
        extreme.spike_free_cutting_plane(X, y, 0.5, bias=1, rng=0)


def test_gaussian_relaxation_gap_brackets_and_shrinks_with_the_dimension():
    res = extreme.gaussian_relaxation_gap(30, [4, 120], 0.5, rng=0, max_iter=10, rounds=3,
                                          num_search=500, top=4)
    assert res.cone_trivial.tolist() == [True, False]
    assert np.all(res.lower_bounds <= res.relaxed_values * (1 + 1e-9))
    assert np.all(res.lower_bounds <= res.searched_values * (1 + 1e-9))
    assert np.all(res.excess <= res.relative_gaps + 1e-12)
    assert res.relative_gaps[1] < res.relative_gaps[0]
    assert res.excess[0] > 0.1  # in low dimension a network off the cone beats the relaxation
    assert res.spike_ratio[0] == np.inf and res.spike_ratio[1] >= 1 - 1e-9

"""Least symmetry breaking beyond Gaussian inputs: the input laws and activations of
twolayer.symmetry.beyond, the isotropy of constructed points, the study and its explorer."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import erf

from twolayer import gaussian, symmetry
from twolayer.plotting.least_symmetry_breaking import plot_rho_frame, plot_symmetry_table
from twolayer.symmetry import beyond
from twolayer.widgets.least_symmetry_breaking import rho_explorer, rho_figure

MIXTURE = ([0.5, -0.1], [0.6, 1.3], [0.5, 0.5])


def _fd_gradient(f, W, h=1e-6):
    out = np.zeros_like(W)
    for idx in np.ndindex(*W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        out[idx] = (f(W + E) - f(W - E)) / (2 * h)
    return out


# ----------------------------------------------------------------------------- laws


def test_the_invariant_root_squares_to_the_covariance_and_commutes_with_permutations():
    d, rho = 6, -0.15
    S = beyond._invariant_root(d, rho, 1.0)
    np.testing.assert_allclose(S @ S, (1 - rho) * np.eye(d) + rho * np.ones((d, d)), atol=1e-14)
    P = np.eye(d)[np.random.default_rng(0).permutation(d)]
    np.testing.assert_allclose(P @ S @ P.T, S, atol=1e-15)


def test_rho_zero_gives_the_standard_closed_form():
    W = np.random.default_rng(1).standard_normal((4, 5))
    loss, grad = symmetry.law_loss_and_gradient(W, np.eye(5), symmetry.correlated_gaussian(5, 0.0))
    assert loss == pytest.approx(gaussian.population_loss(W, np.eye(5)), abs=1e-13)
    np.testing.assert_allclose(grad, gaussian.population_gradient(W, np.eye(5)), atol=1e-14)


@pytest.mark.parametrize("activation", ["relu", "erf"])
@pytest.mark.parametrize("which", ["correlated", "mixture"])
def test_population_loss_matches_monte_carlo_and_its_gradient_finite_differences(
    activation, which
):
    d = 5
    law = (symmetry.correlated_gaussian(d, 0.3) if which == "correlated"
           else symmetry.gaussian_mixture(d, *MIXTURE))
    W = np.random.default_rng(2).standard_normal((4, d))
    V = np.eye(d)
    loss, grad = symmetry.law_loss_and_gradient(W, V, law, activation=activation)
    X = law.sample(200_000, 3)
    phi = (lambda z: np.maximum(z, 0.0)) if activation == "relu" else erf
    r = phi(X @ W.T).sum(1) - phi(X @ V.T).sum(1)
    values = 0.5 * r * r
    assert abs(values.mean() - loss) < 5 * values.std() / np.sqrt(values.size)
    fd = _fd_gradient(lambda M: symmetry.law_loss_and_gradient(M, V, law,
                                                               activation=activation)[0], W)
    np.testing.assert_allclose(grad, fd, atol=1e-7)


def test_every_law_keeps_the_loss_invariant_under_rows_and_columns():
    d = 6
    gen = np.random.default_rng(4)
    W = gen.standard_normal((d, d))
    rows, cols = gen.permutation(d), gen.permutation(d)
    for law in (symmetry.correlated_gaussian(d, 0.4), symmetry.gaussian_mixture(d, *MIXTURE)):
        for activation in ("relu", "erf"):
            a = symmetry.law_loss_and_gradient(W, np.eye(d), law, activation=activation)
            b = symmetry.law_loss_and_gradient(symmetry.act(W, rows, cols), np.eye(d), law,
                                               activation=activation)
            assert a[0] == pytest.approx(b[0], abs=1e-12)
            np.testing.assert_allclose(symmetry.act(a[1], rows, cols), b[1], atol=1e-13)


def test_law_errors():
    with pytest.raises(ValueError, match=r"rho must be > -0.2"):
        symmetry.correlated_gaussian(6, -0.2)
    with pytest.raises(ValueError, match="one entry per component"):
        symmetry.gaussian_mixture(4, [0.1], [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="activation must be one of"):
        symmetry.law_loss_and_gradient(np.eye(3), np.eye(3), symmetry.correlated_gaussian(3, 0),
                                       activation="tanh")
    with pytest.raises(ValueError, match="law has dimension 4"):
        symmetry.law_loss_and_gradient(np.eye(3), np.eye(3), symmetry.correlated_gaussian(4, 0))
    with pytest.raises(TypeError, match="law must be an InputLaw"):
        symmetry.law_loss_and_gradient(np.eye(3), np.eye(3), "gaussian")


# ----------------------------------------------------------------------------- isotropy


def _block_point(sizes, d, seed=0):
    """A point of Fix(Δ(S_a × S_b × ...)): diagonal and off-diagonal values per block."""
    gen = np.random.default_rng(seed)
    W = np.zeros((d, d))
    starts = np.cumsum([0, *sizes])
    for p, (a0, a1) in enumerate(zip(starts[:-1], starts[1:])):
        for b0, b1 in zip(starts[:-1], starts[1:]):
            W[a0:a1, b0:b1] = gen.uniform(-0.5, 0.5)
        W[a0:a1, a0:a1] += (1.0 + p) * np.eye(a1 - a0)
    return W


@pytest.mark.parametrize(("sizes", "label", "order"), [
    ([8], "ΔS_8", 40320),
    ([7, 1], "ΔS_7", 5040),
    ([6, 2], "ΔS_6 × ΔS_2", 1440),
    ([5, 3], "ΔS_5 × ΔS_3", 720),
])
def test_detect_isotropy_on_constructed_points(sizes, label, order):
    W = _block_point(sizes, 8)
    gen = np.random.default_rng(5)
    scrambled = symmetry.act(W, gen.permutation(8), gen.permutation(8))
    iso = symmetry.detect_isotropy(scrambled, tol=1e-9)
    assert iso.label == label and iso.order == order
    assert symmetry.is_maximal_isotropy(label, 8)
    # A perturbation of one entry breaks it.
    broken = scrambled.copy()
    broken[0, 0] += 1e-3
    assert symmetry.detect_isotropy(broken, tol=1e-9).order < order


@pytest.mark.parametrize(("label", "tex"), [
    ("ΔS_8", r"$\Delta S_{8}$"),
    ("ΔS_6 × ΔS_2", r"$\Delta S_{6} \times \Delta S_{2}$"),
    ("ΔS_5 × S_3(rows)", r"$\Delta S_{5} \times S_{3}^{\text{rows}}$"),
    ("ΔS_4 × ΔS_4 × S_2(cols)", r"$\Delta S_{4} \times \Delta S_{4} \times S_{2}^{\text{cols}}$"),
    ("1", "$1$"),
])
def test_isotropy_labels_as_tex_for_the_prose(label, tex):
    assert symmetry.label_math(label) == tex


def test_label_math_refuses_what_is_not_a_label():
    with pytest.raises(ValueError, match="label must be a label of Isotropy, got 'S_x'"):
        symmetry.label_math("S_x")
    with pytest.raises(ValueError, match="label must be a label of Isotropy"):
        symmetry.label_math("ΔS_4 x ΔS_2")
    with pytest.raises(TypeError, match="label must be a str, got int"):
        symmetry.label_math(4)


def test_maximal_type_rule():
    assert symmetry.is_maximal_isotropy("ΔS_10", 10) and symmetry.is_maximal_isotropy("ΔS_9", 10)
    assert symmetry.is_maximal_isotropy("ΔS_5 × ΔS_5", 10)
    assert symmetry.is_maximal_isotropy("ΔS_9 × ΔS_1", 10)  # one neuron alone, written out
    assert not symmetry.is_maximal_isotropy("ΔS_8", 10)  # two neurons outside the orbit
    assert not symmetry.is_maximal_isotropy("ΔS_6 × ΔS_3", 10)  # one neuron outside both
    assert not symmetry.is_maximal_isotropy("ΔS_4 × ΔS_4 × ΔS_2", 10)  # three orbits
    assert not symmetry.is_maximal_isotropy("ΔS_9 × S_1(cols)", 10)  # a factor on one side
    assert not symmetry.is_maximal_isotropy("ΔS_4 × ΔS_4 × S_2(cols)", 10)
    assert not symmetry.is_maximal_isotropy("1", 10)
    with pytest.raises(ValueError, match="^k must be >= 1, got 0"):
        symmetry.is_maximal_isotropy("ΔS_2", 0)
    with pytest.raises(ValueError, match="^label must be a label of Isotropy, got 'ΔS_'"):
        symmetry.is_maximal_isotropy("ΔS_", 2)


@pytest.mark.parametrize(("label", "n"), [
    ("ΔS_8", 8), ("ΔS_6 × ΔS_2", 6), ("ΔS_5 × S_3(rows)", 5), ("S_3(rows)", 0), ("1", 0),
    ("ΔS_12 × ΔS_3", 12),  # two digits
])
def test_largest_diagonal_orbit_reads_the_first_factor(label, n):
    assert symmetry.largest_diagonal_orbit(label) == n
    # the detected isotropy of a point with these orbits gives them back
    if label.startswith("ΔS") and "rows" not in label:
        sizes = [int(part[3:]) for part in label.split(" × ")]
        W = _block_point(sizes, sum(sizes))
        assert symmetry.largest_diagonal_orbit(symmetry.detect_isotropy(W, tol=1e-9).label) == n


def test_largest_diagonal_orbit_refuses_what_is_not_a_label():
    with pytest.raises(TypeError, match="^label must be a str, got NoneType"):
        symmetry.largest_diagonal_orbit(None)
    with pytest.raises(ValueError, match="^label must be a label of Isotropy"):
        symmetry.largest_diagonal_orbit("ΔS_4 x ΔS_2")


def test_isotropy_labels_detect_once_per_orbit_and_agree_with_detect_isotropy():
    W = _block_point([6, 2], 8)
    gen = np.random.default_rng(6)
    points = [symmetry.act(W, gen.permutation(8), gen.permutation(8)) for _ in range(3)]
    points.append(_block_point([7, 1], 8))
    losses = [0.5, 0.5, 0.5, 0.7]
    labels = symmetry.isotropy_labels(points, losses, tol=1e-9)
    assert labels == ["ΔS_6 × ΔS_2"] * 3 + ["ΔS_7"]
    with pytest.raises(ValueError, match="same length"):
        symmetry.isotropy_labels(points, losses[:2])


# ----------------------------------------------------------------------------- the study


def test_symmetry_of_minima_finds_type_a_and_the_gaussian_reference_agrees():
    row = symmetry.symmetry_of_minima("ReLU, N(0, I)", 8, 30, [0],
                                      law=symmetry.correlated_gaussian(8, 0.0))
    assert row.runs == 30 and sum(row.counts.values()) == 30
    assert row.counts["spurious"] > 0
    lowest = row.orbits[0]
    # The lowest spurious minimum is type A, with the loss of the type-A family at k = 8.
    assert lowest[1] == "ΔS_7"
    alpha8 = [1.00143, -0.02588, 0.22809, 0.15982, -0.65826]
    assert lowest[0] == pytest.approx(symmetry.type_a_critical_point(8, alpha8).loss, abs=1e-8)
    assert row.maximal == row.counts["spurious"] and row.trivial == 0


def test_positive_correlation_makes_spurious_minima_rarer():
    rows = symmetry.least_symmetry_table(8, 30, [0], settings=["ReLU, rho = -0.1",
                                                               "ReLU, rho = 0.3"])
    assert rows[0].counts["spurious"] > rows[1].counts["spurious"]
    assert [r.setting for r in rows] == ["ReLU, rho = -0.1", "ReLU, rho = 0.3"]


def test_the_table_is_reproducible():
    a = symmetry.least_symmetry_table(6, 10, [1], settings=["ReLU, mixture"])
    b = symmetry.least_symmetry_table(6, 10, [1], settings=["ReLU, mixture"])
    assert a == b


def test_study_errors():
    with pytest.raises(ValueError, match="settings must be among"):
        symmetry.least_symmetry_table(6, 2, [0], settings=["tanh"])
    with pytest.raises(ValueError, match="exactly one of law"):
        symmetry.symmetry_of_minima("x", 4, 2, [0])
    with pytest.raises(ValueError, match="needs k = d"):
        symmetry.symmetry_of_minima("x", 3, 2, [0], sample=np.ones((5, 4)))


def test_a_closed_sample_keeps_the_symmetry_a_raw_one_breaks_it():
    X = symmetry.symmetric_sample(3, 4, 0, symmetrize=True)
    assert X.shape == (72, 4)
    # Closed under permutations: the sorted rows of every column permutation are the same set.
    key = {tuple(r) for r in np.round(X, 12)}
    assert key == {tuple(r) for r in np.round(X[:, [1, 0, 3, 2]], 12)}
    point = symmetry.type_a_critical_point(6, [0.98670, -0.05041, 0.30801, 0.22452, -0.60151])
    closed = symmetry.sample_noise_isotropy(point.W, 2, 0, symmetrize=True, tols=[1e-6])
    raw = symmetry.sample_noise_isotropy(point.W, 2000, 0, symmetrize=False, tols=[1e-6])
    assert closed.labels == ("ΔS_5",) and closed.grad_max < 1e-8
    assert raw.labels == ("1",)
    with pytest.raises(ValueError, match="symmetrize needs d <= 7"):
        symmetry.symmetric_sample(2, 8, 0, symmetrize=True)


def test_the_three_layer_gradient_matches_finite_differences():
    X = symmetry.symmetric_sample(40, 3, 1, symmetrize=False)
    theta = np.random.default_rng(7).standard_normal(3 * 3 + 3 * 3)
    _, g = beyond._deep_kernel(theta[None], X, 3)
    fd = _fd_gradient(lambda t: beyond._deep_kernel(t[None], X, 3)[0][0], theta)
    np.testing.assert_allclose(g[0], fd, atol=1e-6)


# ----------------------------------------------------------------------------- explorer


@pytest.fixture(scope="module")
def sweep():
    return symmetry.rho_sweep(6, [-0.15, 0.0, 0.3], 12, rng=0).join(
        symmetry.rho_sweep(6, [0.5], 12, rng=0))


def test_rho_sweep_and_join(sweep):
    assert sweep.rhos == (-0.15, 0.0, 0.3, 0.5)
    assert len(sweep.minima) == 4 and len(sweep.labels) == 4
    for i in range(4):
        lo, hi = sweep.interval(i)
        assert lo <= sweep.spurious[i] / sweep.runs <= hi
        assert (sweep.minima[i] is None) == (sweep.labels[i] == "-")
    with pytest.raises(ValueError, match="same k and runs"):
        sweep.join(symmetry.rho_sweep(5, [0.0], 12, rng=0))


def test_rho_frame_has_the_same_size_and_marks_the_current_rho(sweep):
    sizes = set()
    for i in range(len(sweep.rhos)):
        fig = rho_figure(sweep, i)
        sizes.add(tuple(fig.get_size_inches()))
        ax0, ax1 = fig.axes[:2]
        assert f"rho = {sweep.rhos[i]:g}" in ax1.get_title()
        marker = ax0.lines[-1]
        assert marker.get_xdata()[0] == sweep.rhos[i]
    assert len(sizes) == 1
    with pytest.raises(ValueError, match="index must lie in"):
        rho_figure(sweep, 4)


def test_rho_explorer_redraws(sweep, capsys):
    w = rho_explorer(sweep)
    w.children[0].value = 2
    assert w.children[0].value == 2


def test_symmetry_table_figure_draws_one_dot_per_orbit():
    rows = symmetry.least_symmetry_table(8, 20, [0], settings=["ReLU, rho = -0.1"])
    fig = plot_symmetry_table(rows)
    ax = fig.axes[0]
    assert len(ax.collections) == len(rows[0].orbits)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["ReLU, rho = -0.1"]
    fig2 = plot_rho_frame(symmetry.rho_sweep(5, [0.0], 5, rng=0), 0)
    assert len(fig2.axes) >= 2


# ----------------------------------------------------------------------------- one more layer


def test_the_closed_sample_makes_the_three_layer_loss_invariant_under_its_three_groups():
    d = 3
    X = symmetry.symmetric_sample(4, d, 2, symmetrize=True)
    gen = np.random.default_rng(5)
    W, A = gen.standard_normal((d, d)), gen.standard_normal((d, d))

    def loss(W, A):
        return beyond._deep_kernel(np.concatenate([W.ravel(), A.ravel()])[None], X, d)[0][0]

    p, q, r = [2, 0, 1], [1, 0, 2], [0, 2, 1]
    base = loss(W, A)
    # Rows of A; rows of W with columns of A; columns of W (the closed sample is needed here).
    assert loss(W, A[p]) == pytest.approx(base, abs=1e-13)
    assert loss(W[q], A[:, q]) == pytest.approx(base, abs=1e-13)
    assert loss(W[:, r], A) == pytest.approx(base, abs=1e-13)
    raw = symmetry.symmetric_sample(4, d, 2, symmetrize=False)
    raw_loss = beyond._deep_kernel(np.concatenate([W[:, r].ravel(), A.ravel()])[None], raw, d)
    assert abs(raw_loss[0][0] - beyond._deep_kernel(
        np.concatenate([W.ravel(), A.ravel()])[None], raw, d)[0][0]) > 1e-6


def test_three_layer_study_counts_every_run_and_never_calls_a_stalled_run_a_minimum():
    row = symmetry.three_layer_symmetry(4, 50, 15, [0], 0)
    assert row.setting == "ReLU, three layers" and row.k == 4 and row.runs == 15
    assert sum(row.counts.values()) == 15
    assert row.counts["global"] >= 10
    # Seed 0 stalls three runs on kinks of the empirical loss; they stay "other", not minima.
    assert row.counts["spurious"] == 0 and row.orbits == ()
    assert len(row.stalled) == 3 <= row.counts["other"]
    for loss, g, _ in row.stalled:
        assert loss > 1e-8 and g > 1e-6 / np.sqrt(32)
    assert [s[0] for s in row.stalled] == sorted(s[0] for s in row.stalled)
    assert row == symmetry.three_layer_symmetry(4, 50, 15, [0], 0)


def test_rows_join_their_runs():
    a = symmetry.three_layer_symmetry(3, 10, 4, [0], 1)
    b = symmetry.three_layer_symmetry(3, 10, 4, [1], 1)
    both = a.join(b)
    assert both.runs == 8 and both == symmetry.three_layer_symmetry(3, 10, 4, [0, 1], 1)
    assert all(both.counts[key] == a.counts[key] + b.counts[key] for key in a.counts)
    rows = symmetry.least_symmetry_table(6, 10, [0, 1], settings=["ReLU, N(0, I)"])
    one = symmetry.least_symmetry_table(6, 10, [0], settings=["ReLU, N(0, I)"])[0]
    two = symmetry.least_symmetry_table(6, 10, [1], settings=["ReLU, N(0, I)"])[0]
    assert one.join(two) == rows[0]
    with pytest.raises(ValueError, match="other must have setting, k, tol"):
        a.join(one)
    with pytest.raises(TypeError, match="other must be a SymmetryRow"):
        a.join("row")


def test_three_layer_errors():
    with pytest.raises(ValueError, match="d must be <= 7"):
        symmetry.three_layer_symmetry(8, 1, 1, [0], 0)
    with pytest.raises(ValueError, match="d must be >= 2"):
        symmetry.three_layer_symmetry(1, 1, 1, [0], 0)
    with pytest.raises(TypeError, match="runs must be an integer"):
        symmetry.three_layer_symmetry(3, 1, 1.5, [0], 0)


def test_the_study_classifier_tells_a_minimum_a_saddle_and_a_point_that_is_not_critical():
    # the standard Gaussian (rho = 0) and four points of k = d = 6: the global minimum, the
    # type-A spurious minimum (Safran & Shamir 2018), the saddle c 1 1^T of the fully
    # symmetric space (symmetric criticality) and 2 I, where the gradient is far from zero
    from types import SimpleNamespace

    from scipy.optimize import minimize_scalar

    k = 6
    V = np.eye(k)
    fun = beyond._population_fun(V, beyond.correlated_gaussian(k, 0.0), "relu", k)
    alpha = symmetry.type_a_critical_point(k, [1.0, -0.05, 0.3, 0.2, -0.6]).alpha
    c = minimize_scalar(lambda c: fun(c * np.ones((1, k * k)))[0][0], bounds=(0.01, 2.0),
                        method="bounded", options={"xatol": 1e-12}).x
    points = [V, symmetry.type_a_weights(alpha, k), c * np.ones((k, k)), 2.0 * V]
    res = SimpleNamespace(x=np.stack([p.ravel() for p in points]))
    counts, minima, stalled = beyond._classify_many(fun, res, k, k, 1e-8, 1e-6, 1e-6)
    assert counts == {"global": 1, "spurious": 1, "saddle": 1, "other": 1}
    # the one minimum is listed with its loss and its isotropy (type A: Delta S_5)
    assert len(minima) == 1
    loss, label, _ = minima[0]
    assert loss == pytest.approx(gaussian.population_loss(points[1], V), rel=1e-10)
    assert label == symmetry.detect_isotropy(points[1]).label == "ΔS_5"
    # the point that is not critical is listed as stalled, with a step that still descends
    assert len(stalled) == 1 and stalled[0][2] is False
    assert stalled[0][0] == pytest.approx(gaussian.population_loss(2.0 * V, V), rel=1e-10)

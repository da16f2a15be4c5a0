"""The claims of the chapter "Solving the convex program at scale", at the chapter's sizes.

The interior-point method agrees with cvxpy + Clarabel to 1e-6 relative on the small problem
and its recovered network attains the optimum; its certificate brackets the optimum at every
checkpoint; on the large problem the convex optimum lies below every SGD run, the recovered
network attains it, and each SGD network's certified lower bound is at most the optimum (so
its certified gap is at least its true excess). Also the breast cancer loader, the figures and
the explorer.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from twolayer import arrangements, data, scale
from twolayer.plotting import solving_at_scale as splot
from twolayer.widgets.solving_at_scale import iterate_explorer, iterate_frame

# The chapter's settings (book/09_solving_at_scale.md).
N_TRAIN, COMPONENTS, SPLIT_SEED = 200, 10, 0
SMALL_N, SMALL_P, SMALL_BETA, CHECKPOINTS = 60, 30, 1.0, (2, 4, 8, 12)
SGD = {"num_patterns": 50, "width": 10, "runs": 4, "rng": 0, "lr": 1e-3, "steps": 3000,
       "batch_size": 50}
BETA = 2.0


@pytest.fixture(scope="module")
def split():
    return data.breast_cancer_classification(N_TRAIN, SPLIT_SEED, components=COMPONENTS)


@pytest.fixture(scope="module")
def small(split):
    X, y = split[0][:SMALL_N], split[1][:SMALL_N]
    pat = arrangements.sample_patterns(X, SMALL_P, 1)
    return X, y, pat, scale.ipm_convergence(X, y, SMALL_BETA, pat, CHECKPOINTS)


@pytest.fixture(scope="module")
def comparison(split):
    return scale.convex_against_sgd(*split, BETA, **SGD)


def test_breast_cancer_split_is_seeded_standardized_and_signed():
    Xtr, ytr, Xte, yte = data.breast_cancer_classification(100, 3)
    assert Xtr.shape == (100, 30) and Xte.shape == (469, 30)
    assert set(np.unique(ytr)) == {-1.0, 1.0} and set(np.unique(yte)) == {-1.0, 1.0}
    np.testing.assert_allclose(Xtr.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Xtr.std(axis=0), 1.0, atol=1e-12)
    assert abs(Xte.mean()) > 1e-6  # the test set is scaled by the training statistics
    again = data.breast_cancer_classification(100, 3)
    assert all(np.array_equal(a, b) for a, b in zip(again, (Xtr, ytr, Xte, yte)))
    other = data.breast_cancer_classification(100, 4)
    assert not np.array_equal(other[0], Xtr)
    # 212 malignant (+1) of 569 in all
    assert int((ytr > 0).sum() + (yte > 0).sum()) == 212


def test_breast_cancer_components_are_the_leading_principal_directions():
    Xtr, _, Xte, _ = data.breast_cancer_classification(150, 0, components=4)
    full, _, full_te, _ = data.breast_cancer_classification(150, 0)
    assert Xtr.shape == (150, 4) and Xte.shape == (419, 4)
    cov = Xtr.T @ Xtr
    np.testing.assert_allclose(cov - np.diag(np.diag(cov)), 0.0, atol=1e-8 * cov.max())
    var = np.diag(cov)
    assert np.all(np.diff(var) < 0)
    top = np.linalg.svd(full, compute_uv=False)[:4] ** 2
    np.testing.assert_allclose(var, top, rtol=1e-10)
    # the test set is projected on the same directions: norms never grow
    assert np.all(np.linalg.norm(Xte, axis=1) <= np.linalg.norm(full_te, axis=1) + 1e-9)


def test_breast_cancer_rejects_bad_sizes():
    with pytest.raises(ValueError, match="n_train must be below the 569"):
        data.breast_cancer_classification(569, 0)
    with pytest.raises(ValueError, match="components must be at most the 30"):
        data.breast_cancer_classification(100, 0, components=31)
    with pytest.raises(ValueError, match="n_train"):
        data.breast_cancer_classification(1, 0)


def test_ipm_agrees_with_cvxpy_and_its_network_attains_the_optimum(small):
    _, _, _, tr = small
    assert tr.relative_difference < 1e-6
    assert abs(tr.network_value - tr.solution.value) <= 1e-6 * tr.solution.value
    assert tr.neurons >= 1
    assert tr.solution.status == "optimal"


def test_the_certificate_brackets_the_optimum_and_closes(small):
    _, y, _, tr = small
    p = tr.cvxpy_value
    assert np.all(tr.dual <= p * (1 + 1e-8))
    assert np.all(tr.primal >= p * (1 - 1e-8))
    assert tr.gaps[0] > 1e-2 and tr.gaps[-1] <= 1e-8  # an early stop claims nothing
    assert tr.checkpoints[-1] == tr.history.size - 1
    assert tr.history[-1] == tr.gaps[-1]
    np.testing.assert_allclose(tr.gaps[:-1], tr.history[tr.checkpoints[:-1]], rtol=1e-12)
    assert tr.dual_residuals[-1] <= 1e-8 and np.all(tr.primal_residuals == 0.0)
    assert tr.fits.shape == (tr.checkpoints.size, y.size)


def test_checkpoints_beyond_the_run_are_dropped(small):
    X, y, pat, tr = small
    again = scale.ipm_convergence(X, y, SMALL_BETA, pat, [1000], reference=False)
    assert again.checkpoints.tolist() == [tr.checkpoints[-1]]
    assert np.isnan(again.cvxpy_value) and np.isnan(again.relative_difference)
    assert again.primal[0] == tr.primal[-1]


def test_convex_optimum_is_below_every_sgd_run_and_attained(comparison):
    c = comparison
    assert np.all(c.sgd_values > c.convex_value)
    assert np.all(c.excess > 0)
    assert abs(c.network_value - c.convex_value) <= 1e-6 * c.convex_value
    assert c.convex_gap <= 1e-8
    assert c.patterns > c.sampled_patterns
    assert c.solution.patterns.shape[0] == c.patterns


def test_each_certificate_bounds_the_excess_of_its_network(comparison):
    c = comparison
    # the dual bound of each SGD network is at most the optimum of the program ...
    assert np.all(c.dual_bounds <= c.convex_value * (1 + 1e-8))
    # ... so the certified gap is at least the true distance to the optimum
    assert np.all(c.certified_gaps * c.sgd_values >= c.sgd_values - c.convex_value - 1e-9)
    assert np.all(c.certified_gaps > c.excess * c.convex_value / c.sgd_values)
    assert np.all(c.certified_gaps < 1)


def test_the_models_classify_held_out_biopsies(comparison):
    c = comparison
    assert c.convex_test_accuracy > 0.9
    assert np.all(c.sgd_test_accuracy > 0.9)
    assert c.convex_train_accuracy >= c.convex_test_accuracy


def test_convex_against_sgd_checks_its_test_set(split):
    Xtr, ytr, Xte, yte = split
    with pytest.raises(ValueError, match="X_test must have 10 columns like X_train"):
        scale.convex_against_sgd(Xtr, ytr, Xte[:, :3], yte, BETA, **SGD)
    with pytest.raises(ValueError, match="y_test"):
        scale.convex_against_sgd(Xtr, ytr, Xte, yte[:5], BETA, **SGD)


def test_program_sizes_count_the_generic_cone_program(small):
    X, y, pat, _ = small
    sizes = scale.program_sizes(X, y, SMALL_BETA, pat)
    n, d, P = X.shape[0], X.shape[1], pat.shape[0]
    assert (sizes.n, sizes.d, sizes.P) == (n, d, P)
    assert sizes.rows >= 2 * P * n == sizes.linear_cones
    assert sizes.variables >= 2 * P * d
    assert sizes.kkt == sizes.rows + sizes.variables
    assert sizes.structured == 2 * P * d * d + n * n
    assert sizes.nonzeros >= 2 * P * n


def test_figures_draw_the_certificate_and_the_comparison(small, comparison):
    _, y, _, tr = small
    fig = splot.plot_certificate_trace(tr, comparison.gap_history)
    left, right = fig.axes
    assert len(left.get_lines()) == 4  # two gap curves, the residuals, the tolerance
    np.testing.assert_allclose(left.get_lines()[0].get_ydata(), tr.history)
    assert right.get_lines()[1].get_ydata().tolist() == tr.dual.tolist()
    plt.close(fig)
    fig = splot.plot_convex_vs_sgd(comparison)
    left, right = fig.axes
    assert left.get_ylabel() == "training objective"
    np.testing.assert_allclose(left.collections[0].get_offsets()[:, 1], comparison.sgd_values)
    assert right.get_lines()[0].get_ydata()[0] == 100 * comparison.convex_test_accuracy
    plt.close(fig)


def test_iterate_frame_has_one_size_and_marks_the_checkpoint(small):
    _, y, _, tr = small
    sizes = set()
    for index in (0, tr.checkpoints.size - 1):
        fig = iterate_frame(tr, y, index)
        sizes.add(tuple(fig.get_size_inches()))
        ax = fig.axes[0]
        assert ax.get_title().startswith(f"iteration {tr.checkpoints[index]}:")
        np.testing.assert_allclose(ax.get_lines()[1].get_ydata(),
                                   tr.fits[index][np.argsort(tr.fits[-1])])
        plt.close(fig)
    assert len(sizes) == 1
    with pytest.raises(ValueError, match="index must be below"):
        iterate_frame(tr, y, tr.checkpoints.size)
    with pytest.raises(TypeError, match="trace must be an IPMConvergence"):
        iterate_frame(None, y, 0)


def test_iterate_explorer_redraws_when_the_slider_moves(small, capsys):
    _, y, _, tr = small
    plt.close("all")
    widget = iterate_explorer(tr, y)
    capsys.readouterr()
    slider = widget.children[0]
    slider.value = tr.checkpoints.size - 1
    assert "Figure" in capsys.readouterr().out
    assert plt.get_fignums() == []

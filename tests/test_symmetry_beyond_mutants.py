"""twolayer.symmetry.beyond: what a reader relies on and the chapter's tests read only through
counts (tests/MUTATION.md, section "symmetry/beyond"): every argument named, with its bound, at
the start of its error; the laws' names, weights and draws; the erf loss batched, at the teacher
and far out; the sample losses written out; orbits and joins; the classifier on scripted wells
on both sides of each threshold, its cache and the stall check; the studies' stalled runs, seeds
and L-BFGS limits; the table's laws; the sweep against the study of its law; the sample refit."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest

from twolayer import symmetry
from twolayer.symmetry import beyond as by

LAW = by.correlated_gaussian(3, 0.0)
W3 = np.eye(3)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: by.correlated_gaussian(1, 0.0), "d must be >= 2, got 1"),
    (lambda: by.symmetric_sample(0, 2, 0, symmetrize=True), "n must be >= 1, got 0"),
    (lambda: by.symmetric_sample(3, 0, 0, symmetrize=True), "d must be >= 1, got 0"),
    (lambda: by.symmetry_of_minima("x", 1, 1, [0], law=LAW), "k must be >= 2, got 1"),
    (lambda: by.symmetry_of_minima("x", 3, 0, [0], law=LAW), "runs must be >= 1, got 0"),
    (lambda: by.symmetry_of_minima("x", 3, 1, [-1], law=LAW), "seeds[0] must be >= 0, got -1"),
    (lambda: by.symmetry_of_minima("x", 3, 1, [0], law=LAW, tol=0.0),
     "tol must be > 0.0, got 0.0"),
    (lambda: by.symmetry_of_minima("x", 3, 1, [0], law=LAW, max_iter=0),
     "max_iter must be >= 1, got 0"),
    (lambda: by.symmetry_of_minima("x", 3, 1, [0]),
     "give exactly one of law (population) and sample (three-layer network)"),
    (lambda: by.symmetry_of_minima("x", 3, 1, [0], law=LAW, sample=np.ones((4, 3))),
     "give exactly one of law (population) and sample (three-layer network)"),
    (lambda: by.symmetry_of_minima("x", 3, 1, [0], sample=np.ones(4)), "sample must be"),
    (lambda: by.symmetry_of_minima("x", 2, 1, [0], sample=np.ones((4, 3))),
     "the three-layer teacher W = A = I needs k = d, got 2 and 3"),
    (lambda: by.three_layer_symmetry(1, 5, 1, [0], 0), "d must be >= 2, got 1"),
    (lambda: by.least_symmetry_table(2, 1, [0]), "k must be >= 3, got 2"),
    (lambda: by.rho_sweep(2, [0.1], 1, 0), "k must be >= 3, got 2"),
    (lambda: by.rho_sweep(3, [], 1, 0), "rhos must hold at least one correlation, got none"),
    (lambda: by.rho_sweep(3, [0.1], 0, 0), "runs must be >= 1, got 0"),
    (lambda: by.sample_noise_isotropy(np.ones(3), 5, 0, symmetrize=True, tols=[1e-3]),
     "W must be"),
    (lambda: by.sample_noise_isotropy(np.ones((2, 3)), 5, 0, symmetrize=True, tols=[1e-3]),
     "W must be square (k = d, teacher I_d), got shape (2, 3)"),
    (lambda: by.sample_noise_isotropy(W3, 0, 0, symmetrize=True, tols=[1e-3]),
     "n must be >= 1, got 0"),
    (lambda: by.sample_noise_isotropy(W3, 5, 0, symmetrize=True, tols=[1e-3, 0.0]),
     "tols[1] must be > 0.0, got 0.0"),
    (lambda: by.gaussian_mixture(1, [0.0], [1.0], [1.0]), "d must be >= 2, got 1"),
    (lambda: by.gaussian_mixture(3, [0.0], [0.0], [1.0]), "scales[0] must be > 0.0, got 0.0"),
    (lambda: by.gaussian_mixture(3, [0.0], [1.0], [-1.0]), "weights[0] must be > 0.0, got -1.0"),
    (lambda: by.gaussian_mixture(3, [0.0, 0.1], [1.0], [1.0]),
     "rhos, scales and weights must have one entry per component, got lengths 2, 1 and 1"),
    (lambda: by.gaussian_mixture(3, [0.0, 1.0], [1.0, 1.0], [1.0, 1.0]),
     "rhos[1] must be < 1.0, got 1.0"),
    # rho > -1 / (d - 1): the covariance (1 - rho) I + rho 11^T is positive definite
    (lambda: by.correlated_gaussian(3, -0.5), "rho must be > -0.5, got -0.5"),
    (lambda: by.correlated_gaussian(3, 1.0), "rho must be < 1.0, got 1.0"),
    (lambda: by.rho_sweep(3, [0.1, -0.5], 1, 0), "rhos[1] must be > -0.5, got -0.5"),
    (lambda: by.three_layer_symmetry(8, 5, 1, [0], 0),
     "d must be <= 7 (d! copies of the sample), got 8"),
    (lambda: by.three_layer_symmetry(3, 0, 1, [0], 0), "n must be >= 1, got 0"),
    (lambda: by.three_layer_symmetry(3, 5, 0, [0], 0), "runs must be >= 1, got 0"),
    (lambda: by.three_layer_symmetry(3, 5, 1, [-2], 0), "seeds[0] must be >= 0, got -2"),
    (lambda: by.three_layer_symmetry(3, 5, 1, [0], 0, tol=0.0), "tol must be > 0.0, got 0.0"),
    (lambda: by.three_layer_symmetry(3, 5, 1, [0], 0, max_iter=0),
     "max_iter must be >= 1, got 0"),
    (lambda: by.least_symmetry_table(3, 1, [0], settings=["nothing"]), "settings must be among"),
])
def test_each_bad_argument_is_named_at_the_start_of_its_error(call, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        call()


def test_a_law_that_is_not_an_input_law_is_named():
    with pytest.raises(TypeError, match=r"^law must be an InputLaw, got str$"):
        by.symmetry_of_minima("x", 3, 1, [0], law="gaussian")


def test_the_smallest_documented_arguments_are_accepted():
    row = by.symmetry_of_minima("x", 2, 1, [0], law=by.correlated_gaussian(2, 0.0), max_iter=1,
                                tol=1e-12)
    assert row is not None
    assert by.symmetric_sample(1, 1, 0, symmetrize=False).shape == (1, 1)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: by.law_loss_and_gradient(W3, W3, "gaussian"), "law must be an InputLaw, got str"),
    (lambda: by.SymmetryRow("x", 3, 1, {}, (), 1e-5).join("row"),
     "other must be a SymmetryRow, got str"),
])
def test_a_wrong_type_is_named_with_its_type(call, message):
    with pytest.raises(TypeError, match="^" + re.escape(message) + "$"):
        call()


@pytest.mark.parametrize("tol", [0.0, -1.0])
def test_a_bad_tol_of_the_three_layer_study_is_named_before_any_fit(tol):
    # max_iter = 1 stops every run before a critical point, where the isotropy detection (which
    # checks tol itself) would run: the study's own check must name it
    with pytest.raises(ValueError, match=f"^tol must be > 0.0, got {tol}$"):
        by.three_layer_symmetry(3, 5, 1, [0], 0, tol=tol, max_iter=1)


def test_a_law_samples_at_least_one_input():
    with pytest.raises(ValueError, match="^n must be >= 1, got 0$"):
        LAW.sample(0, 0)
    assert LAW.sample(1, 0).shape == (1, 3)


def test_seven_coordinates_are_the_largest_closed_sample_and_three_layer_study():
    # d = 7: 7! = 5040 copies, the documented limit of both
    assert by.symmetric_sample(1, 7, 0, symmetrize=True).shape == (5040, 7)
    row = by.three_layer_symmetry(7, 1, 1, [0], 0, max_iter=1)
    assert row.k == 7 and row.runs == 1


# ----------------------------------------------------------------------------- laws


def _sigma(d, rho):
    """``(1 - rho) I + rho 11^T``, the covariance of the module docstring."""
    return (1 - rho) * np.eye(d) + rho * np.ones((d, d))


def test_the_laws_carry_their_names_and_the_mixture_its_normalized_weights():
    assert by.correlated_gaussian(3, 0.3).name == "Gaussian, rho = 0.3"
    law = by.gaussian_mixture(3, [0.0, 0.2], [1.0, 2.0], [1.0, 3.0])
    assert law.name == "mixture"
    # weights 1 and 3, normalized to sum 1 (the docstring)
    assert law.weights == pytest.approx((0.25, 0.75), abs=1e-15)
    for S, scale, rho in zip(law.roots, [1.0, 2.0], [0.0, 0.2]):
        np.testing.assert_allclose(S @ S, scale**2 * _sigma(3, rho), atol=1e-14)


def test_a_mixture_draws_its_components_in_proportion_to_their_weights():
    # scales 1 and 100: a draw of the second component has a norm above 20 (a draw of the first
    # one only with probability P(chi_3 > 20) < 1e-80, of the second below with P(chi_3 < 0.2)
    # < 2e-3), so the fraction above 20 is the weight 0.1 within its binomial error
    law = by.gaussian_mixture(3, [0.0, 0.0], [1.0, 100.0], [9.0, 1.0])
    X = law.sample(4000, 0)
    far = np.mean(np.linalg.norm(X, axis=1) > 20.0)
    assert abs(far - 0.1) < 5 * np.sqrt(0.1 * 0.9 / 4000)


# ----------------------------------------------------------------------------- erf


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_the_batched_loss_of_several_students_is_that_of_each(activation):
    law = by.correlated_gaussian(3, 0.2)
    W = np.random.default_rng(8).standard_normal((3, 4, 3))
    loss, grad = by._law_kernel(W, np.eye(3), law, activation)
    for r in range(3):
        one, g = by.law_loss_and_gradient(W[r], np.eye(3), law, activation=activation)
        assert loss[r] == pytest.approx(one, rel=1e-13)
        np.testing.assert_allclose(grad[r], g, atol=1e-14)


def test_the_erf_teacher_has_zero_loss_and_gradient():
    law = by.correlated_gaussian(4, -0.2)
    loss, grad = by.law_loss_and_gradient(np.eye(4), np.eye(4), law, activation="erf")
    assert abs(loss) < 1e-14
    np.testing.assert_allclose(grad, 0.0, atol=1e-14)


@pytest.mark.parametrize("shrink", [1.0, 1e-8])
def test_a_row_and_its_negative_cancel_in_the_erf_loss_even_far_out(shrink):
    # erf is odd: the student rows w and -w compute 0 for every input, so the loss is that of
    # the zero student, 1/2 sum E[erf(v_i.x) erf(v_j.x)]. This w (norm 1.4e8, found by a search)
    # has 2 w.w / (1 + 2 |w|^2) rounded above 1 and 2 w.(-w) / (1 + 2 |w|^2) below -1.
    w = shrink * np.array([-109106819.80165158, 33442719.141377203, 86871226.3010324])
    V = np.eye(3)
    loss, _ = by._erf_loss_grad(np.stack([w, -w])[None], V)
    zero, _ = by._erf_loss_grad(np.zeros((1, 2, 3)), V)
    assert np.isfinite(loss[0])
    assert loss[0] == pytest.approx(zero[0], rel=1e-12)


# ----------------------------------------------------------------------------- samples


def test_the_sample_losses_are_half_the_mean_squared_residual(central_difference):
    # written out input by input: the teacher W = I (and A = I) outputs sum_a relu(x_a)
    gen = np.random.default_rng(9)
    X = gen.standard_normal((7, 3))
    W, A = gen.standard_normal((3, 3)), gen.standard_normal((3, 3))
    relu = lambda z: np.maximum(z, 0.0)  # noqa: E731
    y = [relu(x).sum() for x in X]
    shallow = np.mean([(relu(W @ x).sum() - t) ** 2 for x, t in zip(X, y)]) / 2
    deep = np.mean([(relu(A @ relu(W @ x)).sum() - t) ** 2 for x, t in zip(X, y)]) / 2
    loss, grad = by._shallow_sample_kernel(W.reshape(1, -1), X, 3)
    assert loss[0] == pytest.approx(shallow, rel=1e-13)
    fd = central_difference(lambda v: by._shallow_sample_kernel(v[None], X, 3)[0][0], W.ravel())
    np.testing.assert_allclose(grad[0], fd, atol=1e-7)
    theta = np.concatenate([W.ravel(), A.ravel()])
    assert by._deep_kernel(theta[None], X, 3)[0][0] == pytest.approx(deep, rel=1e-13)


# ----------------------------------------------------------------------------- rows


def test_orbits_group_by_loss_to_seven_digits_and_label_sorted_by_loss():
    minima = [(0.12345671, "1", 1), (0.4, "ΔS_2", 2), (0.12345674, "1", 1),
              (0.12345671, "ΔS_2", 2), (0.3, "ΔS_3", 6)]
    # the first and third agree to 7 digits: one orbit of two runs, with the first loss; the
    # same loss with another label is another orbit; sorted by loss, not by label
    assert by._orbits(minima) == (
        (0.12345671, "1", 1, 2), (0.12345671, "ΔS_2", 2, 1), (0.3, "ΔS_3", 6, 1),
        (0.4, "ΔS_2", 2, 1),
    )
    assert by._orbits([]) == ()


def test_joined_rows_merge_their_orbits_and_sort_their_stalled_runs():
    counts = {"global": 1, "spurious": 2, "saddle": 0, "other": 1}
    a = by.SymmetryRow("s", 3, 4, counts, ((0.2, "ΔS_2", 2, 2),), 1e-5, ((0.5, 0.1, False),))
    b = by.SymmetryRow("s", 3, 5, {"global": 0, "spurious": 4, "saddle": 1, "other": 0},
                       ((0.1, "1", 1, 3), (0.2, "ΔS_2", 2, 1)), 1e-5, ((0.3, 0.2, True),))
    both = a.join(b)
    assert both == by.SymmetryRow(
        "s", 3, 9, {"global": 1, "spurious": 6, "saddle": 1, "other": 1},
        ((0.1, "1", 1, 3), (0.2, "ΔS_2", 2, 3)), 1e-5, ((0.3, 0.2, True), (0.5, 0.1, False)))
    assert both.max_order == 2 and both.at_max == 3 and both.trivial == 3


def test_joined_sweeps_keep_k_and_runs_and_concatenate_every_field():
    a = by.RhoSweep(3, 4, (0.1,), (1,), ("ΔS_2",), (np.eye(3),), (0.5,))
    b = by.RhoSweep(3, 4, (0.2, 0.3), (0, 2), ("-", "1"), (None, np.ones((3, 3))),
                    (float("nan"), 0.7))
    both = a.join(b)
    assert (both.k, both.runs, both.rhos, both.spurious, both.labels) == (
        3, 4, (0.1, 0.2, 0.3), (1, 0, 2), ("ΔS_2", "-", "1"))
    assert both.minima[0] is a.minima[0] and both.minima[1] is None
    np.testing.assert_array_equal(both.losses, [0.5, np.nan, 0.7])


def test_only_one_or_two_diagonal_blocks_filling_k_are_of_maximal_type():
    orbits = ((0.1, "ΔS_4 × ΔS_4 × ΔS_2", 8, 1),  # three blocks
              (0.2, "ΔS_4 × ΔS_4", 9, 2),  # two blocks of 8 < 10 rows
              (0.3, "ΔS_6 × ΔS_4", 10, 4))
    row = by.SymmetryRow("s", 10, 7, {"global": 0, "spurious": 7, "saddle": 0, "other": 0},
                         orbits, 1e-5)
    assert row.maximal == 4 and row.not_maximal == orbits[:2]


# ----------------------------------------------------------------------------- classifier


def test_the_finite_difference_hessian_has_the_smallest_eigenvalue_of_a_quadratic():
    # f(x) = x^T H x / 2 with H = Q diag(-1, 2, 3) Q^T: central differences of its gradient are
    # exact, so the smallest eigenvalue is -1 up to rounding
    Q = np.linalg.qr(np.random.default_rng(10).standard_normal((3, 3)))[0]
    H = Q @ np.diag([-1.0, 2.0, 3.0]) @ Q.T

    def fun(X):
        G = X @ H
        return 0.5 * np.einsum("rp,rp->r", X, G), G

    assert by._fd_min_eig(fun, np.array([0.3, -0.2, 0.1])) == pytest.approx(-1.0, abs=1e-9)


def _batched(f):
    """A batched ``fun(X) -> (f (R,), G (R, p))`` from a loss ``f`` of one point (no gradient:
    ``_no_descent_step`` reads only the loss)."""
    return lambda X: (np.array([f(x) for x in X]), np.zeros_like(X))


@pytest.mark.parametrize(("f", "g", "expected"), [
    # a kink minimum that a step of length 1 would leave downhill (|x|_1 - |x|^2)
    (lambda x: np.abs(x).sum() - x @ x, np.array([1.0, 0.0]), True),
    # a plateau: no step lowers the loss
    (lambda x: 0.0, np.array([1.0, 0.0]), True),
    # only the step along -e_1 lowers the loss
    (lambda x: np.abs(x).sum() - 2.0 * max(0.0, -x[0]), np.array([0.0, -1.0]), False),
    # only the short step against g = -(100, 100) lowers it (a step of length |g| would not)
    (lambda x: 10 * abs(x[0] - x[1]) - x.sum() + x.sum() ** 2, np.array([-100.0, -100.0]),
     False),
])
def test_a_stall_is_a_point_that_no_short_step_along_a_coordinate_or_against_g_lowers(
    f, g, expected
):
    assert by._no_descent_step(_batched(f), np.zeros(2), g) is expected


def _wells(centres, losses, hessians):
    """``f(x) = c_j + (x - m_j)^T H_j (x - m_j) / 2`` on the cell of the nearest centre ``m_j``:
    a batched loss with its gradient whose critical points, losses and Hessians are chosen."""
    M, C, H = (np.array(v, dtype=float) for v in (centres, losses, hessians))

    def fun(X):
        j = np.argmin(((X[:, None, :] - M[None]) ** 2).sum(axis=2), axis=1)
        D = X - M[j]
        G = np.einsum("rpq,rq->rp", H[j], D)
        return C[j] + 0.5 * np.einsum("rp,rp->r", D, G), G

    return fun


def _diag(first):
    """``diag(first, 1, 1, 1)``: a Hessian of k = d = 2 with the smallest eigenvalue ``first``
    (or 1)."""
    return np.diag([first, 1.0, 1.0, 1.0])


def _classify(fun, points, tol=1e-5):
    from types import SimpleNamespace

    res = SimpleNamespace(x=np.array(points, dtype=float))
    return by._classify_many(fun, res, 2, 2, 1e-8, 1e-6, tol)


def test_the_classifier_decides_on_both_sides_of_each_threshold():
    # eight wells of k = d = 2, 10 apart; centres [[a, b], [b, a]] are fixed by the diagonal
    # transposition (isotropy ΔS_2, order 2), the others are not (isotropy 1)
    sym = lambda a, b: [a, b, b, a]  # noqa: E731
    centres = [sym(0, 1), sym(10, 1), sym(20, 1), sym(30, 1), sym(40, 1), sym(50, 1),
               [60, 1, 2, 3], sym(70, 1)]
    losses = [0.9e-8, 1.1e-8, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    hessians = [np.eye(4), np.eye(4), _diag(2e-6), _diag(0.5e-6), _diag(-0.5e-6), _diag(-2e-6),
                np.eye(4), np.eye(4)]
    fun = _wells(centres, losses, hessians)
    m = np.array(centres, dtype=float)
    near, far = m[7].copy(), m[7].copy()
    near[0] += 0.9e-6  # gradient norm 0.9e-6 <= grad_tol: a critical point
    far[0] += 1.1e-6  # 1.1e-6 > grad_tol: not critical
    counts, minima, stalled = _classify(fun, [*m[:7], near, far])
    # global at loss 0.9e-8, not at 1.1e-8 (a minimum); smallest eigenvalue 2e-6 and -2e-6
    # beyond the 1e-6 of the classifier, +-0.5e-6 within it
    assert counts == {"global": 1, "spurious": 4, "saddle": 1, "other": 3}
    assert minima == [(1.1e-8, "ΔS_2", 2), (0.2, "ΔS_2", 2), (0.6, "1", 1),
                      (pytest.approx(0.7 + 0.5 * 0.9e-6**2, abs=1e-20), "ΔS_2", 2)]
    # the one point that is not critical: its loss, its largest gradient entry (the offset,
    # up to the rounding of 70 + 1.1e-6), and no step of 1e-4 lowers its loss (the minimum is
    # 1.1e-6 away)
    assert stalled == [(pytest.approx(0.7 + 0.5 * 1.1e-6**2, abs=1e-20),
                        pytest.approx(1.1e-6, rel=1e-7), True)]


def test_the_classifier_detects_isotropy_with_its_tolerance():
    # [[1, 0.2], [0.2005, 1]] is fixed by the diagonal transposition up to 5e-4 only
    centre = [1.0, 0.2, 0.2005, 1.0]
    fun = _wells([centre], [0.3], [np.eye(4)])
    assert _classify(fun, [centre], tol=1e-3)[1] == [(0.3, "ΔS_2", 2)]
    assert _classify(fun, [centre], tol=1e-5)[1] == [(0.3, "1", 1)]


def test_points_with_the_same_sorted_entries_or_the_same_loss_are_classified_apart():
    # a minimum and a saddle with the same sorted entries (other losses), and a minimum and a
    # saddle with the same loss whose entries differ by 0.01
    centres = [[1, 2, 3, 4], [4, 3, 2, 1], [5, 6, 7, 8], [5.01, 6, 7, 8]]
    saddle = np.diag([-1.0, 1.0, 1.0, 1.0])
    fun = _wells(centres, [0.3, 0.4, 0.5, 0.5], [np.eye(4), saddle, np.eye(4), saddle])
    counts, minima, _ = _classify(fun, centres)
    assert counts == {"global": 0, "spurious": 2, "saddle": 2, "other": 0}
    assert [m[0] for m in minima] == [0.3, 0.5]


def test_points_equal_to_seven_digits_of_loss_and_four_decimals_share_one_hessian(monkeypatch):
    # one Hessian per distinct point (the docstring of symmetry_of_minima): two end points of
    # one minimum, 8e-5 apart in one entry (0.12336 and 0.12344: equal to 4 decimals, not to 5)
    # with losses 0.300000005 -+ 1.6e-12 (equal to 7 digits, not to 8)
    H = 1e-3 * np.eye(4)
    centre = np.array([0.12336, 1.0, 2.0, 3.0])
    fun = _wells([centre], [0.300000005 - 1.6e-12], [H])
    other = centre + [8e-5, 0.0, 0.0, 0.0]
    assert fun(other[None])[0][0] == pytest.approx(0.300000005 + 1.6e-12, abs=1e-16)
    calls = []
    monkeypatch.setattr(by, "_fd_min_eig", lambda f, x: calls.append(x) or 1e-3)
    counts, minima, _ = _classify(fun, [centre, other])
    assert len(calls) == 1 and counts["spurious"] == 2 and len(minima) == 2


# ----------------------------------------------------------------------------- studies


@pytest.mark.parametrize("setting", ["law", "sample"])
def test_a_run_stopped_by_its_iteration_limit_is_other_and_listed_as_stalled(setting):
    # one L-BFGS iteration leaves every start far from a critical point (gradient entries of
    # order 0.1): each run of both seeds is "other" and stalled, never classified by a Hessian
    if setting == "law":
        where = {"law": by.correlated_gaussian(3, 0.0)}
    else:
        where = {"sample": by.symmetric_sample(3, 3, 0, symmetrize=True)}
    row = by.symmetry_of_minima("x", 3, 2, [0, 1], max_iter=1, **where)
    assert row.counts == {"global": 0, "spurious": 0, "saddle": 0, "other": 4}
    assert len(row.stalled) == 4 and list(row.stalled) == sorted(row.stalled)
    for loss, g, flat in row.stalled:
        assert loss > 1e-8 and g > 1e-6 / np.sqrt(18) and flat is False
    assert row.tol == 1e-5  # the default tolerance of the isotropy detection
    assert by.symmetry_of_minima("x", 3, 1, [0], max_iter=1, tol=1e-3, **where).tol == 1e-3
    assert by.three_layer_symmetry(3, 2, 1, [0], 0, max_iter=1).tol == 1e-5


def test_every_seed_adds_its_minima_to_the_orbits():
    # a single quadratic well (a spurious minimum of loss 0.3 at a point of isotropy ΔS_2):
    # every run of both seeds ends there
    centre = [1.0, 0.5, 0.5, 1.0]
    fun = _wells([centre], [0.3], [np.eye(4)])
    row = by._study("s", fun, 2, 2, 4, 2, [0, 1], 1e-5, 50, 1e-6)
    assert row.counts["spurious"] == 4
    assert row.orbits == ((pytest.approx(0.3, abs=1e-15), "ΔS_2", 2, 4),)


def _record_lbfgs(monkeypatch):
    """The calls ``(x0, gtol, ftarget, max_iter, memory)`` of the module's batched L-BFGS, which
    still runs."""
    calls = []
    fit = by._batched_lbfgs

    def record(fun, x0, *settings):
        calls.append((x0.copy(), *settings))
        return fit(fun, x0, *settings)

    monkeypatch.setattr(by, "_batched_lbfgs", record)
    return calls


def test_the_studies_fit_with_their_documented_iteration_limits(monkeypatch):
    from twolayer.gaussian import batched_lbfgs

    calls = _record_lbfgs(monkeypatch)
    by.symmetry_of_minima("x", 3, 1, [0], law=by.correlated_gaussian(3, 0.0))
    by.three_layer_symmetry(3, 2, 1, [0], 0)
    (_, gtol, _, study_iter, memory), (_, _, ftarget, deep_iter, deep_memory) = calls
    # the signatures' max_iter 3000 and 2000; the gtol and memory of batched_lbfgs' defaults;
    # the three-layer runs stop at the loss 1e-9, below the global threshold 1e-8 (its comment)
    assert (study_iter, deep_iter) == (3000, 2000)
    defaults = inspect.signature(batched_lbfgs).parameters
    assert gtol == defaults["gtol"].default and memory == deep_memory == defaults["memory"].default
    assert ftarget == 1e-9


def test_the_table_studies_each_setting_with_its_documented_law_and_activation(monkeypatch):
    seen = []
    monkeypatch.setattr(by, "symmetry_of_minima",
                        lambda name, k, runs, seeds, *, law, activation: seen.append(
                            (name, k, runs, seeds, law, activation)) or name)
    assert by.least_symmetry_table(4, 2, [0]) == by.TABLE_SETTINGS
    # the laws of least_symmetry_table's docstring, component by component (weight, covariance)
    documented = {
        "N(0, I)": [(1.0, _sigma(4, 0.0))],
        "rho = 0.3": [(1.0, _sigma(4, 0.3))],
        "rho = -0.1": [(1.0, _sigma(4, -0.1))],
        "mixture": [(0.5, 0.36 * _sigma(4, 0.5)), (0.5, 1.69 * _sigma(4, -0.1))],
    }
    for (name, k, runs, seeds, law, activation), setting in zip(seen, by.TABLE_SETTINGS):
        assert (name, k, runs, seeds) == (setting, 4, 2, [0])
        assert activation == ("erf" if setting.startswith("erf") else "relu")
        components = documented[setting.split(", ", 1)[1]]
        assert len(law.weights) == len(components)
        for w, S, (weight, cov) in zip(law.weights, law.roots, components):
            assert w == pytest.approx(weight, abs=1e-15)
            np.testing.assert_allclose(S @ S, cov, atol=1e-14)


# ----------------------------------------------------------------------------- sweep


def test_the_sweep_at_one_rho_is_the_study_of_its_law_from_the_same_seed(monkeypatch):
    calls = _record_lbfgs(monkeypatch)
    rhos = (-0.15, 0.0)
    sweep = by.rho_sweep(6, rhos, 30, rng=0)
    rows = [by.symmetry_of_minima("x", 6, 30, [0], law=by.correlated_gaussian(6, rho))
            for rho in rhos]
    # the same starts and L-BFGS settings as symmetry_of_minima's defaults, for every rho
    for a, b in zip(calls[:2], calls[2:]):
        np.testing.assert_array_equal(a[0], b[0])
        assert a[1:] == b[1:]
    np.testing.assert_array_equal(calls[0][0], calls[1][0])
    assert sweep.spurious == tuple(r.counts["spurious"] for r in rows)
    # at rho = -0.15 the lowest spurious orbit of the study; at rho = 0 none (30 global runs)
    assert sweep.spurious[0] > 0 and rows[1].counts["global"] == 30
    assert sweep.labels[0] == rows[0].orbits[0][1]
    assert sweep.losses[0] == pytest.approx(rows[0].orbits[0][0], abs=1e-12)
    # the minimum kept is a critical point of the exact loss (gradient below the classifier's
    # 1e-6), with that loss and isotropy
    W = sweep.minima[0]
    loss, grad = by.law_loss_and_gradient(W, np.eye(6), by.correlated_gaussian(6, -0.15))
    assert loss == pytest.approx(sweep.losses[0], abs=1e-13) and np.linalg.norm(grad) < 1e-6
    assert symmetry.detect_isotropy(W, tol=1e-5).label == sweep.labels[0]
    assert sweep.labels[1] == "-" and sweep.minima[1] is None and np.isnan(sweep.losses[1])


def test_the_sweep_keeps_the_lowest_spurious_minimum_not_the_lowest_end_point(
    monkeypatch, central_difference
):
    # scripted end points at rho = 0, k = 6: the teacher, a point near it that is not critical,
    # and the type-A minimum (Safran & Shamir 2018) moved by 4e-6 along the eigenvector of the
    # smallest Hessian eigenvalue (off its fixed space): still ΔS_5 within the sweep's 1e-5
    from types import SimpleNamespace

    k = 6
    fun = by._population_fun(np.eye(k), by.correlated_gaussian(k, 0.0), "relu", k)
    # Newton from the type-A parameters of k = 6 used in tests/test_symmetry_beyond.py
    A = symmetry.type_a_critical_point(k, [0.98670, -0.05041, 0.30801, 0.22452, -0.60151]).W
    H = central_difference(lambda w: fun(w[None])[1][0], A.ravel(), h=1e-5)
    v = np.linalg.eigh(0.5 * (H + H.T))[1][:, 0]
    moved = A + (4e-6 / np.abs(v).max() * v).reshape(k, k)
    near = np.eye(k)
    near[0, 0] += 1e-3
    ends = np.stack([np.eye(k).ravel(), near.ravel(), moved.ravel()])
    loss, grad = fun(ends)
    assert loss[0] < 1e-8 < loss[1] < loss[2] and np.linalg.norm(grad[1]) > 1e-6
    assert np.linalg.norm(grad[2]) < 1e-6
    assert symmetry.detect_isotropy(moved, tol=1e-5).label == "ΔS_5"
    assert symmetry.detect_isotropy(moved, tol=1e-6).label != "ΔS_5"
    monkeypatch.setattr(by, "_batched_lbfgs",
                        lambda fun, x0, *settings: SimpleNamespace(x=ends, loss=loss))
    sweep = by.rho_sweep(k, [0.0], 3, rng=0)
    assert sweep.spurious == (1,) and sweep.labels == ("ΔS_5",)
    assert sweep.losses == (loss[2],)
    iso = symmetry.detect_isotropy(moved, tol=1e-5)
    np.testing.assert_array_equal(sweep.minima[0], iso.canonical(moved))


def test_the_sweep_reads_isotropy_at_the_study_tolerance_also_for_entries_within_one(
    monkeypatch, central_difference
):
    # k = 7, rho = -0.1: the spurious minimum a I + b 11^T of the fixed space of ΔS_7, found in
    # that plane by BFGS from (a, b) = (-0.5, 0.3) (critical in the full space by symmetric
    # criticality). Its entries a + b and b differ by |a| < 1, so at a tolerance of 1 every row
    # and column transposition would pass; at the study's 1e-5 it is ΔS_7.
    from types import SimpleNamespace

    from scipy.optimize import minimize

    k, law = 7, by.correlated_gaussian(7, -0.1)

    def plane(p):
        loss, g = by.law_loss_and_gradient(p[0] * np.eye(k) + p[1], np.eye(k), law)
        return loss, np.array([np.trace(g), g.sum()])

    a, b = minimize(plane, [-0.5, 0.3], jac=True, method="BFGS", options={"gtol": 1e-13}).x
    W = a * np.eye(k) + b
    fun = by._population_fun(np.eye(k), law, "relu", k)
    H = central_difference(lambda w: fun(w[None])[1][0], W.ravel(), h=1e-5)
    assert np.linalg.norm(fun(W.ravel()[None])[1]) < 1e-9
    assert np.linalg.eigvalsh(0.5 * (H + H.T))[0] > 1e-3 and abs(a) < 1
    assert symmetry.detect_isotropy(W, tol=1.0).label == "S_7(rows) × S_7(cols)"
    ends = np.stack([np.eye(k).ravel(), W.ravel()])
    monkeypatch.setattr(by, "_batched_lbfgs",
                        lambda fun, x0, *settings: SimpleNamespace(x=ends, loss=fun(ends)[0]))
    sweep = by.rho_sweep(k, [-0.1], 2, rng=0)
    assert sweep.spurious == (1,) and sweep.labels == ("ΔS_7",)


# ----------------------------------------------------------------------------- sample noise


@pytest.mark.parametrize("symmetrize", [True, False])
def test_the_teacher_refitted_on_a_sample_stays_and_reports_every_field(symmetrize):
    # W = I fits every sample exactly (residual 0, gradient 0): the fit does not move it
    out = by.sample_noise_isotropy(np.eye(3), 5, 0, symmetrize=symmetrize, tols=[1e-6, 100])
    assert (out.n, out.points, out.symmetrized) == (5, 5 * 6 if symmetrize else 5, symmetrize)
    assert out.distance == 0.0 and out.grad_max == 0.0
    assert out.tols == (1e-6, 100.0)
    # at 100 every permutation of rows and of columns moves no entry of I by more than the tol
    assert out.labels == (symmetry.detect_isotropy(np.eye(3), tol=1e-6).label,
                          "S_3(rows) × S_3(cols)")
    assert out.labels[0] == "ΔS_3"

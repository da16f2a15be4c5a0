"""Group action, isotropy detection, the type-A family and the symmetry-reduced spectrum."""

import numpy as np
import pytest

from twolayer.gaussian import (
    hessian_spectrum,
    identity_teacher,
    population_gradient,
    population_loss,
)
from twolayer.symmetry import (
    act,
    cluster_eigenvalues,
    detect_isotropy,
    follow_type_a,
    type_a_critical_point,
    type_a_loss,
    type_a_parameters,
    type_a_spectrum,
    type_a_weights,
)

ALPHA8 = [1.00143, -0.02588, 0.22809, 0.15982, -0.65826]


@pytest.fixture(scope="module")
def family():
    """Type-A critical points for k = d = 6, ..., 16 (continuation from k = 6)."""
    start = type_a_critical_point(6, ALPHA8)
    return {p.k: p for p in follow_type_a(range(6, 17), start.alpha)}


def test_loss_and_gradient_are_invariant_and_equivariant():
    rng = np.random.default_rng(0)
    k = d = 5
    W, V = rng.standard_normal((k, d)), identity_teacher(d)
    rows, cols = rng.permutation(k), rng.permutation(d)
    assert population_loss(act(W, rows, cols), V) == pytest.approx(population_loss(W, V), rel=1e-13)
    g = population_gradient(W, V)
    assert np.allclose(population_gradient(act(W, rows, cols), V), act(g, rows, cols), atol=1e-13)
    # With a generic teacher only the rows (student neurons) may be permuted.
    V2 = rng.standard_normal((3, d))
    assert population_loss(act(W, rows, np.arange(d)), V2) == pytest.approx(
        population_loss(W, V2), rel=1e-13
    )
    assert abs(population_loss(act(W, rows, cols), V2) - population_loss(W, V2)) > 1e-3


def test_type_a_weights_round_trip_and_loss():
    for k, d, n in ((7, 7, 5), (9, 7, 7)):
        alpha = np.linspace(-0.7, 1.1, n)
        W = type_a_weights(alpha, k, d)
        assert W.shape == (k, d)
        assert np.allclose(type_a_parameters(W), alpha, atol=1e-15)
        assert type_a_loss(alpha, k, d) == pytest.approx(
            population_loss(W, identity_teacher(d)), rel=1e-12
        )
    with pytest.raises(ValueError, match="not in the type-A fixed-point space"):
        type_a_parameters(np.random.default_rng(1).standard_normal((6, 6)))


def test_detect_isotropy_of_scrambled_type_a_matrix():
    rng = np.random.default_rng(2)
    W = type_a_weights(ALPHA8, 8)
    Ws = act(W, rng.permutation(8), rng.permutation(8))
    iso = detect_isotropy(Ws)
    assert iso.label == "ΔS_7"
    assert iso.order == 5040
    assert iso.residual < 1e-12
    assert np.allclose(type_a_parameters(iso.canonical(Ws)), ALPHA8, atol=1e-12)
    assert detect_isotropy(rng.standard_normal((6, 6))).label == "1"
    assert detect_isotropy(np.eye(5)).label == "ΔS_5"
    over = type_a_weights([1.0, 0.1, 0.2, 0.3, -0.5, 0.4, 0.6], 9, 6)
    assert detect_isotropy(over).label == "ΔS_5 × S_3(rows)"


def test_type_a_family_points_are_critical_minima(family, relu_loss_by_hand):
    for k in (6, 8, 12, 16):
        p = family[k]
        W, V = p.W, identity_teacher(k)
        assert np.linalg.norm(population_gradient(W, V)) < 1e-10
        assert p.grad_norm < 1e-10
        assert p.loss == pytest.approx(population_loss(W, V), rel=1e-10)
        assert hessian_spectrum(W, V)[0] > 1e-3  # a strict local minimum
        assert p.loss > 1e-3  # and a spurious one
    # the loss at k = 6 (0.02508) recomputed independently: L-BFGS and Newton in all 36
    # entries (twolayer.gaussian.fit_student) from a perturbed reduced point come back to it,
    # and the loss there by the arc-cosine kernel written out in tests/conftest.py
    from twolayer.gaussian import fit_student

    noise = 1e-3 * np.random.default_rng(6).standard_normal((6, 6))
    fit = fit_student(family[6].W + noise, identity_teacher(6))
    assert fit.kind == "spurious"
    np.testing.assert_allclose(fit.W, family[6].W, atol=1e-8)
    assert family[6].loss == pytest.approx(fit.loss, rel=1e-10)
    assert family[6].loss == pytest.approx(relu_loss_by_hand(family[6].W, identity_teacher(6)),
                                           rel=1e-12)
    losses = [family[k].loss for k in sorted(family)]
    assert np.all(np.diff(losses) < 0)  # the loss decreases with k


@pytest.mark.parametrize("k", [6, 9, 14])
def test_reduced_spectrum_equals_dense_at_critical_points(family, k):
    p = family[k]
    dense = hessian_spectrum(p.W, identity_teacher(k))
    red = type_a_spectrum(p.alpha, k)
    assert red.size == k * k
    assert np.max(np.abs(dense - red.expand())) < 1e-8
    # Multiplicities: the clusters of the dense spectrum are the merged reduced eigenvalues.
    dv, dc = cluster_eigenvalues(dense, tol=1e-7)
    rv, rc = cluster_eigenvalues(red.expand(), tol=1e-7)
    assert np.array_equal(dc, rc)
    assert np.allclose(dv, rv, atol=1e-8)
    assert len(red.eigenvalues) == 12


@pytest.mark.parametrize(("k", "d"), [(5, 5), (7, 7), (7, 5), (8, 7), (10, 7)])
def test_reduced_spectrum_equals_dense_anywhere_in_the_fixed_space(k, d):
    # Equivariance holds at every point of Fix(G), critical or not, and for k > d. The extra
    # rows are parallel, so this also checks the angle computation for parallel neurons.
    alpha = np.array([0.9, -0.1, 0.3, 0.2, -0.6, 0.25, 0.4])[: 5 if k == d else 7]
    W = type_a_weights(alpha, k, d)
    dense = hessian_spectrum(W, identity_teacher(d))
    red = type_a_spectrum(alpha, k, d)
    assert np.max(np.abs(dense - red.expand())) < 1e-11
    types = set(red.labels)
    assert ({"S'", "S⊗S'"} <= types) == (k - d >= 2)


def test_large_k_reduced_spectrum_has_bulk_and_linear_outliers(family):
    big = follow_type_a([16, 40, 100, 200], family[16].alpha)
    assert all(p.grad_norm < 1e-10 for p in big)
    sp = type_a_spectrum(big[-1].alpha, 200)
    assert sp.size == 200 * 200
    assert sp.eigenvalues.min() > 0
    top = sp.eigenvalues.max()
    assert top / 200 == pytest.approx(0.25, abs=0.01)
    small = sp.multiplicities[sp.eigenvalues < 1].sum()
    assert sp.size - small < 3 * 200  # all but O(d) eigenvalues are below 1


def test_newton_reports_failure_and_bad_inputs():
    with pytest.raises(RuntimeError, match="did not converge"):
        type_a_critical_point(8, [3.0, 2.0, 1.0, 1.0, 1.0], max_iter=1)
    with pytest.raises(ValueError, match="needs k >= d"):
        type_a_weights(np.zeros(7), 6, 7)
    with pytest.raises(ValueError, match="alpha must have length 5"):
        type_a_weights(np.zeros(7), 6)
    with pytest.raises(ValueError, match="strictly increasing"):
        follow_type_a([8, 7], ALPHA8)
    with pytest.raises(ValueError, match="rows must be a permutation"):
        act(np.eye(3), [0, 0, 1], [0, 1, 2])
    with pytest.raises(ValueError, match="alpha must be finite"):
        type_a_spectrum([np.inf, 0, 0, 0, 1], 6)
    with pytest.raises(TypeError, match="k must be an integer"):
        type_a_loss(ALPHA8, 8.0)


# ----------------------------------------------------------------------------- type-A loss accuracy


def _type_a_loss_mp(alpha, k, digits=60):
    """Population loss of W(alpha), k = d, against the identity teacher, with mpmath.

    Independent of the library: the rows 0, 1, D of W and the teacher rows e_0, e_1, e_D on the
    coordinates (0, 1, 2, the D - 3 others, D) with those multiplicities, each pair counted.
    """
    import mpmath as mp

    mp.mp.dps = digits
    a1, a2, a3, a4, a5 = (mp.mpf(float(x)) for x in alpha)
    D = k - 1
    wts = [1, 1, 1, D - 3, 1]

    def dot(u, v):
        return mp.fsum(w * x * y for w, x, y in zip(wts, u, v))

    def kap(u, v):
        nu, nv = mp.sqrt(dot(u, u)), mp.sqrt(dot(v, v))
        if nu == 0 or nv == 0:
            return mp.mpf(0)
        c = max(min(dot(u, v) / (nu * nv), mp.mpf(1)), mp.mpf(-1))
        t = mp.acos(c)
        return nu * nv * (mp.sin(t) + (mp.pi - t) * c) / (2 * mp.pi)

    r0, r1, rD = [a1, a2, a2, a2, a3], [a2, a1, a2, a2, a3], [a4, a4, a4, a4, a5]
    e0, e1, eD = ([mp.mpf(int(i == j)) for i in range(5)] for j in (0, 1, 4))
    ww = D * kap(r0, r0) + D * (D - 1) * kap(r0, r1) + 2 * D * kap(r0, rD) + kap(rD, rD)
    wv = (D * kap(r0, e0) + D * (D - 1) * kap(r0, e1) + D * kap(r0, eD) + D * kap(rD, e0)
          + kap(rD, eD))
    vv = k * kap(e0, e0) + k * (k - 1) * kap(e0, e1)
    return float(ww / 2 - wv + vv / 2)


#: Type-A critical points at k = d = 200 and 1000 (from follow_type_a, as in the chapter).
ALPHA200 = [1.0000561376851067, -3.34944826730158e-05, 0.009894963034080642,
            0.006581331368278798, -0.9746379934741546]
ALPHA1000 = [1.0000024327059909, -1.3046582511194164e-06, 0.0019955654809534545,
             0.0012997856253843382, -0.9947312270671982]


def test_type_a_loss_with_a_zero_row_is_finite():
    # alpha = (1, 0, 0, 0, 0): the last row of W is zero; the loss was NaN
    alpha = [1.0, 0.0, 0.0, 0.0, 0.0]
    with np.errstate(all="raise"):
        value = type_a_loss(alpha, 6)
    assert value == pytest.approx(population_loss(type_a_weights(alpha, 6), np.eye(6)), rel=1e-14)
    assert value == pytest.approx(0.25, rel=1e-14)
    assert type_a_loss(np.zeros(7), 7, 6) == pytest.approx(
        population_loss(np.zeros((7, 6)), np.eye(6)), rel=1e-14)


def test_type_a_loss_accurate_at_large_k():
    # the sum over all pairs of rows lost 2e-6 (relative) at k = 1000
    for k, alpha, tol in ((200, ALPHA200, 1e-10), (1000, ALPHA1000, 1e-9)):
        ref = _type_a_loss_mp(alpha, k)
        assert abs(type_a_loss(alpha, k) - ref) <= tol * ref
    W = type_a_weights(ALPHA200, 200)
    assert population_loss(W, np.eye(200)) == pytest.approx(_type_a_loss_mp(ALPHA200, 200),
                                                            rel=1e-8)


@pytest.mark.parametrize(("k", "d"), [(6, 6), (9, 6), (8, 5), (12, 12)])
def test_type_a_loss_equals_population_loss_anywhere(k, d):
    gen = np.random.default_rng(k + d)
    for _ in range(5):
        alpha = gen.standard_normal(5 if k == d else 7)
        dense = population_loss(type_a_weights(alpha, k, d), identity_teacher(d))
        assert type_a_loss(alpha, k, d) == pytest.approx(dense, rel=1e-12, abs=1e-13)

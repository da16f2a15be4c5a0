"""What a reader of twolayer.symmetry relies on and the other test files leave open: the action
entry by entry, every kind of detected generator with its tolerance and order, the canonical
order, the orbit cache of the labels, and the arguments named in the errors (issue 19)."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer import symmetry
from twolayer.symmetry import act, detect_isotropy, isotropy_labels

# ----------------------------------------------------------------------------- isotropy


def test_act_reads_every_entry_through_both_permutations():
    W = np.arange(12.0).reshape(3, 4)
    rows, cols = [2, 0, 1], [3, 1, 0, 2]
    out = act(W, rows, cols)
    for i in range(3):
        for a in range(4):
            assert out[i, a] == W[rows[i], cols[a]]
    # P W Q^T with P[i, rows[i]] = 1 and Q[a, cols[a]] = 1 (the docstring)
    P, Q = np.eye(3)[rows], np.eye(4)[cols]
    np.testing.assert_array_equal(out, P @ W @ Q.T)


@pytest.mark.parametrize(("rows", "cols", "message"), [
    ([0.0, 1.0, 2.0], [0, 1, 2, 3], r"^rows must be a permutation of range\(3\), got \[0.0"),
    ([0, 1], [0, 1, 2, 3], r"^rows must be a permutation of range\(3\), got \[0, 1\]"),
    ([0, 1, 2], [0, 1, 2, 2], r"^cols must be a permutation of range\(4\), got \[0, 1, 2, 2\]"),
    ([0, 1, 2], [[0, 1, 2, 3]], r"^cols must be a permutation of range\(4\)"),
    ([1, 2, 3], [0, 1, 2, 3], r"^rows must be a permutation of range\(3\), got \[1, 2, 3\]"),
])
def test_act_names_the_permutation_that_is_not_one(rows, cols, message):
    with pytest.raises(ValueError, match=message):
        act(np.zeros((3, 4)), rows, cols)


def test_act_names_a_matrix_that_is_not_two_dimensional():
    with pytest.raises(ValueError, match="^W must be 2-d"):
        act(np.ones(3), [0, 1, 2], [0])


def test_act_accepts_unsigned_permutations():
    W = np.arange(6.0).reshape(2, 3)
    out = act(W, np.array([1, 0], dtype=np.uint8), np.array([2, 1, 0], dtype=np.uint16))
    np.testing.assert_array_equal(out, W[::-1, ::-1])


def _equal_rows_and_columns():
    """A generic (5, 4) matrix with rows 1 = 3 and columns 0 = 2 = 3 (no other symmetry)."""
    W = np.random.default_rng(3).uniform(1.0, 2.0, (5, 4))
    W[:, 2] = W[:, 0]
    W[:, 3] = W[:, 0]
    W[3] = W[1]
    # columns 0, 2, 3 equal in every row, rows 1, 3 equal: a row or column transposition
    return W


def test_row_and_column_blocks_give_their_labels_orders_and_canonical_order():
    W = _equal_rows_and_columns()
    iso = detect_isotropy(W)
    assert iso.diagonal_blocks == []
    # singletons first (by their index), then larger blocks
    assert iso.row_blocks == [[0], [2], [4], [1, 3]]
    assert iso.col_blocks == [[1], [0, 2, 3]]
    assert iso.label == "S_2(rows) × S_3(cols)"
    assert iso.order == 2 * 6
    np.testing.assert_array_equal(iso.row_order, [0, 2, 4, 1, 3])
    np.testing.assert_array_equal(iso.col_order, [1, 0, 2, 3])
    assert iso.row_order.dtype.kind == "i" and iso.col_order.dtype.kind == "i"
    np.testing.assert_array_equal(iso.canonical(W), W[np.ix_([0, 2, 4, 1, 3], [1, 0, 2, 3])])
    assert iso.residual == 0.0


def test_the_residual_is_the_largest_change_of_an_accepted_generator():
    # rows 1 and 3 differ by 3e-7 in one entry, columns 1 and 2 by 5e-7 in one entry: both
    # transpositions are accepted at tol 1e-6, the residual is the larger change
    W = _equal_rows_and_columns()
    W[3, 1] += 3e-7
    W[4, 2] += 5e-7
    iso = detect_isotropy(W, tol=1e-6)
    assert iso.row_blocks[-1] == [1, 3] and iso.col_blocks[-1] == [0, 2, 3]
    assert iso.residual == pytest.approx(5e-7, rel=1e-6)
    W[4, 2] -= 5e-7  # only the rows' change is left
    assert detect_isotropy(W, tol=1e-6).residual == pytest.approx(3e-7, rel=1e-6)


def test_a_change_of_exactly_tol_is_accepted_and_a_larger_one_is_not():
    # binary fractions: every difference below is exact
    W = np.array([[1.0, 0.25, 0.25],
                  [0.25, 1.0, 0.25],
                  [0.25, 0.25, 1.5]])
    W2 = W.copy()
    W2[1, 2] = 0.75  # rows 0, 1 differ by 0.5 in column 2 besides the two swapped entries
    assert detect_isotropy(W, tol=0.5).order >= 2
    iso = detect_isotropy(W, tol=0.25)
    assert iso.diagonal_blocks == [[(0, 0), (1, 1)]] and iso.label == "ΔS_2"
    assert iso.residual == 0.0
    # a diagonal transposition whose change is exactly tol is accepted, a larger one is not
    assert detect_isotropy(W2, tol=0.5).label != "1"
    assert detect_isotropy(W2, tol=0.5 - 2**-10).label == "1"
    # two rows that differ by exactly tol in every entry are equal rows
    R = np.array([[1.0, 2.0], [1.5, 2.5], [7.0, -3.0]])
    assert detect_isotropy(R, tol=0.5).row_blocks[-1] == [0, 1]
    assert detect_isotropy(R, tol=0.5 - 2**-10).label == "1"
    # and two columns likewise
    assert detect_isotropy(R.T, tol=0.5).col_blocks[-1] == [0, 1]
    assert detect_isotropy(R.T, tol=0.5 - 2**-10).label == "1"


def test_canonical_order_puts_the_largest_diagonal_block_first_with_matched_columns():
    # blocks of sizes 2 and 3 along the diagonal, the smaller one first, then scrambled
    gen = np.random.default_rng(8)
    W = np.full((5, 5), 0.1)
    W[:2, :2], W[2:, 2:] = 0.3, -0.2
    W[[0, 1], [0, 1]] = 2.0
    W[[2, 3, 4], [2, 3, 4]] = 1.0
    W[:2, 2:], W[2:, :2] = 0.4, -0.3
    rows, cols = gen.permutation(5), gen.permutation(5)
    S = act(W, rows, cols)
    iso = detect_isotropy(S)
    assert iso.label == "ΔS_3 × ΔS_2" and iso.order == 12
    assert [len(b) for b in iso.diagonal_blocks] == [3, 2]
    # each pair (row, column) is a diagonal entry of W: the entry that stands out of its row
    for block in iso.diagonal_blocks:
        for i, a in block:
            assert S[i, a] in (1.0, 2.0)
    # the canonical form is W with its blocks swapped
    order = [2, 3, 4, 0, 1]
    np.testing.assert_array_equal(iso.canonical(S), W[np.ix_(order, order)])


def test_the_largest_diagonal_block_comes_first_also_when_it_starts_later():
    # the block of size 2 holds rows 0, 1 (and so the smallest index); a diagonal below the
    # median of its row (-0.5 against 0.3) is still the entry that stands out
    W = np.full((5, 5), 0.1)
    W[:2, :2], W[2:, 2:] = 0.3, 0.3
    W[[0, 1], [0, 1]] = 2.0
    W[[2, 3, 4], [2, 3, 4]] = -0.5
    iso = detect_isotropy(W)
    assert [len(b) for b in iso.diagonal_blocks] == [3, 2]
    assert iso.diagonal_blocks[0] == [(2, 2), (3, 3), (4, 4)]
    np.testing.assert_array_equal(iso.row_order, [2, 3, 4, 0, 1])
    np.testing.assert_array_equal(iso.col_order, [2, 3, 4, 0, 1])


def test_diagonal_orbits_leave_their_rows_and_columns_out_of_the_other_blocks():
    # Delta S_3 on rows and columns 0..2, then two equal rows 3, 4 and two equal columns 3, 4
    W = np.full((5, 5), 0.2)
    W[[0, 1, 2], [0, 1, 2]] = 1.0
    W[3:, :3] = 0.7
    W[:3, 3:] = -0.4
    W[3:, 3:] = [[0.9, 0.9], [0.9, 0.9]]
    iso = detect_isotropy(W)
    assert iso.diagonal_blocks == [[(0, 0), (1, 1), (2, 2)]]
    assert iso.row_blocks == [[3, 4]] and iso.col_blocks == [[3, 4]]
    assert iso.label == "ΔS_3 × S_2(rows) × S_2(cols)"
    assert iso.order == 6 * 2 * 2
    np.testing.assert_array_equal(iso.row_order, [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(iso.col_order, [0, 1, 2, 3, 4])


def test_detect_isotropy_names_its_arguments():
    with pytest.raises(ValueError, match="^tol must be > 0"):
        detect_isotropy(np.eye(3), tol=0.0)
    with pytest.raises(ValueError, match="^W must be 2-dimensional|^W must have 2"):
        detect_isotropy(np.ones(3))


def test_isotropy_labels_share_a_label_only_within_one_orbit():
    W = symmetry.type_a_weights([1.0, 0.1, 0.2, 0.3, -0.5], 6)
    R = np.random.default_rng(1).standard_normal((6, 6))
    # the same loss and the same sorted entries to 1e-5: one orbit, detected once
    near = W + 1e-7 * np.eye(6)
    labels = isotropy_labels([W, near, R], [0.1, 0.1 + 1e-11, 0.1], tol=1e-6)
    assert labels == ["ΔS_5", "ΔS_5", "1"]
    # the same matrix under another loss, or entries moved by 1e-4, is another orbit
    moved = W.copy()
    moved[0, 1] += 1e-4
    broken = detect_isotropy(moved, tol=1e-6).label
    assert broken != "ΔS_5"
    assert isotropy_labels([W, moved], [0.1, 0.1], tol=1e-6) == ["ΔS_5", broken]
    assert isotropy_labels([W, R], [0.1, 0.1 + 1e-8]) == ["ΔS_5", "1"]
    # the tolerance is passed on to detect_isotropy
    assert isotropy_labels([moved], [0.1], tol=1e-3) == ["ΔS_5"]


def test_isotropy_labels_name_their_arguments():
    with pytest.raises(ValueError, match=r"^points and losses must have the same length, got 2 "
                                         r"and 1"):
        isotropy_labels([np.eye(5), np.eye(5)], [0.0])
    with pytest.raises(ValueError, match=r"^points\[1\] must"):
        isotropy_labels([np.eye(5), np.ones(5)], [0.0, 0.0])
    for points in ([np.eye(5)], []):  # also when there is nothing to detect
        with pytest.raises(ValueError, match="^tol must be > 0"):
            isotropy_labels(points, [0.0] * len(points), tol=-1.0)
        with pytest.raises(ValueError, match="^tol must be > 0"):
            isotropy_labels(points, [0.0] * len(points), tol=0.0)


def test_isotropy_labels_take_equal_losses_and_sorted_entries_for_one_orbit():
    # B holds the entries of the type-A point A, shuffled: not on A's orbit (trivial isotropy),
    # but with the same loss and sorted entries the documented rule gives it A's label
    A = symmetry.type_a_weights([1.0, 0.1, 0.2, 0.3, -0.5], 6)
    B = np.random.default_rng(0).permutation(A.ravel()).reshape(6, 6)
    assert detect_isotropy(A).label == "ΔS_5" and detect_isotropy(B).label == "1"
    # losses equal to 1e-9, entries equal to 1e-5 (not to 1e-6): one orbit
    assert isotropy_labels([A, B], [0.1, 0.1 + 2e-10]) == ["ΔS_5", "ΔS_5"]
    assert isotropy_labels([A, B + 2e-6], [0.1, 0.1]) == ["ΔS_5", "ΔS_5"]
    # losses that differ at the ninth digit: two orbits, each detected
    assert isotropy_labels([A, B], [0.1, 0.1 + 2e-9]) == ["ΔS_5", "1"]
    assert isotropy_labels([A, B], [0.1, 0.1 + 2e-9], tol=1e-6) == ["ΔS_5", "1"]


# ----------------------------------------------------------------------------- spectrum


def test_a_reduced_spectrum_counts_and_expands_its_multiplicities():
    spec = symmetry.ReducedSpectrum(["S", "trivial"], np.array([2.0, -1.0]), np.array([1, 3]))
    assert spec.size == 4
    np.testing.assert_array_equal(spec.expand(), [-1.0, -1.0, -1.0, 2.0])


@pytest.mark.parametrize(("k", "d"), [(7, 7), (8, 7), (10, 7)])
def test_the_isotypic_types_have_their_documented_copies_and_dimensions(k, d):
    # Arjevani & Field 2020, sec. 4 (the docstring of type_a_spectrum): with D = d - 1,
    # k = d: 5 trivial, 5 S, X, Y; k > d: 7 trivial, 6 S, X, Y, and for k - d >= 2 also 2 S'
    # and one S⊗S', of dimensions 1, D - 1, D (D - 3)/2, (D - 1)(D - 2)/2, E - 1, (D - 1)(E - 1)
    D, E = d - 1, k - d
    alpha = np.array([0.9, -0.1, 0.3, 0.2, -0.6, 0.25, 0.4])[: 5 if k == d else 7]
    spec = symmetry.type_a_spectrum(alpha, k, d)
    copies = {"trivial": 5 if E == 0 else 7, "S": 5 if E == 0 else 6, "X": 1, "Y": 1}
    dims = {"trivial": 1, "S": D - 1, "X": D * (D - 3) // 2, "Y": (D - 1) * (D - 2) // 2}
    if E >= 2:
        copies.update({"S'": 2, "S⊗S'": 1})
        dims.update({"S'": E - 1, "S⊗S'": (D - 1) * (E - 1)})
    assert {t: spec.labels.count(t) for t in set(spec.labels)} == copies
    for label, mult in zip(spec.labels, spec.multiplicities):
        assert mult == dims[label]
    assert spec.multiplicities.dtype.kind == "i"
    # within a type the eigenvalues are ascending
    for t in copies:
        values = spec.eigenvalues[[i for i, s in enumerate(spec.labels) if s == t]]
        assert np.all(np.diff(values) >= 0)


def test_clusters_are_measured_relative_to_the_larger_neighbour_and_exact_ties_merge():
    # binary fractions: 0.5 and 1 differ by exactly tol max(1, 1) = 0.5, so they merge
    distinct, counts = symmetry.cluster_eigenvalues([1.0, 0.5, 3.0], tol=0.5)
    np.testing.assert_array_equal(distinct, [0.75, 3.0])
    np.testing.assert_array_equal(counts, [2, 1])
    assert counts.dtype.kind == "i"
    # 4 and 7 differ by 3 <= 0.5 * 7 (the larger, later value), but not by 0.5 * 4
    distinct, counts = symmetry.cluster_eigenvalues([7.0, 4.0], tol=0.5)
    np.testing.assert_array_equal(distinct, [5.5])
    np.testing.assert_array_equal(counts, [2])
    # below 1 in size the tolerance is absolute: -0.25 and 0.125 differ by 0.375 > 0.25
    distinct, counts = symmetry.cluster_eigenvalues([0.125, -0.25], tol=0.25)
    np.testing.assert_array_equal(distinct, [-0.25, 0.125])
    np.testing.assert_array_equal(counts, [1, 1])
    # tol = 0 merges exact repeats only
    distinct, counts = symmetry.cluster_eigenvalues([2.0, 2.0, 2.0 + 2**-50], tol=0.0)
    np.testing.assert_array_equal(counts, [2, 1])


def test_cluster_eigenvalues_of_nothing_and_bad_input():
    distinct, counts = symmetry.cluster_eigenvalues([])
    assert distinct.size == 0 and counts.size == 0 and counts.dtype.kind == "i"
    with pytest.raises(ValueError, match="^tol must be >= 0"):
        symmetry.cluster_eigenvalues([1.0], tol=-1e-9)
    with pytest.raises(ValueError, match="^values must be 1-d"):
        symmetry.cluster_eigenvalues(np.eye(2))


# ----------------------------------------------------------------------------- type A


def test_type_a_weights_put_each_parameter_in_its_place():
    # the matrix of the docstring, k = 7 > d = 5 (D = 4 diagonal rows, one special, 2 extra)
    a = [1.5, 0.25, -0.5, 0.75, -2.0, 0.125, 3.0]
    W = symmetry.type_a_weights(a, 7, 5)
    expected = np.array([
        [1.5, 0.25, 0.25, 0.25, -0.5],
        [0.25, 1.5, 0.25, 0.25, -0.5],
        [0.25, 0.25, 1.5, 0.25, -0.5],
        [0.25, 0.25, 0.25, 1.5, -0.5],
        [0.75, 0.75, 0.75, 0.75, -2.0],
        [0.125, 0.125, 0.125, 0.125, 3.0],
        [0.125, 0.125, 0.125, 0.125, 3.0],
    ])
    np.testing.assert_array_equal(W, expected)
    np.testing.assert_array_equal(symmetry.type_a_parameters(expected), a)
    np.testing.assert_array_equal(symmetry.type_a_weights(a[:5], 5), expected[:5])


def test_type_a_parameters_average_within_tol_and_name_the_distance_beyond():
    alpha = np.array([1.0, -0.05, 0.3, 0.2, -0.6])
    W = symmetry.type_a_weights(alpha, 6)
    near = W.copy()
    near[0, 0] += 5e-7  # alpha_1 is the mean of the 5 diagonal entries
    np.testing.assert_allclose(symmetry.type_a_parameters(near), alpha + [1e-7, 0, 0, 0, 0],
                               rtol=0, atol=1e-15)
    far = W.copy()
    far[0, 0] += 2e-6  # 2e-6 (1 - 1/5) from the closest point
    with pytest.raises(ValueError, match=r"^W is not in the type-A fixed-point space: the "
                                         r"closest point differs by 1.60e-06 \(tol 1.0e-06\)"):
        symmetry.type_a_parameters(far)
    np.testing.assert_allclose(symmetry.type_a_parameters(far, tol=1e-5),
                               alpha + [4e-7, 0, 0, 0, 0], rtol=0, atol=1e-15)


def test_newton_on_the_type_a_equations_names_its_arguments():
    with pytest.raises(ValueError, match="^alpha0 must have length 5"):
        symmetry.type_a_critical_point(6, np.zeros(7))
    with pytest.raises(ValueError, match="^tol must be > 0"):
        symmetry.type_a_critical_point(6, np.ones(5), tol=0.0)
    with pytest.raises(ValueError, match="^max_iter must be >= 1"):
        symmetry.type_a_critical_point(6, np.ones(5), max_iter=0)
    with pytest.raises(ValueError, match="^ks must be strictly increasing, got"):
        symmetry.follow_type_a([6, 6], np.ones(5))
    with pytest.raises(ValueError, match="^ks\\[0\\] must be >= 5"):
        symmetry.follow_type_a([4, 6], np.ones(5))
    with pytest.raises(ValueError, match="^d_offset must be >= 0"):
        symmetry.follow_type_a([6, 7], np.ones(5), d_offset=-1)


def test_a_critical_point_reports_its_loss_gradient_norm_and_steps():
    p = symmetry.type_a_critical_point(7, [1.0, -0.05, 0.3, 0.2, -0.6, 0.1, 0.2], 6)
    assert (p.k, p.d) == (7, 6) and p.W.shape == (7, 6)
    from twolayer.gaussian import identity_teacher, population_gradient, population_loss

    G = population_gradient(p.W, identity_teacher(6))
    assert p.grad_norm == pytest.approx(np.linalg.norm(G), rel=1e-6, abs=1e-15)
    assert p.grad_norm <= 1e-10
    assert p.loss == pytest.approx(population_loss(p.W, identity_teacher(6)), rel=1e-12)
    assert p.iterations >= 3
    # from the critical point itself no step is needed, and at most the two polishing steps
    # that lower the gradient norm further are taken
    again = symmetry.type_a_critical_point(7, p.alpha, 6)
    assert again.iterations <= 2 and again.grad_norm <= p.grad_norm
    np.testing.assert_allclose(again.alpha, p.alpha, atol=1e-12)


def test_follow_type_a_extrapolates_linearly_in_one_over_sqrt_k(monkeypatch):
    from twolayer.symmetry import type_a

    real = type_a.type_a_critical_point
    starts = []

    def recording(k, alpha0, d=None, **options):
        starts.append((k, d, np.array(alpha0, dtype=float), options))
        return real(k, alpha0, d, **options)

    monkeypatch.setattr(type_a, "type_a_critical_point", recording)
    alpha0 = [1.0, -0.05, 0.3, 0.2, -0.6]
    points = symmetry.follow_type_a([6, 8, 11], alpha0, tol=1e-9, max_iter=40)
    assert [s[0] for s in starts] == [6, 8, 11] and [s[1] for s in starts] == [6, 8, 11]
    assert all(s[3] == {"tol": 1e-9, "max_iter": 40} for s in starts)
    np.testing.assert_array_equal(starts[0][2], alpha0)
    np.testing.assert_array_equal(starts[1][2], points[0].alpha)
    x1, x2, x = 6**-0.5, 8**-0.5, 11**-0.5
    a1, a2 = points[0].alpha, points[1].alpha
    np.testing.assert_allclose(starts[2][2], a2 + (a2 - a1) * (x - x2) / (x2 - x1), rtol=1e-14)
    # d = k - d_offset
    starts.clear()
    symmetry.follow_type_a([7, 8], [1.0, -0.05, 0.3, 0.2, -0.6, 0.1, 0.2], d_offset=1)
    assert [(s[0], s[1]) for s in starts] == [(7, 6), (8, 7)]


@pytest.mark.parametrize(("k", "d"), [(6, 6), (7, 6)])
def test_the_reported_gradient_norm_is_that_of_the_full_gradient_away_from_zero(k, d):
    # with tol = 10 no damped step is needed, and the polishing steps stop away from a critical
    # point: the reduced norm (with the sizes of the basis matrices) is the Frobenius norm
    from twolayer.gaussian import identity_teacher, population_gradient

    alpha0 = [1.0, -0.05, 0.3, 0.2, -0.6] + ([0.1, 0.2] if k > d else [])
    p = symmetry.type_a_critical_point(k, alpha0, d, tol=10.0)
    G = population_gradient(p.W, identity_teacher(d))
    assert np.linalg.norm(G) > 1e-7
    assert p.grad_norm == pytest.approx(np.linalg.norm(G), rel=1e-8)


def test_newton_counts_its_steps_and_polishes_twice_once_within_tol():
    # from a start within tol only the two polishing steps are taken, each lowering the norm
    p = symmetry.type_a_critical_point(6, [1.0, -0.05, 0.3, 0.2, -0.6], tol=10.0)
    assert p.iterations == 2
    # a start that needs more than three steps: the error names the steps taken
    for max_iter in (1, 3):
        with pytest.raises(RuntimeError, match=(
                r"^Newton's method on the type-A equations did not converge at k = 8, d = 8: "
                rf"gradient norm \S+ after {max_iter} steps \(tol 1.0e-10\)$")):
            symmetry.type_a_critical_point(8, [3.0, 2.0, 1.0, 1.0, 1.0], max_iter=max_iter)


def test_newton_reports_a_singular_jacobian_and_a_step_that_never_helps(monkeypatch):
    from twolayer.symmetry import type_a

    start = [1.0, -0.05, 0.3, 0.2, -0.6]
    monkeypatch.setattr(type_a, "_reduced_jacobian", lambda alpha, k, d: np.zeros((5, 5)))
    with pytest.raises(RuntimeError, match=r"^Newton's method on the type-A equations hit a "
                                           r"singular Jacobian at k = 6, d = 6 after 0 steps"):
        symmetry.type_a_critical_point(6, start)
    # within tol a singular Jacobian only ends the polishing: the start is returned
    p = symmetry.type_a_critical_point(6, start, tol=10.0)
    assert p.iterations == 0
    np.testing.assert_array_equal(p.alpha, start)
    # a step of 1e30 that thirty halvings leave far too long: no step is taken, and the error
    # says that Newton's method did not converge
    monkeypatch.setattr(type_a, "_reduced_jacobian", lambda alpha, k, d: 1e-30 * np.eye(5))
    with pytest.raises(RuntimeError, match=r"did not converge at k = 6, d = 6: gradient norm "
                                           r"\S+ after 0 steps"):
        symmetry.type_a_critical_point(6, start)


def test_the_type_a_functions_name_alpha_and_w():
    with pytest.raises(ValueError, match="^alpha must have length 5"):
        symmetry.type_a_loss(np.zeros(7), 6)
    with pytest.raises(ValueError, match="^alpha must have length 7"):
        symmetry.type_a_loss(np.zeros(5), 7, 6)
    with pytest.raises(ValueError, match="^W must be 2-dimensional"):
        symmetry.type_a_parameters(np.ones(5))
    with pytest.raises(ValueError, match=r"^W must have shape \(k, d\) with k >= d >= 5 \(the "
                                         r"type-A family\), got shape \(5, 6\)"):
        symmetry.type_a_parameters(np.ones((5, 6)))
    with pytest.raises(ValueError, match="^alpha0 must be 1-dimensional"):
        symmetry.follow_type_a([6], np.ones((5, 1)))


def test_follow_type_a_checks_d_offset_against_the_first_k():
    with pytest.raises(ValueError, match=r"^d_offset must leave d = k - d_offset >= 5 for every "
                                         r"k of ks, got d_offset = 2 with k = 6$"):
        symmetry.follow_type_a([6, 9], np.ones(7), d_offset=2)
    with pytest.raises(ValueError, match=r"^d_offset must leave .* with k = 6$"):
        symmetry.follow_type_a([6], np.ones(7), d_offset=2)
    # d = 5 is allowed
    (p,) = symmetry.follow_type_a([7], [1.0, -0.05, 0.3, 0.2, -0.6, 0.1, 0.2], d_offset=2)
    assert (p.k, p.d) == (7, 5)


def test_the_cancellation_free_pieces_of_the_type_a_loss_against_60_digits():
    import mpmath as mp

    from twolayer.symmetry import type_a

    mp.mp.dps = 60
    # S - a atan2(S, a): the series for S < a / 10, the direct formula beyond
    for S, a in ((1e-3, 0.5), (0.05, 2.0), (0.099, 1.0), (0.5, 1.0), (0.3, -1.0), (0.0, 1.0)):
        ref = mp.mpf(S) - mp.mpf(a) * mp.atan2(mp.mpf(S), mp.mpf(a))
        assert type_a._s_minus_a_t(S, a) == pytest.approx(float(ref), rel=1e-14, abs=1e-300)
    for x in (1e-12, 1e-3, 0.5, -0.75, 3.0):
        ref = mp.sqrt(1 + mp.mpf(x)) - 1
        assert type_a._minus_one(x) == pytest.approx(float(ref), rel=1e-15)


# ----------------------------------------------------------------------------- spectrum

_ALPHA5 = [0.9, -0.1, 0.05, 0.1, 0.2]  # a point of the type-A space, k = d = 5: the largest
# |eigenvalue| per block is 1.60 (trivial), 1.26 (S), 0.28 (X), 0.10 (Y)


def _eigvals_with_imaginary_part(monkeypatch, imag):
    # every block's eigenvalues get the imaginary part imag(max |eigenvalue| of the block)
    eigvals = np.linalg.eigvals

    def shifted(B):
        ev = eigvals(B).real
        return ev + 1j * imag(float(np.abs(ev).max()))

    monkeypatch.setattr(np.linalg, "eigvals", shifted)


def test_type_a_spectrum_accepts_rounding_in_the_imaginary_parts_relative_to_the_block(
        monkeypatch):
    plain = symmetry.type_a_spectrum(_ALPHA5, 5)
    # 0.9e-8 max(1, M) stays below the tolerance 1e-8 max(1, M) of every block
    _eigvals_with_imaginary_part(monkeypatch, lambda M: 0.9e-8 * max(1.0, M))
    shifted = symmetry.type_a_spectrum(_ALPHA5, 5)
    np.testing.assert_array_equal(shifted.eigenvalues, plain.eigenvalues)


@pytest.mark.parametrize(("imag", "label"), [
    (lambda M: 1e-3, "trivial"),  # far beyond rounding, in the first block
    # 1.5e-8 in the blocks with every |eigenvalue| below 1, where the tolerance is 1e-8
    (lambda M: 1.5e-8 if M < 1 else 0.0, "X"),
])
def test_type_a_spectrum_names_a_block_with_complex_eigenvalues(monkeypatch, imag, label):
    _eigvals_with_imaginary_part(monkeypatch, imag)
    message = rf"(?s)^block {label} has complex eigenvalues .*; not a symmetric block$"
    with pytest.raises(RuntimeError, match=message):
        symmetry.type_a_spectrum(_ALPHA5, 5)


def test_type_a_spectrum_checks_that_the_multiplicities_add_up_to_k_d(monkeypatch):
    from twolayer.symmetry import spectrum

    blocks = spectrum._standard_patterns
    # without the last block (Y, multiplicity (D - 1)(D - 2)/2 = 3 for d = 5): 25 - 3 = 22
    monkeypatch.setattr(spectrum, "_standard_patterns", lambda k, d: blocks(k, d)[:-1])
    with pytest.raises(RuntimeError, match=r"^multiplicities add up to 22, expected k d = 25$"):
        symmetry.type_a_spectrum(_ALPHA5, 5)


def test_cluster_eigenvalues_default_tolerance_is_1e_7_relative():
    values, counts = symmetry.cluster_eigenvalues([1.0, 1.0 + 5e-8, 1.0 + 3e-7, 100.0,
                                                   100.0 + 5e-6])
    np.testing.assert_allclose(values, [1.0 + 2.5e-8, 1.0 + 3e-7, 100.0 + 2.5e-6], rtol=1e-15)
    assert counts.tolist() == [2, 1, 2]

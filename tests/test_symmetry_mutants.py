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

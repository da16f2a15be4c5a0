"""The |x| teacher of twolayer.gaussian.abs_teacher (Li, Ma & Zhang 2020): the recorded descent
against plain gradient steps, the width study against its documented draws, the alignment and
the Hermite terms against direct computations, and the argument checks."""

from __future__ import annotations

import numpy as np
import pytest

from twolayer import data, gaussian


def _problem(d=4, m=6, seed=3):
    V, a = data.abs_teacher(d, seed)
    W = np.random.default_rng(seed).standard_normal((m, d)) / np.sqrt(d)
    return W, V, a


def test_recorded_descent_is_plain_gradient_descent_with_the_width_factor():
    W0, V, a = _problem()
    m = W0.shape[0]
    keep = W0.copy()
    run = gaussian.abs_teacher_dynamics(W0, V, a, lr=0.3, steps=40, records=8, degrees=(4, 0, 1))
    np.testing.assert_array_equal(W0, keep)  # not modified
    np.testing.assert_array_equal(run.W0, W0)
    W, at = W0.copy(), {}
    for t in range(41):
        at[t] = W.copy()
        W = W - 0.3 * m * gaussian.abs_teacher_gradient(W, V, a)
    np.testing.assert_allclose(run.W, at[40], rtol=1e-12, atol=1e-14)
    assert run.degrees == (4, 0, 1)
    assert run.steps[0] == 0 and run.steps[-1] == 40
    assert np.all(np.diff(run.steps) > 0) and 5 <= len(run.steps) <= 8
    for n, t in enumerate(run.steps):
        Wt = at[int(t)]
        assert run.loss[n] == pytest.approx(gaussian.abs_teacher_loss(Wt, V, a), rel=1e-11)
        np.testing.assert_allclose(
            run.terms[n], gaussian.abs_teacher_hermite_terms(Wt, V, a, (4, 0, 1)), rtol=1e-10,
            atol=1e-16)
        assert run.alignment[n] == pytest.approx(gaussian.neuron_alignment(Wt, V).mean(),
                                                 rel=1e-12)
    np.testing.assert_array_equal(run.V, V)
    np.testing.assert_array_equal(run.a, a)


def test_records_are_spaced_evenly_on_a_logarithmic_axis():
    W0, V, a = _problem(d=3, m=2)
    run = gaussian.abs_teacher_dynamics(W0, V, a, lr=0.01, steps=999, records=4)
    # 1 + step at 1, 10, 100, 1000: the steps 0, 9, 99, 999
    assert run.steps.tolist() == [0, 9, 99, 999] and run.steps.dtype.kind == "i"
    # 1 + step = 9^(j/3) = 1, 2.08, 4.33, 9 rounded
    short = gaussian.abs_teacher_dynamics(W0, V, a, lr=0.01, steps=8, records=4)
    assert short.steps.tolist() == [0, 1, 3, 8]
    two = gaussian.abs_teacher_dynamics(W0, V, a, lr=0.01, steps=1, records=2)
    assert two.steps.tolist() == [0, 1] and two.loss.shape == (2,)
    assert two.terms.shape == (2, 4)  # the default degrees (0, 1, 2, 4)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_a_diverging_descent_raises():
    # with lr = 100 the loss is finite at the records 0 and 1 and NaN at step 5, the last
    W0, V, a = _problem()
    with pytest.raises(FloatingPointError, match="^gradient descent diverged; lower lr"):
        gaussian.abs_teacher_dynamics(W0, V, a, lr=100.0, steps=5, records=3)
    with pytest.raises(FloatingPointError, match="^gradient descent diverged"):
        gaussian.abs_teacher_dynamics(W0, V, a, lr=1e6, steps=60, records=3)


def test_records_default_to_sixty_points():
    W0, V, a = _problem(d=2, m=1)
    run = gaussian.abs_teacher_dynamics(W0, V, a, lr=0.01, steps=200)
    explicit = gaussian.abs_teacher_dynamics(W0, V, a, lr=0.01, steps=200, records=60)
    np.testing.assert_array_equal(run.steps, explicit.steps)
    assert len(run.steps) == 43  # 60 points of a log grid over 201 steps, 17 of them repeated


def test_the_gradient_at_a_neuron_and_its_negative_is_finite_and_exact(central_difference):
    # u / |u| . (-u / |u|) rounds below -1 for this u: the cosine must be clipped before the
    # sine and the angle are taken from it
    u = np.array([0.903, 0.094, -0.743, -0.922])
    W = np.vstack([u, -u, [0.3, -0.2, 0.5, 0.1]])
    V, a = data.abs_teacher(4, 1)
    G = gaussian.abs_teacher_gradient(W, V, a)
    assert np.all(np.isfinite(G))
    fd = central_difference(lambda U: gaussian.abs_teacher_loss(U, V, a), W)
    np.testing.assert_allclose(G, fd, atol=1e-8)


def test_width_study_runs_each_width_from_its_documented_draws():
    d, widths = 3, (2, 5)
    study = gaussian.width_study(d, widths, seeds=2, rng=4, lr=0.2, steps=6, records=3,
                                 kappa=1.5, degrees=(0, 2))
    gen = np.random.default_rng(4)
    for s in range(2):
        V, a = data.abs_teacher(d, gen, kappa=1.5)
        for i, m in enumerate(widths):
            W0 = gen.standard_normal((m, d)) / np.sqrt(d)
            run = gaussian.abs_teacher_dynamics(W0, V, a, lr=0.2, steps=6, records=3,
                                                degrees=(0, 2))
            np.testing.assert_allclose(study.loss[i, s], run.loss, rtol=1e-12)
            np.testing.assert_allclose(study.terms[i, s], run.terms, rtol=1e-12, atol=1e-16)
            np.testing.assert_allclose(study.alignment[i, s], run.alignment, rtol=1e-12)
            np.testing.assert_array_equal(study.steps, run.steps)
    assert study.d == d and study.widths == widths and study.seeds == 2
    assert study.degrees == (0, 2)
    assert study.loss.shape == (2, 2, len(study.steps))
    assert study.terms.shape == (2, 2, len(study.steps), 2)
    # (1 - 3/pi) / d: the Hermite weight of degrees >= 4 of |t| (c_0 + c_2 = 3/pi) times
    # |a|^2 = 1/d at a_i = 1/d
    assert study.floor == pytest.approx(
        (1.0 - gaussian.hermite_abs_coefficients(2).sum()) / d, rel=1e-14)


def test_width_study_defaults_are_those_of_its_signature_and_of_the_teacher():
    # lr 0.5, 3000 steps, 40 records, kappa 2 (the default of data.abs_teacher)
    study = gaussian.width_study(2, [1], seeds=1, rng=5, degrees=[0])
    explicit = gaussian.width_study(2, [1], seeds=1, rng=5, lr=0.5, steps=3000, records=40,
                                    kappa=2.0, degrees=[0])
    np.testing.assert_array_equal(study.loss, explicit.loss)
    np.testing.assert_array_equal(study.steps, explicit.steps)
    assert study.steps[-1] == 3000 and 30 <= len(study.steps) <= 40
    gen = np.random.default_rng(5)
    V, a = data.abs_teacher(2, gen)  # kappa = 2 by default
    W0 = gen.standard_normal((1, 2)) / np.sqrt(2)
    assert study.loss[0, 0, 0] == pytest.approx(gaussian.abs_teacher_loss(W0, V, a), rel=1e-12)


def test_neuron_alignment_is_the_best_cosine_with_each_signed_direction():
    W, V, _ = _problem(d=4, m=5)
    out = gaussian.neuron_alignment(3.0 * W, V)
    expected = [max((s * v) @ w / (np.linalg.norm(w) * np.linalg.norm(v)) for w in W)
                for s in (1.0, -1.0) for v in V]
    np.testing.assert_allclose(out, expected, rtol=1e-13)
    # neurons on every +-v_i align perfectly
    np.testing.assert_allclose(gaussian.neuron_alignment(np.vstack([2 * V, -V]), V), 1.0)


def test_hermite_terms_against_their_definitions():
    W, V, a = _problem(d=3, m=4)
    beta = np.sum(W * W, axis=1) / len(W)
    U = W / np.linalg.norm(W, axis=1)[:, None]
    b = a * np.linalg.norm(V, axis=1)
    c = gaussian.hermite_abs_coefficients(6)
    expected = {1: 0.25 * np.sum((beta @ U) ** 2), 3: 0.0, 5: 0.0}
    for k in (0, 2, 4, 6):
        # |T_k / 2 - S_k|^2 with the tensors formed explicitly
        T = sum(bj * _power(u, k) for bj, u in zip(beta, U))
        S = sum(bi * _power(v, k) for bi, v in zip(b, V))
        expected[k] = c[k] * np.sum((T / 2 - S) ** 2)
    degrees = (6, 1, 3, 0, 4, 2, 5)
    np.testing.assert_allclose(gaussian.abs_teacher_hermite_terms(W, V, a, degrees),
                               [expected[k] for k in degrees], rtol=1e-11, atol=1e-17)
    assert gaussian.abs_teacher_hermite_terms(W, V, a, [3]).tolist() == [0.0]
    # the norms of the target's directions enter its weights b = a |v|
    np.testing.assert_allclose(gaussian.abs_teacher_hermite_terms(W, 2 * V, a / 2, degrees),
                               gaussian.abs_teacher_hermite_terms(W, V, a, degrees), rtol=1e-12)
    np.testing.assert_allclose(gaussian.abs_teacher_gradient(W, 2 * V, a / 2),
                               gaussian.abs_teacher_gradient(W, V, a), rtol=1e-12, atol=1e-15)
    assert gaussian.abs_teacher_loss(W, 2 * V, a / 2) == pytest.approx(
        gaussian.abs_teacher_loss(W, V, a), rel=1e-12)


def _power(u, k):
    out = np.ones(())
    for _ in range(k):
        out = np.multiply.outer(out, u)
    return out


def test_zero_rows_and_fewer_directions_than_dimensions():
    # a zero neuron computes nothing but still counts in the 1/m of the learner: the others,
    # scaled by sqrt((m - 1) / m), give the same function; a zero target direction, or one with
    # a_i = 0, drops out; p < d directions are allowed
    W, V, a = _problem(d=4, m=5)
    W0 = np.vstack([W[:2], np.zeros((1, 4)), W[2:]])
    rest = W * np.sqrt(5 / 6)
    assert gaussian.abs_teacher_loss(W0, V, a) == pytest.approx(
        gaussian.abs_teacher_loss(rest, V, a), rel=1e-12)
    Vp, ap = V[:2], a[:2]
    a0 = np.concatenate([ap, [0.0, 0.0]])
    assert gaussian.abs_teacher_loss(W, Vp, ap) == pytest.approx(
        gaussian.abs_teacher_loss(W, V, a0), rel=1e-12)
    Vz = np.vstack([Vp, np.zeros((1, 4))])
    az = np.concatenate([ap, [0.7]])
    assert gaussian.abs_teacher_loss(W, Vz, az) == pytest.approx(
        gaussian.abs_teacher_loss(W, Vp, ap), rel=1e-12)
    np.testing.assert_allclose(gaussian.abs_teacher_gradient(W, Vp, ap),
                               gaussian.abs_teacher_gradient(W, V, a0), rtol=1e-11, atol=1e-15)
    np.testing.assert_allclose(gaussian.abs_teacher_gradient(W, Vz, az),
                               gaussian.abs_teacher_gradient(W, Vp, ap), rtol=1e-11, atol=1e-15)
    # a zero neuron has cosine 0 with every direction, inside the documented [-1, 1]
    align = gaussian.neuron_alignment(np.vstack([np.zeros((1, 4)), -W]), Vp)
    assert np.all(np.isfinite(align)) and np.all(np.abs(align) <= 1.0)
    np.testing.assert_allclose(align, np.maximum(gaussian.neuron_alignment(-W, Vp), 0.0))
    assert gaussian.neuron_alignment(W, Vp).shape == (4,)


def test_the_loss_vanishes_when_the_learner_is_the_target():
    # |v.x| = relu(v.x) + relu(-v.x); with beta = |w|^2 / m this needs |w| = sqrt(m a |v|)
    V, a = data.abs_teacher(3, 0)
    m = 6
    W = np.vstack([V, -V]) * np.sqrt(m * np.concatenate([a, a]))[:, None]
    assert gaussian.abs_teacher_loss(W, V, a) == pytest.approx(0.0, abs=1e-14)
    np.testing.assert_allclose(gaussian.abs_teacher_gradient(W, V, a), 0.0, atol=1e-14)
    assert gaussian.abs_teacher_loss(W[:3], V, a) > 0.01


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: gaussian.hermite_abs_coefficients(1.0), TypeError, "kmax must be an integer"),
        (lambda: gaussian.abs_teacher_hermite_terms(np.ones((2, 3)), np.eye(3), np.ones(3), []),
         ValueError, "degrees must hold at least one degree"),
        (lambda: gaussian.abs_teacher_hermite_terms(np.ones((2, 3)), np.eye(3), np.ones(3),
                                                    [2, -1]), ValueError,
         r"degrees\[i\] must be >= 0"),
        (lambda: gaussian.abs_teacher_loss(np.ones((2, 3)), np.eye(2), np.ones(2)), ValueError,
         "W and V must have the same number of columns"),
        (lambda: gaussian.neuron_alignment(np.ones((2, 3)), np.ones(3)), ValueError,
         "V must be 2-dimensional"),
        (lambda: gaussian.abs_teacher_dynamics(np.zeros((2, 3)), np.eye(3), np.ones(3), lr=0.1,
                                               steps=2), ValueError, "row 0 of W0 is zero"),
        (lambda: gaussian.abs_teacher_dynamics(np.ones((2, 3)), np.eye(3), np.ones(3), lr=0.0,
                                               steps=2), ValueError, "lr must be > 0"),
        (lambda: gaussian.abs_teacher_dynamics(np.ones((2, 3)), np.eye(3), np.ones(3), lr=0.1,
                                               steps=0), ValueError, "steps must be >= 1"),
        (lambda: gaussian.abs_teacher_dynamics(np.ones((2, 3)), np.eye(3), np.ones(3), lr=0.1,
                                               steps=2, records=1), ValueError,
         "records must be >= 2"),
        (lambda: gaussian.abs_teacher_dynamics(np.ones((2, 3)), np.eye(3), np.ones(3), lr=0.1,
                                               steps=2, degrees=[-1]), ValueError,
         r"degrees\[i\] must be >= 0"),
        (lambda: gaussian.abs_teacher_dynamics(np.ones((2, 3)), np.eye(3), np.ones(2), lr=0.1,
                                               steps=2), ValueError, "a must have"),
        (lambda: gaussian.width_study(1, [2], seeds=1, rng=0), ValueError, "d must be >= 2"),
        (lambda: gaussian.width_study(2, [], seeds=1, rng=0), ValueError,
         "widths must hold at least one width"),
        (lambda: gaussian.width_study(2, [2, 0], seeds=1, rng=0), ValueError,
         r"widths\[i\] must be >= 1"),
        (lambda: gaussian.width_study(2, [2], seeds=0, rng=0), ValueError, "seeds must be >= 1"),
        (lambda: gaussian.width_study(2, [2], seeds=1, rng=0, lr=0.0), ValueError,
         "lr must be > 0"),
        (lambda: gaussian.width_study(2, [2], seeds=1, rng=0, steps=0), ValueError,
         "steps must be >= 1"),
        (lambda: gaussian.width_study(2, [2], seeds=1, rng=0, records=1), ValueError,
         "records must be >= 2"),
        (lambda: gaussian.width_study(2, [2], seeds=1, rng=0, kappa=0.9), ValueError,
         "kappa must be >= 1"),
        (lambda: gaussian.width_study(2, [2], seeds=1, rng=0, degrees=[-2]), ValueError,
         r"degrees\[i\] must be >= 0"),
        (lambda: gaussian.width_study(2, [2], seeds=1, rng=None), TypeError, "rng"),
    ],
)
def test_each_bad_argument_is_named_at_the_start_of_its_error(call, error, match):
    with pytest.raises(error, match="^" + match):
        call()


def test_the_smallest_documented_settings_are_accepted():
    assert gaussian.hermite_abs_coefficients(0).tolist() == [2 / np.pi]
    study = gaussian.width_study(2, [1], seeds=1, rng=0, steps=1, records=2, kappa=1.0,
                                 degrees=[0])
    assert study.loss.shape == (1, 1, 2) and study.terms.shape == (1, 1, 2, 1)
    W0, V, a = _problem(d=2, m=1)
    assert gaussian.abs_teacher_dynamics(W0, V, a, lr=0.1, steps=1, records=2,
                                         degrees=[0]).terms.shape == (2, 1)

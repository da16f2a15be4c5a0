"""Robustness sweep: the structured IPM against cvxpy + Clarabel on hundreds of small problems.

Problems across n, d, beta, the scales of y and X, and degenerate data (duplicate rows,
rank-deficient X, y = 0, beta above beta_max). For each, both solvers run; the sweep reports
the largest relative difference of the objectives, the IPM's certificate gaps, and every
problem where either solver raised. Slow (minutes); a small sample of it is in
tests/test_solvers.py. Run: ``.venv/bin/python bench/robustness.py [--count N]``.
"""

from __future__ import annotations

import argparse
import collections

import numpy as np

from twolayer.arrangements import sample_patterns
from twolayer.convex import solve_convex
from twolayer.solvers import solve_ipm

KINDS = ("plain", "duplicate_rows", "rank_deficient", "zero_y", "beta_above_max", "scaled")


def make_problem(kind: str, gen: np.random.Generator):
    """One random problem of the given kind: ``X, y, beta, patterns``."""
    n = int(gen.integers(5, 40))
    d = int(gen.integers(2, 6))
    X = gen.standard_normal((n, d))
    y = gen.standard_normal(n)
    beta = float(10 ** gen.uniform(-3, 0.5))
    if kind == "duplicate_rows":
        k = int(gen.integers(1, n // 2 + 1))
        X = np.vstack([X, X[:k]])
        y = np.concatenate([y, y[:k] + 0.1 * gen.standard_normal(k)])
    elif kind == "rank_deficient":
        X[:, -1] = X[:, :-1] @ gen.standard_normal(d - 1)
    elif kind == "zero_y":
        y = np.zeros(n)
    elif kind == "scaled":
        X = X * 10 ** gen.uniform(-2, 2)
        y = y * 10 ** gen.uniform(-3, 3)
        beta = beta * float(np.abs(X).max() * np.abs(y).max())
    pat = sample_patterns(X, int(gen.integers(5, 60)), gen)
    if kind == "beta_above_max":
        M = pat.T.astype(float)
        beta = 1.5 * float(np.linalg.norm((M * y[:, None]).T @ X, axis=1).max())
    return X, y, beta, pat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="problems in all")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    gen = np.random.default_rng(args.seed)
    worst = collections.defaultdict(float)
    gaps = collections.defaultdict(float)
    counts = collections.Counter()
    failures = []
    for i in range(args.count):
        kind = KINDS[i % len(KINDS)]
        X, y, beta, pat = make_problem(kind, gen)
        counts[kind] += 1
        try:
            ref = solve_convex(X, y, beta, pat).value
        except Exception as err:  # noqa: BLE001 - the sweep records every failure
            failures.append((i, kind, "clarabel", repr(err)[:120]))
            continue
        try:
            res = solve_ipm(X, y, beta, pat)
        except Exception as err:  # noqa: BLE001
            failures.append((i, kind, "ipm", str(err)[-90:]))
            continue
        # y = 0: both optima are 0 (Clarabel returns about 1e-12), compare absolutely
        scale = max(abs(ref), 1e-12 * float(y @ y), 1e-9)
        worst[kind] = max(worst[kind], abs(res.solution.value - ref) / scale)
        gaps[kind] = max(gaps[kind], res.certificate.gap)
    print("| kind | problems | max rel. difference to Clarabel | max IPM gap |")
    print("| --- | --- | --- | --- |")
    for kind in KINDS:
        print(f"| {kind} | {counts[kind]} | {worst[kind]:.1e} | {gaps[kind]:.1e} |")
    print(f"\n{len(failures)} failures")
    for fail in failures:
        print("-", *fail)


if __name__ == "__main__":
    main()

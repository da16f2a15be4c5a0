"""Benchmark: the structured interior-point method against cvxpy + Clarabel, side by side.

Run with ``make bench`` (one BLAS thread, like the book). For each size n/d/P the problem is
X, y standard normal (seed 0), patterns of P sampled Gaussian gates (seed 0) and
beta = n * 1e-3. The two solvers run interleaved in one process, ``--repeat`` times each, and
the table reports medians of the wall-clock times, the objectives, and for each solver:

- gap: relative gap of its objective above the certified lower bound (the dual value of the
  interior-point certificate at ``tol_gap = 1e-8``, a valid lower bound on the optimum; where
  cvxpy is skipped, the dual value of the timed run's own certificate),
- violation: largest cone violation ``max(0, -min (2D - I) X v)`` relative to ``max |X| max ||v||``.

cvxpy + Clarabel (the library's settings, :data:`twolayer.convex.CLARABEL_OPTIONS`) is skipped
above ``--cvxpy-max`` groups times samples (its KKT system fills in densely: about 271 s at
500/20/500 on 2 cores). Timing lives here only, never in the book or the tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import time

import numpy as np

from twolayer.arrangements import sample_patterns
from twolayer.convex import recover_network, solve_convex
from twolayer.network import objective
from twolayer.solvers import solve_ipm


def problem(n: int, d: int, P: int):
    gen = np.random.default_rng(0)
    X = gen.standard_normal((n, d))
    y = gen.standard_normal(n)
    return X, y, n * 1e-3, sample_patterns(X, P, 0)


def violation(X, pat, V, U) -> float:
    S = 2.0 * pat - 1.0
    worst = min(float((S * (V @ X.T)).min()), float((S * (U @ X.T)).min()))
    size = float(np.abs(X).max()) * max(float(np.linalg.norm(np.vstack([V, U]), axis=1).max()),
                                        1e-300)
    return max(0.0, -worst) / size


#: CPU seconds of each timed run, by solver name (process_time: the idle-machine estimate on a
#: shared machine, where wall-clock times grow with the other processes' load)
CPU: dict[str, list[float]] = {"ipm": [], "cvxpy": []}


def timed(fn, *args, what: str, **kwargs):
    start, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    CPU[what].append(time.process_time() - cpu)
    return time.perf_counter() - start, out


def gap(value: float, bound: float) -> str:
    return f"{(value - bound) / abs(value):.1e}"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg()
    up = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}, "
            f"NumPy {np.__version__}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}"
            f"\nload average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (`uptime`: {up})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200/10/200,500/20/500,2000/20/1000",
                        help="comma-separated n/d/P, each optionally :repeats")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tol", type=float, default=1e-6, help="tol_gap of the timed IPM runs")
    parser.add_argument("--cvxpy-max", type=int, default=600_000,
                        help="skip cvxpy when 2 P n (cone constraints) exceeds this")
    args = parser.parse_args()
    print("# Convex program: structured IPM vs cvxpy + Clarabel\n")
    print(machine(), "\n")
    header = ("| n/d/P | solver | time (s) | objective | gap | violation | iterations | ratio |\n"
              "| --- | --- | --- | --- | --- | --- | --- | --- |")
    rows = []
    notes = []
    for spec in args.sizes.split(","):
        size, _, times = spec.partition(":")  # "n/d/P" or "n/d/P:repeats"
        repeat = int(times) if times else args.repeat
        n, d, P = (int(v) for v in size.split("/"))
        X, y, beta, pat = problem(n, d, P)
        P_eff = pat.shape[0]
        run_cvx = 2 * P_eff * n <= args.cvxpy_max
        if not run_cvx:
            notes.append(f"{size}: cvxpy + Clarabel skipped, {2 * P_eff * n:,} cone constraints "
                         f"> {args.cvxpy_max:,} (its KKT factorization alone would take many "
                         "minutes per iteration on this machine)")
        t_ipm, t_cvx = [], []
        CPU["ipm"].clear()
        CPU["cvxpy"].clear()
        res = ref = None
        for _ in range(repeat):  # interleaved: IPM, Clarabel, IPM, Clarabel, ...
            t, res = timed(solve_ipm, X, y, beta, pat, what="ipm", tol_gap=args.tol,
                           tol_feas=args.tol)
            t_ipm.append(t)
            if run_cvx:
                t, ref = timed(solve_convex, X, y, beta, pat, what="cvxpy")
                t_cvx.append(t)
        if run_cvx:
            tight = solve_ipm(X, y, beta, pat)  # the certified lower bound (untimed)
            bound = tight.certificate.dual
        else:  # no reference to compare with: the timed run's own certified lower bound
            bound = res.certificate.dual

        med = statistics.median(t_ipm)
        net = abs(objective(X, y, *recover_network(res.solution, tol=0.0), beta)
                  - res.solution.value)
        notes.append(f"{size}: the network recovered from the IPM solution attains its "
                     f"objective to {net / abs(res.solution.value):.1e} relative")
        sol = res.solution
        ratio = f"{statistics.median(t_cvx) / med:.1f}x" if run_cvx else "n/a"
        rows.append(f"| {n}/{d}/{P_eff} | IPM (tol {args.tol:.0e}) | {med:.2f} | "
                    f"{sol.value:.10g} | {gap(sol.value, bound)} | "
                    f"{violation(X, pat, sol.V, sol.U):.1e} | {res.iterations} | {ratio} |")
        if run_cvx:
            rows.append(f"| {n}/{d}/{P_eff} | cvxpy + Clarabel | {statistics.median(t_cvx):.2f} | "
                        f"{ref.value:.10g} | {gap(ref.value, bound)} | "
                        f"{violation(X, pat, ref.V, ref.U):.1e} | | 1x |")
            rel = abs(sol.value - ref.value) / abs(ref.value)
            net = abs(objective(X, y, *recover_network(ref, tol=0.0), beta) - ref.value)
            notes.append(f"{size}: |IPM - Clarabel| / Clarabel = {rel:.1e}; the network "
                         f"recovered from Clarabel's solution attains its objective to "
                         f"{net / abs(ref.value):.1e}; times IPM "
                         f"{', '.join(f'{t:.2f}' for t in t_ipm)} s, Clarabel "
                         f"{', '.join(f'{t:.2f}' for t in t_cvx)} s")
        else:
            notes.append(f"{size}: times IPM {', '.join(f'{t:.2f}' for t in t_ipm)} s")
        cpu = ", ".join(f"{name} {statistics.median(ts):.2f} s" for name, ts in CPU.items() if ts)
        notes.append(f"{size}: median CPU time (process_time) {cpu}")
        if repeat != args.repeat:
            notes.append(f"{size}: {repeat} run(s) of each solver instead of {args.repeat}")
        print(header if len(rows) <= 2 else "", *rows[-2 if run_cvx else -1:], sep="\n",
              flush=True)
    print("\n## Table\n")
    print(header)
    print("\n".join(rows))
    print("\n## Notes\n")
    print("\n".join(f"- {note}" for note in notes))
    print(f"\n{machine()}")


if __name__ == "__main__":
    main()

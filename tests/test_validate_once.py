"""Public functions validate their arguments once, at the door (CONTRIBUTING.md).

A public function that called other public functions would check the same array again at every
call; here the checks of ``twolayer._checks`` are counted while one refined certificate (which
also evaluates the network, finds its patterns and solves a small convex program) runs.
"""

from __future__ import annotations

import collections
import sys

import pytest

import twolayer._checks as checks
from twolayer import data, duality, network


@pytest.fixture
def counted(monkeypatch):
    counts: collections.Counter = collections.Counter()

    def wrap(check):
        def counting(value, name, *args, **kwargs):
            counts[name] += 1
            return check(value, name, *args, **kwargs)

        return counting

    for check_name in ("as_array", "check_real", "check_patterns"):
        original = getattr(checks, check_name)
        wrapped = wrap(original)
        for module in list(sys.modules.values()):
            if getattr(module, "__name__", "").startswith("twolayer") and \
                    getattr(module, check_name, None) is original:
                monkeypatch.setattr(module, check_name, wrapped)
    return counts


def test_a_refined_certificate_checks_each_argument_once(counted):
    X, y, _, _ = data.circle_teacher_regression(20, rng=0, noise=0.1)
    W, a = network.init_network(2, 6, rng=1)
    counted.clear()
    cert = duality.certificate(X, y, W, a, 0.05, refine=True)
    assert cert.gap >= -1e-9 * cert.primal  # weak duality
    assert dict(counted) == {"X": 1, "y": 1, "beta": 1, "W": 1, "a": 1}

"""Published spurious-minimum counts to compare the batched experiment with.

Safran, Yehudai & Shamir (2021, sec. 4.2), "The effects of mild over-parameterization on the
optimization landscape of shallow ReLU neural networks" (COLT 2021, arXiv 2006.01005), ran, for
each size ``n = k`` from 6 to 100, 500 instantiations of gradient descent on the population loss
``1/2 E[(sum_i relu(w_i . x) - sum_i relu(v_i . x))^2]``, ``x ~ N(0, I_k)``, teacher ``V = I_k``
(their equation 2, the same factor 1/2 as ours; their code stores the neurons as the *columns* of
``W``, a transpose of ours), from the standard Xavier initialization (i.i.d. ``N(0, 1/k)``
entries, ``numpy.random.normal(size=(k, k)) / sqrt(k)`` in their code) with the fixed step
``5/k`` until the Frobenius norm of the gradient was at most ``1e-12``; every end point had a
positive definite Hessian. They published the end points, identified up to permutations of
neurons and coordinates, with their multiplicities (how many of the 500 runs reached each) in
the repository ``ItaySafran/Overparameterization`` (file "Processed minima.zip").

The counts below were read from those files for ``k = 6, ..., 20``: the number of runs whose
end point is not the global minimum (the points other than the identity, summed with their
multiplicities). Only these numbers are kept here, none of their code or files. The loss
levels are those of their distinct non-global end points, evaluated with our closed form
:func:`twolayer.gaussian.population_loss` after the transpose, rounded to six decimals, with
the number of runs that reached each level.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._checks import check_int, check_real
from .batched import _wilson

__all__ = ["PublishedRates", "safran2021_rates"]

#: Runs per size in Safran, Yehudai & Shamir (2021, sec. 4.2).
SAFRAN2021_RUNS = 500

#: Runs (of 500) that ended at a non-global minimum, per size k = d (ibid., processed minima).
SAFRAN2021_SPURIOUS = {
    6: 0,
    7: 27,
    8: 57,
    9: 111,
    10: 160,
    11: 237,
    12: 269,
    13: 335,
    14: 352,
    15: 390,
    16: 436,
    17: 451,
    18: 448,
    19: 472,
    20: 471,
}

#: Loss levels of their non-global end points per k: (loss rounded to 1e-6, runs that reached
#: it), increasing in loss; the runs add up to :data:`SAFRAN2021_SPURIOUS`.
SAFRAN2021_LEVELS: dict[int, tuple[tuple[float, int], ...]] = {
    6: (),
    7: ((0.023203, 27),),
    8: ((0.021508, 57),),
    9: ((0.020014, 111),),
    10: ((0.018702, 150), (0.035327, 10)),
    11: ((0.017547, 204), (0.033348, 31), (0.047786, 1), (0.066709, 1)),
    12: ((0.016524, 209), (0.031551, 55), (0.045458, 3), (0.054341, 2)),
    13: ((0.015613, 195), (0.029924, 117), (0.043289, 20), (0.054225, 2), (0.055737, 1)),
    14: (
        (0.014798, 185),
        (0.028449, 118),
        (0.041286, 37),
        (0.053358, 4),
        (0.054123, 3),
        (0.060572, 1),
        (0.066071, 2),
        (0.070880, 2),
    ),
    15: (
        (0.014064, 158),
        (0.027107, 146),
        (0.039440, 67),
        (0.051121, 10),
        (0.054034, 5),
        (0.060450, 2),
        (0.065909, 1),
        (0.070672, 1),
    ),
    16: (
        (0.013400, 141),
        (0.025885, 160),
        (0.037741, 93),
        (0.049032, 22),
        (0.053954, 7),
        (0.059760, 2),
        (0.060341, 3),
        (0.065765, 4),
        (0.070488, 1),
        (0.074687, 2),
        (0.078490, 1),
    ),
    17: (
        (0.012796, 139),
        (0.024766, 145),
        (0.036175, 106),
        (0.047087, 39),
        (0.057513, 6),
        (0.060243, 5),
        (0.065636, 5),
        (0.070323, 4),
        (0.081685, 2),
    ),
    18: (
        (0.012245, 119),
        (0.023740, 132),
        (0.034729, 103),
        (0.045276, 57),
        (0.055400, 17),
        (0.060156, 10),
        (0.065521, 2),
        (0.070174, 2),
        (0.074296, 2),
        (0.078012, 3),
        (0.084570, 1),
    ),
    19: (
        (0.011740, 86),
        (0.022795, 147),
        (0.033392, 114),
        (0.043591, 80),
        (0.053416, 26),
        (0.060054, 8),
        (0.065417, 6),
        (0.070040, 2),
        (0.077807, 1),
        (0.081169, 2),
    ),
    20: (
        (0.011276, 73),
        (0.021923, 140),
        (0.032152, 90),
        (0.042022, 93),
        (0.051556, 43),
        (0.059753, 5),
        (0.060759, 6),
        (0.065322, 7),
        (0.069619, 1),
        (0.069919, 4),
        (0.073975, 6),
        (0.077620, 1),
        (0.080945, 1),
        (0.084018, 1),
    ),
}

#: Set-up of the published experiment, in words (for tables and prose).
SAFRAN2021_SETUP = (
    "gradient descent, step 5/k, until the gradient norm is at most 1e-12, from N(0, 1/k) "
    "entries; 500 runs per k"
)


@dataclass(frozen=True)
class PublishedRates:
    """Spurious-minimum counts of a published experiment.

    Attributes
    ----------
    ks : tuple of int
        Sizes ``k = d``, increasing.
    runs : int
        Runs per size.
    counts : dict int -> int
        Runs per size that ended at a spurious (non-global) minimum, ``0 <= count <= runs``.
    levels : dict int -> tuple of (float, int)
        Loss values of the distinct spurious minima per size, rounded to ``1e-6``, each with
        the number of runs that reached it.
    setup : str
        Optimizer, stopping rule and initialization, in words.
    source : str
        Where the numbers come from.
    """

    ks: tuple[int, ...]
    runs: int
    counts: dict[int, int]
    levels: dict[int, tuple[tuple[float, int], ...]]
    setup: str
    source: str

    def fraction(self, k: int) -> float:
        """Share of the runs at size k that ended at a spurious minimum."""
        return self.counts[self._k(k)] / self.runs

    def interval(self, k: int) -> tuple[float, float]:
        """95% Wilson interval of :meth:`fraction` (:func:`twolayer.gaussian.wilson_interval`)."""
        return _wilson(self.counts[self._k(k)], self.runs)

    def grid(self, *, step: int = 2, min_rise: float = 0.10) -> tuple[int, ...]:
        """Sizes whose rates a few hundred runs can tell apart, chosen from these counts alone.

        From the smallest published k, every ``step``-th size as long as the published rate
        rises by at least ``min_rise`` from one to the next; then the largest published size
        (near saturation the rate rises by a few points per size, steps no affordable number
        of runs separates). Choosing the sizes from the published rates, before any of our
        runs, keeps the grid from being tuned to our own noise.

        Parameters
        ----------
        step : int
            Spacing of the sizes, at least 1.
        min_rise : float
            Smallest rise of the published rate per step, in [0, 1].

        Returns
        -------
        tuple of int
            Increasing sizes, ending with ``max(ks)``.
        """
        step = check_int(step, "step", low=1)
        min_rise = check_real(min_rise, "min_rise", low=0.0, high=1.0)
        sizes = [self.ks[0]]
        while (sizes[-1] + step in self.counts
               and self.fraction(sizes[-1] + step) - self.fraction(sizes[-1]) >= min_rise):
            sizes.append(sizes[-1] + step)
        if sizes[-1] != self.ks[-1]:
            sizes.append(self.ks[-1])
        return tuple(sizes)

    def _k(self, k: int) -> int:
        k = check_int(k, "k")
        if k not in self.counts:
            raise ValueError(f"k must be one of the published sizes {self.ks}, got {k}")
        return k


def safran2021_rates() -> PublishedRates:
    """The counts of Safran, Yehudai & Shamir (2021, sec. 4.2) for ``k = d = 6, ..., 20``.

    Returns
    -------
    PublishedRates
        500 runs per size; see the module docstring for the set-up and how the counts were read.
    """
    return PublishedRates(
        ks=tuple(sorted(SAFRAN2021_SPURIOUS)),
        runs=SAFRAN2021_RUNS,
        counts=dict(SAFRAN2021_SPURIOUS),
        levels=dict(SAFRAN2021_LEVELS),
        setup=SAFRAN2021_SETUP,
        source="Safran, Yehudai & Shamir (2021), repository ItaySafran/Overparameterization, "
        "'Processed minima.zip'",
    )

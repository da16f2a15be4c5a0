"""``import twolayer`` limits BLAS to one thread, whatever the environment (issue: a chapter ran
340 s instead of 21 s outside the Makefile, which alone set ``OPENBLAS_NUM_THREADS=1``)."""

import json
import os
import subprocess
import sys

import pytest

from twolayer import set_blas_threads

REPORT = (
    "import json; from threadpoolctl import threadpool_info; {imports}"
    "print(json.dumps({i['filepath']: i['num_threads'] for i in threadpool_info() "
    "if i['user_api'] == 'blas'}))"
)


def _blas_threads(imports: str, **env: str) -> dict[str, int]:
    """BLAS thread counts in a fresh interpreter, without the Makefile's variables."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS",
                          "TWOLAYER_BLAS_THREADS")}
    out = subprocess.run([sys.executable, "-c", REPORT.replace("{imports}", imports)],
                         env={**clean, **env}, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_import_sets_one_blas_thread_without_environment():
    counts = _blas_threads("import numpy, scipy.linalg, twolayer; ")
    assert len(counts) >= 2 and set(counts.values()) == {1}, counts  # NumPy's and SciPy's


def test_environment_variable_chooses_or_keeps():
    untouched = _blas_threads("import numpy, scipy.linalg; ")
    kept = _blas_threads("import numpy, scipy.linalg, twolayer; ", TWOLAYER_BLAS_THREADS="keep")
    assert {path: kept[path] for path in untouched} == untouched
    assert set(_blas_threads("import twolayer; ", TWOLAYER_BLAS_THREADS="2").values()) <= {1, 2}
    with pytest.raises(subprocess.CalledProcessError) as err:
        _blas_threads("import twolayer; ", TWOLAYER_BLAS_THREADS="many")
    assert "TWOLAYER_BLAS_THREADS must be a positive integer" in err.value.stderr


def test_set_blas_threads_checks_its_argument():
    with pytest.raises(ValueError, match="threads must be >= 1, got 0"):
        set_blas_threads(0)
    with pytest.raises(TypeError, match="threads must be an integer"):
        set_blas_threads(1.5)
    set_blas_threads(1)

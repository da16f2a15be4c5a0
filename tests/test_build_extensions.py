"""The build's own Sphinx extensions (book/_ext): the execution-mode override, the version guard."""

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from sphinx.errors import ConfigError

EXT = Path(__file__).resolve().parents[1] / "book" / "_ext"


def _extension(name):
    spec = importlib.util.spec_from_file_location(f"{name}_under_test", EXT / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("mode", ["force", "off"])
def test_book_execute_sets_the_execution_mode(monkeypatch, mode):
    ext = _extension("execution_mode")
    monkeypatch.setenv("BOOK_EXECUTE", mode)
    config = SimpleNamespace(nb_execution_mode="cache")
    ext.override_execution_mode(None, config)
    assert config.nb_execution_mode == mode


def test_without_book_execute_the_configuration_decides(monkeypatch):
    ext = _extension("execution_mode")
    monkeypatch.delenv("BOOK_EXECUTE", raising=False)
    config = SimpleNamespace(nb_execution_mode="cache")
    ext.override_execution_mode(None, config)
    assert config.nb_execution_mode == "cache"


def test_an_unknown_execution_mode_is_refused(monkeypatch):
    ext = _extension("execution_mode")
    monkeypatch.setenv("BOOK_EXECUTE", "forced")
    with pytest.raises(ConfigError, match="BOOK_EXECUTE='forced' is not one of"):
        ext.override_execution_mode(None, SimpleNamespace(nb_execution_mode="cache"))


@pytest.mark.parametrize(("value", "jobs"), [(None, 1), ("", 1), ("1", 1), ("2", 2), ("8", 8)])
def test_book_jobs_sets_the_reading_processes(value, jobs):
    assert _extension("execution_mode").read_jobs(value) == jobs


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_a_bad_book_jobs_is_refused(value):
    with pytest.raises(ConfigError, match=f"BOOK_JOBS={value!r} is not a positive integer"):
        _extension("execution_mode").read_jobs(value)


def test_the_slices_of_a_parallel_read_carry_equal_numbers_of_code_cells():
    from sphinx.util.parallel import make_chunks

    ext = _extension("execution_mode")
    # The ten chapters' code cells (book/*.md) and eight pages without code.
    cells = {"01": 15, "02": 27, "03": 28, "04": 36, "05": 22, "06": 22, "07": 32, "08": 14,
             "09": 12, "10": 23}
    docs = sorted(cells) + [f"page{i}" for i in range(8)]
    order = ext.balanced_order(docs, cells, 2)
    assert sorted(order) == docs
    slices = make_chunks(order, 2)
    assert [len(part) for part in slices] == [9, 9]
    loads = [sum(cells.get(doc, 0) for doc in part) for part in slices]
    # Sorted order gives the first process 208 of the 231 cells.
    assert sum(cells.get(doc, 0) for doc in make_chunks(docs, 2)[0]) == 208
    assert abs(loads[0] - loads[1]) <= 5, loads


def test_a_serial_read_keeps_the_order():
    ext = _extension("execution_mode")
    docs = ["a", "b", "c"]
    app = SimpleNamespace(parallel=1)
    ext.balance_reading(app, None, docs)
    assert docs == ["a", "b", "c"]


def test_the_installed_toolchain_is_the_one_the_workarounds_were_written_for():
    _extension("offline_site").check_versions()


def test_another_release_series_fails_loudly(monkeypatch):
    site = _extension("offline_site")
    monkeypatch.setitem(site.VERIFIED, "myst-nb", "0.9")
    with pytest.raises(ConfigError, match=r"written for myst-nb 0\.9\.x, found 1\.4"):
        site.check_versions()

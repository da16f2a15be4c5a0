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


def test_the_installed_toolchain_is_the_one_the_workarounds_were_written_for():
    _extension("offline_site").check_versions()


def test_another_release_series_fails_loudly(monkeypatch):
    site = _extension("offline_site")
    monkeypatch.setitem(site.VERIFIED, "myst-nb", "0.9")
    with pytest.raises(ConfigError, match=r"written for myst-nb 0\.9\.x, found 1\.4"):
        site.check_versions()

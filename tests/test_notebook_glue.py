"""``twolayer.notebook.glue``: the stand-in for myst-nb's glue in downloaded notebooks."""

import pytest

from twolayer import notebook


def test_glue_keeps_the_value_and_displays_only_when_asked(capsys):
    notebook.glue("test_value", 1.5, display=False)
    assert notebook.glued["test_value"] == 1.5
    assert capsys.readouterr().out == ""
    notebook.glue("test_shown", 42)
    assert capsys.readouterr().out.strip() == "42"  # outside a kernel display() prints


def test_glue_checks_its_arguments():
    with pytest.raises(TypeError, match="name must be a non-empty string"):
        notebook.glue("", 1)
    with pytest.raises(TypeError, match="display must be a bool, got str"):
        notebook.glue("x", 1, display="no")

"""The downloaded notebook reads in Jupyter as the page does (book/_ext/offline_site.py).

A chapter's MyST (glue roles, prf: directives, exercises with solutions, citations, labels) is
turned into Markdown that Jupyter renders; these tests run that conversion on a small notebook
made of the constructs the chapters use, without building the book.
"""

import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import pytest

EXT = Path(__file__).resolve().parents[1] / "book" / "_ext" / "offline_site.py"


@pytest.fixture(scope="module")
def site():
    spec = importlib.util.spec_from_file_location("offline_site_under_test", EXT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


CHAPTER = [
    ("markdown", """\
(ch-test)=
# A chapter

:::{admonition} Learning objectives
:class: tip

- read {glue:text}`n_samples` samples, a cost of {glue:text}`cost:.3f`
:::

As {cite:t}`savarese2019infinite` show, and others {cite}`savarese2019infinite,ongie2020function`;
see {prf:ref}`thm-main`, {doc}`02_duality`, {ref}`ch-test` and {prf:ref}`the proof <thm-main>`.

:::{prf:theorem} The main result
:label: thm-main

For every $x$,

$$
f(x) = 0 .
$$ (eq-main)
:::

:::{prf:proof}
Obvious.
:::"""),
    ("code", "import numpy as np\nfrom myst_nb import glue\n\nglue('cost', 1.2, display=False)"),
    ("markdown", """\
::::{exercise}
:label: ex-one

Compute it.
::::

::::{solution} ex-one
:class: dropdown

It is {glue:text}`cost:.1f`.

```python
print(":::{not a directive}")
```
::::

::::{exercise}
:label: ex-code

Code it.
::::

:::{solution-start} ex-code
:class: dropdown
:::

First the idea."""),
    ("code", "print('the solution')"),
    ("markdown", "More of the solution.\n\n:::{solution-end}\n:::\n\n## After the solution"),
    ("code", "x = 1"),
    ("markdown", ":::{solution-start} ex-one\n:::"),
    ("code", "print('a solution in code only')"),
    ("markdown", ":::{solution-end}\n:::"),
]


def _notebook():
    cells = []
    for kind, source in CHAPTER:
        cell = (nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell)
        cells.append(cell(source))
    cells[1].metadata["tags"] = ["hide-input"]
    return nbformat.v4.new_notebook(cells=cells)


def _context(site):
    return site.ReaderContext(
        glue={"n_samples": {"text/plain": "12"}, "cost": {"text/plain": "1.23456"}},
        refs={"thm-main": "Theorem 3", "02_duality": "Duality", "ch-test": "A chapter",
              "ex-one": "Exercise 4", "ex-code": "Exercise 5"},
        citations={"savarese2019infinite": ("Savarese et al.", "2019"),
                   "ongie2020function": ("Ongie et al.", "2020")},
    )


def test_prose_reads_as_the_page(site):
    ctx = _context(site)
    nb = site.reader_notebook(_notebook(), ctx, preface="Runs after pip install.")
    first, prose = nb.cells[0].source, nb.cells[1].source
    assert first == "Runs after pip install."
    assert "read 12 samples, a cost of 1.235" in prose
    assert "Savarese et al. (2019) show" in prose
    assert "(Savarese et al., 2019; Ongie et al., 2020)" in prose
    assert "see Theorem 3, Duality, A chapter and the proof." in prose
    assert "**Theorem 3** (The main result)." in prose
    assert "**Learning objectives**" in prose and "*Proof.*" in prose
    assert "$$\nf(x) = 0 .\n$$" in prose  # the equation label is dropped, the math kept
    assert not re.search(r"\{[\w:-]+\}`|^:::|^\(ch-test\)=|:label:|:class:", prose, re.M)
    assert ctx.missing == []


def test_solutions_are_collapsed_and_glue_needs_no_myst_nb(site):
    ctx = _context(site)
    nb = site.reader_notebook(_notebook(), ctx)
    code = nb.cells[1]
    assert "from myst_nb" not in code.source
    assert "from twolayer.notebook import glue" in code.source
    assert code.metadata["jupyter"] == {"source_hidden": True}  # hide-input on the page
    exercises = nb.cells[2].source
    assert "**Exercise 4**." in exercises and "**Exercise 5**." in exercises
    solution = re.search(r"<details>\n<summary>Solution to Exercise 4</summary>\n\n(.*?)</details>",
                         exercises, re.S)
    assert solution and "It is 1.2." in solution[1]
    assert 'print(":::{not a directive}")' in solution[1]  # code fences are left alone
    assert re.search(r"<summary>Solution to Exercise 5</summary>\n\nFirst the idea.\n\n</details>$",
                     exercises)
    gated = nb.cells[3]  # the code of the gated solution: collapsed
    assert gated.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    after = nb.cells[4].source
    assert after.startswith("<details>\n<summary>Solution (continued)</summary>\n\nMore of the")
    assert after.endswith("</details>\n\n## After the solution")
    assert "jupyter" not in nb.cells[5].metadata  # after the solution: as it is
    assert nb.cells[6].source == "*Solution to Exercise 4: in the collapsed cells below (click " \
        "to open).*"
    assert nb.cells[7].metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    assert nb.cells[8].source == ""


def test_unresolved_names_are_reported(site):
    ctx = site.ReaderContext()
    nb = _notebook()
    site.reader_notebook(nb, ctx)
    assert {"n_samples", "thm-main", "savarese2019infinite", "ex-one"} <= set(ctx.missing)


@pytest.mark.parametrize(("text", "fmt", "shown"), [
    ("0.000123", ".0e", "1e-04"), ("12", "", "12"), ("3", "d", "3"), ("'a'", "", "a"),
    ("1.5", ".2f", "1.50"), ("0.25", ".0%", "25%"),
])
def test_glue_text_formats_as_myst_nb(site, text, fmt, shown):
    assert site.format_glue_text(text, fmt) == shown


@pytest.mark.parametrize("role", ["{glue:md}`label`", "{glue:md}`label:myst`"])
def test_glued_markdown_reads_as_the_page(site, role):
    ctx = site.ReaderContext(
        glue={"label": {"text/markdown": "$\\Delta S_{4}$", "text/plain": "<Markdown>"}},
        refs={}, citations={})
    assert site._inline(f"the isotropy {role} of the point", ctx) == (
        "the isotropy $\\Delta S_{4}$ of the point")
    assert ctx.missing == []

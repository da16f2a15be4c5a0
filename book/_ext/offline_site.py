"""Local Sphinx extension of the book: a site that works offline, with notebook downloads.

Registered in ``_config.yml`` (``sphinx: local_extensions: {offline_site: book/_ext}``). It

1. copies MathJax 3 from ``node_modules/`` (installed by ``make assets``, i.e. ``npm ci`` from
   package-lock.json) into ``_build/html/_static/npm/mathjax/`` (``mathjax_path`` in
   ``_config.yml`` points there). Only the files a page can load are copied. Not under a
   project-root ``_static/``: Jupyter Book 1.x would inject every ``.js`` and ``.css`` found
   there into every page;
2. fails the build (a warning, and the book is built with ``-W``) when a page would load a
   script or stylesheet from another host. No page holds ipywidgets state (the explorers' cells
   are ``skip-execution``; the site shows their kernel-free form), so myst-nb adds none of its
   widget scripts, which it would load from a CDN: a chapter that saved a widget state fails here;
3. removes the script that Sphinx 7.4 emits twice (a second ``THEBE_JS_URL`` declaration is a
   ``SyntaxError`` in every page);
4. fails at start-up when Sphinx, myst-nb or jupyter-cache is not the release series its
   workarounds were written for (:data:`VERIFIED`), so that moving a pin fails loudly;
5. offers every chapter as an executed notebook: ``_sources/<page>.ipynb`` with its outputs,
   linked from the page's download menu (sphinx-book-theme shows that link only when a launch
   button is configured, and myst-nb writes the notebook without outputs when it comes from
   the execution cache, so both are done here);
6. makes that notebook read in Jupyter as the page does (:func:`reader_notebook`): the glued
   values written into the prose, the MyST directives (theorems, proofs, exercises, admonitions)
   and roles (citations, cross-references) turned into plain Markdown, solutions collapsed in
   ``<details>``, hidden inputs collapsed, and ``from myst_nb import glue`` replaced by the
   library's stand-in (``twolayer.notebook.glue``), so that ``pip install`` of the library is all
   the notebook needs.
"""

from __future__ import annotations

import ast
import copy
import filecmp
import importlib.metadata
import json
import posixpath
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: What is copied from node_modules/<package>/ to _static/npm/<package>/ (same relative paths).
VENDOR = {
    "mathjax": ["es5/tex-chtml.js", "es5/input/tex/extensions", "es5/output/chtml/fonts/woff-v2",
                "es5/ui", "es5/a11y", "es5/sre"],
}
#: Release series whose behaviour the workarounds here rest on: Sphinx 7.4's duplicate inline
#: script (:func:`clean_page_assets`); myst-nb 1.4's ``app.env.mystnb_config``, its
#: ``<page>.glue.json`` store and its outputs-free notebooks from the cache
#: (:func:`executed_notebook`, :func:`_glue_data`); jupyter-cache 1.0's
#: ``merge_match_into_notebook``. Re-check each of them before changing a series here.
VERIFIED = {"sphinx": "7.4", "myst-nb": "1.4", "jupyter-cache": "1.0"}
VENDOR_DIR = "npm"  # below _static/ (pydata-sphinx-theme already uses _static/vendor/)
GLUE_PREFIX = "application/papermill.record/"

def _node_modules(app: Sphinx) -> Path:
    return Path(app.confdir, app.config.offline_site_node_modules)


def check_node_modules(app: Sphinx) -> None:
    """Fail early, with the command to run, when the npm packages are not installed."""
    if app.builder.format != "html":
        return  # the PDF needs none of them
    root = _node_modules(app)
    missing = [name for name in VENDOR if not (root / name / "package.json").is_file()]
    if missing:
        raise ConfigError(
            f"offline_site: {', '.join(missing)} not installed in {root}. Run `make assets` "
            "(npm ci), which installs the pinned versions of package-lock.json."
        )


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if not dst.exists() or not filecmp.cmp(src, dst, shallow=False):
        shutil.copy2(src, dst)


def copy_vendor_files(app: Sphinx, exception: Exception | None) -> None:
    """Copy the needed subset of node_modules into _static/npm/ of the HTML output."""
    if exception is not None or app.builder.format != "html":
        return
    for package, entries in VENDOR.items():
        source = _node_modules(app) / package
        target = Path(app.outdir, "_static", VENDOR_DIR, package)
        for entry in entries:
            matches = sorted(source.glob(entry))
            if not matches:
                raise ConfigError(f"offline_site: {source / entry} is missing; run `make assets`")
            for match in matches:
                files = sorted(p for p in match.rglob("*") if p.is_file()) if match.is_dir() \
                    else [match]
                for file in files:
                    _copy(file, target / file.relative_to(source))


def executed_notebook(app: Sphinx, pagename: str) -> nbformat.NotebookNode | None:
    """The executed notebook of a page, with its outputs, or None if the page is no notebook."""
    path = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not path.is_file():
        return None
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if code and all(cell.get("execution_count") is None for cell in code):
        # Taken from the execution cache: myst-nb wrote the notebook without its outputs.
        from jupyter_cache import get_cache

        nb_config = getattr(app.env, "mystnb_config", None)  # the cache path myst-nb resolved
        cache_path = (nb_config and nb_config.execution_cache_path) or \
            Path(app.outdir).parent / ".jupyter_cache"
        try:
            _, nb = get_cache(cache_path).merge_match_into_notebook(nb)
        except KeyError:
            logger.warning(f"offline_site: no executed notebook of {pagename} in the cache",
                           type="offline_site", subtype="notebook")
            return None
    return copy.deepcopy(nb)


def _drop_glue_records(nb: nbformat.NotebookNode) -> None:
    """Glue records are build data, not outputs for readers."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                out for out in cell.outputs
                if not (out.get("data") and all(k.startswith(GLUE_PREFIX) for k in out["data"]))
            ]


def _glue_data(app: Sphinx, pagename: str, nb: nbformat.NotebookNode) -> dict[str, dict]:
    """Glue key -> mime bundle: myst-nb's store of the page, and records left in the notebook.

    myst-nb takes the glue records out of the notebook it writes to ``jupyter_execute/`` and
    stores them next to it (``<page>.glue.json``); a notebook merged from the execution cache
    still holds them.
    """
    data: dict[str, dict] = {}
    store = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.glue.json"
    if store.is_file():
        for name, output in json.loads(store.read_text(encoding="utf-8")).items():
            data[name] = dict(output.get("data", {}))
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name and out.get("data"):
                data[name] = {k.removeprefix(GLUE_PREFIX): v for k, v in out["data"].items()}
    return data


# --- The downloaded notebook as a Jupyter reader sees it -------------------------------------

#: myst-nb's glue import in a chapter, and what the downloaded notebook imports instead.
GLUE_IMPORT = re.compile(r"^from myst_nb import glue[ \t]*$", re.MULTILINE)
GLUE_STANDIN = "from twolayer.notebook import glue"
ROLE = re.compile(r"\{(?P<name>[a-z][\w:-]*)\}`(?P<text>[^`]*)`")
LABEL_LINE = re.compile(r"^\([\w.:-]+\)=\s*$")
EQUATION_LABEL = re.compile(r"^(\s*\$\$)\s*\([\w.:-]+\)\s*$")
FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<colons>:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")
OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*)$")
#: Cell tags of the page and the Jupyter metadata that collapses the same parts of the cell.
COLLAPSED = {
    "hide-input": ("source_hidden",), "remove-input": ("source_hidden",),
    "hide-output": ("outputs_hidden",), "remove-output": ("outputs_hidden",),
    "hide-cell": ("source_hidden", "outputs_hidden"),
    "remove-cell": ("source_hidden", "outputs_hidden"),
}
CONTINUED = "<details>\n<summary>Solution (continued)</summary>"
ADMONITIONS = {"note", "tip", "hint", "important", "warning", "caution", "attention", "danger",
               "error", "seealso"}


@dataclass
class ReaderContext:
    """What turning MyST into Markdown needs to know about the book.

    Attributes
    ----------
    glue : dict
        Glue key -> its mime bundle (``text/plain``, ...), from the executed notebook.
    refs : dict
        Label or document name -> the text a reference to it shows ("Theorem 3", a title).
    citations : dict
        BibTeX key -> (authors as cited, year), e.g. ``("Savarese et al.", "2019")``.
    """

    glue: dict[str, dict[str, Any]] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    citations: dict[str, tuple[str, str]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def ref(self, target: str) -> str:
        if target not in self.refs:
            self.missing.append(target)
        return self.refs.get(target, target)


def format_glue_text(text: str, fmt: str) -> str:
    """``{glue:text}`key:fmt``` as myst-nb formats it: the value's ``text/plain``, formatted."""
    try:
        value: Any = ast.literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if not fmt:
        return str(value)
    kind = fmt[-1]
    if kind == "s":
        value = str(value)
    elif kind in "bcdoxX":
        value = int(value)
    elif kind in "eEfFgGn%":
        value = float(value)
    return format(value, fmt)


def _cite(keys: str, textual: bool, ctx: ReaderContext) -> str:
    found = []
    for key in (k.strip() for k in keys.split(",") if k.strip()):
        if key in ctx.citations:
            found.append(ctx.citations[key])
        else:
            ctx.missing.append(key)
            found.append((key, ""))
    if textual:
        parts = [f"{authors} ({year})" for authors, year in found]
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return "(" + "; ".join(f"{authors}, {year}" for authors, year in found) + ")"


def _role(match: re.Match, ctx: ReaderContext) -> str:
    name, text = match["name"], match["text"]
    explicit = re.fullmatch(r"(?s)(?P<title>.*?)\s*<(?P<target>[^<>]+)>", text)
    if name in ("glue", "glue:", "glue:text", "glue:md"):
        # {glue:text}`key:fmt` and {glue:md}`key:myst` (the Markdown parsed as MyST, for math).
        key, _, fmt = text.partition(":") if name in ("glue:text", "glue:md") else (text, "", "")
        if key not in ctx.glue:
            ctx.missing.append(key)
            return f"`{key}`"
        bundle = ctx.glue[key]
        if name == "glue:md" and "text/markdown" in bundle:
            return str(bundle["text/markdown"])
        return format_glue_text(str(bundle.get("text/plain", "")), fmt)
    if name.startswith("cite"):
        return _cite(text, textual=name in ("cite:t", "cite:ts", "cite:alt"), ctx=ctx)
    if name == "math":
        return f"${text}$"
    if name in ("prf:ref", "ref", "numref", "doc", "eq", "term", "abbr"):
        if explicit:
            return explicit["title"]
        shown = ctx.ref(text)
        return f"({shown})" if name == "eq" and shown != text else shown
    if name == "index":
        return explicit["title"] if explicit else text
    return text  # an unknown role: its text


def _inline(line: str, ctx: ReaderContext) -> str:
    return ROLE.sub(lambda m: _role(m, ctx), line)


def _closing(lines: list[str], start: int, colons: int) -> int:
    """Index of the line closing a colon fence of ``colons`` colons opened before ``start``."""
    for i in range(start, len(lines)):
        stripped = lines[i].strip()
        if len(stripped) >= colons and set(stripped) == {":"}:
            return i
    return len(lines)


def _directive(name: str, arg: str, options: dict[str, str], body: list[str],
               ctx: ReaderContext) -> list[str]:
    """A MyST directive as Markdown lines (``body`` already converted)."""
    label = options.get("label", "")
    title = _inline(arg, ctx).strip()
    if name.startswith("prf:") and name != "prf:proof":
        kind = name[4:].replace("-", " ").title()
        number = ctx.refs.get(label, kind) if label else kind
        head = f"**{number}**" + (f" ({title})" if title else "") + "."
        return ["", head, "", *body, ""]
    if name == "prf:proof":
        return ["", "*Proof.*" + (f" ({title})" if title else ""), "", *body, "", "∎", ""]
    if name == "exercise":
        number = ctx.refs.get(label, "Exercise") if label else "Exercise"
        head = f"**{number}**" + (f" ({title})" if title else "") + "."
        return ["", head, "", *body, ""]
    if name == "solution":
        target = arg.strip()
        summary = f"Solution to {ctx.ref(target)}" if target else "Solution"
        return ["", "<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>", ""]
    if name == "admonition":
        return ["", f"**{title}**" if title else "", "", *body, ""]
    if name in ADMONITIONS:
        head = "See also" if name == "seealso" else name.title()
        return ["", f"**{head}**" + (f" {title}" if title else ""), "", *body, ""]
    if name == "bibliography":
        return ["", "*The references are listed in the book's bibliography.*", ""]
    return ["", *( [f"**{title}**", ""] if title else []), *body, ""]


def _blocks(lines: list[str], ctx: ReaderContext, state: dict[str, Any]) -> list[str]:
    """Convert colon-fence directives (nested by colon count), labels and roles in ``lines``."""
    out: list[str] = []
    i = 0
    in_code = ""
    while i < len(lines):
        line = lines[i]
        fence = re.match(r"^\s*(`{3,}|~{3,})", line)
        if in_code:
            out.append(line)
            if fence and fence.group(1)[0] == in_code[0] and len(fence.group(1)) >= len(in_code):
                in_code = ""
            i += 1
            continue
        if fence and "{" not in line:
            in_code = fence.group(1)
            out.append(line)
            i += 1
            continue
        opened = FENCE_OPEN.match(line)
        if opened:
            end = _closing(lines, i + 1, len(opened["colons"]))
            j, options = i + 1, {}
            while j < end and (option := OPTION.match(lines[j])):
                options[option["key"]] = option["value"].strip()
                j += 1
            name, arg = opened["name"], opened["arg"]
            if name == "solution-start":
                # A gated solution: its text and cells run up to {solution-end}, in later cells.
                state["solution"] = state["open_details"] = True
                out += ["", "<details>", f"<summary>Solution to {ctx.ref(arg.strip())}</summary>",
                        ""]
            elif name == "solution-end":
                if state["open_details"]:
                    out += ["", "</details>", ""]
                state["solution"] = state["open_details"] = False
            else:
                out += _directive(name, arg, options, _blocks(lines[j:end], ctx, state), ctx)
            i = end + 1
            continue
        if LABEL_LINE.match(line):
            i += 1
            continue
        equation = EQUATION_LABEL.match(line)
        if equation:
            out.append(equation.group(1))
        else:
            out.append(_inline(line, ctx))
        i += 1
    return out


def _tidy(lines: list[str]) -> str:
    """Join lines, with at most one blank line in a row and none at the ends."""
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in lines))
    return text.strip("\n")


def reader_notebook(nb: nbformat.NotebookNode, ctx: ReaderContext,
                    preface: str = "") -> nbformat.NotebookNode:
    """The executed notebook of a chapter as a Jupyter reader should see it (a new notebook).

    Markdown cells: glued values, citations and cross-references written out; theorems, proofs,
    exercises and admonitions as bold-headed paragraphs; solutions in ``<details>`` (closed);
    labels dropped. Code cells: ``from myst_nb import glue`` replaced by the library's stand-in;
    the page's ``hide-*``/``remove-*`` tags collapse the same parts in Jupyter; cells of a gated
    solution are collapsed. ``preface``, if given, becomes a first Markdown cell.
    """
    nb = copy.deepcopy(nb)
    state: dict[str, Any] = {"solution": False, "open_details": False}
    cells = []
    if preface:
        cells.append(nbformat.v4.new_markdown_cell(preface))
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            # A Markdown cell inside a gated solution continues it: collapsed too.
            state["open_details"] = state["solution"]
            lines = [CONTINUED, ""] if state["solution"] else []
            lines += _blocks(cell.source.splitlines(), ctx, state)
            if state["open_details"]:
                lines += ["", "</details>"]
            text = _tidy(lines)
            text = re.sub(re.escape(CONTINUED) + r"\s*</details>\s*", "", text)
            # A gated solution that starts with code: point at its collapsed cells.
            cell.source = re.sub(r"<details>\n<summary>(Solution to [^<]*)</summary>\s*</details>",
                                 r"*\1: in the collapsed cells below (click to open).*",
                                 text).strip()
        elif cell.cell_type == "code":
            cell.source = GLUE_IMPORT.sub(GLUE_STANDIN, cell.source)
            hidden = set()
            for tag in cell.metadata.get("tags", []):
                hidden.update(COLLAPSED.get(tag, ()))
            if state["solution"]:
                hidden.update(("source_hidden", "outputs_hidden"))
            if hidden:
                cell.metadata.setdefault("jupyter", {}).update({key: True for key in hidden})
        cells.append(cell)
    nb.cells = cells
    return nb


def _citations(app: Sphinx) -> dict[str, tuple[str, str]]:
    """BibTeX key -> (authors as an author-year citation names them, year), read once."""
    cached = getattr(app, "_offline_site_citations", None)
    if cached is not None:
        return cached
    from pybtex.database import parse_file
    from pybtex.richtext import Text

    def plain(latex: str) -> str:
        return Text.from_latex(latex).render_as("text")

    out: dict[str, tuple[str, str]] = {}
    for bibfile in app.config.bibtex_bibfiles:
        for key, entry in parse_file(Path(app.srcdir, bibfile)).entries.items():
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            names = [plain(" ".join(p.prelast_names + p.last_names)) for p in people]
            if len(names) > 2:
                authors = f"{names[0]} et al."
            else:
                authors = " and ".join(names) or plain(entry.fields.get("title", key))
            out[key] = (authors, entry.fields.get("year", "n.d."))
    app._offline_site_citations = out  # type: ignore[attr-defined]
    return out


def _references(app: Sphinx, pagename: str) -> dict[str, str]:
    """Label or document name -> what a reference to it shows on the page of ``pagename``."""
    env = app.env
    refs: dict[str, str] = {}
    here = posixpath.dirname(pagename)
    for doc, title in env.titles.items():
        refs[doc] = refs[posixpath.relpath(doc, here or ".")] = title.astext()
    for label, (_doc, _id, section) in env.domaindata["std"]["labels"].items():
        if section:
            refs[label] = section
    kinds = {label: item["realtype"].title() for label, item in
             getattr(env, "proof_list", {}).items()}
    kinds.update({label: "Exercise" for label, item in
                  getattr(env, "sphinx_exercise_registry", {}).items()
                  if item.get("type") == "exercise"})
    for numbers in env.toc_fignumbers.values():
        for figtype in numbers.values():
            for label, number in figtype.items():
                if label in kinds:
                    refs[label] = f"{kinds[label]} {'.'.join(map(str, number))}"
    return refs


PREFACE = """\
*{title}*: this chapter of the book as an executed notebook, with the outputs the book shows.
It runs in a fresh Jupyter kernel after `pip install .` in the book's source tree{repo} (the
`twolayer` library and everything the chapters import; no environment variable needed).
Solutions to the exercises are collapsed: click *Solution* to open one.\
"""


def offer_notebook_download(app: Sphinx, pagename: str, templatename: str,
                            context: dict[str, Any], doctree: Any) -> None:
    """Write _sources/<page>.ipynb (executed, read as the page) and list it in the downloads."""
    if app.builder.format != "html" or not context.get("page_source_suffix"):
        return
    nb = executed_notebook(app, pagename)
    if nb is None:
        return
    ctx = ReaderContext(glue=_glue_data(app, pagename, nb), refs=_references(app, pagename),
                        citations=_citations(app))
    _drop_glue_records(nb)
    repo = app.config.html_theme_options.get("repository_url", "")
    preface = PREFACE.format(title=app.config.html_title or app.config.project,
                             repo=f" ({repo})" if repo else "")
    nb = reader_notebook(nb, ctx, preface=preface)
    for missing in dict.fromkeys(ctx.missing):
        logger.warning(f"offline_site: the notebook of {pagename} cannot resolve {missing!r}",
                       type="offline_site", subtype="notebook")
    for cell in nb.cells:
        if cell.cell_type == "code" and "myst_nb" in cell.source:
            logger.warning(f"offline_site: the notebook of {pagename} imports myst_nb, which "
                           "a plain install of twolayer does not bring", type="offline_site",
                           subtype="notebook")
    target = Path(app.outdir, "_sources", f"{pagename}.ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                      encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"  # read by sphinx-book-theme's header buttons


def _key(js: Any) -> tuple:
    return (js.filename or "", tuple(sorted(js.attributes.items())))


def clean_page_assets(app: Sphinx, pagename: str, templatename: str,
                      context: dict[str, Any], doctree: Any) -> None:
    """De-duplicate the page's scripts and refuse assets from other hosts."""
    scripts = context.get("script_files")
    if app.builder.format != "html" or scripts is None:
        return
    kept, seen = [], set()
    for js in scripts:
        if _key(js) not in seen:
            seen.add(_key(js))
            kept.append(js)
    scripts[:] = kept
    for asset in [*scripts, *context.get("css_files", [])]:
        if "://" in str(asset.filename or "") or str(asset.filename or "").startswith("//"):
            logger.warning(f"offline_site: page {pagename} would load {asset.filename} from "
                           "another host; serve it from _static/ instead",
                           type="offline_site", subtype="remote")


def check_versions() -> None:
    """Refuse a release series of Sphinx, myst-nb or jupyter-cache not in :data:`VERIFIED`."""
    for package, series in VERIFIED.items():
        found = importlib.metadata.version(package)
        if found != series and not found.startswith(series + "."):
            raise ConfigError(
                f"offline_site: written for {package} {series}.x, found {found}. Re-check the "
                f"workarounds that name {package} in book/_ext/offline_site.py, then update "
                "VERIFIED there."
            )


def setup(app: Sphinx) -> dict[str, Any]:
    check_versions()
    app.add_config_value("offline_site_node_modules", "node_modules", "html")
    app.connect("builder-inited", check_node_modules)
    app.connect("html-page-context", offer_notebook_download, priority=400)
    app.connect("html-page-context", clean_page_assets, priority=900)
    app.connect("build-finished", copy_vendor_files)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

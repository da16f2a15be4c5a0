"""Local Sphinx extension of the book: course material generated from the chapters' sources.

Registered in ``_config.yml`` (``sphinx: extra_extensions``; importable because the
``offline_site`` entry of ``local_extensions`` puts ``book/_ext`` on the path). Nothing here is
typed twice: every page it fills is computed from the chapters as they are, so a new chapter
(a document whose name matches ``course_chapter_pattern``, listed in ``_toc.yml``) appears in
all of them without a change to this file.

Exercise metadata
    Every ``{exercise}`` of a chapter carries two classes, ``:class: kind-K level-L`` with K one
    of ``proof``, ``computation``, ``coding`` and L one of 1 (routine), 2 (standard), 3
    (challenging). A missing or unknown class, or an exercise without a solution, is a build
    warning (an error under ``-W``). On the chapter pages the classes become a badge in the
    exercise's title (``book/_static/course.css``).

Directives (each a placeholder filled when the page is written, after every chapter is read)
    ``{exercise-index}``
        every exercise by chapter: its number (they restart per chapter: the Chapters part of
        ``_toc.yml`` is numbered), kind, difficulty, what its solution is, the results it uses.
    ``{problem-sheets}``
        one problem sheet per chapter: the exercises' statements copied from the chapter's
        doctree, without their solutions (which are separate nodes and never copied). In the
        LaTeX build each sheet starts a new page, and ``problem_sheets.tex`` is a document of its
        own (``latex_documents`` in ``_config.yml``).
    ``{chapter-graph}``
        a figure of the chapters' dependency graph, drawn with matplotlib from the chapter
        documents named in the **Prerequisites** paragraph of each chapter's learning objectives;
        alt text listing every edge and a caption.
    ``{cell-timings}``
        for every chapter, the measured wall-clock time of its slow cells and of the cells that
        draw its figures and explorers, read from the cell metadata (``metadata.execution``) that
        nbclient records when the build executes the chapter (``record_timing``, switched on
        below). Timings are never outputs: nbval compares outputs only.
    ``{book-pdf}``
        a link to the PDF of the book when ``make pdf`` has built it (``_build/latex``), which is
        then copied into the site; otherwise a sentence saying how to build it.
"""

from __future__ import annotations

import functools
import posixpath
import re
import shutil
import textwrap
from datetime import datetime
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node, solution_node

logger = logging.getLogger(__name__)

KINDS = {"proof": "proof", "computation": "computation", "coding": "coding"}
LEVELS = {"1": "routine", "2": "standard", "3": "challenging"}
GRAPH_NAME = "course-chapter-graph"


class course_placeholder(nodes.General, nodes.Element):
    """Stands for generated content; replaced in :class:`FillCoursePages` before writing."""


# --------------------------------------------------------------------------------- reading


def _is_exercise(node: nodes.Node) -> bool:
    return isinstance(node, (exercise_enumerable_node, exercise_node))


def _prerequisites(doctree: nodes.document) -> list[tuple[str, str]]:
    """(reftype, target) of every doc/ref link in the Prerequisites paragraph of the objectives."""
    for admonition in doctree.findall(nodes.admonition):
        title = next(iter(admonition.findall(nodes.title)), None)
        if title is None or not title.astext().startswith("Learning objectives"):
            continue
        for paragraph in admonition.findall(nodes.paragraph):
            strong = next(iter(paragraph.findall(nodes.strong)), None)
            if strong is not None and strong.astext().startswith("Prerequisites"):
                refs = paragraph.findall(addnodes.pending_xref)
                return [(x["reftype"], x["reftarget"]) for x in refs
                        if x.get("reftype") in ("doc", "ref")]
    return []


def collect(app: Sphinx, doctree: nodes.document) -> None:
    """Record the exercises, solutions and prerequisites of the document just read."""
    env = app.env
    docname = env.docname
    exercises = []
    for node in doctree.findall(_is_exercise):
        classes = node.get("classes", [])
        exercises.append({
            "label": node.get("label", ""),
            "kinds": [c[len("kind-"):] for c in classes if c.startswith("kind-")],
            "levels": [c[len("level-"):] for c in classes if c.startswith("level-")],
            "line": node.line,
        })
    solutions = {}
    for node in doctree.findall(solution_node):
        runs = any("cell" in c.get("classes", []) for c in node.findall(nodes.container))
        solutions[node.get("target_label", "")] = "runs" if runs else "worked"
    env.course_docs = getattr(env, "course_docs", {})
    env.course_docs[docname] = {"exercises": exercises, "solutions": solutions,
                                "prerequisites": _prerequisites(doctree)}
    placeholders = [node["what"] for node in doctree.findall(course_placeholder)]
    if placeholders:
        env.course_pages = getattr(env, "course_pages", set()) | {docname}
    if "problem-sheets" in placeholders:
        env.course_sheet_pages = getattr(env, "course_sheet_pages", set()) | {docname}


def purge(app: Sphinx, env: Any, docname: str) -> None:
    getattr(env, "course_docs", {}).pop(docname, None)
    getattr(env, "course_pages", set()).discard(docname)
    getattr(env, "course_sheet_pages", set()).discard(docname)


def merge(app: Sphinx, env: Any, docnames: set[str], other: Any) -> None:
    env.course_docs = getattr(env, "course_docs", {})
    env.course_docs.update({d: v for d, v in getattr(other, "course_docs", {}).items()
                            if d in docnames})
    for name in ("course_pages", "course_sheet_pages"):
        setattr(env, name, getattr(env, name, set()) | (getattr(other, name, set()) & docnames))


def always_reread(app: Sphinx, env: Any, added: set, changed: set, removed: set) -> list[str]:
    """The generated pages depend on every chapter: read (and so write) them on every build."""
    return sorted(getattr(env, "course_pages", set()) - added - removed)


def _toc_order(env: Any) -> list[str]:
    order: list[str] = []

    def walk(doc: str) -> None:
        for child in env.toctree_includes.get(doc, []):
            if child not in order:
                order.append(child)
                walk(child)

    walk(env.config.root_doc)
    return order


def chapters(env: Any) -> list[str]:
    """The chapter documents in table-of-contents order."""
    pattern = re.compile(env.config.course_chapter_pattern)
    read = getattr(env, "course_docs", {})
    return [d for d in _toc_order(env) if pattern.search(d) and d in read]


def check(app: Sphinx, env: Any) -> None:
    """Warn about exercises without kind, difficulty or solution (errors under ``-W``)."""
    for docname in chapters(env):
        info = env.course_docs[docname]
        for ex in info["exercises"]:
            where = (env.doc2path(docname), ex["line"])
            if len(ex["kinds"]) != 1 or ex["kinds"][0] not in KINDS:
                logger.warning(f"exercise {ex['label']} needs exactly one class kind-K with K in "
                               f"{sorted(KINDS)}, has {ex['kinds']}", location=where,
                               type="course", subtype="metadata")
            if len(ex["levels"]) != 1 or ex["levels"][0] not in LEVELS:
                logger.warning(f"exercise {ex['label']} needs exactly one class level-L with L in "
                               f"{sorted(LEVELS)}, has {ex['levels']}", location=where,
                               type="course", subtype="metadata")
            if ex["label"] not in info["solutions"]:
                logger.warning(f"exercise {ex['label']} has no solution", location=where,
                               type="course", subtype="solution")


def prerequisite_edges(env: Any) -> list[tuple[str, str]]:
    """(prerequisite, chapter) pairs between chapters, from the Prerequisites paragraphs."""
    labels = env.get_domain("std").labels
    docs = chapters(env)
    edges = []
    for doc in docs:
        for reftype, target in env.course_docs[doc]["prerequisites"]:
            if reftype == "doc":
                other = posixpath.normpath(posixpath.join(posixpath.dirname(doc), target)) \
                    if not target.startswith("/") else target.lstrip("/")
            else:
                other = labels.get(target.lower(), (None,))[0]
            if other in docs and other != doc and (other, doc) not in edges:
                edges.append((other, doc))
    return edges


# ------------------------------------------------------------------------------ directives


def _placeholder_directive(what: str, options: dict | None = None) -> type[SphinxDirective]:
    class Directive(SphinxDirective):
        has_content = False
        option_spec = options or {}

        def run(self) -> list[nodes.Node]:
            node = course_placeholder(what=what, **self.options)
            self.set_source_info(node)
            return [node]

    Directive.__name__ = f"{what.title().replace('-', '')}Directive"
    return Directive


# ----------------------------------------------------------------------- filling the pages


def _number(env: Any, docname: str, label: str) -> str:
    number = env.toc_fignumbers.get(docname, {}).get("exercise", {}).get(label)
    return ".".join(map(str, number)) if number else "?"


def _chapter_number(env: Any, docname: str) -> str:
    number = env.toc_secnumbers.get(docname, {}).get("", ())
    return ".".join(map(str, number))


def _chapter_title(env: Any, docname: str) -> str:
    number = _chapter_number(env, docname)
    return f"{number} {env.titles[docname].astext()}".strip()


def _xref(reftype: str, target: str, refdoc: str, text: str | None = None,
          domain: str = "std") -> addnodes.pending_xref:
    ref = addnodes.pending_xref("", refdomain=domain, reftype=reftype, reftarget=target,
                                refdoc=refdoc, refexplicit=text is not None, refwarn=True)
    ref += nodes.inline(text or target, text or target)
    return ref


def _table(header: list[str], rows: list[list[Any]], widths: list[int]) -> nodes.table:
    table = nodes.table(classes=["course-table"])
    group = nodes.tgroup(cols=len(header))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    body = nodes.tbody()
    group += body

    def row(cells: list[Any], parent: nodes.Element) -> None:
        tr = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            items = cell if isinstance(cell, list) else [cell]
            para = nodes.paragraph()
            for item in items:
                para += nodes.Text(item) if isinstance(item, str) else item
            entry += para
            tr += entry
        parent += tr

    row(header, head)
    for cells in rows:
        row(cells, body)
    return table


def _exercise_nodes(env: Any, docname: str) -> list[nodes.Element]:
    doctree = env.get_doctree(docname)  # as read: references still pending, for this page
    return list(doctree.findall(_is_exercise))


def _uses(exercise: nodes.Element, refdoc: str) -> list[Any]:
    """Copies of the references to results (prf:ref, ref) made in an exercise statement."""
    items: list[Any] = []
    for ref in exercise.findall(addnodes.pending_xref):
        if ref.get("refdomain") == "prf" or ref.get("reftype") == "ref":
            if items:
                items.append(", ")
            new = ref.deepcopy()
            new["refdoc"] = refdoc
            items.append(new)
    return items or ["\u2014"]


def exercise_index(env: Any, refdoc: str, builder: Any) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    statements = {}
    for doc in chapters(env):
        statements.update({n.get("label"): n for n in _exercise_nodes(env, doc)})
    for doc in chapters(env):
        info = env.course_docs[doc]
        if not info["exercises"]:
            continue
        section = nodes.section(ids=[f"exercises-{posixpath.basename(doc)}"])
        title = nodes.title()
        title += _xref("doc", "/" + doc, refdoc, _chapter_title(env, doc))
        section += title
        rows = []
        for ex in info["exercises"]:
            solution = {"runs": "code, executed in the build",
                        "worked": "worked"}.get(info["solutions"].get(ex["label"], ""), "none")
            rows.append([
                [_xref("ref", ex["label"], refdoc, f"Exercise {_number(env, doc, ex['label'])}")],
                ", ".join(KINDS.get(k, k) for k in ex["kinds"]),
                ", ".join(f"{lv} ({LEVELS.get(lv, '?')})" for lv in ex["levels"]),
                _uses(statements[ex["label"]], refdoc) if ex["label"] in statements else ["\u2014"],
                solution,
            ])
        section += _table(["Exercise", "Kind", "Difficulty", "Uses", "Solution"], rows,
                          [14, 14, 16, 36, 20])
        for page in sorted(getattr(env, "course_sheet_pages", set())):
            sheet = nodes.paragraph()
            sheet += nodes.Text("Without solutions: ")
            # The sheets' sections are made when their page is written, so no label names them.
            uri = builder.get_relative_uri(refdoc, page)
            ref = nodes.reference("", "", internal=True,
                                  refuri=f"{uri}#sheet-{posixpath.basename(doc)}")
            ref += nodes.Text(f"problem sheet {_chapter_number(env, doc)}")
            sheet += ref
            sheet += nodes.Text(".")
            section += sheet
        out.append(section)
    return out


def _strip_ids(node: nodes.Element) -> nodes.Element:
    for sub in node.findall(nodes.Element):
        sub["ids"] = []
        if "names" in sub:
            sub["names"] = []
    return node


def _name_results(env: Any, exercise: nodes.Element) -> None:
    """Replace each prf:ref in ``exercise`` by the name of its target, "Lemma 1.1" (unlinked)."""
    proofs = getattr(env, "proof_list", {})
    for ref in list(exercise.findall(addnodes.pending_xref)):
        match = proofs.get(ref.get("reftarget", ""))
        if ref.get("refdomain") != "prf" or match is None:
            continue
        number = ""
        if not match.get("nonumber"):
            numbers = env.toc_fignumbers.get(match["docname"], {})
            number = ".".join(map(str, numbers.get(match["countertype"], {}).get(
                ref["reftarget"], ())))
        ref.replace_self(nodes.Text(f"{match['realtype'].title()} {number}".strip()))


def problem_sheets(env: Any, refdoc: str, builder: Any) -> list[nodes.Node]:
    builder_format = builder.format
    out: list[nodes.Node] = []
    for doc in chapters(env):
        info = env.course_docs[doc]
        # Copied unresolved, resolved on the sheet's page (the chapter's same-page links would
        # break there); in LaTeX, references to results become their names ("Lemma 1.1"), as
        # problem_sheets.tex does not hold their targets.
        exercises = _exercise_nodes(env, doc)
        if builder_format == "latex":
            for exercise in exercises:
                _name_results(env, exercise)
        if not exercises:
            continue
        meta = {ex["label"]: ex for ex in info["exercises"]}
        stem = posixpath.basename(doc)
        if builder_format == "latex" and out:
            out.append(nodes.raw("", "\\clearpage\n", format="latex"))
        section = nodes.section(ids=[f"sheet-{stem}"], names=[])
        number = _chapter_number(env, doc)
        section += nodes.title("", f"Problem sheet {number}: {env.titles[doc].astext()}")
        intro = nodes.paragraph()
        intro += nodes.Text(f"The exercises of chapter {number}, ")
        intro += _xref("doc", "/" + doc, refdoc, env.titles[doc].astext())
        intro += nodes.Text(", without solutions; in the chapter, each solution follows its "
                            "exercise.")
        section += intro
        for node in exercises:
            label = node.get("label", "")
            ex = meta.get(label, {"kinds": [], "levels": []})
            kind = ", ".join(ex["kinds"])
            level = ", ".join(LEVELS.get(lv, lv) for lv in ex["levels"])
            container = nodes.container(classes=["course-sheet-exercise"])
            heading = nodes.rubric("", f"Exercise {_number(env, doc, label)} ({kind}, {level})")
            container += heading
            body = next((c for c in node.children if isinstance(c, nodes.section)), None)
            for child in (body.children if body is not None else node.children[1:]):
                new = _strip_ids(child.deepcopy())
                for ref in new.findall(addnodes.pending_xref):
                    ref["refdoc"] = refdoc
                container += new
            section += container
        out.append(section)
    return out


def _reduced(edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The edges not implied by others (transitive reduction of an acyclic graph)."""
    def reaches(a: str, b: str, skip: tuple[str, str]) -> bool:
        todo, seen = [a], set()
        while todo:
            node = todo.pop()
            for x, y in edges:
                if x == node and (x, y) != skip and y not in seen:
                    if y == b:
                        return True
                    seen.add(y)
                    todo.append(y)
        return False

    return [(a, b) for a, b in edges if not reaches(a, b, (a, b))]


def _draw_graph(env: Any, edges: list[tuple[str, str]], targets: list[Path]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    docs = chapters(env)
    depth = {d: 0 for d in docs}
    for _ in docs:  # longest path from a chapter without prerequisites
        for a, b in edges:
            depth[b] = max(depth[b], depth[a] + 1)
    pos: dict[str, tuple[float, float]] = {}
    for x in range(max(depth.values(), default=0) + 1):
        layer = [d for d in docs if depth[d] == x]
        # Barycentre of the prerequisites, then chapters that others build on first: they take
        # the middle rows, so that chains of chapters run straight.
        def key(d: str) -> tuple:
            ys = [pos[a][1] for a, b in edges if b == d and a in pos]
            return (sum(ys) / len(ys) if ys else 0.0, -sum(a == d for a, _ in edges),
                    docs.index(d))
        for i, d in enumerate(sorted(layer, key=key)):
            pos[d] = (float(x), float((i + 1) // 2 * (1 if i % 2 else -1)))
    ys = [y for _, y in pos.values()]
    fig, ax = plt.subplots(figsize=(3.4 * (max(depth.values(), default=0) + 1),
                                    1.3 * (max(ys) - min(ys) + 1) + 0.3))
    boxes = {}
    for d, (x, y) in pos.items():
        label = "\n".join(textwrap.wrap(_chapter_title(env, d), 22))
        boxes[d] = ax.text(x, y, label, ha="center", va="center", fontsize=12, zorder=3,
                           bbox={"boxstyle": "round,pad=0.5", "facecolor": "#e8f0fb",
                                 "edgecolor": "#2b5d9b", "linewidth": 1.2})
    ax.set_xlim(-0.55, max(depth.values(), default=0) + 0.55)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    ax.axis("off")
    fig.canvas.draw()  # places the boxes, at which the arrows below are clipped
    for a, b in _reduced(edges):
        ax.annotate("", xy=pos[b], xytext=pos[a], zorder=4,
                    arrowprops={"arrowstyle": "-|>,head_length=0.7,head_width=0.35",
                                "color": "0.3", "lw": 1.6, "shrinkA": 3, "shrinkB": 3,
                                "patchA": boxes[a].get_bbox_patch(),
                                "patchB": boxes[b].get_bbox_patch()})
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(target, dpi=160, bbox_inches="tight",
                    metadata={"CreationDate": None} if target.suffix == ".pdf" else None)
    plt.close(fig)


def chapter_graph(app: Sphinx, refdoc: str, caption: str) -> list[nodes.Node]:
    env = app.env
    edges = prerequisite_edges(env)
    builder = app.builder
    if builder.format == "latex":
        name = f"{GRAPH_NAME}.pdf"
        _draw_graph(env, edges, [Path(builder.outdir, name)])
        uri = name
    else:
        _draw_graph(env, edges, [Path(builder.outdir, "_images", f"{GRAPH_NAME}.png")])
        page_dir = posixpath.dirname(builder.get_target_uri(refdoc))
        uri = posixpath.relpath(f"_images/{GRAPH_NAME}.png", page_dir or ".")
    title = {d: _chapter_title(env, d) for d in chapters(env)}
    parts = []
    for doc in chapters(env):
        needs = [title[a] for a, b in edges if b == doc]
        parts.append(f"{title[doc]} builds on {' and '.join(needs)}" if needs
                     else f"{title[doc]} needs no other chapter")
    alt = "Dependency graph of the chapters, an arrow from each prerequisite to the chapter that " \
          "needs it (arrows implied by a chain of others are left out): " + "; ".join(parts) + "."
    figure = nodes.figure(ids=[GRAPH_NAME], classes=["course-graph"])
    figure += nodes.image(uri=uri, alt=alt, candidates={"*": uri})
    figure += nodes.caption("", caption or "How the chapters depend on each other, read off "
                                           "the prerequisites of each chapter.")
    return [figure]


def _seconds(meta: dict) -> float | None:
    execution = meta.get("execution", {})
    start, end = execution.get("iopub.execute_input"), execution.get("shell.execute_reply")
    if not (start and end):
        return None
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def _first_line(source: str) -> str:
    """The first line of a cell that is neither a comment nor part of an import."""
    in_import = False
    for line in source.splitlines():
        line = line.strip()
        if in_import:
            in_import = ")" not in line
        elif line.startswith(("import ", "from ")):
            in_import = line.endswith("(")
        elif line and not line.startswith("#"):
            return line if len(line) <= 60 else line[:57] + "..."
    return "imports"


def cell_timings(app: Sphinx, refdoc: str, threshold: float) -> list[nodes.Node]:
    from offline_site import executed_notebook  # the executed notebook, from the cache if so

    env = app.env
    rows = []
    for doc in chapters(env):
        nb = executed_notebook(app, doc)
        cells = [c for c in (nb.cells if nb else []) if c.cell_type == "code"]
        times = [_seconds(c.metadata) for c in cells]
        if not cells or all(t is None for t in times):
            rows.append([[_xref("doc", "/" + doc, refdoc, _chapter_title(env, doc))],
                         "not measured (notebook from a cache without timings)", "", ""])
            continue
        total = sum(t for t in times if t is not None)
        rows.append([[_xref("doc", "/" + doc, refdoc, _chapter_title(env, doc))],
                     [nodes.strong("", "whole chapter")], f"{total:.1f} s",
                     f"{len(cells)} code cells"])
        for cell, seconds in zip(cells, times):
            figure = cell.metadata.get("mystnb", {}).get("figure", {}).get("name")
            explorer = "static_explorer(" in cell.source
            if seconds is None or not (figure or explorer or seconds >= threshold):
                continue
            if figure:
                what: list[Any] = [_xref("numref", figure, refdoc)]
            elif explorer:
                what = ["kernel-free explorer"]
            else:
                what = [nodes.literal("", _first_line(cell.source))]
            rows.append(["", what, f"{seconds:.1f} s",
                         "draws a figure" if figure else ("frames of the explorer" if explorer
                                                          else "computation")])
    return [_table(["Chapter", "Cell", "Time", "What"], rows, [30, 40, 12, 18])]


def book_pdf(app: Sphinx) -> list[nodes.Node]:
    para = nodes.paragraph()
    pdfs = _built_pdfs(app)
    if app.builder.format == "html" and pdfs:
        para += nodes.Text("As PDFs, built with Jupyter Book's LaTeX builder (make pdf): ")
        for i, pdf in enumerate(pdfs):
            ref = nodes.reference("", "", internal=False, refuri=f"{_site_prefix(app)}{pdf.name}")
            what = "the whole book" if i == 0 else "the problem sheets"
            ref += nodes.Text(f"{what} ({pdf.stat().st_size / 1e6:.1f} MB)")
            para += [nodes.Text(" and ")] if i else []
            para += ref
        para += nodes.Text(".")
    else:
        para += nodes.Text("The book and its problem sheets are built as PDFs with make pdf "
                           "(Jupyter Book's LaTeX builder); once built, they are linked here.")
    return [para]


def _site_prefix(app: Sphinx) -> str:
    return "../" * app.builder.get_target_uri(app.env.docname).count("/")


def _built_pdfs(app: Sphinx) -> list[Path]:
    """The PDFs of ``make pdf`` (the book first, then the problem sheets) that exist."""
    latex = Path(app.outdir).parent / "latex"
    book = app.config.latex_documents[0][1] if app.config.latex_documents else "book.tex"
    names = [Path(book).with_suffix(".pdf").name, "problem_sheets.pdf"]
    return [latex / name for name in names if (latex / name).is_file()]


def copy_pdf(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        for pdf in _built_pdfs(app):
            shutil.copy2(pdf, Path(app.outdir, pdf.name))


class FillCoursePages(SphinxPostTransform):
    """Replace the placeholders by generated content before references are resolved."""

    default_priority = 1  # before ReferencesResolver (10) and sphinx-exercise's transforms (5)

    def run(self, **kwargs: Any) -> None:
        docname = self.env.docname
        if self.app.builder.format == "latex":
            self.number_chapters_only()
            self.name_exercises()
        for node in list(self.document.findall(course_placeholder)):
            what = node["what"]
            if what == "exercise-index":
                new = exercise_index(self.env, docname, self.app.builder)
            elif what == "problem-sheets":
                new = problem_sheets(self.env, docname, self.app.builder)
                # Copied statements hold math: load MathJax on this page.
                self.env.get_domain("math").data["has_equations"][docname] = True
            elif what == "chapter-graph":
                new = chapter_graph(self.app, docname, node.get("caption", ""))
            elif what == "cell-timings":
                new = cell_timings(self.app, docname, float(node.get("threshold", 1.0)))
            else:
                new = book_pdf(self.app)
            node.replace_self(new)


    def name_exercises(self) -> None:
        """In LaTeX, a reference to an exercise without its own text becomes "Exercise 1.2.3".

        sphinx-exercise turns such a reference into a number reference that its LaTeX writer
        leaves as "??"; the number is known here (unlinked).
        """
        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for ref in list(self.document.findall(addnodes.pending_xref)):
            entry = registry.get(ref.get("reftarget", ""))
            if entry is None or entry.get("type") != "exercise" or ref.get("refexplicit"):
                continue
            number = _number(self.env, entry["docname"], ref["reftarget"])
            ref.replace_self(nodes.Text(f"Exercise {number}"))

    def number_chapters_only(self) -> None:
        """In the PDF, number the chapters 1, 2, ... as on the site, and nothing else.

        LaTeX numbers every document of the book as a chapter, front matter included, so that
        the first chapter would be "Chapter 9" while its figures, theorems and exercises carry
        Sphinx's numbers 1.x. Before each document of the assembled book: no numbers outside
        the chapters, and the chapter counter reset before the first chapter.
        """
        docs = chapters(self.env)
        starts = list(self.document.findall(addnodes.start_of_file))
        if not any(node.get("docname") in docs for node in starts):
            return  # not the book (the problem sheets)
        self.document.insert(0, nodes.raw("", "\\setcounter{secnumdepth}{-1}\n", format="latex"))
        first = True
        for node in starts:
            is_chapter = node.get("docname") in docs
            tex = f"\\setcounter{{secnumdepth}}{{{2 if is_chapter else -1}}}"
            if is_chapter and first:
                tex = "\\setcounter{chapter}{0}" + tex
                first = False
            node.parent.insert(node.parent.index(node), nodes.raw("", tex + "\n", format="latex"))


def record_cell_timing(app: Sphinx, config: Any) -> None:
    """Have nbclient record when each cell starts and ends in the build's executions.

    myst-nb and jupyter-cache execute notebooks through ``single_nb_execution`` with
    ``record_timing=False``; this passes ``True``, which stores the timestamps in each code
    cell's ``metadata.execution`` (never in its outputs), read by ``{cell-timings}``.
    """
    import jupyter_cache.executors.basic as basic
    import jupyter_cache.executors.utils as utils
    import myst_nb.core.execute.direct as direct

    original = utils.single_nb_execution
    if getattr(original, "records_timing", False):
        return

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        kwargs["record_timing"] = True
        return original(*args, **kwargs)

    timed.records_timing = True  # type: ignore[attr-defined]
    for module in (utils, basic, direct):
        if getattr(module, "single_nb_execution", None) is original:
            module.single_nb_execution = timed


def add_sheets_document(app: Sphinx, env: Any) -> None:
    """In the LaTeX build, the problem sheets are also a document of their own.

    Added once every page is read, after Jupyter Book has applied ``latex: latex_documents`` of
    ``_config.yml`` to the book's own entry (it does so only while there is one entry).
    """
    if app.builder.format != "latex":
        return
    pages = sorted(getattr(env, "course_sheet_pages", set()))
    documents = app.config.latex_documents
    author = documents[0][3] if documents else ""
    for page in pages:
        target = f"{posixpath.basename(page)}.tex"
        if all(entry[1] != target for entry in documents):
            documents.append((page, target, env.titles[page].astext(), author, "howto", False))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("course_chapter_pattern", r"^book/\d\d_", "env")
    app.add_node(course_placeholder)
    app.add_directive("exercise-index", _placeholder_directive("exercise-index"))
    app.add_directive("problem-sheets", _placeholder_directive("problem-sheets"))
    app.add_directive("chapter-graph", _placeholder_directive(
        "chapter-graph", {"caption": directives.unchanged}))
    app.add_directive("cell-timings", _placeholder_directive(
        "cell-timings", {"threshold": directives.unchanged}))
    app.add_directive("book-pdf", _placeholder_directive("book-pdf"))
    app.add_post_transform(FillCoursePages)
    app.add_css_file("course.css")
    app.connect("config-inited", record_cell_timing)
    app.connect("doctree-read", collect)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-get-outdated", always_reread)
    app.connect("env-check-consistency", check)
    app.connect("env-check-consistency", add_sheets_document)
    app.connect("build-finished", copy_pdf)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


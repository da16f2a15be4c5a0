"""Local Sphinx extension of the book: a site that works offline, with notebook downloads.

Registered in ``_config.yml`` (``sphinx: local_extensions: {offline_site: book/_ext}``). It

1. copies the JavaScript the pages need from ``node_modules/`` (installed by ``make assets``,
   i.e. ``npm ci`` from package-lock.json) into ``_build/html/_static/npm/``: MathJax 3
   (``mathjax_path`` in ``_config.yml`` points there), require.js and the ipywidgets HTML
   manager (``nb_ipywidgets_js``), into ``_static/npm/<package>/``. Only the files a page can
   load are copied (about 13 MB, not the 150 MB of node_modules). Not under a project-root
   ``_static/``: Jupyter Book 1.x would inject every ``.js`` and ``.css`` found there into every
   page;
2. fails the build (a warning, and the book is built with ``-W``) when a page would load a
   script or stylesheet from another host;
3. removes the script that Sphinx 7.4 emits twice (a second ``THEBE_JS_URL`` declaration is a
   ``SyntaxError`` in every page), and the ipywidgets scripts on pages that show no widget
   (myst-nb adds 3.6 MB of JavaScript to any page whose notebook saved a widget state, even
   when the widget's output is removed);
4. on pages that do show widgets: points the widget manager's fonts and styles at the local
   copy, and adapts the MathJax 2 call of the widgets (``MathJax.Hub.Queue``, ipywidgets#3829)
   to MathJax 3;
5. offers every chapter as an executed notebook: ``_sources/<page>.ipynb`` with its outputs,
   linked from the page's download menu (sphinx-book-theme shows that link only when a launch
   button is configured, and myst-nb writes the notebook without outputs when it comes from
   the execution cache, so both are done here).
"""

from __future__ import annotations

import copy
import filecmp
import json
import shutil
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
    "requirejs": ["require.js"],
    "@jupyter-widgets/html-manager": ["dist/embed-amd.js", "dist/*.woff2", "dist/*.woff",
                                      "dist/*.ttf", "dist/*.eot", "dist/*.svg"],
}
VENDOR_DIR = "npm"  # below _static/ (pydata-sphinx-theme already uses _static/vendor/)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
GLUE_PREFIX = "application/papermill.record/"

# Runs before require.js on widget pages: module and asset paths of the widget manager (its
# fonts would otherwise be looked for next to the page), and MathJax 2's Hub.Queue mapped onto
# MathJax 3.
WIDGETS_SHIM = """
(function () {
  var npm = document.currentScript.src.replace(/[^/]*$/, "");
  // The widget modules compute their font and style URLs from their require.js module paths:
  // map them onto the local copy (require.js reads a global `require` object as its config).
  window.require = {paths: {"@jupyter-widgets": npm + "@jupyter-widgets"}};
  window.__jupyter_widgets_assets_path__ = npm + "@jupyter-widgets/html-manager/dist/";
  function typeset(args) {
    var jobs = Array.prototype.slice.call(args);
    var ready = (window.MathJax && MathJax.startup) ? MathJax.startup.promise : Promise.resolve();
    jobs.forEach(function (job) {
      ready = ready.then(function () {
        if (typeof job === "function") { return job(); }
        if (Array.isArray(job) && job[0] === "Typeset" && MathJax.typesetPromise) {
          return MathJax.typesetPromise(job.slice(2).filter(Boolean));
        }
      });
    });
    return ready;
  }
  function install() {
    if (window.MathJax && !window.MathJax.Hub) {
      window.MathJax.Hub = {Queue: function () { return typeset(arguments); }};
    }
  }
  install();
  document.addEventListener("DOMContentLoaded", install);
  window.addEventListener("load", install);
})();
"""


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


def _executed_notebook(app: Sphinx, pagename: str) -> nbformat.NotebookNode | None:
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
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":  # glue records are build data, not outputs for readers
            cell.outputs = [
                out for out in cell.outputs
                if not (out.get("data") and all(k.startswith(GLUE_PREFIX) for k in out["data"]))
            ]
    return nb


def offer_notebook_download(app: Sphinx, pagename: str, templatename: str,
                            context: dict[str, Any], doctree: Any) -> None:
    """Write _sources/<page>.ipynb (executed) and list it in the page's download menu."""
    if app.builder.format != "html" or not context.get("page_source_suffix"):
        return
    nb = _executed_notebook(app, pagename)
    if nb is None:
        return
    target = Path(app.outdir, "_sources", f"{pagename}.ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                      encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"  # read by sphinx-book-theme's header buttons


def _key(js: Any) -> tuple:
    return (js.filename or "", tuple(sorted(js.attributes.items())))


def clean_page_assets(app: Sphinx, pagename: str, templatename: str,
                      context: dict[str, Any], doctree: Any) -> None:
    """De-duplicate scripts, drop unused widget scripts, refuse assets from other hosts."""
    scripts = context.get("script_files")
    if app.builder.format != "html" or scripts is None:
        return
    has_widgets = WIDGET_VIEW in context.get("body", "")
    widget_files = {path for path in app.config.nb_ipywidgets_js}
    kept, seen = [], set()
    for js in scripts:
        key = _key(js)
        if key in seen:
            continue
        seen.add(key)
        is_widget = (js.attributes.get("type") == WIDGET_STATE
                     or any(str(js.filename or "").endswith(f) for f in widget_files))
        if is_widget and not has_widgets:
            continue
        kept.append(js)
    if has_widgets:
        first = next((i for i, js in enumerate(kept)
                      if any(str(js.filename or "").endswith(f) for f in widget_files)), None)
        if first is not None:
            from sphinx.builders.html._assets import _JavaScript

            shim = _JavaScript(f"_static/{VENDOR_DIR}/twolayer-widgets.js",
                               priority=kept[first].priority)
            kept.insert(first, shim)
    scripts[:] = kept
    for asset in [*scripts, *context.get("css_files", [])]:
        if "://" in str(asset.filename or "") or str(asset.filename or "").startswith("//"):
            logger.warning(f"offline_site: page {pagename} would load {asset.filename} from "
                           "another host; serve it from _static/ instead",
                           type="offline_site", subtype="remote")


def write_widgets_shim(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir, "_static", VENDOR_DIR, "twolayer-widgets.js")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(WIDGETS_SHIM.lstrip(), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("offline_site_node_modules", "node_modules", "html")
    app.connect("builder-inited", check_node_modules)
    app.connect("html-page-context", offer_notebook_download, priority=400)
    app.connect("html-page-context", clean_page_assets, priority=900)
    app.connect("build-finished", copy_vendor_files)
    app.connect("build-finished", write_widgets_shim)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

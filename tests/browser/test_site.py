"""Every page of the built book in headless Chromium, at a desktop and at a phone width.

``test_page`` asserts, for each page and viewport, what a reader would notice:

- no console error and no uncaught JavaScript error;
- no request to another host (the site must work offline) and no failed request or HTTP error;
- every image loaded;
- every formula typeset: MathJax started, each ``.math`` element holds an ``mjx-container``, no
  ``mjx-merror``, no TeX left as plain text (``$$``, ``\\(``, ``\\begin``, ``\\macro``), and no
  control character in a formula's source (``"\\top"`` written in a Python string without
  ``r""`` is a tab followed by ``op``, which MathJax typesets without complaint);
- every internal link resolves (the file exists, and the ``#fragment`` is an id on that page);
- every kernel-free explorer (``twolayer.widgets.static``) responds to its slider: moving the
  slider with the keyboard changes the frame;
- every chapter offers its executed notebook (``.ipynb`` with outputs) for download;
- at the phone width, nothing makes the page scroll sideways;
- at both widths, no formula (display or inline) is wider than the box it sits in: a formula
  cut off by its container, or overflowing into the margin, fails;
- at the desktop width, no code block (cell input or printed output) is wider than its box (no
  sideways scrolling of code), no cell prints one table as two output boxes (split streams), no
  ``glue(...)`` bookkeeping line is shown, and the smallest text of every figure is at least as
  large as the body's small print (``<small>`` in a paragraph of the page). A figure's smallest
  text, in CSS px, is its smallest font size in points (recorded in the PNG by
  ``twolayer.plotting.figure_png``, or on a kernel-free explorer's image by
  ``twolayer.widgets.static``) times the PNG's pixels per point (its ``pHYs`` dpi / 72) times
  the displayed width over the PNG's width.

``test_figures_and_explorer`` asserts, from the HTML, that every figure has alt text (not the
file name myst-nb puts there) and a caption, and that every chapter has a kernel-free explorer.

A screenshot of each page and viewport goes to ``--screenshots`` (``_build/screenshots``).
"""

from __future__ import annotations

import base64
import html
import json
import re
import time
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from twolayer.plotting import MIN_FONT_KEY, png_text

from .conftest import pages

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
              "is_mobile": True, "has_touch": True},
}
CHAPTER = re.compile(r"(^|/)\d\d_[^/]*\.html$")
# A chapter with explorers is a few MB of page; on a loaded 2-core machine it can take 30 s.
TIMEOUT_MS = 60_000

# TeX that must not survive as visible text outside code.
RAW_TEX = [
    (re.compile(r"\$\$"), "$$"),
    (re.compile(r"\\[()\[\]]"), "\\( \\) \\[ \\]"),
    (re.compile(r"\\(?:begin|end)\{"), "\\begin/\\end"),
    (re.compile(r"\\[A-Za-z]{2,}"), "a TeX macro"),
    (re.compile(r"(?<![\w$])\$[^\s$][^$\n]{0,200}\$(?![\w$])"), "$...$"),
]
MATH_SOURCE = re.compile(r'<(span|div) class="math notranslate nohighlight"[^>]*>(.*?)</\1>', re.S)
REDIRECT = re.compile(r'<meta http-equiv="refresh" content="\d+; *url=([^"]+)"', re.I)
CONTROL = re.compile(r"[\x00-\x08\x09\x0b-\x1f\x7f]")


#: Chapters that do not follow the figure and explorer recipe yet (alt text and a caption on every
#: figure, a kernel-free explorer): their test_figures_and_explorer is an expected failure, and a
#: strict one, so that it fails ("XPASS(strict)") as soon as the recipe is applied and the entry
#: must be removed. Every other check of test_page applies to them in full.
PENDING_RECIPE: dict[str, str] = {}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "page_path" in metafunc.fixturenames:
        metafunc.parametrize("page_path", pages(metafunc.config))
    if "content_page" in metafunc.fixturenames:
        metafunc.parametrize("content_page", [
            pytest.param(p, marks=pytest.mark.xfail(reason=PENDING_RECIPE[p], strict=True))
            if p in PENDING_RECIPE else p
            for p in pages(metafunc.config)
        ])


@cache
def _ids(path: Path) -> frozenset[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return frozenset(html.unescape(v) for v in re.findall(r'\b(?:id|name)="([^"]+)"', text))


def _site_file(site: Path, url_path: str) -> Path:
    path = site / unquote(url_path).lstrip("/")
    return path / "index.html" if url_path.endswith("/") or path.is_dir() else path


def _check_math_sources(source: str) -> list[str]:
    problems = []
    for _, body in MATH_SOURCE.findall(source):
        bad = CONTROL.search(body)
        if bad:
            context = html.unescape(body[max(0, bad.start() - 30):bad.end() + 10])
            problems.append(f"control character {bad.group()!r} in a formula's source (an "
                            f"unescaped '\\t', '\\b' or '\\f' in a Python string?): {context!r}")
    return problems


def _check_links(page, base_url: str, site: Path, page_file: Path) -> list[str]:
    problems = []
    hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
    live_ids = set(page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)"))
    base = urlsplit(base_url)
    for href in sorted(set(hrefs)):
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
            continue  # external links, mailto:, javascript: are not the site's to resolve
        target = _site_file(site, parts.path)
        if not target.is_file():
            problems.append(f"broken internal link: {href} ({target.relative_to(site)} missing)")
            continue
        fragment = unquote(parts.fragment)
        if fragment and target.suffix == ".html":
            ids = live_ids if target == page_file else _ids(target)
            if fragment not in ids and fragment not in _ids(target):
                problems.append(f"broken internal link: {href} (no id {fragment!r} on the page)")
    return problems


def _check_math(page) -> list[str]:
    if not page.evaluate("() => document.querySelector('.math') !== null"):
        return []
    try:
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                               timeout=TIMEOUT_MS)
    except Exception:
        return ["the page has formulas but MathJax did not start"]
    page.evaluate("() => MathJax.startup.promise")
    state = page.evaluate("""() => {
        const maths = [...document.querySelectorAll('.math')];
        return {
          count: maths.length,
          untypeset: maths.filter(m => !m.querySelector('mjx-container'))
                          .map(m => m.textContent.trim().slice(0, 80)),
          errors: [...document.querySelectorAll('mjx-merror')]
                   .map(e => e.getAttribute('data-mjx-error') || e.textContent).slice(0, 10),
        };
    }""")
    problems = [f"formula not typeset: {t!r}" for t in state["untypeset"][:10]]
    problems += [f"MathJax error: {e}" for e in state["errors"]]
    text = page.evaluate("""() => {
        const clone = (document.querySelector('main') || document.body).cloneNode(true);
        clone.querySelectorAll('pre, code, kbd, samp, script, style, textarea, mjx-container, '
                               + '.highlight').forEach(e => e.remove());
        return clone.textContent;
    }""")
    for pattern, what in RAW_TEX:
        found = pattern.search(text)
        if found:
            context = text[max(0, found.start() - 40):found.end() + 40].replace("\n", " ")
            problems.append(f"raw TeX ({what}) left in the text: ...{context}...")
    return problems


def _check_images(page) -> list[str]:
    images = page.evaluate("""async () => {
        const imgs = [...document.images];
        imgs.forEach(i => { i.loading = 'eager'; });
        await Promise.all(imgs.map(i => i.complete ? null : new Promise(done => {
            i.addEventListener('load', done); i.addEventListener('error', done);
            setTimeout(done, 10000);
        })));
        return imgs.map(i => ({src: (i.currentSrc || i.getAttribute('src') || '').slice(0, 120),
                               loaded: i.complete && i.naturalWidth > 0}));
    }""")
    return [f"image not loaded: {i['src'] or '(no src)'}" for i in images if not i["loaded"]]


def _check_explorers(page) -> list[str]:
    explorers = page.locator("div.animation")
    count = explorers.count()
    problems = []
    for k in range(count):
        explorer = explorers.nth(k)
        image, slider = explorer.locator("img").first, explorer.locator("input.anim-slider")
        frames = int(slider.evaluate("s => Number(s.max)")) + 1
        if frames < 2:
            problems.append(f"explorer {k}: only {frames} frame")
            continue
        before = image.evaluate("i => i.src")
        readouts = explorer.locator("output.anim-value")
        readout_before = readouts.first.text_content() if readouts.count() else None
        slider.focus()
        page.keyboard.press("End")
        deadline = time.monotonic() + 2
        while image.evaluate("i => i.src") == before and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        after, value = image.evaluate("i => i.src"), slider.evaluate("s => Number(s.value)")
        if after == before or value != frames - 1:
            problems.append(f"explorer {k}: moving its slider to frame {frames - 1} did not change "
                            f"the image (slider value {value})")
        readout = explorer.locator("output.anim-value")
        if readout.count() == 0:
            problems.append(f"explorer {k}: no readout of the selected value beside its slider")
        elif readout.first.text_content() == readout_before:
            problems.append(f"explorer {k}: its readout did not change with the frame "
                            f"({readout_before!r})")
        loaded = image.evaluate("i => i.complete && i.naturalWidth > 0")
        if not loaded:
            problems.append(f"explorer {k}: the last frame did not load")
    return problems


def _check_notebook_download(page, site: Path, is_chapter: bool) -> list[str]:
    links = page.evaluate(
        "() => [...document.querySelectorAll('a[href$=\".ipynb\"]')].map(a => a.href)")
    if not links:
        return ["chapter without a download link for its executed notebook (.ipynb)"] \
            if is_chapter else []
    problems = []
    for href in links:
        path = _site_file(site, urlsplit(href).path)
        if not path.is_file():
            continue  # reported by the link check
        nb = json.loads(path.read_text(encoding="utf-8"))
        # Cells tagged skip-execution (the ipywidgets explorers) run in a live kernel only.
        code = [
            c for c in nb["cells"]
            if c["cell_type"] == "code"
            and "skip-execution" not in c.get("metadata", {}).get("tags", [])
        ]
        not_run = sum(c.get("execution_count") is None for c in code)
        outputs = sum(len(c.get("outputs", [])) for c in code)
        if not_run or (code and not outputs):
            problems.append(f"downloadable notebook {path.relative_to(site)} is not executed "
                            f"({not_run} of {len(code)} code cells not run, {outputs} outputs)")
    return problems


def _check_width(page) -> list[str]:
    wide = page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width + 1) return [];
        return [...document.querySelectorAll('main *')]
          .filter(e => e.getBoundingClientRect().right > width + 1)
          .filter(e => !e.parentElement.closest('main *') ||
                       e.parentElement.getBoundingClientRect().right <= width + 1)
          .slice(0, 5)
          .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' '
                    + Math.round(e.getBoundingClientRect().right) + 'px');
    }""")
    return [f"page scrolls sideways at the phone width; too wide: {', '.join(wide) or '?'}"] \
        if wide else []


def _check_math_width(page) -> list[str]:
    """Formulas wider than their box: display math clipped by (or scrolling in) its container,
    inline math running past the right edge of its paragraph, list item or table cell."""
    if not page.evaluate("() => document.querySelector('mjx-container') !== null"):
        return []
    page.wait_for_timeout(200)  # book/_static/twolayer-math.js fits formulas after typesetting
    wide = page.evaluate(r"""() => {
        const out = [], tex = new Map();
        for (const item of MathJax.startup.document.math) tex.set(item.typesetRoot, item.math);
        for (const box of document.querySelectorAll('main mjx-container')) {
          const math = box.querySelector('mjx-math');
          if (!math || box.closest('.cell_output, .jp-OutputArea')) continue;
          const display = box.getAttribute('display') === 'true' || box.closest('div.math');
          // The block the formula has to fit into, and its content box.
          const block = display
            ? (box.closest('div.math') || box.parentElement)
            : box.parentElement.closest('p, li, td, th, dd, dt, div, figcaption');
          if (!block) continue;
          const style = getComputedStyle(block), r = block.getBoundingClientRect();
          const px = name => parseFloat(style[name]) || 0;
          const left = r.left + px('paddingLeft') + px('borderLeftWidth');
          const right = r.right - px('paddingRight') - px('borderRightWidth');
          const m = math.getBoundingClientRect();
          const over = Math.max(m.right - right, left - m.left);
          if (over > 1) {
            out.push({tex: (tex.get(box) || '?').trim().replace(/\s+/g, ' ').slice(0, 70),
                      over: Math.round(over), width: Math.round(m.width),
                      box: Math.round(right - left), display: !!display});
          }
        }
        return out;
    }""")
    return [f"{'display' if w['display'] else 'inline'} formula wider than its box by "
            f"{w['over']} px ({w['width']} px in {w['box']} px): {w['tex']!r}" for w in wide[:10]]


def _check_code(page) -> list[str]:
    """Code blocks that scroll sideways, tables printed as two boxes, visible glue calls."""
    state = page.evaluate(r"""() => {
        const main = document.querySelector('main') || document.body;
        const wide = [...main.querySelectorAll('div.highlight pre')]
          .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
          .map(pre => ({line: pre.textContent.split('\n')
                                 .reduce((a, b) => b.length > a.length ? b : a, '').slice(0, 100),
                        over: pre.scrollWidth - pre.clientWidth,
                        output: !!pre.closest('.cell_output')}));
        const split = [...main.querySelectorAll('.cell_output')].filter(out => {
          const kids = [...out.children];
          return kids.some((k, i) => i > 0 && k.matches('.output.stream')
                                      && kids[i - 1].matches('.output.stream'));
        }).map(out => out.textContent.trim().slice(0, 80));
        const glue = [...main.querySelectorAll('.cell_input')]
          .flatMap(c => c.textContent.split('\n'))
          .filter(line => /^\s*glue\(/.test(line)).map(l => l.trim().slice(0, 80));
        return {wide, split, glue};
    }""")
    problems = [f"code {'output' if w['output'] else 'block'} scrolls sideways by {w['over']} px: "
                f"{w['line']!r}" for w in state["wide"][:10]]
    problems += [f"one cell prints its output as two boxes (split stream): {t!r}"
                 for t in state["split"][:5]]
    if state["glue"]:
        problems.append(f"{len(state['glue'])} glue(...) lines shown in code cells (put them in a "
                        f"cell tagged remove-cell), e.g. {state['glue'][0]!r}")
    return problems


def _png_bytes(src: str, site: Path, base_url: str) -> bytes | None:
    if src.startswith("data:image/png;base64,"):
        return base64.b64decode(src.split(",", 1)[1])
    parts = urlsplit(src)
    if not src.startswith(base_url) or not parts.path.endswith(".png"):
        return None
    path = _site_file(site, parts.path)
    return path.read_bytes() if path.is_file() else None


def _check_figure_text(page, site: Path, base_url: str) -> list[str]:
    """The smallest text of each figure, as displayed, against the body's small print."""
    state = page.evaluate("""() => {
        const main = document.querySelector('main') || document.body;
        const p = main.querySelector('p') || main;
        const small = document.createElement('small');
        small.textContent = 'x';
        p.appendChild(small);
        const smallPx = parseFloat(getComputedStyle(small).fontSize);
        small.remove();
        const images = [...main.querySelectorAll('.cell_output img, div.animation img')]
          .filter(i => i.naturalWidth > 0)
          .map(i => ({src: i.currentSrc || i.src, natural: i.naturalWidth,
                      shown: i.getBoundingClientRect().width,
                      minFont: i.getAttribute('data-min-font-pt')}));
        return {smallPx, images};
    }""")
    problems = []
    for image in state["images"]:
        png = _png_bytes(image["src"], site, base_url)
        name = image["src"][:60] if not image["src"].startswith("data:") else "explorer frame"
        if png is None:
            problems.append(f"figure is not a PNG of the site: {name}")
            continue
        info = png_text(png)
        min_font = image["minFont"] or info.get(MIN_FONT_KEY)
        if min_font is None or "dpi" not in info:
            problems.append(f"figure {name} does not record its smallest text size or its dpi "
                            "(draw it with twolayer.plotting.new_figure)")
            continue
        px = float(min_font) / 72 * float(info["dpi"]) * image["shown"] / image["natural"]
        if px < state["smallPx"] - 0.05:
            problems.append(f"figure text too small: {float(min_font):g} pt shown at {px:.1f} px, "
                            f"below the small print of the page ({state['smallPx']:.1f} px): "
                            f"{name} (shown {image['shown']:.0f} px wide, "
                            f"{image['natural']} px PNG at {info['dpi']} dpi)")
    return problems


def _check_dark_captions(page) -> list[str]:
    """In dark mode, explorer captions and readouts must stand out from their background."""
    if not page.evaluate("() => document.querySelector('.twolayer-explorer') !== null"):
        return []
    page.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")
    page.wait_for_timeout(100)
    found = page.evaluate(r"""() => {
        const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
        const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
          .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
          .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
        const background = e => {
          for (; e; e = e.parentElement) {
            const c = rgb(getComputedStyle(e).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
          }
          return [255, 255, 255];
        };
        return [...document.querySelectorAll('.twolayer-explorer figcaption, '
                                             + '.twolayer-explorer .anim-value')]
          .map(e => {
            const a = lum(rgb(getComputedStyle(e).color).slice(0, 3)), b = lum(background(e));
            return {text: e.textContent.trim().slice(0, 50),
                    ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
          });
    }""")
    page.evaluate("() => { document.documentElement.dataset.theme = 'light'; }")
    return [f"explorer text hard to read in dark mode (contrast {f['ratio']:.1f}, needs 4.5): "
            f"{f['text']!r}" for f in found if f["ratio"] < 4.5]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_page(page_path: str, viewport: str, browser, base_url: str, site: Path,
              screenshots: Path) -> None:
    problems: list[str] = []
    context = browser.new_context(**VIEWPORTS[viewport], service_workers="block")

    def only_this_site(route) -> None:
        url = route.request.url
        if url.startswith(base_url + "/"):
            route.continue_()
        else:
            problems.append(f"request to another host: {url[:120]}")
            route.abort()

    context.route("**/*", only_this_site)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("console", lambda msg: msg.type == "error" and problems.append(
        f"console error: {msg.text[:300]} ({msg.location.get('url', '')}:"
        f"{msg.location.get('lineNumber', '')})"))
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on("requestfailed", lambda request: request.url.startswith(base_url) and problems.append(
        f"failed request: {request.url} ({request.failure})"))
    page.on("response", lambda response: response.status >= 400 and problems.append(
        f"HTTP {response.status}: {response.url}"))
    page_file = site / page_path
    redirect = REDIRECT.search(page_file.read_text(encoding="utf-8"))
    try:
        if redirect:  # e.g. index.html -> book/intro.html, which is tested on its own
            target = (page_file.parent / html.unescape(redirect.group(1))).resolve()
            page.goto(f"{base_url}/{page_path}", wait_until="load")
            page.wait_for_url(f"{base_url}/{target.relative_to(site).as_posix()}")
            if problems:
                pytest.fail(f"{page_path}:\n  " + "\n  ".join(dict.fromkeys(problems)),
                            pytrace=False)
            return
        page.goto(f"{base_url}/{page_path}", wait_until="load")
        is_chapter = bool(CHAPTER.search(page_path))
        problems += _check_math_sources(page_file.read_text(encoding="utf-8"))
        problems += _check_math(page)
        problems += _check_math_width(page)
        problems += _check_images(page)
        problems += _check_links(page, base_url, site, page_file)
        problems += _check_explorers(page)
        if viewport == "desktop":
            problems += _check_notebook_download(page, site, is_chapter)
            problems += _check_code(page)
            problems += _check_figure_text(page, site, base_url)
            problems += _check_dark_captions(page)
        else:
            problems += _check_width(page)
        page.wait_for_load_state("networkidle")
        shot = screenshots / viewport / page_path.replace(".html", ".png")
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(shot), full_page=True)
    finally:
        context.close()
    if problems:
        unique = list(dict.fromkeys(problems))
        pytest.fail(f"{page_path} at the {viewport} width:\n  " + "\n  ".join(unique),
                    pytrace=False)


class _Figures(HTMLParser):
    """Images inside <main>, each with its alt text and the <figure> around it (if any)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, int | None]] = []  # (tag, figure number or None)
        self.images: list[dict] = []
        self.captioned: set[int] = set()
        self.figures = 0

    def _inside(self, tag: str) -> bool:
        return any(t == tag for t, _ in self.stack)

    def _figure(self) -> int | None:
        return next((n for t, n in reversed(self.stack) if t == "figure"), None)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "img" and self._inside("main"):
            self.images.append({"alt": (attrs.get("alt") or "").strip(),
                                "src": attrs.get("src") or "", "figure": self._figure()})
        if tag == "figcaption" and self._figure() is not None:
            self.captioned.add(self._figure())
        if tag not in self.VOID:
            number = None
            if tag == "figure":
                self.figures += 1
                number = self.figures
            self.stack.append((tag, number))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break


def test_figures_and_explorer(content_page: str, site: Path) -> None:
    """Every figure has alt text and a caption; every chapter has a kernel-free explorer.

    The recipe for chapters (README, "Figures and explorers in chapters"): ``mystnb: figure:
    caption/name`` and ``mystnb: image: alt`` in the metadata of each figure cell, and one
    ``twolayer.widgets.static.static_explorer`` call beside the ipywidgets explorer.
    """
    source = (site / content_page).read_text(encoding="utf-8")
    parser = _Figures()
    parser.feed(source)
    problems = []
    for image in parser.images:
        alt, src = image["alt"], image["src"][:80]
        if not alt or re.search(r"_images/|\.(png|jpe?g|gif|svg|webp)$", alt):
            problems.append(f"figure without alt text (alt={alt!r}, src={src}): give its cell "
                            "`mystnb: image: alt:` metadata")
        if image["figure"] not in parser.captioned:
            problems.append(f"figure without caption (src={src}): give its cell "
                            "`mystnb: figure: caption:` metadata")
    if CHAPTER.search(content_page) and 'class="animation"' not in source:
        problems.append("chapter without a kernel-free explorer "
                        "(twolayer.widgets.static.static_explorer)")
    if problems:
        pytest.fail(f"{content_page}:\n  " + "\n  ".join(problems), pytrace=False)


def test_general_index_lists_key_terms_of_every_chapter(site: Path) -> None:
    """The general index is not empty: each chapter indexes its key terms ({index} entries)."""
    index = site / "genindex.html"
    if not index.is_file():
        pytest.fail("the site has no general index (genindex.html)", pytrace=False)
    links = re.findall(r'<a href="(book/\d\d_[^"#]+)\.html#index-\d+"', index.read_text("utf-8"))
    per_chapter = {page: links.count(page) for page in set(links)}
    chapters = {p.relative_to(site).with_suffix("").as_posix()
                for p in (site / "book").glob("[0-9][0-9]_*.html") if CHAPTER.search(p.name)}
    missing = sorted(chapters - set(per_chapter))
    problems = [f"no index entry links to {page}.html" for page in missing]
    if len(links) < 5 * len(chapters):
        problems.append(f"the general index has only {len(links)} entries")
    # sphinx-proof's domain index lists bare labels: the site must not offer it
    problems += [f"{p.name}: a domain index of bare labels" for p in site.glob("prf-*.html")]
    if problems:
        pytest.fail("\n  ".join(problems), pytrace=False)

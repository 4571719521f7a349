"""The website as a reader meets it: every page opened in headless Chromium.

Needs Debian's ``chromium`` and ``chromium-driver`` (``make test`` installs
them where it can); without them every test here is skipped with the reason.
Screenshots of the landing page and of one chapter, in light and dark mode,
are saved to ``_build/screenshots/``.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import urljoin, urlparse
from urllib.request import urlopen

import nbformat
import pytest

from booktools import figure_text
from booktools.browser import NoChromiumError, headless_chromium, serve
from booktools.links import Repository

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SCREENSHOTS = ROOT / "_build" / "screenshots"
SCREENSHOT_CHAPTER = "inception"
PROSE_PAGES = ["book/intro", "book/running", "book/glossary", "book/references"]


@pytest.fixture(scope="module")
def server(site):
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    try:
        driver = headless_chromium(("--window-size=1280,900", "--hide-scrollbars"), console_log=True)
    except NoChromiumError as error:
        pytest.skip(str(error))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _local(url: str, server: str) -> bool:
    return url.startswith(server)


def open_page(driver, server: str, path: str) -> list[str]:
    """Load ``path`` and return the console errors it caused on this site.

    The book's machines have no network: requests to other hosts (the Colab
    badge image, Thebe's script) fail here and are not the site's errors.
    """
    driver.get_log("browser")
    driver.get(urljoin(server, path))
    for _ in range(100):
        if driver.execute_script("return document.readyState") == "complete":
            break
        time.sleep(0.1)
    time.sleep(0.3)
    errors = []
    for entry in driver.get_log("browser"):
        if entry["level"] != "SEVERE":
            continue
        urls = re.findall(r"https?://[^\s\"']+", entry["message"])
        if urls and not any(_local(url, server) for url in urls):
            continue
        errors.append(entry["message"])
    return errors


def images(driver) -> list[dict]:
    return driver.execute_script("""
        return Array.from(document.images).map(img => ({
            src: img.currentSrc || img.src, alt: img.getAttribute('alt'),
            loaded: img.complete && img.naturalWidth > 0,
            inOutput: img.closest('.cell_output') !== null}));
    """)


EXERCISE_PAGES = [f"notebooks/exercises/{p.stem}" for p in sorted((ROOT / "notebooks" / "exercises").glob("*.ipynb"))]
CHAPTER_PAGES = PROSE_PAGES + [f"notebooks/{p.stem}" for p in NOTEBOOKS]
# Every page, for the checks a page can fail on its own; the loops over the chapters' links and
# tables leave the exercise pages out (the build's nitpicky mode already resolves their links,
# and they hold no tables of inline code).
ALL_PAGES = CHAPTER_PAGES + EXERCISE_PAGES


@pytest.mark.parametrize("page", ALL_PAGES)
def test_page_loads_cleanly_with_described_images(browser, server, page):
    errors = open_page(browser, server, f"{page}.html")
    assert errors == [], f"console errors on {page}: {errors}"
    title = browser.execute_script(
        "const h = document.querySelector('main h1, article h1'); return h ? h.textContent : ''")
    assert title.strip(), "the page has a title"
    for image in images(browser):
        assert image["alt"] and image["alt"].strip(), f"{page}: image {image['src']} has no alt text"
        # Every image comes from the site itself (the Colab badge included,
        # book/_ext/local_colab_badge.py), so none breaks offline.
        assert _local(image["src"], server) or image["src"].startswith("data:"), (
            f"{page}: image {image['src']} is fetched from another host")
        assert image["loaded"], f"{page}: image {image['src']} does not load"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_page_shows_outputs_colab_and_download(browser, server, path):
    import nbformat

    from dlbook.plotting import FIGURE_MIME_TYPES

    open_page(browser, server, f"notebooks/{path.stem}.html")
    notebook = nbformat.read(path, as_version=4)
    figures = sum(any(m in o.get("data", {}) for m in FIGURE_MIME_TYPES)
                  for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    shown = [i for i in images(browser) if i["inOutput"] and i["loaded"]]
    assert len(shown) == figures, f"{len(shown)} of {figures} stored figures are visible"
    outputs = browser.execute_script("return document.querySelectorAll('.cell_output').length")
    assert outputs > 0, "no stored outputs on the page"
    setup_source_shown = browser.execute_script("""
        const code = Array.from(document.querySelectorAll('.cell_input pre'))
            .find(pre => pre.textContent.includes("# Setup: install the book's helper package"));
        // Inside a closed <details> the code still has a layout box; checkVisibility() says
        // whether the reader can see it.
        return code ? code.checkVisibility() : null;""")
    assert setup_source_shown is False, "the setup cell's code is collapsed until the reader opens it"

    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    colab = Repository.from_config(ROOT / "_config.yml").colab_url(f"notebooks/{path.name}")
    colab_links = {link for link in links if "colab.research.google.com/github" in link}
    assert colab_links == {colab}, f"Colab links on the page: {colab_links}"

    downloads = [link for link in links if link.endswith(f"_sources/notebooks/{path.name}")]
    assert downloads, "no download link for the .ipynb"
    with urlopen(downloads[0]) as response:  # noqa: S310 - our own local server
        served = json.loads(response.read())
    assert served["cells"] and served["nbformat"] == 4


WITH_FORMULAS = {"notebooks/conv-backprop", "notebooks/parameter-counts", "notebooks/image-filters"}


@pytest.mark.parametrize("page", ALL_PAGES)
def test_formulas_are_typeset_without_network(browser, server, page):
    """MathJax is served by the site itself (book/_ext/offline_mathjax.py), so formulas render offline."""
    open_page(browser, server, f"{page}.html")
    if not browser.execute_script("return document.querySelectorAll('.math').length"):
        assert page not in WITH_FORMULAS, f"{page} shows no formulas"
        return
    script = browser.execute_script(
        "const s = Array.from(document.scripts).find(s => s.src.includes('tex-chtml')); return s ? s.src : ''")
    assert _local(script, server), f"MathJax must come from this site, not {script or 'nowhere'}"
    done = browser.execute_async_script(
        "const finish = arguments[arguments.length - 1];"
        "const wait = () => window.MathJax && MathJax.startup && MathJax.startup.promise"
        "  ? MathJax.startup.promise.then(() => finish(true), () => finish(false)) : setTimeout(wait, 100);"
        "wait();")
    assert done, "MathJax did not finish"
    counts = browser.execute_script(
        "const math = Array.from(document.querySelectorAll('.math'));"
        "return [math.length, math.filter(m => m.querySelector('mjx-container')).length,"
        "        math.filter(m => m.querySelector('mjx-merror')).length];")
    total, typeset, failed = counts
    assert typeset == total, f"{typeset} of {total} formulas typeset"
    assert failed == 0, f"{failed} formulas have TeX errors"


def test_internal_links_resolve(browser, server):
    broken = []
    for page in CHAPTER_PAGES:
        open_page(browser, server, f"{page}.html")
        links = browser.execute_script(
            "return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
        for link in {link.split("#")[0] for link in links if _local(link, server)}:
            try:
                with urlopen(link) as response:  # noqa: S310 - our own local server
                    assert response.status == 200
            except Exception as error:  # noqa: BLE001 - report every broken link at once
                broken.append(f"{page} → {urlparse(link).path}: {error}")
    assert broken == []


def test_search_finds_a_known_term(browser, server):
    open_page(browser, server, "search.html?q=Hyperband")
    for _ in range(100):
        results = browser.execute_script(
            "return Array.from(document.querySelectorAll('#search-results li a'))"
            ".map(a => a.getAttribute('href'))")
        if results:
            break
        time.sleep(0.1)
    assert any("keras-tuner" in href for href in results), results


def screenshot_name(page: str) -> str:
    """``inception`` for notebooks/inception, ``fa-inception`` for its Persian page."""
    return ("fa-" if page.startswith("fa/") else "") + page.split("/")[-1]


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("page", ["book/intro", f"notebooks/{SCREENSHOT_CHAPTER}", f"fa/notebooks/{SCREENSHOT_CHAPTER}"])
def test_screenshots_in_light_and_dark_mode(browser, server, page, mode):
    open_page(browser, server, f"{page}.html")
    browser.execute_script(
        "localStorage.setItem('mode', arguments[0]); localStorage.setItem('theme', arguments[0]);"
        "document.documentElement.dataset.mode = arguments[0];"
        "document.documentElement.dataset.theme = arguments[0];", mode)
    browser.refresh()
    time.sleep(0.5)
    assert browser.execute_script("return document.documentElement.dataset.theme") == mode
    shown = ".cell_output img" if "/notebooks/" in f"/{page}" else ".sd-card"
    browser.execute_script(
        "document.querySelector(arguments[0]).scrollIntoView({block: 'start'})", shown)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{screenshot_name(page)}-{mode}.png"
    assert browser.save_screenshot(str(target)) and target.stat().st_size > 10_000
    background = browser.execute_script(
        "return getComputedStyle(document.body).backgroundColor")
    channels = [int(v) for v in re.findall(r"\d+", background)[:3]]
    assert (sum(channels) / 3 < 100) == (mode == "dark"), f"{mode} page background {background}"


PHONE_WIDTH = 390  # CSS pixels: a common phone


@pytest.fixture(scope="module")
def phone():
    try:
        driver = headless_chromium(("--hide-scrollbars",), phone_width=PHONE_WIDTH)
    except NoChromiumError as error:
        pytest.skip(str(error))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.mark.parametrize("page", ALL_PAGES)
def test_no_page_is_wider_than_a_phone(phone, server, page):
    open_page(phone, server, f"{page}.html")
    # On a phone a page wider than the screen widens the layout viewport itself (innerWidth).
    width = phone.execute_script(
        "return Math.max(window.innerWidth, document.documentElement.scrollWidth)")
    widest = phone.execute_script("""
        return Array.from(document.querySelectorAll('.bd-article *'))
            .filter(el => el.getBoundingClientRect().right > arguments[0] + 1)
            .filter(el => !el.parentElement.closest('.pst-scrollable-table-container, pre, '
                                                    + '.highlight, mjx-container'))
            .slice(0, 4).map(el => el.tagName + '.' + el.className + ': '
                             + (el.textContent || '').slice(0, 60));
    """, PHONE_WIDTH)
    assert width <= PHONE_WIDTH + 1, f"{page} is {width} px wide on a {PHONE_WIDTH} px phone: {widest}"


# What a reader must be able to see of clipped content: every table or code/output block wider
# than its column sits in a box that scrolls (screen), and nothing is clipped at all in print.
CLIPPED = """
    const article = document.querySelector('.bd-article');
    const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    return Array.from(article.querySelectorAll('table, pre')).filter(el => {
        if (el.scrollWidth <= el.clientWidth + 1 && el.getBoundingClientRect().right
            <= article.getBoundingClientRect().right + 1) return false;
        if (arguments[0]) return true;  // print: any overflow is a clipped column or line
        for (let box = el; box && box !== article; box = box.parentElement)
            if (scrolls(box) && box.getBoundingClientRect().right <= article.getBoundingClientRect().right + 1)
                return false;
        return true;
    }).slice(0, 3).map(el => el.tagName + ': ' + el.textContent.slice(0, 80));
"""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_wide_content_scrolls_on_screen_and_wraps_in_print(browser, server, path):
    open_page(browser, server, f"notebooks/{path.stem}.html")
    assert browser.execute_script(CLIPPED, False) == [], "content cut off without a scroll box"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        time.sleep(0.2)
        clipped = browser.execute_script(CLIPPED, True)
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert clipped == [], f"printed, these are cut off: {clipped}"


# Issue 31: a printed result must not hide its key number off to the right (lines of up to 4,900 px
# once did): printed (stream) outputs wrap at the column, on a desktop and on a phone, folds open.
WIDE_PRINTOUTS = """
    document.querySelectorAll('details').forEach(d => d.open = true);
    return Array.from(document.querySelectorAll('.bd-article .cell_output .output.stream pre'))
        .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
        .slice(0, 3).map(pre => pre.scrollWidth + ' px: ' + pre.textContent.slice(0, 70));
"""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_printed_results_wrap_instead_of_scrolling_sideways(browser, phone, server, path):
    for driver, width in ((browser, "desktop"), (phone, "phone")):
        open_page(driver, server, f"notebooks/{path.stem}.html")
        assert driver.execute_script(WIDE_PRINTOUTS) == [], f"{width}: a printed line runs off to the right"


# booktools.figure_text refuses figures whose text would be shown below its floor, assuming that a
# desktop page (a 1366-px window, as the issue measured) shows a stored figure at its own width, or
# scaled to a column at least COLUMN_PX wide when it is wider. Checked here on every chapter.
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_figures_are_shown_as_wide_as_the_figure_text_check_assumes(browser, server, path):
    browser.set_window_size(1366, 900)
    try:
        open_page(browser, server, f"notebooks/{path.stem}.html")
        browser.execute_script("document.querySelectorAll('img[loading]').forEach(img => img.loading = 'eager')")
        for _ in range(100):
            if browser.execute_script("return Array.from(document.images).every(img => img.complete)"):
                break
            time.sleep(0.1)
        shown = browser.execute_script(
            "return Array.from(document.querySelectorAll('.cell_output img')).map(img => "
            "[img.getAttribute('src').slice(-40), "
            # a sharp (2x) PNG is meant to be shown at its width attribute, half its pixels
            " parseFloat(img.getAttribute('width')) || parseFloat(img.style.width) || img.naturalWidth, "
            " img.getBoundingClientRect().width])")
    finally:
        browser.set_window_size(1280, 900)
    assert shown, f"{path.stem} shows no stored figure"
    squeezed = [(src, natural, round(width)) for src, natural, width in shown
                if width < min(natural, figure_text.COLUMN_PX) - 1]
    assert not squeezed, (f"{path.stem}: figures shown narrower than min(own width, "
                          f"{figure_text.COLUMN_PX} px): {squeezed}")


# Stored outputs (logs, tables, figures) of one chapter, in CSS pixels at 1280 px: what a reader
# scrolls past besides the prose and code. An output folded with `hide-output` (a closed
# <details>: evidence a student may skip, issue 31) is not scrolled past and is not counted;
# Chromium still lays it out, so it is excluded by its fold, and every `hide-output` cell is
# checked to be folded. Measured when this was set: keras-tuner 10,547 px (the
# most; its search-space source and tables), learning-rate 9,799, brain-tumor-classifier 9,635 (whose
# 219 log writes alone had taken about 5,000 px before they were merged and then replaced).
OUTPUT_HEIGHT_BUDGET = 12_000


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_outputs_fit_the_height_budget(browser, server, path):
    open_page(browser, server, f"notebooks/{path.stem}.html")
    height, folded, unfolded = browser.execute_script(
        "const outputs = Array.from(document.querySelectorAll('.cell_output'));"
        "const shown = outputs.filter(el => !el.closest('details:not([open])'));"
        "const tagged = Array.from(document.querySelectorAll('.cell.tag_hide-output, .cell.tag_hide-cell'));"
        "return [shown.reduce((sum, el) => sum + el.getBoundingClientRect().height, 0),"
        "        outputs.length - shown.length,"
        "        tagged.filter(c => !c.querySelector('details:not([open]) .cell_output')).length];")
    tagged = sum(bool({"hide-output", "hide-cell"} & set(cell.metadata.get("tags", []))) and bool(cell.outputs)
                 for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")
    assert unfolded == 0 and folded == tagged, (
        f"{path.stem}: {tagged} cells tagged hide-output, {folded} outputs folded")
    assert height <= OUTPUT_HEIGHT_BUDGET, f"{path.stem}: {height:.0f} px of outputs"


@pytest.mark.parametrize("page", ["book/intro", "notebooks/brain-tumor-classifier", "fa/book/intro"])
def test_phone_screenshots(phone, server, page):
    open_page(phone, server, f"{page}.html")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{screenshot_name(page)}-phone.png"
    assert phone.save_screenshot(str(target)) and target.stat().st_size > 10_000


def test_one_search_field_on_a_desktop(browser, server):
    open_page(browser, server, "book/intro.html")
    browser.set_window_size(1366, 900)
    time.sleep(0.2)
    shown = browser.execute_script(
        "return Array.from(document.querySelectorAll('.search-button-field, .search-button'))"
        ".filter(el => el.checkVisibility()).length")
    browser.set_window_size(1280, 900)
    assert shown == 1, f"{shown} search fields or buttons visible at 1366 px"


# The printed book: every column header of the training chapters' result tables is in the PDF's
# text (a column cut off by the page edge, or hidden in a scroll box, would be missing).
PRINTED_CHAPTERS = ("brain-tumor-classifier", "inception", "keras-tuner")


def table_headers(notebook_path: Path) -> list[str]:
    """The header cells of every Markdown table a notebook's stored outputs show."""
    headers = []
    for cell in json.loads(notebook_path.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown", "")
            lines = ("".join(text) if isinstance(text, list) else text).splitlines()
            for header, rule in zip(lines, lines[1:]):
                if header.startswith("|") and re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", rule.strip()):
                    headers += [cell_text.strip() for cell_text in re.split(r"(?<!\\)\|", header)[1:-1]]
    return [re.sub(r"[`*]", "", h).replace("\\|", "|") for h in headers if h.strip()]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("chapter", PRINTED_CHAPTERS)
def test_printed_chapters_keep_every_table_column(site, tmp_path, chapter):
    import pypdf

    from booktools import pdf

    try:
        printed = pdf.print_pdf(site, f"notebooks/{chapter}.html", tmp_path / f"{chapter}.pdf", timeout=180)
    except pdf.PdfError as error:
        if "hromium" in str(error):
            pytest.skip(str(error))
        raise
    text = squeezed("".join(page.extract_text() for page in pypdf.PdfReader(printed.path).pages))
    headers = table_headers(ROOT / "notebooks" / f"{chapter}.ipynb")
    assert len(headers) >= 6, f"{chapter} shows almost no tables: {headers}"
    missing = sorted({h for h in headers if squeezed(h) not in text})
    assert not missing, f"the printed {chapter} lacks these column headers: {missing}"


def test_table_headers_are_read_from_markdown_outputs(tmp_path):
    notebook = tmp_path / "x.ipynb"
    table = "| model | `a` \\| b | **AUC** |\n|---|:---:|---|\n| 1 | 2 | 3 |"
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "display_data", "data": {"text/markdown": [table]}}]}]}), encoding="utf-8")
    assert table_headers(notebook) == ["model", "a | b", "AUC"]
    assert squeezed(" a\n b\tc ") == "abc"


# The sidebar buttons a reader sees (book/_static/sidebar-toggles.js works around
# pydata-sphinx-theme#2451, where they did nothing): tapped on a phone they open the chapter list
# and the page's contents, and a link in each navigates; clicked on a desktop, ☰ folds the sidebar.
NAVIGATION_CHAPTER = "notebooks/conv-backprop"


def _visible(driver, selector: str):
    shown = [el for el in driver.find_elements("css selector", selector) if el.is_displayed()]
    assert shown, f"no visible {selector}"
    return shown[0]


def _dialog_open(driver, side: str) -> bool:
    return driver.execute_script(
        f"const d = document.querySelector('#pst-{side}-sidebar-modal'); return !!(d && d.open)")


def test_phone_menu_opens_the_chapter_list_and_a_link_navigates(phone, server):
    open_page(phone, server, f"{NAVIGATION_CHAPTER}.html")
    assert not _dialog_open(phone, "primary")
    _visible(phone, ".bd-header-article .primary-toggle").click()
    time.sleep(0.5)
    assert _dialog_open(phone, "primary"), "tapping ☰ on a phone did not open the chapter list"
    link = _visible(phone, "#pst-primary-sidebar-modal a.reference.internal[href*='parameter-counts']")
    link.click()
    time.sleep(1)
    assert phone.current_url.split("#")[0].endswith("notebooks/parameter-counts.html"), phone.current_url


def test_phone_contents_button_opens_the_page_contents_and_a_link_jumps(phone, server):
    open_page(phone, server, f"{NAVIGATION_CHAPTER}.html")
    _visible(phone, ".bd-header-article .secondary-toggle").click()
    time.sleep(0.5)
    assert _dialog_open(phone, "secondary"), "tapping the contents button on a phone did not open it"
    links = [a for a in phone.find_elements("css selector", "#pst-secondary-sidebar-modal nav a")
             if a.is_displayed()]
    assert len(links) >= 3, f"{len(links)} section links in the page's contents"
    target = links[-1].get_attribute("href")
    links[-1].click()
    time.sleep(1)
    assert phone.current_url == target
    assert phone.execute_script("return window.scrollY") > 900, "the section link did not move the page"


def test_desktop_menu_button_folds_and_unfolds_the_sidebar(browser, server):
    open_page(browser, server, f"{NAVIGATION_CHAPTER}.html")
    article_left = "return document.querySelector('.bd-article').getBoundingClientRect().left"
    sidebar_right = "return document.querySelector('.bd-sidebar-primary').getBoundingClientRect().right"
    assert browser.execute_script(sidebar_right) > 100
    unfolded = browser.execute_script(article_left)
    button = _visible(browser, ".bd-header-article .primary-toggle")
    button.click()
    time.sleep(0.5)
    assert browser.execute_script(sidebar_right) <= 1, "☰ did not fold the sidebar on a desktop"
    assert browser.execute_script(article_left) < unfolded - 100, "the article did not take the space"
    button.click()
    time.sleep(0.5)
    assert browser.execute_script(sidebar_right) > 100, "☰ did not bring the sidebar back"


def test_inline_code_in_tables_is_not_broken_inside_a_word(browser, server):
    """A one-word inline code in a table cell ("GridSearch", "quick") stays on one line at 1280 px:
    the book's stylesheet once let the table squeeze it into "GridSe/arch" (overflow-wrap: anywhere)."""
    broken = {}
    for page in CHAPTER_PAGES:
        open_page(browser, server, f"{page}.html")
        found = browser.execute_script("""
            return Array.from(document.querySelectorAll('.bd-article td code, .bd-article th code'))
                .filter(el => !/\\s/.test(el.textContent.trim()) && el.getClientRects().length > 1)
                .map(el => el.textContent.trim()).slice(0, 5);""")
        if found:
            broken[page] = found
    assert not broken, f"inline code broken inside a word: {broken}"


@pytest.mark.parametrize("page", ["notebooks/conv-backprop", "notebooks/parameter-counts",
                                  "notebooks/learning-rate", "notebooks/image-filters"])
def test_formulas_are_not_clipped_on_a_phone(phone, server, page):
    """On a phone every inline formula fits the column (a clipped one hid the end of ∂L/∂W in
    conv-backprop) and a display formula wider than the column scrolls in its own box."""
    open_page(phone, server, f"{page}.html")
    assert phone.execute_async_script(
        "const finish = arguments[arguments.length - 1];"
        "const wait = () => window.MathJax && MathJax.startup && MathJax.startup.promise"
        "  ? MathJax.startup.promise.then(() => finish(true), () => finish(false)) : setTimeout(wait, 100);"
        "wait();"), "MathJax did not finish"
    clipped = phone.execute_script("""
        const right = document.querySelector('.bd-article').getBoundingClientRect().right + 1;
        const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
        return Array.from(document.querySelectorAll('.bd-article mjx-container')).filter(m => {
            if (m.getAttribute('display') === 'true')
                return !(scrolls(m) && m.getBoundingClientRect().right <= right);
            return m.getBoundingClientRect().right > right;
        }).slice(0, 3).map(m => (m.getAttribute('display') ? 'display: ' : 'inline: ')
                                + m.textContent.slice(0, 50));""")
    assert not clipped, f"{page}: formulas cut off on a {PHONE_WIDTH}-px phone: {clipped}"


def test_wide_tables_show_more_columns_on_a_phone(phone, server):
    """On a phone, tables of numbers use smaller type (book.css), so parameter-counts' six-column
    layer table shows at least four whole columns before its scroll box cuts it."""
    open_page(phone, server, "notebooks/parameter-counts.html")
    shown, body, table = phone.execute_script("""
        const table = Array.from(document.querySelectorAll('.bd-article table'))
            .find(t => t.querySelectorAll('thead th').length === 6);
        const box = table.closest('.pst-scrollable-table-container') || table.parentElement;
        const right = box.getBoundingClientRect().right + 1;
        const shown = Array.from(table.querySelectorAll('thead th'))
            .filter(th => th.getBoundingClientRect().right <= right).length;
        return [shown, parseFloat(getComputedStyle(document.querySelector('.bd-article p')).fontSize),
                parseFloat(getComputedStyle(table).fontSize)];""")
    assert table < body, f"tables at {table} px on a phone, like the text ({body} px)"
    assert shown >= 4, f"{shown} of 6 columns visible on a {PHONE_WIDTH}-px phone"


def test_a_tapped_figure_opens_full_size_on_a_phone(phone, server):
    """On a phone a wide figure shrinks to the column (why-convolutions' three-panel figures to a
    third of their size); tapping one opens the stored image alone, with at least twice the pixels
    the page shows it at (book/_static/figure-full-size.js)."""
    open_page(phone, server, "notebooks/why-convolutions.html")
    figures = phone.execute_script("""
        return Array.from(document.querySelectorAll('.cell_output img')).map(img => [
            !!img.closest('a.figure-full-size') && img.closest('a').href === img.src, img.naturalWidth,
            img.getBoundingClientRect().width]);""")
    assert figures and all(linked for linked, _, _ in figures), "a figure that does not open full size"
    shown = [(natural / width, i) for i, (_, natural, width) in enumerate(figures) if width > 0]
    ratio, index = max(shown)
    assert ratio >= 2, f"the most shrunk figure is shown at 1/{ratio:.1f} of its pixels"
    link = phone.execute_script("""
        const link = document.querySelectorAll('.cell_output img')[arguments[0]].closest('a');
        link.scrollIntoView({block: 'center'}); return link;""", index)
    target = link.get_attribute("href")
    link.click()
    time.sleep(1)
    assert phone.current_url == target and target.endswith((".png", ".jpg")), phone.current_url
    assert phone.execute_script("return document.images.length === 1 && document.images[0].naturalWidth") \
        == figures[index][1]


def test_chapter_title_is_short_on_a_phone(phone, server):
    """The H1 (the full question) takes at most four lines on a phone, not half the screen."""
    open_page(phone, server, "notebooks/keras-tuner.html")
    height, line = phone.execute_script(
        "const h = document.querySelector('.bd-article h1'); const s = getComputedStyle(h);"
        "return [h.getBoundingClientRect().height, parseFloat(s.lineHeight) || 1.2 * parseFloat(s.fontSize)];")
    assert height <= 4.5 * line, f"the title is {height / line:.1f} lines tall on a {PHONE_WIDTH}-px phone"
    sizes = phone.execute_script(
        "return ['h1', 'h2', 'h3'].map(t => parseFloat(getComputedStyle("
        "document.querySelector('.bd-article ' + t)).fontSize));")
    assert sizes == sorted(sizes, reverse=True), f"H1, H2, H3 at {sizes} px on a phone: a section outranks the title"


# A folded output (`hide-output`, a closed <details>) is part of the chapter on paper:
# book/_static/print-folded.js opens every fold before the browser prints and folds them after.
def test_printing_from_the_browser_opens_folded_outputs(browser, server):
    open_page(browser, server, "notebooks/brain-tumor-classifier.html")
    closed = "return document.querySelectorAll('details:not([open])').length"
    folds = browser.execute_script(closed)
    assert folds >= 3, f"{folds} folded outputs in the brain chapter"
    browser.execute_script("window.dispatchEvent(new Event('beforeprint'))")
    assert browser.execute_script(closed) == 0, "a folded output stays closed in print"
    browser.execute_script("window.dispatchEvent(new Event('afterprint'))")
    assert browser.execute_script(closed) == folds, "the folds were not restored after printing"


# Issue 31: a chapter opens with its answer in short, within the first two desktop screens, and
# is at most PAGE_HEIGHT_BUDGET tall at 1366 px with its folds closed (code of checks, evidence a
# student may skip). Chapters not yet reshaped are listed; each leaves the list when it is.
PAGE_HEIGHT_BUDGET = 18_000
SHORT_ANSWER_WITHIN = 2 * 900
AWAITING_ANSWER_FIRST: set[str] = set()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_answer_comes_first_and_the_page_is_short(browser, server, path):
    browser.set_window_size(1366, 900)
    try:
        open_page(browser, server, f"notebooks/{path.stem}.html")
        height, short_answer = browser.execute_script(
            "const box = Array.from(document.querySelectorAll('.admonition')).find(el => "
            "  (el.querySelector('.admonition-title') || {}).textContent === 'Answer: in short');"
            "return [document.documentElement.scrollHeight,"
            "        box ? box.getBoundingClientRect().top + window.scrollY : null];")
    finally:
        browser.set_window_size(1280, 900)
    print(f"{path.stem}: {height:,} px, short answer at {short_answer} px")
    if path.stem in AWAITING_ANSWER_FIRST:
        assert short_answer is None or height > PAGE_HEIGHT_BUDGET, (
            f"{path.stem} is reshaped: remove it from AWAITING_ANSWER_FIRST")
        return
    assert short_answer is not None and short_answer <= SHORT_ANSWER_WITHIN, (
        f"{path.stem}: the 'Answer: in short' box starts at {short_answer} px")
    assert height <= PAGE_HEIGHT_BUDGET, f"{path.stem}: {height:,} px tall with its folds closed"


def test_an_exercise_shows_its_stub_and_folds_its_solution(browser, server):
    """The stub's 'not answered yet' line shows; the worked solution and its code stay folded until
    a reader opens them, and the solution opens with one click."""
    open_page(browser, server, "notebooks/exercises/parameter-counts.html")
    text = browser.execute_script("return document.querySelector('.bd-article').innerText")
    assert "not answered yet" in text
    state = browser.execute_script("""
        const details = Array.from(document.querySelectorAll('details.solution'));
        return [details.length, details.filter(d => d.open).length,
                details.length ? details[0].querySelector('summary').textContent.trim() : ''];""")
    count, opened, summary = state
    assert count >= 4 and opened == 0 and summary == "Solution 1", state
    assert "correct." not in text, "a solution's output shows before the reader opens it"
    browser.execute_script("document.querySelector('details.solution summary').click()")
    assert browser.execute_script("return document.querySelector('details.solution').open")


# The Persian edition (fa/, issue 33): the same pages, right to left, built into the site's fa/.
FA_PAGES = [f"fa/{page}" for page in ALL_PAGES]
LEFT_TO_RIGHT = "pre, div.highlight, div.cell_output, mjx-container, code"


@pytest.mark.parametrize("page", FA_PAGES)
def test_a_persian_page_reads_right_to_left_with_code_and_maths_left_to_right(browser, server, page):
    errors = open_page(browser, server, f"{page}.html")
    assert errors == [], f"console errors on {page}: {errors}"
    state = browser.execute_script(f"""
        const html = document.documentElement;
        const ltr = Array.from(document.querySelectorAll('.bd-article :is({LEFT_TO_RIGHT})'));
        const h = document.querySelector('.bd-article h1');
        return {{dir: html.dir, lang: html.lang, width: html.scrollWidth, view: window.innerWidth,
                 font: getComputedStyle(h).fontFamily, fontReady: document.fonts.check('16px Vazirmatn', 'سلام'),
                 headingDirection: getComputedStyle(h).direction,
                 notLtr: ltr.filter(el => getComputedStyle(el).direction !== 'ltr')
                            .slice(0, 3).map(el => el.tagName + '.' + el.className),
                 images: Array.from(document.images).filter(img => !img.alt || !(img.complete && img.naturalWidth))
                            .map(img => img.src).slice(0, 3)}};""")
    assert state["dir"] == "rtl" and state["lang"] == "fa" and state["headingDirection"] == "rtl", state
    assert state["font"].startswith("Vazirmatn") and state["fontReady"], state
    assert state["width"] <= state["view"] + 1, f"{page} is {state['width']} px wide at {state['view']} px"
    assert state["notLtr"] == [], f"{page}: code, maths or outputs set right to left: {state['notLtr']}"
    assert state["images"] == [], f"{page}: images without alt text or that do not load: {state['images']}"


@pytest.mark.parametrize("page", FA_PAGES)
def test_no_persian_page_is_wider_than_a_phone(phone, server, page):
    test_no_page_is_wider_than_a_phone(phone, server, page)


@pytest.mark.parametrize("page", ["notebooks/conv-backprop", "notebooks/exercises/inception", "book/glossary"])
def test_the_edition_switch_lands_on_the_same_page_both_ways(browser, server, page):
    open_page(browser, server, f"{page}.html")
    _visible(browser, "a.edition-switch").click()
    time.sleep(0.5)
    assert browser.current_url.split("#")[0] == urljoin(server, f"fa/{page}.html")
    assert browser.execute_script("return document.documentElement.dir") == "rtl"
    _visible(browser, "a.edition-switch").click()
    time.sleep(0.5)
    assert browser.current_url.split("#")[0] == urljoin(server, f"{page}.html")


def test_the_persian_phone_menu_opens_and_a_link_navigates(phone, server):
    open_page(phone, server, f"fa/{NAVIGATION_CHAPTER}.html")
    _visible(phone, ".bd-header-article .primary-toggle").click()
    time.sleep(0.5)
    assert _dialog_open(phone, "primary"), "tapping ☰ on a phone did not open the Persian chapter list"
    panel = phone.execute_script(
        "const r = document.querySelector('#pst-primary-sidebar-modal .bd-sidebar-primary, "
        "#pst-primary-sidebar-modal').getBoundingClientRect(); return [r.left, r.right, window.innerWidth];")
    assert panel[1] >= panel[2] - 1, f"the Persian chapter list does not open from the right: {panel}"
    _visible(phone, "#pst-primary-sidebar-modal a.reference.internal[href*='parameter-counts']").click()
    time.sleep(1)
    assert phone.current_url.split("#")[0].endswith("fa/notebooks/parameter-counts.html"), phone.current_url
    _visible(phone, ".bd-header-article .secondary-toggle").click()
    time.sleep(0.5)
    assert _dialog_open(phone, "secondary"), "tapping the contents button did not open the Persian contents"


def test_search_finds_a_persian_word(browser, server):
    # «زینی» (saddle, as in «نقطهٔ زینی») appears in chapter 1 and its glossary entry.
    open_page(browser, server, "fa/search.html?q=زینی")
    results = []
    for _ in range(100):
        results = browser.execute_script(
            "return Array.from(document.querySelectorAll('#search-results li a')).map(a => a.getAttribute('href'))")
        if results:
            break
        time.sleep(0.1)
    assert any("learning-rate" in href for href in results), results


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_persian_chapter_keeps_the_page_height_budget(browser, server, path):
    """The Persian chapter, at 1366 px with its folds closed, is no taller than the English budget."""
    browser.set_window_size(1366, 900)
    try:
        open_page(browser, server, f"fa/notebooks/{path.stem}.html")
        height = browser.execute_script("return document.documentElement.scrollHeight")
    finally:
        browser.set_window_size(1280, 900)
    print(f"fa/{path.stem}: {height:,} px")
    assert height <= PAGE_HEIGHT_BUDGET, f"fa/{path.stem}: {height:,} px tall with its folds closed"


def test_the_persian_interface_speaks_persian(browser, server):
    """The buttons' tooltips, labels and the search field of a Persian page are in Persian (names such
    as Colab, PDF and English, the other edition's label, excepted)."""
    open_page(browser, server, "fa/notebooks/conv-backprop.html")
    english = browser.execute_script("""
        const names = /^(Colab|PDF|English|GitHub|Ctrl|K|\\.ipynb|\\.pdf|\\.md)$/;
        const texts = [];
        for (const el of document.querySelectorAll('header, .bd-header-article, .bd-sidebar-primary, '
                                                   + '.bd-sidebar-secondary, footer, .prev-next-area')) {
            for (const node of el.querySelectorAll('*')) {
                for (const name of ['title', 'aria-label', 'placeholder', 'alt', 'data-bs-title'])
                    if (node.getAttribute(name)) texts.push(node.getAttribute(name));
                if (node.children.length === 0 && node.textContent.trim()) texts.push(node.textContent.trim());
            }
        }
        return texts.flatMap(t => t.split(/[\\s:،]+/)).filter(w => /[A-Za-z]{3,}/.test(w) && !names.test(w));""")
    allowed = {"Inception", "Keras", "Tuner", "TensorFlow", "backpropagation", "convolution", "dlbook", "Sobel"}
    leftover = sorted({word.strip("()«»,.") for word in english} - allowed - {""})
    leftover = [word for word in leftover if not re.fullmatch(r"\(?[a-z -]+\)?", word)]  # glossary terms in ( )
    assert leftover == [], f"English interface text on a Persian page: {leftover[:20]}"

"""Print the book as one PDF, offline.

    python -m booktools.pdf [--site _build/singlehtml] [--page book.html] [--out _build/book.pdf]

``make pdf`` builds the single-page HTML first and then runs this. It serves
that build on 127.0.0.1, opens it in headless Chromium (through selenium),
makes every image of the book load (the theme loads images lazily, so a plain
``chromium --print-to-pdf`` leaves out every figure below the first screen),
waits until MathJax has typeset every formula, hides the heading anchors, opens
every folded output (a closed ``<details>``: paper cannot be clicked open), and
prints with Chromium's ``Page.printToPDF``. It stops with an error, and writes
no PDF, when an image does not load or a formula is not typeset.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from booktools.browser import NoChromiumError, headless_chromium, serve

PRINT_CSS = "a.headerlink, .headerlink { display: none !important; }"


@dataclass(frozen=True)
class PrintedBook:
    path: Path
    pages: int
    images: int
    formulas: int


class PdfError(RuntimeError):
    """The page could not be printed completely."""


def _wait(driver, script: str, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not driver.execute_script(script):
        if time.monotonic() > deadline:
            raise PdfError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


def _settle(driver, timeout: float) -> None:
    """Scroll the page from top to bottom and wait until its height stops changing (three readings
    0.3 s apart): on a busy machine the last part of a long page, opened folds included, could still
    be laid out when Chromium printed it, and the PDF lacked it."""
    driver.execute_script(
        "const step = window.innerHeight;"
        "for (let y = 0; y < document.documentElement.scrollHeight; y += step) window.scrollTo(0, y);"
        "window.scrollTo(0, 0);")
    deadline, heights = time.monotonic() + timeout, []
    while len(heights) < 3 or len(set(heights[-3:])) > 1:
        if time.monotonic() > deadline:
            raise PdfError(f"gave up after {timeout:.0f} s waiting for the page's layout to settle")
        heights.append(driver.execute_script("return document.documentElement.scrollHeight"))
        time.sleep(0.3)


def _render(driver, url: str, timeout: float) -> tuple[dict, int, int]:
    """Load ``url`` with every image and formula rendered; Chromium's PDF, image and formula counts."""
    driver.set_page_load_timeout(timeout)
    driver.get(url)
    driver.execute_script(
        "document.querySelectorAll('img[loading]').forEach(img => img.loading = 'eager');"
        "document.querySelectorAll('details').forEach(fold => fold.open = true);"
        "const style = document.createElement('style'); style.textContent = arguments[0];"
        "document.head.appendChild(style);", PRINT_CSS)
    _wait(driver, "return Array.from(document.images).every(img => img.complete)", "the images", timeout)
    # Only the book's own images count: other hosts (the Colab badge) are out of reach offline.
    broken = driver.execute_script(
        "return Array.from(document.images)"
        ".filter(img => img.src.startsWith(location.origin) && img.naturalWidth === 0)"
        ".map(img => img.getAttribute('src'))")
    if broken:
        raise PdfError(f"{len(broken)} images do not load, e.g. {broken[:3]}")
    formulas = driver.execute_script("return document.querySelectorAll('.math').length")
    if formulas:
        _wait(driver, "return !!(window.MathJax && MathJax.startup && MathJax.startup.promise)",
              "MathJax to start", timeout)
        driver.set_script_timeout(timeout)
        driver.execute_async_script(
            "const done = arguments[arguments.length - 1]; MathJax.startup.promise.then(done, done);")
        typeset = driver.execute_script(
            "return Array.from(document.querySelectorAll('.math'))"
            ".filter(m => m.querySelector('mjx-container') && !m.querySelector('mjx-merror')).length")
        if typeset != formulas:
            raise PdfError(f"only {typeset} of {formulas} formulas were typeset")
    images = driver.execute_script(
        "return Array.from(document.images).filter(img => img.src.startsWith(location.origin)).length")
    _settle(driver, timeout)
    printed = driver.execute_cdp_cmd("Page.printToPDF", {
        "printBackground": True, "preferCSSPageSize": True,
        "displayHeaderFooter": False, "marginTop": 0.5, "marginBottom": 0.5})
    return printed, images, formulas


def print_pdf(site: Path, page: str, out: Path, *, timeout: float = 120) -> PrintedBook:
    """Print ``site/page`` to ``out`` with every image and formula rendered."""
    if not (site / page).is_file():
        raise PdfError(f"{site / page} does not exist: build the single-page HTML first (`make pdf` does)")
    try:
        driver = headless_chromium()
    except NoChromiumError as error:
        raise PdfError(str(error)) from None
    with serve(site) as base:
        try:
            printed, images, formulas = _render(driver, base + page, timeout)
        finally:
            driver.quit()
    content = base64.b64decode(printed["data"])
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=out.parent, suffix=".pdf", delete=False) as partial:
        partial.write(content)
    os.replace(partial.name, out)
    return PrintedBook(out, len(re.findall(rb"/Type\s*/Page(?![a-z])", content)), images, formulas)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the single-page HTML build of the book to one PDF.")
    parser.add_argument("--site", type=Path, default=Path("_build/singlehtml"))
    parser.add_argument("--page", default="book.html", help="the single page, relative to --site")
    parser.add_argument("--out", type=Path, default=Path("_build/book.pdf"))
    args = parser.parse_args(argv)
    try:
        book = print_pdf(args.site, args.page, args.out)
    except PdfError as error:
        parser.exit(1, f"make pdf: {error}\n")
    size = book.path.stat().st_size / 1e6
    print(f"wrote {book.path}: {book.pages} pages, {size:.1f} MB, {book.images} images, {book.formulas} formulas")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""booktools.pdf: the printed book has every figure and every formula, or no PDF is written."""

from __future__ import annotations

import base64
import importlib.util
import shutil
from pathlib import Path

import pytest

from booktools import browser, pdf

ROOT = Path(__file__).resolve().parent.parent
# A 1×1 red PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")


@pytest.fixture(scope="module")
def chromium():
    try:
        return browser.find_chromium()
    except browser.NoChromiumError as error:
        pytest.skip(str(error))


def offline_mathjax():
    spec = importlib.util.spec_from_file_location("offline_mathjax", ROOT / "book" / "_ext" / "offline_mathjax.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tiny_site(folder: Path, image: str = "pixel.png") -> Path:
    """A page whose figure sits far below the first screen, loaded lazily, and one formula."""
    mathjax = offline_mathjax()
    for name in mathjax.NEEDED:
        source, target = mathjax.mathjax_files() / name, folder / "_static" / "mathjax" / name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (folder / "pixel.png").write_bytes(PIXEL)
    (folder / "index.html").write_text(
        "<!doctype html><html><head><title>t</title>"
        '<script defer src="_static/mathjax/tex-chtml.js"></script></head><body>'
        '<h1>Title<a class="headerlink" href="#">#</a></h1>'
        '<p><span class="math">\\(\\dfrac{\\partial L}{\\partial F}\\)</span></p>'
        '<div style="height: 6000px"></div>'
        f'<img loading="lazy" src="{image}" alt="a red pixel" width="50" height="50">'
        "</body></html>", encoding="utf-8")
    return folder


def test_prints_lazy_figures_and_typeset_formulas(chromium, tmp_path):
    site = tiny_site(tmp_path / "site")
    book = pdf.print_pdf(site, "index.html", tmp_path / "out" / "book.pdf", timeout=60)
    content = book.path.read_bytes()
    assert content.startswith(b"%PDF")
    assert (book.images, book.formulas) == (1, 1)
    assert book.pages >= 2, "the figure sits below 6000 px of page"


def test_a_missing_figure_writes_no_pdf(chromium, tmp_path):
    site = tiny_site(tmp_path / "site", image="missing.png")
    out = tmp_path / "out" / "book.pdf"
    with pytest.raises(pdf.PdfError, match="1 images do not load.*missing.png"):
        pdf.print_pdf(site, "index.html", out, timeout=60)
    assert not out.exists()


def test_an_unbuilt_site_says_what_to_do(chromium, tmp_path):
    with pytest.raises(pdf.PdfError, match="build the single-page HTML first"):
        pdf.print_pdf(tmp_path, "book/intro.html", tmp_path / "book.pdf")

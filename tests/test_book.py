"""The website builds without a warning and shows what readers need."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import nbformat
import pytest

from booktools.links import Repository
from dlbook.plotting import FIGURE_MIME_TYPES

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_landing_page_exists(site):
    assert (site / "index.html").is_file()
    intro = (site / "book" / "intro.html").read_text(encoding="utf-8")
    assert "Three ways to use it" in intro
    assert "Who it is for" in intro and "A reading order" in intro
    running = (site / "book" / "running.html").read_text(encoding="utf-8")
    assert "How long each chapter takes" in running and "(stored)" in running, (
        "the timing table is on the running page")
    assert "(stored)" not in intro, "the landing page carries no maintainer's timing table"


def test_sidebar_titles_are_short_and_numbered_in_order():
    from booktools import overview

    titles = overview.toc_titles(ROOT)
    chapters = [name for _, name in overview.toc_chapters(ROOT)]
    assert set(titles) == set(chapters), f"chapters without a short title: {set(chapters) - set(titles)}"
    for number, name in enumerate(chapters, start=1):
        assert titles[name].startswith(f"{number}. "), f"{name}: {titles[name]!r} is not chapter {number}"
        assert len(titles[name]) <= 45, f"{name}: {titles[name]!r} wraps in the sidebar"


def test_reading_order_lists_every_chapter_once_by_its_sidebar_title():
    from booktools import overview

    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    order = intro.split("## A reading order", 1)[1].split("\n## ", 1)[0]
    linked = re.findall(r"\{doc\}`([^<`]+) <\.\./notebooks/([^>]+)>`", order)
    titles = overview.toc_titles(ROOT)
    assert sorted(name for _, name in linked) == sorted(titles), "each chapter exactly once"
    for text, name in linked:
        assert text == titles[name], f"{name} is called {text!r}, the sidebar says {titles[name]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_page(site, path):
    page = (site / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8")
    repo = Repository.from_config(ROOT / "_config.yml")
    colab = repo.colab_url(f"notebooks/{path.name}")
    assert f'href="{colab}"' in page, "the Colab launch button must open this notebook"
    assert (site / "_sources" / "notebooks" / path.name).is_file(), "the download button serves the .ipynb"
    assert "Provenance of these outputs" in page
    notebook = nbformat.read(path, as_version=4)
    alts = [c.metadata["mystnb"]["image"]["alt"] for c in notebook.cells
            if c.cell_type == "code" and any(m in o.get("data", {}) for o in c.outputs for m in FIGURE_MIME_TYPES)]
    shown = [html.unescape(alt) for alt in re.findall(r'<img alt="([^"]*)" src="\.\./_images/[^"]*\.(?:png|jpe?g)"', page)]
    assert shown == alts, "every stored figure appears, with its alt text"
    markdown_tables = sum(
        "\n|---" in output.get("data", {}).get("text/markdown", "")
        for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    )
    assert page.count("<table") >= markdown_tables, "tables printed by cells render as HTML tables"


def test_bibliography_renders(site):
    references = (site / "book" / "references.html").read_text(encoding="utf-8")
    assert "A guide to convolution arithmetic for deep learning" in references


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def test_references_are_labelled_as_the_text_cites_them(site):
    """The References page labels each entry "Author et al., year", as the citations in the text read
    (book/_ext/author_year_bibliography.py), with accents decoded and sorted by name, accents ignored."""
    references = (site / "book" / "references.html").read_text(encoding="utf-8")
    labels = dict(re.findall(r'<div class="citation" id="([^"]+)"[^>]*>\s*<span class="label">'
                             r'<span class="fn-bracket">\[</span>(.*?)<span class="fn-bracket">', references, re.S))
    assert len(labels) >= 40, f"{len(labels)} labelled entries on the References page"
    for label in labels.values():
        assert re.fullmatch(r"[^\\{}\[\]]+, (?:\d{4}[a-z]?|n\.d\.)", label), f"label {label!r} is not author-year"
    assert "Çiçek et al., 2016" in labels.values() and "Goyal et al., 2017" in labels.values()
    cited = 0
    for page in sorted((site / "notebooks").glob("*.html")):
        for anchor, text in re.findall(r'<a class="reference internal" href="\.\./book/references\.html#([^"]+)"'
                                       r'[^>]*>(.*?)</a>', page.read_text(encoding="utf-8"), re.S):
            assert _plain(text) == labels[anchor], f"{page.stem}: cited as {_plain(text)!r}, listed as {labels[anchor]!r}"
            cited += 1
    assert cited >= 20, f"only {cited} citations found in the chapters"


def test_landing_page_has_chapter_cards_and_the_zip(site):
    intro = (site / "book" / "intro.html").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f'href="../notebooks/{path.stem}.html"' in intro, f"no card links to {path.stem}"
    zips = list((site / "_downloads").rglob("notebooks.zip"))
    assert len(zips) == 1 and zips[0].relative_to(site).as_posix() in intro
    exercises = sorted((ROOT / "notebooks" / "exercises").glob("*.ipynb"))
    with zipfile.ZipFile(zips[0]) as archive:
        assert sorted(archive.namelist()) == sorted([f"notebooks/{p.name}" for p in NOTEBOOKS]
                                                    + [f"notebooks/exercises/{p.name}" for p in exercises])
    student = list((site / "_downloads").rglob("exercises-student-edition.zip"))
    assert len(student) == 1 and student[0].relative_to(site).as_posix() in intro
    assert "Stored run:" not in intro and "not measured" not in intro
    weight = 0
    for path in NOTEBOOKS:  # every card has its own small, fixed-shape picture (booktools.overview)
        assert f'src="../_images/{path.stem}.jpg"' in intro, f"the {path.stem} card has no thumbnail"
        weight += (site / "_images" / f"{path.stem}.jpg").stat().st_size
    assert weight < 400_000, f"the cards' pictures weigh {weight / 1e3:.0f} KB"


def test_the_landing_page_leads_into_the_first_chapter(site):
    intro = (site / "book" / "intro.html").read_text(encoding="utf-8")
    start = re.search(r'<a[^>]*href="([^"]+)"[^>]*>\s*(?:<[^>]+>\s*)*Start here', intro)
    assert start and start.group(1).startswith("../notebooks/learning-rate.html"), "no Start-here link"
    following = re.search(r'<a[^>]*class="[^"]*right-next[^"]*"[^>]*href="([^"]+)"', intro) or re.search(
        r'<a[^>]*href="([^"]+)"[^>]*class="[^"]*right-next', intro)
    assert following and "running" not in following.group(1), "Next must lead to the chapters, not the set-up"


def test_assignment_pages_link_every_chapter(site):
    linked = ""
    for number in (3, 9):
        linked += (site / "book" / f"assignment-{number}.html").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f'href="../notebooks/{path.stem}.html"' in linked, f"no assignment page links {path.stem}"


def test_glossary_defines_terms(site):
    glossary = (site / "book" / "glossary.html").read_text(encoding="utf-8")
    for term in ("Hyperband", "Receptive field", "Stride", "Validation split"):
        assert f'id="term-{term.replace(" ", "-")}"' in glossary, term


def glossary_terms() -> list[str]:
    block = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8").split("```{glossary}")[1].split("```")[0]
    return [line for line in block.splitlines() if line and not line.startswith(" ")]


TERM_ROLE = re.compile(r"\{term\}`([^`<]*?)(?: <([^>]*)>)?`")


def linked_terms(path: Path) -> list[str]:
    """Glossary terms a chapter links with MyST's {term} role (its target, not its text)."""
    notebook = nbformat.read(path, as_version=4)
    return [match.group(2) or match.group(1) for cell in notebook.cells if cell.cell_type == "markdown"
            for match in TERM_ROLE.finditer(cell.source)]


def test_chapters_link_the_glossary():
    terms = set(glossary_terms())
    assert len(terms) >= 30
    used = set()
    for path in NOTEBOOKS:
        linked = linked_terms(path)
        assert len(linked) >= 4, f"{path.stem} links only {linked} to the glossary"
        assert set(linked) <= terms, f"{path.stem} links terms the glossary lacks: {set(linked) - terms}"
        assert len(linked) == len(set(linked)), f"{path.stem}: link a term once, at its first use"
        used |= set(linked)
    assert terms == used, f"glossary terms no chapter links (drop them or link their use): {terms - used}"


def test_glossary_links_render(site):
    page = (site / "notebooks" / "keras-tuner.html").read_text(encoding="utf-8")
    assert re.search(r'<a class="reference internal" href="../book/glossary.html#term-Hyperband">', page)


COLAB_BADGE = "colab.research.google.com/assets/colab-badge.svg"


def test_the_colab_badge_is_the_sites_own(site):
    """Colab's badge image lives on another host; the site serves its own (book/_ext)."""
    from xml.etree import ElementTree

    badge = ElementTree.fromstring((site / "_static" / "colab-badge.svg").read_text(encoding="utf-8"))
    assert badge.tag.endswith("svg") and badge.get("aria-label") == "Open in Colab"
    assert [p.name for p in site.rglob("*.html") if COLAB_BADGE in p.read_text(encoding="utf-8")] == []
    for path in NOTEBOOKS:
        page = (site / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8")
        assert 'src="../_static/colab-badge.svg"' in page, path.stem


def test_no_fold_has_the_generic_label(site):
    """A fold of code alone (hide-input) says "Show code" (``nb_code_prompt_show`` in
    _config.yml); every other fold says what it holds (tests/test_notebooks.py). myst-nb's
    default, "Show code cell source/outputs/content", appears nowhere."""
    generic = [p.name for p in site.rglob("*.html") if "Show code cell" in p.read_text(encoding="utf-8")]
    assert generic == []
    page = (site / "notebooks" / "brain-tumor-classifier.html").read_text(encoding="utf-8")
    assert 'admonition-title">Show code</p>' in page


def _stream_boxes(notebook) -> int:
    """How many output boxes a notebook's streams make once merged: myst-nb's
    ``nb_merge_streams`` joins all of a cell's writes to one stream (stdout, stderr)."""
    return sum(len({output.name for output in getattr(cell, "outputs", [])
                    if output.output_type == "stream"}) for cell in notebook.cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_setup_cell_collapsed_and_streams_merged(site, path):
    page = (site / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8")
    setup = page.index("# Setup: install the book&#39;s helper package") if "&#39;" in page else page.index(
        "# Setup: install the book's helper package")
    cell_start = page.rindex('<div class="cell ', 0, setup)
    opening = page[cell_start:setup]
    assert "tag_hide-input" in opening and "<details" in opening, "the setup cell's code is collapsed"
    notebook = nbformat.read(path, as_version=4)
    assert page.count('class="output stream') == _stream_boxes(notebook), (
        "a cell's writes to one stream share one output box (nb_merge_streams)")



# The Persian edition (fa/) renders each page with the English page's structure: a translation that
# breaks a list, a table or a fold shows here (booktools.persian keeps list numbers Latin; the formulas
# are compared unit by unit in tests/test_translation.py).
STRUCTURE = {"ordered lists": r"<ol\b", "bulleted lists": r"<ul\b(?![^>]*bd-)", "tables": r"<table\b",
             "images": r"<img\b", "folds": r"<details\b", "admonitions": r'class="admonition\b'}


@pytest.mark.parametrize("page", [p.relative_to(ROOT).with_suffix("").as_posix()
                                  for p in sorted((ROOT / "notebooks").rglob("*.ipynb"))]
                         + ["book/intro", "book/assignment-3", "book/assignment-9", "book/glossary", "book/running"])
def test_a_persian_page_has_the_structure_of_its_english_page(site, page):
    def article(path):
        text = path.read_text(encoding="utf-8")
        return text.split('<article class="bd-article"', 1)[1].split("</article>", 1)[0]

    english, translated = article(site / f"{page}.html"), article(site / "fa" / f"{page}.html")
    counts = {name: (len(re.findall(pattern, english)), len(re.findall(pattern, translated)))
              for name, pattern in STRUCTURE.items()}
    assert all(a == b for a, b in counts.values()), f"fa/{page}: {counts} (English, Persian)"

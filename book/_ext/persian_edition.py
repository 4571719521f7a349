"""Sphinx extension for the Persian edition (``fa/``): a right-to-left site with Persian labels.

- Every page's ``<html>`` gets ``dir="rtl"`` after the build (the themes write the tag themselves,
  with no option for it), and the few labels the themes' templates write in English are replaced; ``fa/_static/persian.css`` mirrors what the themes' stylesheets place by
  left and right, sets the Vazirmatn font (served from ``fa/_static/fonts``) and keeps code, maths
  and outputs left to right.
- The themes ship no Persian interface strings: ``fa/_locale/fa/LC_MESSAGES/*.po`` has them, for
  sphinx-book-theme's catalog (``booktheme``) and for pydata-sphinx-theme's strings in Sphinx's own
  catalog (``sphinx``: Sphinx's Persian catalog comes first, ours fills what it lacks). They are
  compiled into the build's doctree folder at each build.
"""

from __future__ import annotations

import re
from pathlib import Path

CATALOGS = ("booktheme", "sphinx")
# Interface text the themes' templates write in English, with no message to translate.
TEMPLATE_TEXT = {
    'aria-label="Main"': 'aria-label="فهرست اصلی"',
    'aria-label="Page"': 'aria-label="فهرست صفحه"',
    'title="Toggle primary sidebar"': 'title="نمایش یا پنهان کردن فهرست فصل‌ها"',
    'title="Toggle secondary sidebar"': 'title="نمایش یا پنهان کردن فهرست این صفحه"',
    'alt="Colab logo"': 'alt="نشان Colab"',
}
_HTML_TAG = re.compile(r"<html(?![^>]*\bdir=)([^>]*\blang=\"fa\")")


def _compile_catalogs(app) -> Path:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source = Path(app.srcdir) / "_locale"
    target = Path(app.doctreedir).parent / "persian-locale"
    for catalog in CATALOGS:
        po = source / "fa" / "LC_MESSAGES" / f"{catalog}.po"
        mo = target / "fa" / "LC_MESSAGES" / f"{catalog}.mo"
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as read, mo.open("wb") as write:
            write_mo(write, read_po(read, locale="fa"))
    return target


def right_to_left(html: str) -> str:
    """``html`` with ``dir="rtl"`` on its ``<html lang="fa">`` tag (once), and the themes' template
    text in Persian (:data:`TEMPLATE_TEXT`)."""
    for english, persian in TEMPLATE_TEXT.items():
        html = html.replace(english, persian)
    return _HTML_TAG.sub(r'<html dir="rtl"\1', html, count=1)


# Messages of the search page that Sphinx's Persian catalog leaves empty (so the page said nothing).
SEARCH_MESSAGES = {
    "Search finished, found ${resultCount} page(s) matching the search query.":
        "جست‌وجو پایان یافت: ${resultCount} صفحه با عبارت جست‌وجو هم‌خوان است.",
    "Index &#x2013; %(key)s": "نمایه &#x2013; %(key)s",
}


def _fill_search_messages(outdir: Path) -> None:
    """Fill the empty messages of ``_static/translations.js`` (Sphinx's Persian catalog)."""
    import json

    path = outdir / "_static" / "translations.js"
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    start, end = text.index("{"), text.rindex("}") + 1
    catalog = json.loads(text[start:end])
    for message, persian in SEARCH_MESSAGES.items():
        if not catalog["messages"].get(message):
            catalog["messages"][message] = persian
    path.write_text(text[:start] + json.dumps(catalog, ensure_ascii=False, indent=4) + text[end:],
                    encoding="utf-8")


def _mark_pages(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    _fill_search_messages(Path(app.outdir))
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        marked = right_to_left(text)
        if marked != text:
            page.write_text(marked, encoding="utf-8")


def setup(app):
    locale = _compile_catalogs(app)
    for catalog in CATALOGS:
        app.add_message_catalog(catalog, str(locale))
    app.connect("build-finished", _mark_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Sphinx extension: a link on every page to the same page in the book's other edition.

The English site is built from the repository's root into ``_build/html``, the Persian edition from
``fa/`` into ``_build/html/fa``; a page has the same name in both (``notebooks/inception``). The
setting ``edition_switch`` (``href``: where the other edition's root is, relative to this one's;
``label``, ``hreflang``, ``title``) is passed to the template ``book/_templates/edition-switch.html``,
which the theme shows in each page's header (``article_header_end``).
"""

from __future__ import annotations


def _context(app, pagename, templatename, context, doctree):
    context["edition_switch"] = app.config.edition_switch or None


def setup(app):
    app.add_config_value("edition_switch", {}, "html")
    app.connect("html-page-context", _context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

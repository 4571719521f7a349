"""Sphinx extension: serve the notebooks' "Open in Colab" badge from the website itself.

Every notebook opens with Colab's badge, an image on colab.research.google.com.
On GitHub and in Colab that is the familiar button; on the website it is one
more request to another host, a broken image wherever that host is out of
reach (an offline copy of the site, the website tests, ``make pdf``). After
each build this writes the book's own badge (``BADGE_SVG``, drawn for the
book: same size and wording) to ``_static/colab-badge.svg`` and points every
page's badge at it. The link around the badge, to the notebook in Colab, is
left as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

COLAB_BADGE_URL = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE_NAME = "colab-badge.svg"
BADGE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="117" height="20" role="img" aria-label="Open in Colab">
<title>Open in Colab</title>
<rect width="117" height="20" rx="3" fill="#444"/>
<rect x="24" width="93" height="20" rx="3" fill="#555"/>
<rect x="24" width="6" height="20" fill="#555"/>
<circle cx="9" cy="10" r="4.5" fill="none" stroke="#f9ab00" stroke-width="2.2"/>
<circle cx="16" cy="10" r="4.5" fill="none" stroke="#e8710a" stroke-width="2.2"/>
<text x="70" y="14" fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">Open in Colab</text>
</svg>
"""


def localise(html: str, badge_src: str) -> str:
    """``html`` with every reference to Colab's badge image pointing at ``badge_src``."""
    return html.replace(COLAB_BADGE_URL, badge_src)


def _write_badge_and_relink(app, exception):
    if exception is not None:
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    static.mkdir(parents=True, exist_ok=True)
    (static / BADGE_NAME).write_text(BADGE_SVG, encoding="utf-8")
    for page in outdir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if COLAB_BADGE_URL not in html:
            continue
        badge_src = os.path.relpath(static / BADGE_NAME, page.parent).replace(os.sep, "/")
        page.write_text(localise(html, badge_src), encoding="utf-8")


def setup(app):
    app.connect("build-finished", _write_badge_and_relink)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

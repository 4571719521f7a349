"""Sphinx extension: serve MathJax from the website itself.

By default the pages load MathJax from a CDN, so formulas stay raw TeX
wherever that is out of reach: a site built and read offline, the website
tests, and ``make pdf`` (Chromium prints the page without network). This
copies the MathJax 3 files that the pages use from the pinned
``sphinx-mathjax-offline`` wheel into ``_static/mathjax`` of every build;
``_config.yml`` points ``mathjax_path`` there.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

# The TeX-to-HTML bundle, its fonts, the TeX packages it loads on demand, and
# the right-click menu with its accessibility options (about 3 MB of the 24).
NEEDED = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "ui", "a11y")


def mathjax_files() -> Path:
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        raise RuntimeError("sphinx-mathjax-offline is not installed: run `make setup` (it is in requirements.txt)")
    return Path(spec.origin).parent / "static" / "mathjax"


def _copy_mathjax(app, exception):
    if exception is not None:
        return
    source, target = mathjax_files(), Path(app.outdir) / "_static" / "mathjax"
    for name in NEEDED:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name, dirs_exist_ok=True)
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target / name)


def setup(app):
    mathjax_files()  # fail at the start of a build, not at its end
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

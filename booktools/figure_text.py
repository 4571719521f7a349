"""Text in the book's figures is readable at the size the website shows it.

The website shows a stored figure at its natural width in CSS pixels, or
scaled down to the chapter's column when it is wider than that: a text of
``s`` points in a figure rendered at ``dpi`` to an image ``width`` pixels
wide appears ``s * dpi / 72 * min(1, COLUMN_PX / width)`` CSS pixels high
(its font size). A 19-inch-wide grid of ten images with 9-point titles, for
example, shows them at 4.8 px. :func:`small_texts` lists every text of a
figure below :data:`FLOOR_PX`; :func:`install` makes matplotlib refuse to
render such a figure, so a notebook that draws one fails where it draws it.

The notebook runs of ``make test`` (nbval, through the pytest plugin
:mod:`booktools.figure_text_plugin`) and of ``make execute``
(:mod:`booktools.execute`) load it into their kernels through an IPython
startup file (:func:`use_in_kernels`), so the rule holds for every stored
figure without being part of ``dlbook``: readers' notebooks in Colab do not
carry it. ``tests/test_website.py`` checks the assumption: in a 1366-px window
every chapter shows each stored figure at least min(its width, :data:`COLUMN_PX`)
pixels wide.

This file must run on its own (it is copied into kernels that cannot import
``booktools``): it imports only matplotlib and Pillow.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

COLUMN_PX = 730  # the narrowest chapter column at a 1366-px desktop window, in CSS pixels
FLOOR_PX = 8.0  # the smallest font size (CSS pixels) a figure's text may have on the page
STARTUP_NAME = "00-dlbook-figure-text.py"


class FigureTextTooSmall(ValueError):
    """A figure would show text below the floor on the website."""


def _drawn_texts(fig):
    """The figure's texts that are drawn and not empty: suptitles, titles, labels, tick labels,
    annotations and legends of the visible axes (colour bars included)."""
    texts = list(fig.texts)
    for legend in fig.legends:
        texts += legend.get_texts()
    for ax in fig.get_axes():
        if not ax.get_visible():
            continue
        texts += [ax.title, ax._left_title, ax._right_title, *ax.texts]
        if ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_visible():
                    texts.append(axis.label)
                    texts += [tick.label1 for tick in axis.get_major_ticks() if tick.label1.get_visible()]
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            texts += legend.get_texts()
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def small_texts(fig, width_px: float, dpi: float, *, column_px: float = COLUMN_PX,
                floor_px: float = FLOOR_PX) -> list[tuple[str, float]]:
    """``(text, CSS pixels)`` of every drawn text of ``fig`` below ``floor_px`` when an image of
    it ``width_px`` pixels wide, rendered at ``dpi``, is shown in a ``column_px``-wide column."""
    scale = min(1.0, column_px / width_px) * dpi / 72
    found = {}
    for text in _drawn_texts(fig):
        size = text.get_fontsize() * scale
        if size < floor_px:
            label = " ".join(text.get_text().split())
            found[label[:60]] = min(size, found.get(label[:60], size))
    return sorted(found.items(), key=lambda item: item[1])


def check(fig, width_px: float, dpi: float) -> None:
    """Raise :class:`FigureTextTooSmall` if ``fig`` shows any text below :data:`FLOOR_PX`."""
    small = small_texts(fig, width_px, dpi)
    if small:
        shown = "; ".join(f"{text!r} {size:.2f} px" for text, size in small[:6])
        more = f" and {len(small) - 6} more" if len(small) > 6 else ""
        raise FigureTextTooSmall(
            f"this figure would show text below {FLOOR_PX:g} CSS px on the website "
            f"({width_px:.0f} px wide, shown at most {COLUMN_PX} px wide): {shown}{more}. "
            "Use fewer panels per row, a narrower figure or larger fonts.")


def _image_width(data: bytes) -> int | None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size[0]
    except Exception:  # not an image format Pillow reads (SVG, PDF): nothing to check
        return None


def install() -> None:
    """Check every figure matplotlib renders to PNG or JPEG (IPython's inline display and
    ``savefig`` both go through ``FigureCanvasBase.print_figure``)."""
    from matplotlib.backend_bases import FigureCanvasBase

    if getattr(FigureCanvasBase.print_figure, "_checks_text", False):
        return
    original = FigureCanvasBase.print_figure

    def print_figure(self, filename, *args, **kwargs):
        if not isinstance(filename, io.BytesIO):
            return original(self, filename, *args, **kwargs)
        start = filename.tell()
        result = original(self, filename, *args, **kwargs)
        width = _image_width(filename.getvalue()[start:])
        if width:
            # An image rendered at k times the figure's dpi (IPython's "retina" PNGs: k = 2) is
            # shown k times narrower than its pixels: its CSS width is width × figure dpi / dpi.
            dpi = kwargs.get("dpi")
            rendered_at = self.figure.dpi if dpi in (None, "figure") else float(dpi)
            check(self.figure, width * self.figure.dpi / rendered_at, self.figure.dpi)
        return result

    print_figure._checks_text = True
    FigureCanvasBase.print_figure = print_figure


def startup_folder(retina: bool = False) -> Path:
    """A new IPython folder (for ``IPYTHONDIR``) whose startup file installs the check in every
    kernel started with it; with ``retina``, its kernels also store figures as PNGs of twice the
    figure's dpi, shown at the figure's size (IPython's ``retina`` format: sharp on high-density
    screens and when zoomed, on the website only: readers' kernels keep their own setting)."""
    folder = Path(tempfile.mkdtemp(prefix="dlbook-ipython-"))
    startup = folder / "profile_default" / "startup"
    startup.mkdir(parents=True)
    if retina:
        (folder / "profile_default" / "ipython_kernel_config.py").write_text(
            "c.InlineBackend.figure_formats = {'retina'}\n", encoding="utf-8")
    source = Path(__file__).read_text(encoding="utf-8")
    (startup / STARTUP_NAME).write_text(
        "# Written by booktools.figure_text: figures with text too small for the website fail.\n"
        f"_figure_text = {{}}\nexec(compile({source!r}, {str(Path(__file__))!r}, 'exec'), _figure_text)\n"
        "_figure_text['install']()\n"
        "del _figure_text\n", encoding="utf-8")
    return folder


def use_in_kernels(retina: bool = False) -> None:
    """Make the kernels this process starts from now on check their figures (and, with
    ``retina``, store them at twice the figure's dpi: :func:`startup_folder`)."""
    os.environ["IPYTHONDIR"] = str(startup_folder(retina))

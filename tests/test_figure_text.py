"""booktools.figure_text: figures whose text the website would show too small are refused."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from booktools import figure_text  # noqa: E402
from dlbook.plotting import image_grid  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def grid(columns: int):
    images = np.zeros((10, 8, 8, 1))
    return image_grid(images, [f"image {i}" for i in range(10)], columns=columns, suptitle="grid")


def width_of(fig) -> int:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, bbox_inches="tight")
    return figure_text._image_width(buffer.getvalue())


def test_a_ten_column_grid_shows_its_titles_too_small_and_four_columns_do_not():
    wide, narrow = grid(10), grid(4)
    try:
        small = figure_text.small_texts(wide, width_of(wide), wide.dpi)
        # 9-point titles at 100 dpi are 12.5 px; a ~1,900 px image shown 730 px wide: about 4.8 px
        # (and its 12-point suptitle about 6.4 px).
        sizes = dict(small)
        assert set(sizes) == {f"image {i}" for i in range(10)} | {"grid"}
        assert all(4.5 < sizes[f"image {i}"] < 5.2 for i in range(10)) and 6 < sizes["grid"] < 7
        assert figure_text.small_texts(narrow, width_of(narrow), narrow.dpi) == []
    finally:
        plt.close("all")


def test_a_figure_narrower_than_the_column_is_shown_at_its_own_size():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_title("note", fontsize=5)  # 5 pt at 100 dpi: 6.9 px at any column width
    try:
        assert figure_text.small_texts(fig, 400, 100) == [("note", pytest.approx(5 * 100 / 72))]
        assert figure_text.small_texts(fig, 400, 100, column_px=200) == [("note", pytest.approx(5 * 100 / 72 / 2))]
    finally:
        plt.close(fig)


def test_hidden_axes_and_empty_texts_do_not_count():
    fig, (shown, hidden) = plt.subplots(1, 2, figsize=(6, 3))
    shown.set_title("")
    shown.axis("off")
    shown.set_xlabel("not drawn", fontsize=2)  # the axis is off
    hidden.set_title("not drawn either", fontsize=2)
    hidden.set_visible(False)
    try:
        assert figure_text.small_texts(fig, 600, 100) == []
    finally:
        plt.close(fig)


def test_the_error_names_the_texts_and_what_to_do():
    fig = grid(10)
    try:
        with pytest.raises(figure_text.FigureTextTooSmall, match=r"'image 0' 4\.\d+ px.*fewer panels per row"):
            figure_text.check(fig, width_of(fig), fig.dpi)
    finally:
        plt.close("all")


def _run(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "MPLBACKEND": "Agg", **env}, cwd=ROOT)


STARTUP_THEN_DRAW = """
import io, sys
from pathlib import Path
startup = Path({startup!r})
exec(compile(startup.read_text(), str(startup), "exec"), {{}})
from dlbook.plotting import image_grid
import numpy as np
fig = image_grid(np.zeros((10, 8, 8, 1)), [f"image {{i}}" for i in range(10)], columns={columns}, suptitle="grid")
fig.savefig(io.BytesIO(), format="png")
print("drawn")
"""


def test_the_startup_file_makes_a_kernel_refuse_small_text():
    folder = figure_text.startup_folder()
    startup = folder / "profile_default" / "startup" / figure_text.STARTUP_NAME
    refused = _run(STARTUP_THEN_DRAW.format(startup=str(startup), columns=10))
    assert refused.returncode != 0 and "FigureTextTooSmall" in refused.stderr, refused.stderr[-1500:]
    assert _run(STARTUP_THEN_DRAW.format(startup=str(startup), columns=4)).stdout.strip() == "drawn"


def test_a_figure_rendered_at_twice_its_dpi_is_checked_at_the_size_it_is_shown(monkeypatch):
    """A retina PNG has twice the pixels of the width the page shows: 5-point text on a 5-inch,
    100-dpi figure is 6.9 CSS px whether it is rendered at 100 or 200 dpi."""
    from matplotlib.backend_bases import FigureCanvasBase

    monkeypatch.setattr(FigureCanvasBase, "print_figure", FigureCanvasBase.print_figure)  # undone after
    figure_text.install()
    fig, ax = plt.subplots(figsize=(5, 3), dpi=100)
    try:
        ax.set_title("small", fontsize=5)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        for dpi in (100, 200):
            with pytest.raises(figure_text.FigureTextTooSmall, match=r"'small' 6\.9\d px"):
                fig.savefig(io.BytesIO(), format="png", dpi=dpi)
        ax.set_title("small", fontsize=6)
        fig.savefig(io.BytesIO(), format="png", dpi=200)  # 8.3 px: shown
    finally:
        plt.close(fig)


def test_a_retina_kernel_stores_twice_the_pixels_and_the_shown_size(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots(figsize=(4, 3), dpi=100)\n"
        "ax.plot([0, 1])\nax.set_title('t')\nax.set_xlabel('x')\nax.set_ylabel('y')\nplt.show()")])
    saved = os.environ.get("IPYTHONDIR")
    try:
        figure_text.use_in_kernels(retina=True)
        NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    finally:
        if saved is None:
            os.environ.pop("IPYTHONDIR", None)
        else:
            os.environ["IPYTHONDIR"] = saved
    [output] = [o for o in notebook.cells[0].outputs if "image/png" in o.get("data", {})]
    pixels = figure_text._image_width(base64.b64decode(output["data"]["image/png"]))
    shown = output["metadata"]["image/png"]["width"]
    assert shown == pixels // 2 and 300 < shown <= 400  # bbox_inches="tight" trims the margins

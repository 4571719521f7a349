"""PNG figures are stored as palette images only where that keeps the picture."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from booktools.compact_png import MAX_MEAN_ERROR, compact_figures, compact_png, main  # noqa: E402


def line_art() -> bytes:
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=200)
    x = np.linspace(0, 10, 300)
    for k in range(6):
        ax.plot(x, np.sin(x + k) * np.exp(-x / (k + 3)), label=f"curve {k}")
    ax.set_title("Six damped sines")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"), dtype=np.int16)


def test_line_art_shrinks_and_keeps_its_size_and_look():
    original = line_art()
    compact = compact_png(original)
    assert len(compact) < 0.6 * len(original)
    assert Image.open(io.BytesIO(compact)).mode == "P"
    assert pixels(compact).shape == pixels(original).shape
    assert np.abs(pixels(compact) - pixels(original)).mean() <= MAX_MEAN_ERROR


def test_noise_is_kept_as_it_was():
    noise = np.random.default_rng(0).integers(0, 256, (120, 160, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, format="PNG")
    assert compact_png(buffer.getvalue()) == buffer.getvalue()


def test_transparency_survives():
    image = np.zeros((40, 60, 4), np.uint8)
    image[..., 0], image[10:30, 10:50, 3] = 200, 255  # an opaque red box on a clear background
    buffer = io.BytesIO()
    Image.fromarray(image, "RGBA").save(buffer, format="PNG")
    compact = compact_png(buffer.getvalue(), max_mean_error=10)
    assert (pixels(compact)[..., 3] == image[..., 3]).all()


def test_a_notebook_keeps_everything_but_the_png_bytes(tmp_path):
    png = base64.b64encode(line_art()).decode("ascii")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("plot()", outputs=[
        nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"},
                               metadata={"image/png": {"width": 600, "height": 350}}),
        nbformat.v4.new_output("stream", name="stdout", text="done\n"),
    ])])
    path = tmp_path / "figures.ipynb"
    nbformat.write(notebook, path)
    assert main([str(path)]) == 0
    stored = nbformat.read(path, as_version=4).cells[0].outputs
    assert len(stored[0].data["image/png"]) < 0.6 * len(png)
    assert stored[0].metadata == {"image/png": {"width": 600, "height": 350}}
    assert stored[0].data["text/plain"] == "<Figure>" and stored[1].text == "done\n"
    again = nbformat.read(path, as_version=4)
    assert compact_figures(again)[0] == compact_figures(again)[1], "a second pass changes nothing"

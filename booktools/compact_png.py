"""Store PNG figures as 256-colour palette images: a third of the bytes, the same picture.

    python -m booktools.compact_png notebooks/brain-tumor-classifier.ipynb [more.ipynb ...]

Matplotlib's line art, drawn at twice its display size (``booktools.execute``),
has a few hundred distinct colours, most of them the anti-aliased edges of
lines and letters. Mapped to the 256 most representative colours without
dithering, the image is on average within a fraction of a grey level of the
original (the limit below) and its PNG about a third of the size, which keeps
the notebooks a reader downloads, and the website's pages, light.

``booktools.execute`` does this to every PNG figure it stores; the command
above does it to notebooks already executed. Only the encoding of the
stored image changes: its pixels' size, the output's metadata, the other
outputs and the provenance record stay as they are (the record is of the
code the outputs come from, which is unchanged). A figure that would lose
more than the limit (a photograph stored as PNG, noise) is kept as it was;
JPEG figures (``dlbook.plotting.show(photo=True)``) are left alone.
"""

from __future__ import annotations

import argparse
import base64
import io
import sys
from pathlib import Path

import nbformat
import numpy as np
from PIL import Image

# Mean absolute difference per channel, in grey levels out of 255, that a palette image may have
# from the original; the book's figures measured 0.00-0.48 when this was written (2026-12-07).
MAX_MEAN_ERROR = 1.0


def compact_png(data: bytes, *, max_mean_error: float = MAX_MEAN_ERROR) -> bytes:
    """``data`` (a PNG) as a 256-colour palette PNG, or ``data`` itself if that would differ from
    it by more than ``max_mean_error`` grey levels on average, or not be smaller."""
    image = Image.open(io.BytesIO(data))
    image.load()
    if image.mode in ("P", "1", "L"):  # already a palette, or grey: nothing to gain
        return data
    rgba = image.convert("RGBA")
    opaque = bool((np.asarray(rgba)[..., 3] == 255).all())
    source = rgba.convert("RGB") if opaque else rgba
    # Median cut keeps rare colours (a thin line of its own colour) better; Pillow offers only fast
    # octree for images with transparency.
    method = Image.Quantize.MEDIANCUT if opaque else Image.Quantize.FASTOCTREE
    palette = source.quantize(colors=256, method=method, dither=Image.Dither.NONE)
    error = np.abs(np.asarray(palette.convert(source.mode), dtype=np.int16)
                   - np.asarray(source, dtype=np.int16)).mean()
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    compact = out.getvalue()
    return compact if error <= max_mean_error and len(compact) < len(data) else data


def compact_figures(notebook) -> tuple[int, int]:
    """Re-encode every PNG output of ``notebook`` (an nbformat notebook) in place with
    :func:`compact_png`; returns the PNG bytes before and after."""
    before = after = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" not in data:
                continue
            original = base64.b64decode(data["image/png"])
            compact = compact_png(original)
            before, after = before + len(original), after + len(compact)
            if compact is not original:
                data["image/png"] = base64.b64encode(compact).decode("ascii")
    return before, after


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks:
        notebook = nbformat.read(path, as_version=4)
        before, after = compact_figures(notebook)
        if after < before:
            nbformat.write(notebook, path)
        print(f"{path}: PNG figures {before / 1024:,.0f} KiB -> {after / 1024:,.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Small matrices drawn as heat maps, every value written in its cell.

The concept chapters compare filters, gradients and feature maps panel by
panel, so by default every panel shares one colour scale and the figure has
one colour bar: equal colours mean equal values across panels. Signed values
are centred on zero (red positive, blue negative). A panel can outline cells
(``boxes``: which window of an input feeds an output) and replace the numbers
by text (``labels``: which weights reach a pixel).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.figure
import matplotlib.patches
import matplotlib.pyplot as plt
import numpy as np

Box = tuple[int, int, int, int]  # top row, left column, height, width (in cells)


def _limits(values: Sequence[np.ndarray], centred: bool) -> tuple[float, float]:
    if centred:
        high = max(float(np.abs(v).max()) for v in values) or 1.0
        return -high, high
    low, high = min(float(v.min()) for v in values), max(float(v.max()) for v in values)
    return low, high if high > low else low + 1.0


def matrix_heatmaps(
    matrices: Mapping[str, np.ndarray],
    *,
    suptitle: str,
    shared_scale: bool = True,
    centred: bool = True,
    colorbar_label: str = "value",
    fmt: str = "{:g}",
    cmap: str = "RdBu_r",
    panel_width: float = 2.6,
    columns: int | None = None,
    boxes: Mapping[str, Sequence[Box]] | None = None,
    labels: Mapping[str, np.ndarray] | None = None,
) -> matplotlib.figure.Figure:
    """Draw 2-D arrays side by side, with colour bars.

    ``shared_scale`` gives every panel the same colour limits and draws one
    colour bar for the figure; otherwise each panel gets its own limits and
    its own colour bar. ``centred`` makes the limits symmetric around zero
    (for signed values and a diverging ``cmap``). Panels wrap after
    ``columns`` (default: all in one row). ``boxes`` outlines rectangles of
    cells in the named panels; ``labels`` writes the given strings (an array
    of the matrix's shape) instead of the formatted values.
    """
    boxes, labels = boxes or {}, labels or {}
    arrays = {title: np.asarray(m, dtype=float) for title, m in matrices.items()}
    for title, matrix in arrays.items():
        if matrix.ndim != 2:
            raise ValueError(f"{title!r}: matrix_heatmaps draws 2-D arrays, got shape {matrix.shape}")
        if title in labels and np.shape(labels[title]) != matrix.shape:
            raise ValueError(f"{title!r}: labels have shape {np.shape(labels[title])}, "
                             f"the matrix {matrix.shape}")
    unknown = (set(boxes) | set(labels)) - set(arrays)
    if unknown:
        raise ValueError(f"boxes or labels for panels that do not exist: {sorted(unknown)}")
    columns = columns or len(arrays)
    rows = int(np.ceil(len(arrays) / columns))
    fig, axes = plt.subplots(rows, columns, squeeze=False,
                             figsize=(panel_width * columns + (0.8 if shared_scale else 0),
                                      (panel_width + 0.4) * rows))
    axes = axes.ravel()
    for ax in axes[len(arrays):]:
        ax.set_visible(False)
    shared = _limits(list(arrays.values()), centred)
    image = None
    for ax, (title, matrix) in zip(axes, arrays.items()):
        low, high = shared if shared_scale else _limits([matrix], centred)
        image = ax.imshow(matrix, cmap=cmap, vmin=low, vmax=high)
        texts = labels.get(title)
        for (row, col), value in np.ndenumerate(matrix):
            strength = abs(value) / high if centred else (value - low) / (high - low)
            text = fmt.format(value) if texts is None else str(texts[row][col])
            ax.text(col, row, text, ha="center", va="center",
                    fontsize=9 if texts is None else 8,
                    color="white" if strength > 0.6 else "black")
        for top, left, height, width in boxes.get(title, ()):
            ax.add_patch(matplotlib.patches.Rectangle(
                (left - 0.5, top - 0.5), width, height, fill=False, edgecolor="black",
                linewidth=2.5))
        ax.set_title(title)
        ax.set_xticks(range(matrix.shape[1]))
        ax.set_yticks(range(matrix.shape[0]))
        ax.set_xlabel("column")
        ax.set_ylabel("row")
        if not shared_scale:
            fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label=colorbar_label)
    fig.suptitle(suptitle)
    fig.tight_layout()
    if shared_scale:
        fig.colorbar(image, ax=axes[:len(arrays)].tolist(), fraction=0.025, pad=0.02,
                     label=colorbar_label + " (shared scale)")
    return fig

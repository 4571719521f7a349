"""Figures for the book: one style, labelled axes, readable in light and dark pages.

Notebooks draw with matplotlib and finish every figure with :func:`show`,
which refuses a figure whose panels lack a title or axis labels (so nbval
fails on an unlabelled figure) and then displays it. Alt text for the
website goes in the cell's metadata (``mystnb.image.alt``); the notebook
hygiene tests require it on every cell that outputs an image.
"""

from __future__ import annotations

import io
from typing import Mapping, Sequence

import matplotlib
import matplotlib.ticker
import matplotlib.pyplot as plt
import numpy as np

BOOK_STYLE = {
    # Opaque white figures stay readable on the website's dark theme too.
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "figure.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.grid": False,
    "image.cmap": "viridis",
}


def use_book_style() -> None:
    """Apply the book's matplotlib style."""
    matplotlib.rcParams.update(BOOK_STYLE)


class UnlabelledFigureError(ValueError):
    """A figure is missing a title or axis labels."""


def _is_colorbar(ax) -> bool:
    return getattr(ax, "_colorbar", None) is not None or ax.get_label() == "<colorbar>"


def check_figure(fig: matplotlib.figure.Figure) -> None:
    """Raise :class:`UnlabelledFigureError` unless every panel is titled and labelled.

    A panel needs a title unless the figure has a suptitle. A panel that
    shows its axes needs both axis labels; a panel with its axes switched
    off (an image) needs none. Colour bars are exempt.
    """
    problems = []
    has_suptitle = fig._suptitle is not None and fig._suptitle.get_text().strip() != ""
    panels = [ax for ax in fig.get_axes() if not _is_colorbar(ax) and ax.get_visible()]
    if not panels:
        problems.append("the figure has no axes")
    for index, ax in enumerate(panels):
        name = ax.get_title() or f"panel {index}"
        if not has_suptitle and not ax.get_title().strip():
            problems.append(f"panel {index} has no title (and the figure no suptitle)")
        if ax.axison:
            is_3d = hasattr(ax, "get_zlabel")
            if not ax.get_xlabel().strip():
                problems.append(f"{name!r} has no x-axis label")
            if not ax.get_ylabel().strip() and not is_3d:
                problems.append(f"{name!r} has no y-axis label")
    if problems:
        raise UnlabelledFigureError("Figure needs labels: " + "; ".join(problems) + ".")


FIGURE_MIME_TYPES = ("image/png", "image/jpeg")  # what a stored figure output can be
PHOTO_JPEG_QUALITY = 85


def figure_as_jpeg(fig: matplotlib.figure.Figure, quality: int = PHOTO_JPEG_QUALITY) -> bytes:
    """The figure rendered as JPEG bytes (opaque white background, the figure's dpi)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="jpeg", dpi=fig.dpi, facecolor="white",
                pil_kwargs={"quality": quality, "optimize": True})
    return buffer.getvalue()


def show(fig: matplotlib.figure.Figure | None = None, *, photo: bool = False) -> None:
    """Check ``fig`` (default: the current figure) with :func:`check_figure`, then display it.

    With ``photo=True`` a notebook stores the figure as JPEG instead of PNG:
    figures made of photographs (or noise) are several times smaller that
    way, which keeps the notebooks light; line art stays PNG and sharp.
    """
    fig = fig or plt.gcf()
    check_figure(fig)
    if photo:
        try:
            from IPython import get_ipython
            from IPython.display import Image, display
        except ImportError:
            get_ipython = None
        if get_ipython is not None and get_ipython() is not None:
            display(Image(data=figure_as_jpeg(fig), format="jpeg"))
            plt.close(fig)
            return
    plt.show()


def plot_matrices(
    matrices: Mapping[str, np.ndarray],
    *,
    suptitle: str,
    fmt: str = "{:g}",
    cmap: str = "RdBu_r",
    panel_width: float = 2.6,
    columns: int | None = None,
    centred: bool = True,
) -> matplotlib.figure.Figure:
    """Small 2-D arrays side by side as heat maps with every value written in its cell.

    With ``centred`` (for signed values and a diverging ``cmap``) colours are
    centred on zero, red positive and blue negative, so signs show at a
    glance; otherwise each panel's colours span its own minimum to maximum.
    Panels wrap after ``columns`` (default: all in one row).
    """
    columns = columns or len(matrices)
    rows = int(np.ceil(len(matrices) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(panel_width * columns, (panel_width + 0.4) * rows), squeeze=False)
    axes = axes.ravel()
    for ax in axes[len(matrices):]:
        ax.set_visible(False)
    for ax, (title, matrix) in zip(axes, matrices.items()):
        matrix = np.asarray(matrix, dtype=float)
        if matrix.ndim != 2:
            raise ValueError(f"{title!r}: plot_matrices draws 2-D arrays, got shape {matrix.shape}")
        if centred:
            high = float(np.abs(matrix).max()) or 1.0
            low = -high
        else:
            low, high = float(matrix.min()), float(matrix.max())
            high = high if high > low else low + 1.0
        ax.imshow(matrix, cmap=cmap, vmin=low, vmax=high)
        for (row, col), value in np.ndenumerate(matrix):
            strength = abs(value) / high if centred else (value - low) / (high - low)
            ax.text(col, row, fmt.format(value), ha="center", va="center", fontsize=9,
                    color="white" if strength > 0.6 else "black")
        ax.set_title(title)
        ax.set_xticks(range(matrix.shape[1]))
        ax.set_yticks(range(matrix.shape[0]))
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def image_grid(
    images: Sequence[np.ndarray],
    titles: Sequence[str],
    *,
    suptitle: str,
    columns: int = 6,
    cmap: str = "gray",
) -> matplotlib.figure.Figure:
    """Images in a grid, each with its own title, axes hidden."""
    rows = int(np.ceil(len(images) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.9 * columns, 2.1 * rows + 0.3), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, image, title in zip(axes.ravel(), images, titles):
        image = np.asarray(image)
        ax.imshow(image[..., 0] if image.ndim == 3 and image.shape[-1] == 1 else image, cmap=cmap)
        ax.set_title(title, fontsize=9)
    for ax in axes.ravel()[len(images):]:
        ax.set_visible(False)
    fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def learning_curves(histories: Mapping[str, Mapping[str, Sequence[float]]], *,
                    suptitle: str) -> matplotlib.figure.Figure:
    """Accuracy (top) and loss (bottom) per epoch, training and validation, one column per run.

    ``histories`` maps a run's name to a Keras ``History.history`` dict
    with ``accuracy``, ``loss``, ``val_accuracy`` and ``val_loss``.
    """
    fig, axes = plt.subplots(2, len(histories), figsize=(5.5 * len(histories), 7),
                             squeeze=False, sharex="col")
    for column, (name, history) in enumerate(histories.items()):
        epochs = np.arange(1, len(history["loss"]) + 1)
        for row, metric in enumerate(("accuracy", "loss")):
            ax = axes[row, column]
            ax.plot(epochs, history[metric], marker="o", label="training")
            ax.plot(epochs, history[f"val_{metric}"], marker="o", label="validation")
            ax.set_title(f"{name}: {metric}")
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
            ax.set_xlabel("epoch")
            ax.set_ylabel(metric)
            ax.legend()
    fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def confusion_matrix(ax, matrix: np.ndarray, class_names: Sequence[str], *, title: str) -> None:
    """Draw a confusion matrix (rows: true class, columns: predicted) with its counts on ``ax``."""
    matrix = np.asarray(matrix)
    ax.imshow(matrix, cmap="Blues")
    for (row, column), count in np.ndenumerate(matrix):
        ax.text(column, row, str(count), ha="center", va="center", fontsize=8,
                color="white" if count > matrix.max() / 2 else "black")
    ticks = range(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=45, ha="right")
    ax.set_yticks(ticks, class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)

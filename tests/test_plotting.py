"""Figure checks: every panel titled and labelled."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dlbook import plotting  # noqa: E402
from dlbook.plotting import show  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_labelled_figure_passes():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    ax.set(title="a line", xlabel="x", ylabel="y")
    plotting.check_figure(fig)


@pytest.mark.parametrize("missing,message", [("title", "no title"), ("xlabel", "no x-axis label"), ("ylabel", "no y-axis label")])
def test_missing_label_is_refused(missing, message):
    fig, ax = plt.subplots()
    labels = {"title": "t", "xlabel": "x", "ylabel": "y"}
    labels[missing] = ""
    ax.set(**labels)
    with pytest.raises(plotting.UnlabelledFigureError, match=message):
        plotting.check_figure(fig)


def test_image_panels_need_only_a_title_and_suptitle_covers_titles():
    fig, axes = plt.subplots(1, 2)
    for ax in axes:
        ax.imshow(np.zeros((3, 3)))
        ax.axis("off")
    with pytest.raises(plotting.UnlabelledFigureError):
        plotting.check_figure(fig)
    fig.suptitle("two images")
    plotting.check_figure(fig)


def test_colorbars_are_exempt():
    fig, ax = plt.subplots()
    image = ax.imshow(np.eye(3))
    ax.set(title="eye", xlabel="column", ylabel="row")
    fig.colorbar(image, ax=ax)
    plotting.check_figure(fig)


def test_show_refuses_unlabelled_figures():
    fig, _ = plt.subplots()
    with pytest.raises(plotting.UnlabelledFigureError):
        plotting.show(fig)


def test_plot_matrices_writes_every_value_and_wraps():
    fig = plotting.plot_matrices({"a": np.eye(2), "b": [[1, -2], [3, 4]], "c": np.zeros((1, 3))}, suptitle="m", columns=2)
    plotting.check_figure(fig)
    visible = [ax for ax in fig.get_axes() if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["a", "b", "c"]
    assert sorted(t.get_text() for t in visible[1].texts) == ["-2", "1", "3", "4"]
    with pytest.raises(ValueError, match="2-D"):
        plotting.plot_matrices({"bad": np.zeros((2, 2, 2))}, suptitle="m")


def test_uncentred_colours_span_each_panel():
    fig = plotting.plot_matrices({"a": [[2.0, 9.0]]}, suptitle="m", cmap="Blues", centred=False)
    assert fig.get_axes()[0].get_images()[0].get_clim() == (2.0, 9.0)
    fig = plotting.plot_matrices({"a": [[2.0, -9.0]]}, suptitle="m")
    assert fig.get_axes()[0].get_images()[0].get_clim() == (-9.0, 9.0)


def test_image_grid_is_labelled():
    images = [np.zeros((4, 4, 1), np.uint8)] * 5
    fig = plotting.image_grid(images, [f"#{i}" for i in range(5)], suptitle="grid", columns=3)
    plotting.check_figure(fig)


def test_book_style_is_opaque():
    plotting.use_book_style()
    assert matplotlib.rcParams["figure.facecolor"] == "white"
    assert matplotlib.rcParams["savefig.transparent"] is False


def test_photo_figures_are_jpeg_on_white():
    from dlbook.plotting import figure_as_jpeg

    fig, ax = plt.subplots(figsize=(2, 2))
    ax.imshow(np.random.default_rng(0).random((64, 64)), cmap="gray")
    ax.set_title("noise")
    ax.axis("off")
    data = figure_as_jpeg(fig)
    plt.close(fig)
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.mode == "RGB" and image.size == (200, 200)
    assert image.getpixel((1, 1)) >= (250, 250, 250)  # the margin is opaque white


def test_show_photo_outside_a_notebook_falls_back_to_plain_show():
    fig, ax = plt.subplots()
    ax.set_title("t")
    ax.axis("off")
    show(fig, photo=True)  # no IPython kernel here: must not raise


def test_learning_curves_have_one_labelled_column_per_run():
    history = {"accuracy": [0.5, 0.6], "val_accuracy": [0.4, 0.5], "loss": [1.0, 0.8],
               "val_loss": [1.1, 0.9]}
    fig = plotting.learning_curves({"a": history, "b": history}, suptitle="curves")
    plotting.check_figure(fig)
    assert len(fig.axes) == 4 and len(fig.axes[0].lines) == 2


def test_confusion_matrix_writes_every_count():
    fig, ax = plt.subplots()
    plotting.confusion_matrix(ax, np.array([[5, 1], [0, 7]]), ["cat", "dog"], title="matrix")
    plotting.check_figure(fig)
    assert sorted(text.get_text() for text in ax.texts) == ["0", "1", "5", "7"]
    assert [label.get_text() for label in ax.get_xticklabels()] == ["cat", "dog"]

"""Heat maps of small matrices: shared colour scales, colour bars, boxes and labels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dlbook.heatmaps import matrix_heatmaps  # noqa: E402
from dlbook.plotting import _is_colorbar, check_figure  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def panels(fig):
    return [ax for ax in fig.get_axes() if not _is_colorbar(ax) and ax.get_visible()]


def test_shared_scale_gives_every_panel_the_same_limits_and_one_colour_bar():
    fig = matrix_heatmaps({"small": np.full((2, 2), 0.25), "large": np.array([[10, -4], [4, 2]])},
                          suptitle="shared")
    limits = {ax.images[0].get_clim() for ax in panels(fig)}
    assert limits == {(-10.0, 10.0)}, "centred on zero, spanning the largest |value| of all panels"
    assert sum(_is_colorbar(ax) for ax in fig.get_axes()) == 1
    check_figure(fig)


def test_own_scales_give_each_panel_its_limits_and_colour_bar():
    fig = matrix_heatmaps({"a": np.array([[0, 1], [2, 3]]), "b": np.array([[-5, 5], [0, 0]])},
                          suptitle="own", shared_scale=False, centred=False)
    assert [ax.images[0].get_clim() for ax in panels(fig)] == [(0.0, 3.0), (-5.0, 5.0)]
    assert sum(_is_colorbar(ax) for ax in fig.get_axes()) == 2


def test_values_boxes_and_labels_are_drawn():
    labels = np.array([["F₀₀", "F₀₁"], ["F₁₀", "F₁₁"]])
    fig = matrix_heatmaps({"x": np.arange(9).reshape(3, 3), "w": np.eye(2)}, suptitle="boxes",
                          boxes={"x": [(0, 1, 2, 2)]}, labels={"w": labels}, columns=1)
    x_panel, w_panel = panels(fig)
    assert sorted(t.get_text() for t in x_panel.texts) == [str(v) for v in range(9)]
    assert sorted(t.get_text() for t in w_panel.texts) == sorted(labels.ravel())
    (box,) = x_panel.patches
    assert (box.get_x(), box.get_y(), box.get_width(), box.get_height()) == (0.5, -0.5, 2, 2)
    assert len(fig.axes) >= 2 and fig.get_axes()[0].get_position().y0 > fig.get_axes()[1].get_position().y0


@pytest.mark.parametrize("kwargs,message", [
    ({"matrices": {"v": np.arange(3)}}, "2-D arrays"),
    ({"matrices": {"m": np.eye(2)}, "labels": {"m": np.array([["a"]])}}, "labels have shape"),
    ({"matrices": {"m": np.eye(2)}, "boxes": {"other": [(0, 0, 1, 1)]}}, "do not exist"),
])
def test_bad_input_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        matrix_heatmaps(suptitle="bad", **kwargs)

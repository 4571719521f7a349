"""Metrics, thresholds, time budgets and Grad-CAM (dlbook.evaluation)."""

import math

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook import evaluation


def test_confusion_and_metrics_on_a_worked_example():
    labels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    scores = [0.9, 0.8, 0.6, 0.2, 0.7, 0.4, 0.3, 0.2, 0.1, 0.0]
    assert evaluation.confusion(labels, scores).tolist() == [[5, 1], [1, 3]]
    m = evaluation.binary_metrics(labels, scores)
    assert m["accuracy"] == pytest.approx(0.8)
    assert m["precision"] == pytest.approx(0.75)
    assert m["sensitivity"] == pytest.approx(0.75)
    assert m["specificity"] == pytest.approx(5 / 6)
    assert m["balanced accuracy"] == pytest.approx((0.75 + 5 / 6) / 2)
    # 24 positive-negative pairs: the positive scores higher in 19, one tie (0.2 vs 0.2)
    assert m["AUC"] == pytest.approx(19.5 / 24)


def _rank_auc(labels, scores):
    labels, scores = np.asarray(labels), np.asarray(scores)
    pos, neg = scores[labels == 1], scores[labels == 0]
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return wins / (len(pos) * len(neg))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 8)), min_size=2, max_size=40))
def test_auc_equals_the_probability_a_positive_outranks_a_negative(pairs):
    labels = np.array([p[0] for p in pairs])
    scores = np.array([p[1] / 8 for p in pairs])
    if labels.min() == labels.max():
        with pytest.raises(ValueError, match="both classes"):
            evaluation.roc_auc(labels, scores)
        return
    assert evaluation.roc_auc(labels, scores) == pytest.approx(_rank_auc(labels, scores))
    fpr, tpr, thresholds = evaluation.roc_curve(labels, scores)
    assert fpr[0] == tpr[0] == 0 and fpr[-1] == tpr[-1] == 1
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0) and np.all(np.diff(thresholds) < 0)


def test_choose_threshold_separates_when_it_can_and_prefers_one_half():
    labels = [0, 0, 0, 1, 1, 1]
    assert evaluation.choose_threshold(labels, [0.01, 0.02, 0.03, 0.10, 0.2, 0.3]) == pytest.approx(0.065)
    # already perfect at 0.5: keep 0.5
    assert evaluation.choose_threshold(labels, [0.1, 0.2, 0.3, 0.7, 0.8, 0.9]) == 0.5
    scores = np.random.default_rng(0).random(50)
    labels = (scores + np.random.default_rng(1).normal(0, 0.2, 50) > 0.5).astype(int)
    t = evaluation.choose_threshold(labels, scores)
    best = max(evaluation.binary_metrics(labels, scores, s)["balanced accuracy"] for s in np.r_[scores, 0.5])
    assert evaluation.binary_metrics(labels, scores, t)["balanced accuracy"] == pytest.approx(best)


def test_bad_labels_and_lengths():
    with pytest.raises(ValueError, match="same length"):
        evaluation.binary_metrics([0, 1], [0.5])
    with pytest.raises(ValueError, match="0 or 1"):
        evaluation.binary_metrics([0, 2], [0.5, 0.5])
    metrics = evaluation.binary_metrics([1, 1], [0.9, 0.1])
    assert metrics["sensitivity"] == 0.5 and math.isnan(metrics["specificity"]) and math.isnan(metrics["AUC"])


class _FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_time_budget_stops_before_overrunning():
    clock = _FakeClock()
    budget = evaluation.TimeBudget(35, clock=clock)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.stop_training = False
    budget.set_model(model)
    budget.on_train_begin()
    for epoch in range(10):
        budget.on_epoch_begin(epoch)
        clock.now += 10
        budget.on_epoch_end(epoch)
        if model.stop_training:
            break
    assert budget.epochs == 3 and budget.stopped_by_budget and budget.elapsed == 30
    with pytest.raises(ValueError, match="positive"):
        evaluation.TimeBudget(0)


def test_time_budget_in_fit_and_grad_cam_on_a_tiny_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((16, 16, 1))
    features = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="features")(inputs)
    outputs = keras.layers.Dense(1, activation="sigmoid")(keras.layers.GlobalAveragePooling2D()(features))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    x = np.random.default_rng(0).random((8, 16, 16, 1)).astype("float32")
    y = np.array([0, 1] * 4, "float32")
    budget = evaluation.TimeBudget(3600)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[budget])
    assert budget.epochs == 2 and not budget.stopped_by_budget
    maps = evaluation.grad_cam(model, x[:3], "features")
    assert maps.shape == (3, 16, 16)
    assert maps.min() >= 0 and maps.max() <= 1 + 1e-6
    # Output = sigmoid(w · mean over space of the features) + b, so the spatially averaged
    # gradient is proportional to w, and Grad-CAM reduces to the class activation map
    # relu(features · w) (Zhou et al., 2016), scaled to a peak of 1.
    features = keras.ops.convert_to_numpy(keras.Model(model.inputs[0], features)(x[:3]))
    cam = np.maximum(features @ model.layers[-1].get_weights()[0][:, 0], 0)
    peak = cam.max(axis=(1, 2), keepdims=True)  # an image with no positive evidence has an empty map
    assert (peak > 0).any()
    np.testing.assert_allclose(maps, np.divide(cam, peak, out=np.zeros_like(cam), where=peak > 0), atol=1e-5)


def test_grad_cam_through_a_residual_branch_and_a_smaller_feature_map():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((12, 12, 1))
    features = keras.layers.Conv2D(3, 3, strides=2, padding="same", name="features")(inputs)
    # tanh, not ReLU: a smooth branch, so that finite differences do not straddle a kink.
    branch = keras.layers.Conv2D(3, 1, activation="tanh")(features)
    outputs = keras.layers.Dense(1, activation="sigmoid")(
        keras.layers.GlobalAveragePooling2D()(keras.layers.Add()([features, branch])))
    model = keras.Model(inputs, outputs)
    x = np.random.default_rng(1).random((2, 12, 12, 1)).astype("float32")
    maps = evaluation.grad_cam(model, x, "features")
    assert maps.shape == (2, 12, 12) and np.allclose(maps.max(axis=(1, 2)), 1)
    # The same gradient by finite differences on the cut network.
    cut = model.get_layer("features").output
    head = keras.Model(cut, model.outputs[0])
    f = keras.ops.convert_to_numpy(keras.Model(inputs, cut)(x))
    numeric = np.zeros_like(f)
    eps = 1e-2
    for index in np.ndindex(f.shape):
        up, down = f.copy(), f.copy()
        up[index] += eps
        down[index] -= eps
        numeric[index] = (keras.ops.convert_to_numpy(head(up)).sum()
                          - keras.ops.convert_to_numpy(head(down)).sum()) / (2 * eps)
    np.testing.assert_allclose(evaluation._gradient_of_sum(head, f), numeric, atol=1e-3)

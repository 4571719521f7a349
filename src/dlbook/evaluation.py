"""Training budgets and honest evaluation of binary classifiers.

* :class:`TimeBudget` - a Keras callback that stops training before the
  next epoch would overrun a wall-clock budget, so that two models can be
  compared at equal training time.
* :func:`binary_metrics`, :func:`roc_curve`, :func:`choose_threshold` -
  accuracy, precision, sensitivity, specificity, the ROC curve and its
  area, and a decision threshold picked on *validation* data.
* :func:`grad_cam` - where a convolutional classifier looked.
"""

from __future__ import annotations

import time

import keras
import numpy as np


class TimeBudget(keras.callbacks.Callback):
    """Stop training when another epoch would end after ``seconds``.

    The estimate of an epoch's length is the longest epoch so far. The
    number of epochs run and the seconds used are kept in ``epochs`` and
    ``elapsed``; ``stopped_by_budget`` says whether the budget ended training.
    """

    def __init__(self, seconds: float, clock=time.perf_counter):
        super().__init__()
        if seconds <= 0:
            raise ValueError("the time budget must be positive")
        self.seconds = float(seconds)
        self.clock = clock
        self.epochs = 0
        self.elapsed = 0.0
        self.stopped_by_budget = False

    def on_train_begin(self, logs=None):
        self.start = self.clock()
        self.longest_epoch = 0.0
        self.epoch_start = self.start

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_start = self.clock()

    def on_epoch_end(self, epoch, logs=None):
        now = self.clock()
        self.epochs = epoch + 1
        self.longest_epoch = max(self.longest_epoch, now - self.epoch_start)
        self.elapsed = now - self.start
        if self.elapsed + self.longest_epoch > self.seconds:
            self.stopped_by_budget = True
            self.model.stop_training = True


def _check(labels, scores) -> tuple[np.ndarray, np.ndarray]:
    labels = np.asarray(labels).astype(int).ravel()
    scores = np.asarray(scores, float).ravel()
    if labels.shape != scores.shape or len(labels) == 0:
        raise ValueError("labels and scores must be non-empty and of the same length")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("labels must be 0 or 1")
    return labels, scores


def confusion(labels, scores, threshold: float = 0.5) -> np.ndarray:
    """2x2 counts ``[[TN, FP], [FN, TP]]`` (rows: truth, columns: prediction);
    a score ≥ ``threshold`` predicts 1."""
    labels, scores = _check(labels, scores)
    predicted = (scores >= threshold).astype(int)
    matrix = np.zeros((2, 2), np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else float("nan")


def roc_curve(labels, scores) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """False-positive rates, true-positive rates and thresholds of the ROC curve.

    One point per distinct score (threshold = that score, predicting 1 for
    scores ≥ it), plus the (0, 0) corner with threshold +inf. Needs both
    classes.
    """
    labels, scores = _check(labels, scores)
    positives, negatives = labels.sum(), (1 - labels).sum()
    if positives == 0 or negatives == 0:
        raise ValueError("the ROC curve needs examples of both classes")
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_labels = scores[order], labels[order]
    last_of_each = np.r_[np.nonzero(np.diff(sorted_scores))[0], len(scores) - 1]
    true_pos = np.cumsum(sorted_labels)[last_of_each]
    false_pos = (last_of_each + 1) - true_pos
    fpr = np.r_[0.0, false_pos / negatives]
    tpr = np.r_[0.0, true_pos / positives]
    thresholds = np.r_[np.inf, sorted_scores[last_of_each]]
    return fpr, tpr, thresholds


def roc_auc(labels, scores) -> float:
    """Area under the ROC curve (trapezoids; ties count one half)."""
    fpr, tpr, _ = roc_curve(labels, scores)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def binary_metrics(labels, scores, threshold: float = 0.5) -> dict[str, float]:
    """Accuracy, precision, sensitivity (recall), specificity, balanced accuracy
    and ROC AUC of scores against 0/1 labels at ``threshold``."""
    (tn, fp), (fn, tp) = confusion(labels, scores, threshold)
    labels, scores = _check(labels, scores)
    both = 0 < labels.sum() < len(labels)
    sensitivity, specificity = _ratio(tp, tp + fn), _ratio(tn, tn + fp)
    return {
        "accuracy": _ratio(tp + tn, len(labels)),
        "precision": _ratio(tp, tp + fp),
        "sensitivity": sensitivity,
        "specificity": specificity,
        "balanced accuracy": (sensitivity + specificity) / 2,
        "AUC": roc_auc(labels, scores) if both else float("nan"),
    }


def choose_threshold(labels, scores) -> float:
    """The threshold that maximises balanced accuracy on these (validation) scores.

    Ties go to the threshold nearest 0.5. The threshold is placed halfway
    between neighbouring scores, so it does not sit exactly on a validation
    example.
    """
    labels, scores = _check(labels, scores)
    candidates = np.unique(np.r_[0.5, (np.unique(scores)[1:] + np.unique(scores)[:-1]) / 2])
    best, best_key = 0.5, None
    for threshold in candidates:
        key = (binary_metrics(labels, scores, threshold)["balanced accuracy"], -abs(threshold - 0.5))
        if best_key is None or key > best_key:
            best, best_key = float(threshold), key
    return best


def grad_cam(model: keras.Model, images: np.ndarray, layer_name: str) -> np.ndarray:
    """Grad-CAM heat maps (values 0..1, the size of ``images``) for a one-output model.

    The maps weight the feature maps of ``layer_name`` by the spatially
    averaged gradient of the model's output with respect to them and keep
    the positive part (Selvaraju et al., 2017). For a sigmoid output this
    shows what pushed the score up, i.e. towards the positive class.

    Runs on Keras' TensorFlow, JAX and PyTorch backends: the network is cut
    in two at ``layer_name`` and only the gradient of the second part is
    backend-specific (:func:`_gradient_of_sum`).
    """
    images = np.asarray(images, np.float32)
    cut = model.get_layer(layer_name).output
    features = keras.ops.convert_to_numpy(
        keras.Model(model.inputs[0], cut)(images, training=False))
    gradients = _gradient_of_sum(keras.Model(cut, model.outputs[0]), features)
    weights = gradients.mean(axis=(1, 2), keepdims=True)
    maps = np.maximum((weights * features).sum(axis=-1), 0)[..., None]
    maps = keras.ops.convert_to_numpy(
        keras.ops.image.resize(maps, images.shape[1:3], interpolation="bilinear"))[..., 0]
    peak = maps.max(axis=(1, 2), keepdims=True)
    return np.divide(maps, peak, out=np.zeros_like(maps), where=peak > 0)


def _gradient_of_sum(model: keras.Model, inputs: np.ndarray) -> np.ndarray:
    """The gradient of ``sum(model(inputs))`` with respect to ``inputs``, on the current backend."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        inputs = tf.convert_to_tensor(inputs)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            total = tf.reduce_sum(model(inputs, training=False))
        return tape.gradient(total, inputs).numpy()
    if backend == "jax":
        import jax
        import jax.numpy as jnp

        return np.asarray(jax.grad(lambda x: jnp.sum(model(x, training=False)))(jnp.asarray(inputs)))
    if backend == "torch":
        import torch

        inputs = torch.tensor(inputs, requires_grad=True)
        model(inputs, training=False).sum().backward()
        return inputs.grad.cpu().numpy()
    raise NotImplementedError(f"grad_cam needs gradients, which Keras' {backend!r} backend has none of")

"""Training for a fixed number of epochs under a learning-rate schedule chosen in advance.

Early stopping on a small validation part picks the epoch by noise (the
brain-tumour chapter's folds kept epoch 1 or 2 of networks that go on
improving for twenty more). A schedule fixed before training needs no
validation data at all: :func:`warmup_cosine` builds it, and
:func:`summary` reports such a run in one line, the kept last epoch first.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np


def warmup_cosine(peak: float, epochs: int, steps_per_epoch: int, *, warmup_epochs: int = 2,
                  final_fraction: float = 0.01):
    """A Keras schedule: linear warm-up from 0 to ``peak`` over ``warmup_epochs``, then a cosine
    down to ``final_fraction * peak`` at the end of ``epochs``."""
    import keras

    if peak <= 0 or epochs < 1 or steps_per_epoch < 1 or not 0 <= warmup_epochs < epochs:
        raise ValueError(f"need peak > 0, epochs >= 1, steps >= 1 and 0 <= warmup < epochs; got "
                         f"{peak}, {epochs}, {steps_per_epoch}, {warmup_epochs}")
    warmup = warmup_epochs * steps_per_epoch
    return keras.optimizers.schedules.CosineDecay(
        0.0, decay_steps=epochs * steps_per_epoch - warmup, alpha=final_fraction,
        warmup_target=peak, warmup_steps=warmup)


def summary(history: Mapping[str, Sequence[float]], seconds: float) -> str:
    """One line for a model trained for a fixed number of epochs whose last weights are kept.

    Reports the last epoch's figures (the model that is used) and, where a
    validation loss was logged, the epoch where it was lowest, so a reader
    sees how far the kept model is from the one early stopping would have kept.
    """
    epochs = len(history["loss"])
    if epochs == 0:
        raise ValueError("the history records no epoch")
    shown = [name for name in ("accuracy", "val_loss", "val_accuracy") if name in history]
    figures = ", ".join(
        f"{name} {history[name][-1]:.1%}" if "accuracy" in name else f"{name} {history[name][-1]:.3f}"
        for name in shown)
    lowest = ""
    if "val_loss" in history:
        lowest = f"; lowest val_loss at epoch {int(np.nanargmin(np.asarray(history['val_loss'], float))) + 1}"
    return f"{epochs} epochs, {seconds:.0f} s; last epoch: {figures}{lowest}"

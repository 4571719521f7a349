"""Compact training records: one line per model instead of one log line per epoch.

Train with ``verbose=0`` and print :func:`training_summary` of the history
when ``fit`` returns; the full per-epoch record stays in ``history`` for
learning-curve figures.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np


def best_epoch(history: Mapping[str, Sequence[float]], monitor: str = "val_loss") -> int:
    """The 1-based epoch where ``monitor`` was lowest (highest for accuracy-like names)."""
    values = np.asarray(history[monitor], float)
    if values.size == 0:
        raise ValueError(f"the history records no {monitor!r}")
    lower_is_better = "loss" in monitor or "error" in monitor
    return int(np.nanargmin(values) if lower_is_better else np.nanargmax(values)) + 1


def training_summary(history: Mapping[str, Sequence[float]], seconds: float, *,
                     monitor: str = "val_loss", max_epochs: int | None = None) -> str:
    """One line: epochs run, the best epoch and its validation figures, the time taken.

    ``max_epochs`` adds whether training ran out of epochs (rather than
    being stopped early), which a reader needs to judge a budget.
    """
    epochs = len(history[monitor])
    best = best_epoch(history, monitor)
    shown = [name for name in ("val_loss", "val_accuracy") if name in history]
    figures = ", ".join(
        f"{name} {history[name][best - 1]:.1%}" if "accuracy" in name else f"{name} {history[name][best - 1]:.3f}"
        for name in shown)
    ending = ""
    if max_epochs is not None:
        ending = "; ran out of epochs" if epochs >= max_epochs else "; stopped early"
    return f"{epochs} epochs, best {best} ({figures}), {seconds:.0f} s{ending}"

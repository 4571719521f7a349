"""Fixed warm-up + cosine schedules and their one-line summaries (dlbook.fixed_schedule)."""

import numpy as np
import pytest

from dlbook import fixed_schedule

HISTORY = {"loss": [0.9, 0.5, 0.4, 0.3], "val_loss": [0.8, 0.45, 0.5, 0.6],
           "accuracy": [0.5, 0.7, 0.8, 0.9], "val_accuracy": [0.55, 0.812, 0.8, 0.79]}


def test_warmup_then_cosine_reaches_the_peak_and_ends_at_the_final_fraction():
    import keras

    schedule = fixed_schedule.warmup_cosine(2e-3, epochs=10, steps_per_epoch=5, warmup_epochs=2)
    rate = lambda step: float(keras.ops.convert_to_numpy(schedule(step)))
    assert rate(0) == pytest.approx(0.0, abs=1e-9)
    assert rate(5) == pytest.approx(1e-3, rel=1e-5)  # halfway up the warm-up
    assert rate(10) == pytest.approx(2e-3, rel=1e-5)  # the peak, where the cosine starts
    assert rate(30) == pytest.approx(2e-3 * (0.01 + 0.99 * 0.5), rel=1e-4)  # halfway down
    assert rate(50) == pytest.approx(2e-5, rel=1e-4)  # the end: 1% of the peak
    rates = [rate(s) for s in range(10, 51)]
    assert all(a >= b for a, b in zip(rates, rates[1:]))
    with pytest.raises(ValueError):
        fixed_schedule.warmup_cosine(1e-3, epochs=2, steps_per_epoch=5, warmup_epochs=2)


def test_summary_reports_the_kept_last_epoch_and_where_validation_loss_was_lowest():
    line = fixed_schedule.summary(HISTORY, 61.7)
    assert line == ("4 epochs, 62 s; last epoch: accuracy 90.0%, val_loss 0.600, val_accuracy 79.0%; "
                    "lowest val_loss at epoch 2")
    assert fixed_schedule.summary({"loss": [1.0, 0.5], "accuracy": [0.5, 0.75]}, 3) == (
        "2 epochs, 3 s; last epoch: accuracy 75.0%")
    assert "\n" not in fixed_schedule.summary(HISTORY, 5)
    with pytest.raises(ValueError):
        fixed_schedule.summary({"loss": []}, 1)

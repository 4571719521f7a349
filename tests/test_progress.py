import pytest

from dlbook.progress import best_epoch, training_summary

HISTORY = {"loss": [0.9, 0.5, 0.4, 0.3], "val_loss": [0.8, 0.45, 0.5, 0.6],
           "accuracy": [0.5, 0.7, 0.8, 0.9], "val_accuracy": [0.55, 0.812, 0.8, 0.79]}


def test_best_epoch_is_one_based_and_knows_which_way_is_better():
    assert best_epoch(HISTORY) == 2
    assert best_epoch(HISTORY, "val_accuracy") == 2
    assert best_epoch(HISTORY, "accuracy") == 4
    with pytest.raises(ValueError):
        best_epoch({"val_loss": []})


def test_summary_is_one_line_with_the_best_epochs_figures():
    line = training_summary(HISTORY, 61.7, max_epochs=10)
    assert line == "4 epochs, best 2 (val_loss 0.450, val_accuracy 81.2%), 62 s; stopped early"
    assert training_summary(HISTORY, 5, max_epochs=4).endswith("ran out of epochs")
    assert "\n" not in training_summary(HISTORY, 5)

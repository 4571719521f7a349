"""dlbook.tuning: the search space, budgets, Hyperband's schedule, distributed and resumed searches."""

from __future__ import annotations

import keras
import keras_tuner
import numpy as np
import pytest

from dlbook import tuning
from dlbook.data import load_cifar10


def test_search_space_is_the_assignments():
    hp = keras_tuner.HyperParameters()
    tuning.CifarHyperModel().build(hp)
    space = {p.name: p for p in hp.space}
    assert set(space) == set(tuning.SEARCH_SPACE) - {"learning_rate"} | set(tuning.RATE_NAMES.values())
    assert list(space["conv_blocks"].values) == [1, 2, 3]
    assert list(space["filters"].values) == [8, 16, 24, 32]
    assert list(space["dense_layers"].values) == [1, 2, 3, 4]
    assert list(space["units"].values) == [128, 192, 256]
    assert list(space["adam_learning_rate"].values) == [1e-4, 5e-4, 1e-3], "the assignment's rates"
    assert list(space["sgd_learning_rate"].values) == list(tuning.SGD_RATES)
    assert list(space["optimizer"].values) == ["adam", "sgd"]
    assert tuning.space_size() == 3 * 4 * 4 * 3 * 6


@pytest.mark.parametrize("optimizer, rate", [("adam", 5e-4), ("sgd", 2e-2)])
def test_each_optimizer_gets_its_own_learning_rate(optimizer, rate):
    record = {"conv_blocks": 1, "filters": 8, "dense_layers": 1, "units": 128,
              "optimizer": optimizer, "learning_rate": rate}
    hp = tuning.fixed_hyperparameters(record)
    model = tuning.CifarHyperModel().build(hp)
    assert model.optimizer.__class__.__name__ == {"adam": "Adam", "sgd": "SGD"}[optimizer]
    assert float(model.optimizer.learning_rate) == pytest.approx(rate)
    active = {name for name in tuning.RATE_NAMES.values() if hp.is_active(name)}
    assert active == {tuning.RATE_NAMES[optimizer]}


@pytest.mark.parametrize("blocks, dense", [(1, 1), (3, 4)])
def test_built_models_follow_their_hyperparameters(blocks, dense):
    hp = keras_tuner.HyperParameters()
    for name, value in (("conv_blocks", blocks), ("filters", 16), ("dense_layers", dense),
                        ("units", 192), ("optimizer", "sgd"), ("sgd_learning_rate", 1e-2)):
        hp.Fixed(name, value)
    model = tuning.CifarHyperModel().build(hp)
    convs = [layer for layer in model.layers if layer.name.endswith("_conv")]
    denses = [layer for layer in model.layers if layer.name.startswith("dense")]
    assert len(convs) == blocks and all(layer.filters == 16 for layer in convs)
    assert len(denses) == dense and all(layer.units == 192 for layer in denses)
    assert model.get_layer("flatten").output.shape[1] == (32 // 2 ** blocks) ** 2 * 16
    assert model.optimizer.__class__.__name__ == "SGD" and model.optimizer.nesterov


def blackbox_hyperband(tmp_path, max_epochs, factor):
    """A Hyperband search whose trials only record what they were asked to train."""

    class Recorder(keras_tuner.engine.base_tuner.BaseTuner):
        def run_trial(self, trial):
            hp = trial.hyperparameters
            x = hp.Float("x", 0, 1)
            return {"score": x * hp["tuner/epochs"]}

    space = keras_tuner.HyperParameters()
    space.Float("x", 0, 1)
    oracle = keras_tuner.oracles.HyperbandOracle(
        objective=keras_tuner.Objective("score", "max"), max_epochs=max_epochs,
        factor=factor, seed=1, hyperparameters=space)
    tuner = Recorder(oracle, directory=tmp_path, project_name="hb")
    tuner.search()
    return [t.hyperparameters.values for t in oracle.trials.values()]


@pytest.mark.parametrize("max_epochs, factor", [(9, 3), (6, 3), (27, 3), (10, 2)])
def test_hyperband_schedule_matches_keras_tuner(tmp_path, max_epochs, factor):
    trials = blackbox_hyperband(tmp_path, max_epochs, factor)
    schedule = tuning.hyperband_schedule(max_epochs, factor)
    for row in schedule:
        ran = [t for t in trials
               if t["tuner/bracket"] == row["bracket"] and t["tuner/round"] == row["round"]]
        assert len(ran) == row["models"], row
        assert {t["tuner/epochs"] for t in ran} == {row["epochs_to"]}
        assert {row["epochs_to"] - t["tuner/initial_epoch"] for t in ran} == {row["epochs_each"]}
    assert sum(row["models"] for row in schedule) == len(trials)


def test_hyperband_schedule_for_nine_epochs_by_hand():
    rows = [(r["bracket"], r["round"], r["models"], r["epochs_to"])
            for r in tuning.hyperband_schedule(9, 3)]
    assert rows == [(2, 0, 9, 1), (2, 1, 3, 3), (2, 2, 1, 9), (1, 0, 5, 3), (1, 1, 2, 9),
                    (0, 0, 3, 9)]
    assert sum(r["epochs"] for r in tuning.hyperband_schedule(9, 3)) == 9 + 6 + 6 + 15 + 12 + 27


@pytest.fixture(scope="module")
def small_data():
    train, _ = load_cifar10(profile="quick")
    rng = np.random.default_rng(0)
    index = rng.permutation(len(train))
    fit, validation = index[:160], index[160:240]
    return ((train.images[fit], train.labels[fit]),
            (train.images[validation], train.labels[validation]))


def test_budget_stops_random_search_and_metrics_survive_a_reload(tmp_path, small_data, capsys):
    (x, y), validation = small_data
    tuner = tuning.make_tuner("random", tuning.CifarHyperModel(batch_size=32), directory=tmp_path,
                              project_name="budget", max_epochs=2, epoch_budget=3)
    tuner.search(x, y, epochs=2, validation_data=validation, verbose=0)
    records = tuning.trial_records(tuner)
    assert len(records) == 2 and [r["epochs_trained"] for r in records] == [2, 2]
    assert all(0 <= r["val_accuracy"] <= 1 and r["seconds"] > 0 for r in records)
    assert "random trial 0001: validation accuracy" in capsys.readouterr().out
    epochs, seconds, best = tuning.best_so_far(records)
    assert epochs == [2, 4] and best[1] == max(r["val_accuracy"] for r in records)

    resumed = tuning.make_tuner("random", tuning.CifarHyperModel(batch_size=32),
                                directory=tmp_path, project_name="budget", max_epochs=2,
                                epoch_budget=3)
    resumed.search(x, y, epochs=2, validation_data=validation, verbose=0)
    assert tuning.trial_records(resumed) == records, "a reloaded search re-ran trials"


def test_unknown_tuner_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown tuner 'grid'"):
        tuning.make_tuner("grid", tuning.CifarHyperModel(), directory=tmp_path,
                          project_name="x", max_epochs=1)


def test_interrupted_search_resumes_with_the_interrupted_trial(tmp_path):
    assert tuning.run_interrupted_search(tmp_path, "resume", max_trials=3, stop_in_trial=2) == 3
    tuner = tuning.tiny_search_tuner(tmp_path, "resume", max_trials=3)
    before = tuning.trial_records(tuner)
    assert [r["status"] for r in before] == ["COMPLETED", "RUNNING"]
    train, _ = load_cifar10(profile="quick")
    tuner.search(train.images[:100], train.labels[:100], epochs=1, verbose=0,
                 validation_data=(train.images[100:150], train.labels[100:150]))
    after = tuning.trial_records(tuner)
    assert [r["status"] for r in after] == ["COMPLETED"] * 3
    assert after[0] == before[0], "the finished trial was run again"


def test_distributed_search_shares_one_oracle(tmp_path):
    ran = tuning.run_distributed_search(tmp_path, "distributed", workers=2, max_trials=4)
    assert ran["chief"] == []
    by_workers = ran["tuner0"] + ran["tuner1"]
    assert sorted(by_workers) == ["0", "1", "2", "3"], ran
    tuner = tuning.tiny_search_tuner(tmp_path, "distributed", max_trials=4)
    assert [r["status"] for r in tuning.trial_records(tuner)] == ["COMPLETED"] * 4


def test_augmentation_comes_first_and_acts_in_training_only(small_data):
    (x, _), _ = small_data
    record = {"conv_blocks": 2, "filters": 8, "dense_layers": 1, "units": 128,
              "optimizer": "adam", "learning_rate": 1e-3}
    flip = keras.layers.RandomFlip("horizontal", seed=0)
    plain = tuning.CifarHyperModel().build(tuning.fixed_hyperparameters(record))
    augmented = tuning.CifarHyperModel(augmentation=flip).build(tuning.fixed_hyperparameters(record))
    assert augmented.layers[1] is flip and plain.count_params() == augmented.count_params()
    for layer in plain.layers:
        augmented.get_layer(layer.name).set_weights(layer.get_weights())
    np.testing.assert_allclose(augmented.predict(x[:16], verbose=0), plain.predict(x[:16], verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_the_search_process_writes_its_trials_to_a_file(tmp_path):
    result = tmp_path / "result.json"
    assert tuning.main(["--directory", str(tmp_path / "search"), "--project", "p",
                        "--max-trials", "1", "--result-file", str(result)]) == 0
    assert tuning.read_result(result, "tiny") == ["0"]
    assert list(tmp_path.glob("*.partial")) == []
    with pytest.raises(RuntimeError, match="tuner0 exited without writing its trials"):
        tuning.read_result(tmp_path / "missing.json", "tuner0")

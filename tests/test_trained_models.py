"""dlbook.trained_models: a network is trained once per recipe, stored whole, and loaded after."""

import json

import keras
import numpy as np
import pytest

from dlbook import trained_models
from dlbook.data import DatasetError


def tiny_training(calls):
    def fit():
        calls.append(1)
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, name="out")])
        model.compile(optimizer="sgd", loss="mse")
        x = np.arange(12, dtype="float32").reshape(4, 3)
        history = model.fit(x, np.ones(4), epochs=2, verbose=0)
        return model, history.history, 1.5

    return fit


def test_a_recipe_trains_once_then_loads_the_same_network(tmp_path):
    calls = []
    recipe = {"seed": 3, "data": trained_models.array_fingerprint(np.ones((2, 2)))}
    first = trained_models.train_once(
        "tiny", recipe, tiny_training(calls), folder=tmp_path
    )
    second = trained_models.train_once(
        "tiny", recipe, tiny_training(calls), folder=tmp_path
    )
    assert len(calls) == 1 and not first.loaded and second.loaded
    x = np.random.default_rng(1).normal(size=(5, 3)).astype("float32")
    np.testing.assert_array_equal(
        first.model.predict(x, verbose=0), second.model.predict(x, verbose=0)
    )
    assert second.history == first.history and len(second.history["loss"]) == 2
    assert second.seconds == 1.5 and second.trained == first.trained
    assert "loaded from the cache" in second.origin() and "loaded" not in first.origin()
    assert not list(
        tmp_path.glob(".partial-*")
    ), "no half-written folder is left behind"


def test_any_change_to_the_recipe_trains_again(tmp_path):
    calls = []
    for recipe in ({"seed": 1}, {"seed": 2}, {"seed": 1, "data": "other"}, {"seed": 1}):
        trained_models.train_once("tiny", recipe, tiny_training(calls), folder=tmp_path)
    assert len(calls) == 3
    assert len(list(tmp_path.iterdir())) == 3


def test_without_the_cache_it_always_trains_and_stores_nothing(tmp_path):
    calls = []
    for _ in range(2):
        result = trained_models.train_once(
            "tiny", {"seed": 1}, tiny_training(calls), cache=False, folder=tmp_path
        )
        assert not result.loaded
    assert len(calls) == 2 and not list(tmp_path.iterdir())


def test_array_fingerprints_see_values_dtype_and_shape():
    a = np.zeros((2, 3), "float32")
    fingerprint = trained_models.array_fingerprint
    assert fingerprint(a) == fingerprint(a.copy())
    assert (
        len(
            {
                fingerprint(a),
                fingerprint(a.astype("float64")),
                fingerprint(a.reshape(3, 2)),
                fingerprint(a + np.eye(2, 3, dtype="float32")),
            }
        )
        == 4
    )


def test_a_recipe_must_be_json_and_arrays_are_refused(tmp_path):
    with pytest.raises(TypeError, match="array_fingerprint"):
        trained_models.train_once(
            "tiny", {"data": np.ones(3)}, tiny_training([]), folder=tmp_path
        )
    key = trained_models.recipe_key("improved net/1", {"seed": np.int64(4)})
    assert key.startswith("improved-net-1-") and len(key.rsplit("-", 1)[1]) == 16


def test_a_damaged_stored_network_says_what_to_delete(tmp_path):
    trained_models.train_once("tiny", {"seed": 1}, tiny_training([]), folder=tmp_path)
    (folder,) = tmp_path.iterdir()
    (folder / "model.keras").write_bytes(b"not a keras file")
    with pytest.raises(DatasetError, match="Delete that folder"):
        trained_models.train_once(
            "tiny", {"seed": 1}, tiny_training([]), folder=tmp_path
        )
    about = json.loads((folder / "about.json").read_text())
    assert about["recipe"] == {"seed": 1} and about["seconds"] == 1.5


def test_the_source_of_notebook_style_functions_is_part_of_a_recipe():
    def build():
        return 1

    assert "def build" in trained_models.source_of(build)

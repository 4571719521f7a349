"""The ``gpu`` profile, exercised on the CPU before a reader's Colab GPU meets it.

No notebook has been executed in the ``gpu`` profile here (no GPU), yet it is
what Colab with a GPU runs. These tests build every model the training
chapters build, at the ``gpu`` profile's sizes (image size, width, batch size),
and run one training step and one evaluation on random inputs of those shapes,
so that a wrong shape or a missing budget key fails here first.
"""

from __future__ import annotations

import ast
from pathlib import Path

import keras
import nbformat
import numpy as np
import pytest

from dlbook import inception, tuning
from dlbook.profiles import PROFILES

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
GPU = PROFILES["gpu"]


def code_cells(path: Path) -> list[str]:
    return [cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


def budget_keys(sources: list[str], notebook: str) -> set[str]:
    """The keys a notebook reads from its budget: ``budget["k"]`` and ``profile.budget("nb")["k"]``."""
    keys = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if not (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)):
                continue
            target = node.value
            is_budget = isinstance(target, ast.Name) and target.id == "budget"
            is_call = (isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute)
                       and target.func.attr == "budget" and target.args
                       and isinstance(target.args[0], ast.Constant) and target.args[0].value == notebook)
            if is_budget or is_call:
                keys.add(node.slice.value)
    return keys


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_profile_has_every_budget_key_a_notebook_reads(path):
    keys = budget_keys(code_cells(path), path.stem)
    for profile in PROFILES.values():
        if keys:
            missing = keys - set(profile.budget(path.stem))
            assert not missing, f"profile {profile.name!r} lacks {sorted(missing)} for {path.stem}"


def test_the_budget_key_finder_finds_both_forms():
    sources = ['budget = profile.budget("nb")\nx = budget["epochs"]', 'y = profile.budget("nb")["seeds"]',
               'z = other["not_a_budget"]']
    assert budget_keys(sources, "nb") == {"epochs", "seeds"}


def one_step(model: keras.Model, inputs: np.ndarray, labels: np.ndarray, batch_size: int) -> None:
    """One optimiser step on one batch, then one evaluation: shapes, loss and metrics all work."""
    before = [w.copy() for w in model.get_weights()]
    model.fit(inputs, labels, batch_size=batch_size, epochs=1, steps_per_epoch=1, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights())), "the step trained"
    loss, accuracy = model.evaluate(inputs, labels, batch_size=batch_size, verbose=0)
    assert np.isfinite(loss) and 0 <= accuracy <= 1


def random_images(count: int, size: int, channels: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (count, size, size, channels), dtype=np.uint8)


def test_inception_models_at_gpu_sizes():
    budget = GPU.budget("inception")
    images, labels = random_images(budget["batch_size"], 32, 3), np.arange(budget["batch_size"]) % 10
    ours = inception.small_inception_net(budget["width"])
    ours.compile(optimizer=inception.one_cycle_sgd(100, peak=budget["peak_learning_rate"]),
                 loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert ours.output_shape == (None, 10)
    one_step(ours, images, labels, budget["batch_size"])
    writeup = inception.writeup_inception_net()
    writeup.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                    metrics=["accuracy"])
    one_step(writeup, images[:64], labels[:64], 64)


def test_keras_tuner_search_space_at_gpu_sizes():
    """The search space's smallest and largest models, at the gpu profile's batch size."""
    import keras_tuner

    budget = GPU.budget("keras-tuner")
    hypermodel = tuning.CifarHyperModel()
    images, labels = random_images(budget["batch_size"], 32, 3), np.arange(budget["batch_size"]) % 10
    space = keras_tuner.HyperParameters()
    hypermodel.build(space)  # declares every hyperparameter with its default
    for pick in (min, max):  # every hyperparameter at its smallest, then at its largest
        chosen = keras_tuner.HyperParameters()
        for hp in space.space:
            chosen.Fixed(hp.name, pick(hp.values) if hasattr(hp, "values") else pick(hp.min_value, hp.max_value))
        model = hypermodel.build(chosen)
        assert model.output_shape == (None, 10)
        one_step(model, images, labels, budget["batch_size"])


def brain_definitions(budget) -> dict:
    """The brain chapter's model code, run from its own cells with the given budget.

    The Sequential and Functional models are defined in the notebook (they are
    the answer), so they are taken from there: the definitions of the names
    below, and nothing else of the cells they are in.
    """
    from keras import layers

    import dlbook
    from dlbook import cross_validation, evaluation

    wanted = {"SCAN_SIZE", "BATCH_SIZE", "MODEL_SIZE", "arrays", "sequential_model", "augmentation",
              "conv_block", "functional_model", "improved_model"}
    namespace = {"keras": keras, "layers": layers, "np": np, "dlbook": dlbook, "cv": cross_validation,
                 "evaluation": evaluation, "budget": budget}
    for source in code_cells(ROOT / "notebooks" / "brain-tumor-classifier.ipynb"):
        kept = [node for node in ast.parse(source).body
                if (isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in wanted)
                or (isinstance(node, ast.Assign) and any(isinstance(target, ast.Name) and target.id in wanted
                                                         for target in node.targets))]
        exec(compile(ast.Module(kept, type_ignores=[]), "brain-tumor-classifier", "exec"), namespace)
    missing = wanted - set(namespace)
    assert not missing, f"the brain chapter no longer defines {sorted(missing)}; update this test"
    return namespace


@pytest.mark.parametrize("model_name", ["sequential_model", "functional_model", "improved_model"])
def test_brain_models_at_gpu_sizes(model_name):
    budget = GPU.budget("brain-tumor-classifier")
    code = brain_definitions(budget)
    assert code["MODEL_SIZE"] == budget["model_size"]
    count = 32
    code["images"] = random_images(count, code["SCAN_SIZE"], 1)
    code["labels"] = np.arange(count) % 2
    model = code[model_name]()
    assert model.output_shape == (None, 1)
    assert any(layer.output.shape[1:3] == (budget["model_size"], budget["model_size"])
               for layer in model.layers if isinstance(layer, keras.layers.Resizing)), "resized to the gpu size"
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["accuracy"])
    pixels, truth = code["arrays"](code["images"], np.arange(count))
    model.fit(pixels, truth, batch_size=code["BATCH_SIZE"], epochs=1, verbose=0)
    loss, accuracy = model.evaluate(pixels, truth, verbose=0)
    assert np.isfinite(loss) and 0 <= accuracy <= 1

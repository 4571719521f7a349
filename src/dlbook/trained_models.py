"""Trained networks kept in the data cache, so that re-running a chapter reuses them.

A cross-validation trains dozens of networks: the brain-tumour chapter
trains 29, about two hours on two CPU cores. When a later cell of the
chapter changes (a table, a control, a figure), nothing about those
networks changes, and training them again would only cost time and, since
training is not bit-reproducible across machines, move every number on the
page a little. :func:`train_once` trains a network once and stores it; a
later run of the same training, with everything that decides it unchanged,
loads it instead.

What decides a training is the caller's ``recipe``: a JSON-able mapping
that names everything its training function reads (the network, the
budget, the seed, fingerprints of the arrays it trains on, made by
:func:`array_fingerprint`, and the source of the functions that build and
train it). Keras' version and backend are added, so another stack trains
again. A stored network keeps its history, its training time, and when and
on what processor it was trained, which the chapter prints, so a page never
passes off a loaded network's time as this run's.

Stored networks live in ``$DLBOOK_DATA_DIR/trained/``: delete a folder
there, or all of it, to train again.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from dlbook.data import DatasetError, data_dir, shown_path
from dlbook.hardware import cpu_model, gpu_name

CACHE_FOLDER = "trained"


def array_fingerprint(*arrays: np.ndarray) -> str:
    """SHA-256 of the arrays' dtypes, shapes and bytes: equal only for equal arrays."""
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def source_of(*functions: Callable) -> str:
    """The source code of ``functions`` (each as written, in a notebook cell or a module), joined:
    part of a recipe, so that editing how a network is built or trained trains it again.
    """
    return "\n".join(inspect.getsource(function) for function in functions)


@dataclass
class Trained:
    """A network, its Keras history, the seconds its training took, and where it came from."""

    model: Any
    history: dict[str, list[float]]
    seconds: float
    loaded: bool
    trained: str  # when and on what hardware, for instance "2026-12-07 12:40 UTC on AMD EPYC (2 cores)"

    def origin(self) -> str:
        """A few words for a page: how this network came to be here."""
        return (
            f"loaded from the cache, trained {self.trained}"
            if self.loaded
            else f"trained {self.trained}"
        )


def recipe_key(name: str, recipe: Mapping[str, Any]) -> str:
    """The folder name of a stored network: ``name`` and 16 hex digits of the recipe's hash."""
    import keras

    described = {
        "recipe": recipe,
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
    }
    try:
        text = json.dumps(described, sort_keys=True, default=_not_json)
    except TypeError as error:
        raise TypeError(
            f"a recipe must be JSON-able (numbers, strings, lists, mappings): {error}"
        ) from None
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)
    return f"{safe}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def _not_json(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        raise TypeError("put array_fingerprint(array) in the recipe, not the array")
    raise TypeError(f"{type(value).__name__} is not JSON-able")


def _hardware() -> str:
    gpu = gpu_name()
    return f"{cpu_model()}" + (f" with {gpu}" if gpu else "")


def train_once(
    name: str,
    recipe: Mapping[str, Any],
    train: Callable[[], tuple[Any, Mapping, float]],
    *,
    cache: bool = True,
    folder: Path | None = None,
) -> Trained:
    """Load the network ``recipe`` describes from the cache, or train it with ``train()`` and store it.

    ``train`` returns ``(model, history, seconds)``. With ``cache=False`` it
    is simply called (the book's quick profile caches nothing). ``folder``
    defaults to ``$DLBOOK_DATA_DIR/trained``. A network is stored whole or
    not at all (written to a temporary folder, then renamed).
    """
    if not cache:
        model, history, seconds = train()
        return Trained(
            model, _plain_history(history), float(seconds), False, _now_and_hardware()
        )
    import keras

    root = Path(folder) if folder is not None else data_dir() / CACHE_FOLDER
    target = root / recipe_key(name, recipe)
    if target.is_dir():
        try:
            about = json.loads((target / "about.json").read_text(encoding="utf-8"))
            model = keras.models.load_model(target / "model.keras")
        except Exception as error:  # a damaged entry: say what to delete, do not guess
            raise DatasetError(
                f"the stored network {shown_path(target)} cannot be read ({type(error).__name__}: {error}). "
                "Delete that folder and run the cell again to train it anew."
            ) from error
        return Trained(
            model, about["history"], about["seconds"], True, about["trained"]
        )
    model, history, seconds = train()
    trained = Trained(
        model, _plain_history(history), float(seconds), False, _now_and_hardware()
    )
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=root, prefix=".partial-"))
    try:
        model.save(staging / "model.keras")
        about = {
            "name": name,
            "recipe": recipe,
            "history": trained.history,
            "seconds": trained.seconds,
            "trained": trained.trained,
        }
        (staging / "about.json").write_text(
            json.dumps(about, sort_keys=True, default=_not_json, indent=1),
            encoding="utf-8",
        )
        os.chmod(staging, 0o755)  # mkdtemp makes it private; the cache's other folders are not
        os.replace(staging, target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if (
            not target.is_dir()
        ):  # else another run stored the same network first: keep theirs
            raise
    return trained


def _plain_history(history: Mapping) -> dict[str, list[float]]:
    return {key: [float(v) for v in values] for key, values in history.items()}


def _now_and_hardware() -> str:
    return f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {_hardware()}"

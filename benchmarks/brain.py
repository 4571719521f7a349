"""Levers the brain chapter does not train, measured with the chapter's own code.

    DLBOOK_PROFILE=cpu python benchmarks/brain.py --save benchmarks/results/brain-levers.json
    make bench-brain ARGS="--save benchmarks/results/brain-levers.json"
        (the chapter's table of levers is the run saved to benchmarks/results/brain-levers.json)

The chapter (notebooks/brain-tumor-classifier.ipynb) fixes its recipe in
advance and cross-validates it over five folds of distinct scans. This script
runs the chapter's code cells up to its training (the data, the three-signal
grouping, the folds, both framings, the networks, ``train`` and
``cross_validate``) in one namespace, their printouts and figures discarded,
and then cross-validates the chapter's improved network on cropped-and-padded
scans over the same folds, from the same training seeds (``--seeds``):

* ``reference``: as the chapter trains it (96 px in ``cpu``);
* ``128 px``: at the loader's full 128 px, (128/96)^2 = 1.8 times the pixels;
* ``MRI shading``: with a smooth random brightness field added to its
  augmentation (``dlbook.intensity_field.RandomIntensityField``, strength 0.3).

Each network is scored as the chapter scores one: per scan, with flip
test-time augmentation, at thresholds chosen on each fold's validation scans.
Prints, per lever, scan accuracy and AUC with 95% bootstrap intervals over
scans, precision, training time and images per second, and its paired
difference from the reference over the same scans (95% paired bootstrap
interval). A lever helps at this budget only where that whole interval lies
above zero; the interval resamples scans, not trainings, so it leaves out
training noise (the chapter measures how much).

The networks are cached apart from the chapter's, in
``$DLBOOK_DATA_DIR/trained-benchmarks``: the chapter's augmentation layers are
shared by all its networks, so a network's random draws depend on the networks
trained before it in the same process, which a cache key cannot see. The
reference, trained first here, is therefore not the chapter's own seed-0
network, though its recipe is.

A benchmark, not a test: about half an hour of two CPU cores in ``cpu`` (32
minutes on a 2-core AMD EPYC).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import functools
import io
import json
import linecache
import os
import time
import types
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "brain-tumor-classifier.ipynb"
TRAINING_CELL = "ae81e0e5"  # defines train and cross_validate, then trains the chapter's networks
SCORING_CELLS = ("1f3c316b", "dca532a6")  # summarise (fold thresholds) and paired_difference
LEVERS = ("reference", "128 px", "MRI shading")
CACHE_FOLDER = "trained-benchmarks"  # beside the chapter's "trained", never mixed with it
SHADING = 0.3


def chapter_namespace() -> dict:
    """The chapter's names after its cells up to its training, and its training and scoring functions.

    Whole cells run until the training cell; of that cell and the scoring cells only the
    function definitions run. Each cell is registered with ``linecache`` under its id, so
    ``inspect.getsource`` (which the cache's recipes use) sees exactly the chapter's text.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    namespace: dict = {"__name__": "brain_chapter"}
    reached_training = False
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        name = f"<brain-tumor-classifier cell {cell['id']}>"
        linecache.cache[name] = (len(source), None, source.splitlines(True), name)
        tree = ast.parse(source)
        if cell["id"] == TRAINING_CELL:
            reached_training = True
        if reached_training:
            if cell["id"] not in (TRAINING_CELL, *SCORING_CELLS):
                continue
            tree.body = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(tree, name, "exec"), namespace)
        plt.close("all")
    missing = {"train", "cross_validate", "summarise", "paired_difference"} - set(namespace)
    if missing:
        raise SystemExit(f"the brain chapter no longer defines {sorted(missing)}; update {__file__}")
    # The chapter's `train` stores and loads networks through `trained_models`: send the
    # script's to their own folder.
    from dlbook import trained_models
    from dlbook.data import data_dir

    namespace["trained_models"] = types.SimpleNamespace(
        source_of=trained_models.source_of,
        array_fingerprint=trained_models.array_fingerprint,
        train_once=functools.partial(trained_models.train_once, folder=data_dir() / CACHE_FOLDER),
    )
    return namespace


@contextlib.contextmanager
def lever_applied(chapter: dict, lever: str):
    """The chapter's globals changed for one lever, and restored after it."""
    import keras

    from dlbook.intensity_field import RandomIntensityField

    saved = {key: chapter[key] for key in ("MODEL_SIZE", "augmentation")}
    # The chapter's augmentation layers, new (the chapter's own are built for its size).
    layers = [type(layer).from_config(layer.get_config()) for layer in saved["augmentation"].layers]
    if lever == "128 px":
        chapter["MODEL_SIZE"] = chapter["SCAN_SIZE"]
        chapter["augmentation"] = keras.Sequential(layers, name="augmentation")
    elif lever == "MRI shading":
        shading = RandomIntensityField(SHADING, seed=chapter["dlbook"].seed(5), name="shading")
        chapter["augmentation"] = keras.Sequential([*layers, shading], name="augmentation")
    elif lever != "reference":
        raise ValueError(f"unknown lever {lever!r}: one of {', '.join(LEVERS)}")
    try:
        yield
    finally:
        chapter.update(saved)


def measure(chapter: dict, levers: list[str], seeds: list[int]) -> dict:
    """Cross-validate every lever from every seed; scores, intervals and paired differences."""
    runs = {}
    for lever in levers:
        for seed in seeds:
            print(f"{lever}, seed {seed}", flush=True)
            with lever_applied(chapter, lever):
                started = time.perf_counter()
                run = chapter["cross_validate"](chapter["improved_model"], chapter["framed_images"], seed=seed)
                run["wall seconds"] = time.perf_counter() - started
            runs[(lever, seed)] = run
    outcomes = {key: chapter["summarise"](run, "tta") for key, run in runs.items()}
    chapter["outcomes"] = outcomes  # what the chapter's paired_difference reads
    budget, labels = chapter["budget"], chapter["labels"]
    # Training images seen per second: each fold's training part (as cross_validate cuts it),
    # for the schedule's epochs.
    folds, groups, cv = chapter["folds"], chapter["groups"], chapter["cv"]
    train_files = sum(
        len(cv.grouped_holdout(np.nonzero(folds != fold)[0], labels, groups, budget["validation_fraction"],
                               seed=fold)[0])
        for fold in range(budget["folds"])
    )
    rows = []
    for (lever, seed), run in runs.items():
        o = outcomes[(lever, seed)]
        row = {
            "lever": lever,
            "seed": seed,
            "model_size": chapter["SCAN_SIZE"] if lever == "128 px" else chapter["MODEL_SIZE"],
            "scan_accuracy": float(o["scan accuracy"]),
            "scan_accuracy_interval": [float(x) for x in o["scan accuracy interval"]],
            "scan_auc": float(o["scan AUC"]),
            "scan_auc_interval": [float(x) for x in o["scan AUC interval"]],
            "precision": float(o["precision"]),
            "training_seconds": float(run["seconds"]),
            "images_per_second": train_files * budget["epochs"] / max(run["seconds"], 1e-9),
        }
        if lever != "reference" and ("reference", seed) in runs:
            accuracy, (low, high), auc, (auc_low, auc_high) = chapter["paired_difference"](
                (lever, seed), ("reference", seed))
            row["minus_reference"] = {
                "scan_accuracy": float(accuracy), "scan_accuracy_interval": [float(low), float(high)],
                "scan_auc": float(auc), "scan_auc_interval": [float(auc_low), float(auc_high)],
            }
        rows.append(row)
    from dlbook import hardware

    return {
        "profile": chapter["profile"].name,
        "files": int(len(labels)),
        "scans": int(len(chapter["scan_labels"])),
        "folds": int(budget["folds"]),
        "epochs": int(budget["epochs"]),
        "shading_strength": SHADING,
        "hardware": f"{hardware.cpu_model()}",
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "rows": rows,
    }


def lever_table(record: dict) -> str:
    """The run as the Markdown table the chapter shows."""
    from dlbook.display import markdown_table

    def span(low_high, percent):
        low, high = low_high
        return f"{low:.1%}–{high:.1%}" if percent else f"{low:.3f}–{high:.3f}"

    def signed(value, low_high, percent):
        if percent:
            return f"{value * 100:+.1f} points ({low_high[0] * 100:+.1f} to {low_high[1] * 100:+.1f})"
        return f"{value:+.3f} ({low_high[0]:+.3f} to {low_high[1]:+.3f})"

    rows = []
    for row in record["rows"]:
        difference = row.get("minus_reference")
        rows.append([
            f"{row['lever']} ({row['model_size']} px)" if row["lever"] != "128 px" else row["lever"],
            row["seed"],
            f"{row['scan_accuracy']:.1%} ({span(row['scan_accuracy_interval'], True)})",
            f"{row['scan_auc']:.3f} ({span(row['scan_auc_interval'], False)})",
            f"{row['precision']:.1%}",
            f"{row['training_seconds'] / 60:.0f} min, {row['images_per_second']:.0f} images/s",
            signed(difference["scan_accuracy"], difference["scan_accuracy_interval"], True)
            if difference else "",
            signed(difference["scan_auc"], difference["scan_auc_interval"], False) if difference else "",
        ])
    return markdown_table(
        ["network (cropped and padded, flip TTA)", "seed", "scan accuracy (95% interval)",
         "scan AUC (95% interval)", "precision", f"training, {record['folds']} folds",
         "accuracy − reference (95% paired interval)", "AUC − reference (95% paired interval)"],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levers", nargs="+", default=list(LEVERS), choices=LEVERS,
                        help="which networks to cross-validate (default: all three)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0],
                        help="training seeds, as the chapter's (default: 0)")
    parser.add_argument("--save", default=None, help="write the run to this JSON file")
    arguments = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    started = time.perf_counter()
    chapter = chapter_namespace()
    print(f"the chapter's data, grouping and folds: {len(chapter['scan_labels'])} scans in"
          f" {chapter['budget']['folds']} folds ({time.perf_counter() - started:.0f} s)", flush=True)
    record = measure(chapter, arguments.levers, arguments.seeds)
    record["wall_seconds"] = time.perf_counter() - started
    print(lever_table(record))
    print(f"{record['wall_seconds'] / 60:.0f} minutes in all on {record['hardware']}")
    if arguments.save:
        Path(arguments.save).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""The benchmark scripts run end to end (in the quick profile, on generated data)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dlbook import inception

ROOT = Path(__file__).resolve().parent.parent


def _run(*arguments: str, script: str = "inception.py") -> list[str]:
    env = {**os.environ, "DLBOOK_PROFILE": "quick"}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *arguments],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.splitlines()


def test_inception_benchmark_prints_speed_both_accuracies_and_their_ratio():
    lines = _run("--epochs", "1", "--train-images", "200")
    for name in ("ours:", "write-up:"):
        line = next(line for line in lines if line.strip().startswith(name))
        assert "images/s" in line and "test accuracy" in line and "with flip TTA" in line
    assert any(line.startswith("ratio ours / write-up:") for line in lines)


# Two variants beside ours, on different code paths (another optimizer; weight decay on BN too):
# tests/test_inception.py builds every variant and checks that it undoes what its name says.
SOME_VARIANTS = ("weight decay 5e-4, BN decayed too", "Adam 1e-3, constant rate")


def test_inception_ablation_prints_one_row_per_variant(tmp_path):
    saved = tmp_path / "ablation.json"
    lines = _run("--ablation", "--epochs", "1", "--train-images", "200", "--seeds", "0",
                 "--save", str(saved), "--variants", *SOME_VARIANTS)
    rows = [line for line in lines if line.split("  ")[0].strip() in inception.ABLATIONS]
    expected = [name for name in inception.ABLATIONS if name == "ours" or name in SOME_VARIANTS]
    assert [row.split("  ")[0].strip() for row in rows] == expected
    assert all("%" in row for row in rows)
    assert "+0.0 (+0.0 to +0.0)" in rows[0], "ours against itself, seed by seed"
    header = next(line for line in lines if "training images" in line)
    assert "200 training images (20 to 20 per class)" in header, "a subset takes every class alike"
    record = json.loads(saved.read_text())
    assert [row["variant"] for row in record["rows"]] == expected
    table = _ablation_table(record)
    assert table in "\n".join(lines), "the saved run prints the chapter's table"


def _ablation_table(record):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from inception import ablation_table  # noqa: PLC0415 (benchmarks/ is not a package)
    finally:
        sys.path.pop(0)
    return ablation_table(record)


STORED_ABLATION = ROOT / "benchmarks" / "results" / "inception-ablation.json"


def test_the_chapter_shows_the_stored_ablation_run():
    import pytest

    if not STORED_ABLATION.exists():
        pytest.skip("no stored ablation run yet")
    import nbformat

    notebook = nbformat.read(ROOT / "notebooks" / "inception.ipynb", as_version=4)
    table = _ablation_table(json.loads(STORED_ABLATION.read_text()))
    assert any(table in cell.source for cell in notebook.cells if cell.cell_type == "markdown"), \
        "the chapter's ablation table must be the stored run's (benchmarks/inception.py --ablation --save)"


def test_plain_cnn_benchmark_prints_both_networks_in_the_same_time():
    lines = _run("--plain-cnn", "--epochs", "1", "--train-images", "200")
    for name in ("ours:", "plain CNN:"):
        line = next(line for line in lines if line.strip().startswith(name))
        assert "images/s" in line and "test accuracy with flip TTA" in line


def _benchmark_function(script: str, name: str):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        module = __import__(script)
    finally:
        sys.path.pop(0)
    return getattr(module, name)


def test_brain_levers_run_the_chapters_code_and_print_paired_differences(tmp_path):
    saved = tmp_path / "levers.json"
    lines = _run("--save", str(saved), script="brain.py")
    record = json.loads(saved.read_text())
    assert [row["lever"] for row in record["rows"]] == ["reference", "128 px", "MRI shading"]
    reference, larger, shaded = record["rows"]
    assert reference["model_size"] == shaded["model_size"] == 64 and larger["model_size"] == 128, \
        "the quick profile's 64 px against the loader's 128"
    assert "minus_reference" not in reference
    for row in (larger, shaded):
        low, high = row["minus_reference"]["scan_accuracy_interval"]
        assert low <= row["minus_reference"]["scan_accuracy"] <= high
        assert 0 <= row["scan_accuracy"] <= 1 and row["images_per_second"] > 0
    assert record["scans"] == 72 and record["folds"] == 2, "the chapter's quick grouping and folds"
    assert _benchmark_function("brain", "lever_table")(record) in "\n".join(lines)


STORED_LEVERS = ROOT / "benchmarks" / "results" / "brain-levers.json"


def test_the_brain_chapter_shows_the_stored_lever_run():
    import pytest

    if not STORED_LEVERS.exists():
        pytest.skip("no stored lever run yet")
    import nbformat

    notebook = nbformat.read(ROOT / "notebooks" / "brain-tumor-classifier.ipynb", as_version=4)
    table = _benchmark_function("brain", "lever_table")(json.loads(STORED_LEVERS.read_text()))
    assert any(table in cell.source for cell in notebook.cells if cell.cell_type == "markdown"), \
        "the chapter's table of levers must be the stored run's (benchmarks/brain.py --save)"


def test_the_brain_chapter_quotes_the_stored_levers_differences():
    import pytest

    if not STORED_LEVERS.exists():
        pytest.skip("no stored lever run yet")
    import nbformat

    notebook = nbformat.read(ROOT / "notebooks" / "brain-tumor-classifier.ipynb", as_version=4)
    prose = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    for row in json.loads(STORED_LEVERS.read_text())["rows"]:
        difference = row.get("minus_reference")
        if not difference:
            continue
        low, high = (f"{x * 100:+.1f}".replace("-", "−") for x in difference["scan_accuracy_interval"])
        quoted = f"{difference['scan_accuracy'] * 100:+.1f}".replace("-", "−")
        auc_low, auc_high = (f"{x:+.3f}".replace("-", "−") for x in difference["scan_auc_interval"])
        auc = f"{abs(difference['scan_auc']):.3f}"
        assert f"({auc_low} to {auc_high})" in prose and auc in prose, (row["lever"], "AUC")
        assert f"{quoted} points ({low} to {high})" in prose \
            or f"{abs(difference['scan_accuracy']) * 100:.1f} points ({low} to {high})" in prose, \
            (row["lever"], "accuracy")

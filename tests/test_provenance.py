"""Provenance records, the freshness of stored outputs, and the executor behind `make execute`."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import dlbook
from booktools import execute, freshness
from dlbook import provenance


def test_code_hash_ignores_trailing_whitespace_but_not_code():
    base = freshness.code_hash(["x = 1\ny = 2", "print(x)"])
    assert freshness.code_hash(["x = 1   \ny = 2\n\n", "print(x)  "]) == base
    assert freshness.code_hash(["x = 1\ny = 3", "print(x)"]) != base
    assert freshness.code_hash(["x = 1", "y = 2\nprint(x)"]) != base, "cell boundaries count"


def test_code_hash_ignores_formatting_and_comments_but_not_what_runs():
    base = freshness.code_hash(["f(a, 'b', c=[1, 2])  # call\n%matplotlib inline"])
    black_style = 'f(\n    a,\n    "b",\n    c=[\n        1,\n        2,\n    ],\n)\n%matplotlib inline'
    assert freshness.code_hash([black_style]) == base
    assert freshness.code_hash(["# a new comment\nf(a, 'b', c=[1, 2])\n%matplotlib inline"]) == base
    assert freshness.code_hash(["f(a, 'B', c=[1, 2])\n%matplotlib inline"]) != base, "a string"
    assert freshness.code_hash(["f(a, 'b', c=[1, 2])\n%matplotlib notebook"]) != base, "a magic"
    assert freshness.code_hash(["f(a, 'b', c=[2, 1])\n%matplotlib inline"]) != base
    docstring = freshness.code_hash(['def g():\n    """One line,\n    two lines."""\n    return 1'])
    assert freshness.code_hash(['def g():\n    """One line,\n    two lines.\n    """\n\n    return 1']) == docstring
    assert freshness.code_hash(['def g():\n    """One\n    line, two lines."""\n    return 1']) == docstring
    assert freshness.code_hash(['def g():\n    """One line, three."""\n    return 1']) != docstring
    assert freshness.code_hash(["def f(:\n  pass"]) != freshness.code_hash(["def f(:\n    pass"]), \
        "a cell that does not parse counts as written"


def test_notebook_code_hash_skips_markdown():
    notebook = new_notebook(cells=[new_markdown_cell("# A"), new_code_cell("a = 1")])
    edited = new_notebook(cells=[new_markdown_cell("# B, reworded"), new_code_cell("a = 1")])
    assert freshness.notebook_code_hash(notebook) == freshness.notebook_code_hash(edited)


def test_record_needs_start(monkeypatch):
    monkeypatch.setitem(provenance._state, "started", None)
    with pytest.raises(RuntimeError, match="dlbook.start"):
        provenance.record()


def test_record_and_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    monkeypatch.setenv(provenance.PROVENANCE_FILE_VAR, str(tmp_path / "p.json"))
    monkeypatch.setenv(provenance.CODE_HASH_VAR, "ab" * 32)
    profile = dlbook.start("demo")
    assert profile.name == "quick"
    dlbook.load_br35h(16, quick_per_class=2)
    dlbook.show_provenance()
    rec = json.loads((tmp_path / "p.json").read_text())
    assert rec["notebook"] == "demo" and rec["profile"] == "quick"
    assert rec["data"]["Br35H stand-in"]["count"] == 4
    assert rec["code_sha256"] == "ab" * 32
    assert {"python", "keras", "tensorflow", "numpy", "dlbook"} <= rec["versions"].keys()
    assert "cores" in rec["hardware"]["cpu"]
    shown = capsys.readouterr().out
    assert "| profile | `quick` |" in shown and "`abababababababab`" in shown


def test_start_rejects_unknown_profile(monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "turbo")
    with pytest.raises(ValueError, match="Valid profiles"):
        dlbook.start("demo")


def write_notebook(path, last_cell="dlbook.show_provenance()"):
    cells = [
        new_code_cell('import dlbook\nprofile = dlbook.start("tiny")'),
        new_code_cell("print(6 * 7)"),
    ]
    if last_cell:
        cells.append(new_code_cell(last_cell))
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}}), path)


def test_executor_stores_outputs_and_provenance(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    path = tmp_path / "tiny.ipynb"
    write_notebook(path)
    assert execute.main(["--allow-quick", str(path)]) == 0
    notebook = nbformat.read(path, as_version=4)
    assert notebook.cells[1].outputs[0]["text"] == "42\n"
    rec = notebook.metadata["dlbook"]["provenance"]
    assert rec["code_sha256"] == freshness.notebook_code_hash(notebook)
    assert rec["profile"] == "quick" and rec["notebook"] == "tiny"
    assert rec["execution_wall_time_s"] >= rec["wall_time_s"] >= 0
    assert notebook.metadata["dlbook"]["timings"] == {"quick": freshness.timing_of(rec)}


def test_time_only_records_the_time_and_keeps_outputs(tmp_path, monkeypatch):
    path = tmp_path / "tiny.ipynb"
    write_notebook(path)
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    assert execute.main(["--allow-quick", str(path)]) == 0
    stored = nbformat.read(path, as_version=4)
    stored.metadata["dlbook"]["timings"]["cpu"] = {"wall_time_s": 99.0, "hardware": {}, "date": "d", "code_sha256": "c"}
    stored.cells[1].outputs[0]["text"] = "the stored output\n"
    nbformat.write(stored, path)

    assert execute.main(["--time-only", str(path)]) == 0, "quick is allowed when only timing"
    timed = nbformat.read(path, as_version=4)
    assert timed.cells[1].outputs[0]["text"] == "the stored output\n", "outputs are kept"
    assert timed.metadata["dlbook"]["provenance"] == stored.metadata["dlbook"]["provenance"]
    timings = timed.metadata["dlbook"]["timings"]
    assert timings["cpu"]["wall_time_s"] == 99.0, "other profiles' timings are kept"
    assert timings["quick"]["code_sha256"] == freshness.notebook_code_hash(timed)
    assert timings["quick"]["date"] >= stored.metadata["dlbook"]["timings"]["quick"]["date"]
    assert set(timings["quick"]) == set(freshness.TIMING_KEYS)


def test_executor_refuses_quick_for_stored_outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    with pytest.raises(SystemExit):
        execute.main([str(tmp_path / "x.ipynb")])


def test_executor_keeps_the_notebook_when_a_cell_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    path = tmp_path / "broken.ipynb"
    write_notebook(path, last_cell="raise RuntimeError('boom')")
    before = path.read_bytes()
    with pytest.raises(Exception, match="boom"):
        execute.main(["--allow-quick", str(path)])
    assert path.read_bytes() == before


def test_executor_requires_the_provenance_cell(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    path = tmp_path / "no-provenance.ipynb"
    write_notebook(path, last_cell=None)
    with pytest.raises(RuntimeError, match="show_provenance"):
        execute.main(["--allow-quick", str(path)])


# --- what of dlbook a notebook's outputs depend on ----------------------------------------------

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BOOK_NOTEBOOKS = {path.stem: nbformat.read(path, as_version=4) for path in sorted((ROOT / "notebooks").glob("*.ipynb"))}


def test_dependencies_follow_imports_through_the_package():
    found = freshness.dlbook_dependencies(["from dlbook import tuning\nimport numpy as np"])
    assert "dlbook.tuning" in found and "dlbook" in found, "the package's __init__ runs on every import"
    assert {"dlbook.data", "dlbook.splits"} <= set(found), "tuning imports them (inside a function too)"
    assert "dlbook.inception" not in found and "numpy" not in found
    assert freshness.dlbook_dependencies(["from dlbook.layers import AddCoords"]) == sorted(
        set(freshness.dlbook_dependencies(["import dlbook"])) | {"dlbook.layers"})
    assert freshness.dlbook_dependencies(["%matplotlib inline"]) == [], "cells Python cannot parse are skipped"


def test_code_hash_ignores_where_colab_installs_dlbook_from():
    cell = 'source = "git+https://github.com/{}@{}"\nimport dlbook'
    assert freshness.code_hash([cell.format("your-org/book", "main")]) == freshness.code_hash(
        [cell.format("someone/else", "v1.2.0")])


@pytest.fixture
def package_copy(tmp_path) -> Path:
    copy = tmp_path / "dlbook"
    shutil.copytree(freshness.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def stale_notebooks(package_dir: Path) -> dict[str, list[str]]:
    """Notebook -> why its outputs would be stale if dlbook were ``package_dir``."""
    recorded = {name: freshness.source_record(notebook) for name, notebook in BOOK_NOTEBOOKS.items()}
    return {name: reasons for name, notebook in BOOK_NOTEBOOKS.items()
            if (reasons := freshness.stale_because(recorded[name], notebook, package_dir))}


def test_editing_a_helper_flags_exactly_the_notebooks_that_use_it(package_copy):
    assert stale_notebooks(package_copy) == {}, "an identical copy changes nothing"
    users = {name for name, notebook in BOOK_NOTEBOOKS.items()
             if "dlbook.tuning" in freshness.dlbook_fingerprint(notebook)["dlbook_modules"]}
    assert users == {"keras-tuner"}

    with (package_copy / "tuning.py").open("a", encoding="utf-8") as module:
        module.write("\n\ndef another_helper():\n    return 1\n")
    assert stale_notebooks(package_copy) == {"keras-tuner": ["dlbook source changed: dlbook.tuning"]}


def test_editing_a_module_every_notebook_runs_flags_them_all(package_copy):
    display = package_copy / "display.py"
    display.write_text(display.read_text(encoding="utf-8").replace('"\\\\|"', '"\\\\u007c"'), encoding="utf-8")
    assert set(stale_notebooks(package_copy)) == set(BOOK_NOTEBOOKS)


def test_a_module_no_notebook_runs_flags_none(package_copy):
    (package_copy / "scratch.py").write_text("def helper():\n    return 1\n", encoding="utf-8")
    assert stale_notebooks(package_copy) == {}


def test_executor_records_the_dlbook_source(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    path = tmp_path / "tiny.ipynb"
    write_notebook(path)
    execute.main(["--allow-quick", str(path)])
    notebook = nbformat.read(path, as_version=4)
    record = notebook.metadata["dlbook"]["provenance"]
    assert record["dlbook_modules"] == freshness.dlbook_fingerprint(notebook, profile="quick")["dlbook_modules"]
    assert "dlbook.provenance" in record["dlbook_modules"] and record["seed_offset"] == 0
    assert freshness.stale_because(record, notebook) == []
    assert notebook.metadata["dlbook"]["timings"]["quick"]["dlbook_sha256"] == record["dlbook_sha256"]


def edit_own_file_cell(change: str) -> str:
    """A cell that edits the notebook's own file while the executor runs it."""
    return ("import nbformat\n"
            "nb = nbformat.read('tiny.ipynb', as_version=4)\n"
            f"{change}\n"
            "nbformat.write(nb, 'tiny.ipynb')")


def test_executor_refuses_outputs_of_code_edited_while_it_ran(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    path = tmp_path / "tiny.ipynb"
    write_notebook(path)
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(1, new_code_cell(edit_own_file_cell("nb.cells[2].source = 'print(6 * 8)'")))
    nbformat.write(notebook, path)
    with pytest.raises(RuntimeError, match="code cells changed"):
        execute.main(["--allow-quick", str(path)])
    assert nbformat.read(path, as_version=4).cells[2].source == "print(6 * 8)", "the edit is kept, not overwritten"


def test_executor_keeps_prose_edited_while_it_ran(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    path = tmp_path / "tiny.ipynb"
    write_notebook(path)
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(1, new_markdown_cell("Draft."))
    notebook.cells.insert(2, new_code_cell(edit_own_file_cell("nb.cells[1].source = 'Reworded.'")))
    nbformat.write(notebook, path)
    execute.main(["--allow-quick", str(path)])
    stored = nbformat.read(path, as_version=4)
    assert stored.cells[1].source == "Reworded." and stored.cells[3].outputs[0]["text"] == "42\n"


def test_seed_offset(monkeypatch):
    monkeypatch.delenv("DLBOOK_SEED_OFFSET", raising=False)
    assert dlbook.seed(3) == 3
    monkeypatch.setenv("DLBOOK_SEED_OFFSET", "10")
    assert dlbook.seed(3) == 13 and dlbook.seed() == 10
    for bad in ("one", "-1", "1.5"):
        monkeypatch.setenv("DLBOOK_SEED_OFFSET", bad)
        with pytest.raises(ValueError, match="DLBOOK_SEED_OFFSET"):
            dlbook.start("demo")


def test_executor_refuses_a_seed_offset_for_stored_outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "cpu")
    monkeypatch.setenv("DLBOOK_SEED_OFFSET", "1")
    with pytest.raises(SystemExit):
        execute.main([str(tmp_path / "x.ipynb")])


def test_editing_one_chapters_budget_flags_that_chapter_only(package_copy):
    profiles = package_copy / "profiles.py"
    text = profiles.read_text(encoding="utf-8")
    edited = text.replace('"why-convolutions": {"seeds": (0,),', '"why-convolutions": {"seeds": (0, 1),', 1)
    assert edited != text
    profiles.write_text(edited, encoding="utf-8")
    assert stale_notebooks(package_copy) == {"why-convolutions": ["dlbook source changed: dlbook.profiles"]}


def test_editing_profiles_outside_the_budgets_flags_every_chapter(package_copy):
    profiles = package_copy / "profiles.py"
    text = profiles.read_text(encoding="utf-8")
    profiles.write_text(text.replace('"real data, budgets that finish on a 2-core CPU"',
                                     '"real data, budgets for a 2-core CPU"'), encoding="utf-8")
    assert set(stale_notebooks(package_copy)) == set(BOOK_NOTEBOOKS)


def test_executor_stores_the_results_a_notebook_records(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    path = tmp_path / "tiny.ipynb"
    write_notebook(path)
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(-1, nbformat.v4.new_code_cell(
        "from dlbook.fold_record import record_folds\nfrom dlbook.results import record_results\n"
        "record_results(test_accuracy=0.75, images_per_second=640)\n"
        "record_folds(['a.jpg', 'b.jpg'], [0, 1], [5, 6])"))
    notebook.metadata.setdefault("dlbook", {})["results"] = {"stale": 1.0}
    nbformat.write(notebook, path)
    execute.main(["--allow-quick", str(path)])
    stored = nbformat.read(path, as_version=4).metadata["dlbook"]
    assert stored["results"] == {"test_accuracy": 0.75, "images_per_second": 640.0}
    assert stored["folds"] == {"a.jpg": {"fold": 0, "group": 5}, "b.jpg": {"fold": 1, "group": 6}}

    write_notebook(path)  # a notebook that records nothing keeps no results from before
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata.setdefault("dlbook", {})["results"] = {"stale": 1.0}
    nbformat.write(notebook, path)
    execute.main(["--allow-quick", str(path)])
    assert "results" not in nbformat.read(path, as_version=4).metadata["dlbook"]
    assert "folds" not in nbformat.read(path, as_version=4).metadata["dlbook"]


def test_a_budget_counts_only_for_its_own_profile(package_copy):
    """Shrinking CI's `quick` budget of a chapter stales its quick timing, not its stored `cpu` run."""
    notebook = BOOK_NOTEBOOKS["inception"]
    stored = notebook.metadata["dlbook"]["provenance"]
    quick_timing = notebook.metadata["dlbook"]["timings"]["quick"]
    assert stored["profile"] == "cpu"
    assert freshness.stale_because(stored, notebook, package_copy) == []
    assert freshness.stale_because(quick_timing, notebook, package_copy, profile="quick") == []

    profiles = package_copy / "profiles.py"
    text = profiles.read_text(encoding="utf-8")
    quick_budget = '"inception": {"width": 0.25, "epochs": 1,'
    assert text.count(quick_budget) == 1
    profiles.write_text(text.replace(quick_budget, '"inception": {"width": 0.25, "epochs": 2,'), encoding="utf-8")
    assert freshness.stale_because(stored, notebook, package_copy) == []
    assert freshness.stale_because(quick_timing, notebook, package_copy, profile="quick") == [
        "the dlbook source it runs changed"]
    assert freshness.stale_because(stored, notebook, package_copy, profile="gpu") != [], \
        "without a profile named, a record is checked against its own"

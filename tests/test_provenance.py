"""Provenance records and the executor behind `make execute`."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import dlbook
from dlbook import execute, provenance


def test_code_hash_ignores_trailing_whitespace_but_not_code():
    base = provenance.code_hash(["x = 1\ny = 2", "print(x)"])
    assert provenance.code_hash(["x = 1   \ny = 2\n\n", "print(x)  "]) == base
    assert provenance.code_hash(["x = 1\ny = 3", "print(x)"]) != base
    assert provenance.code_hash(["x = 1", "y = 2\nprint(x)"]) != base, "cell boundaries count"


def test_notebook_code_hash_skips_markdown():
    notebook = new_notebook(cells=[new_markdown_cell("# A"), new_code_cell("a = 1")])
    edited = new_notebook(cells=[new_markdown_cell("# B, reworded"), new_code_cell("a = 1")])
    assert provenance.notebook_code_hash(notebook) == provenance.notebook_code_hash(edited)


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
    assert rec["code_sha256"] == provenance.notebook_code_hash(notebook)
    assert rec["profile"] == "quick" and rec["notebook"] == "tiny"
    assert rec["execution_wall_time_s"] >= rec["wall_time_s"] >= 0
    assert notebook.metadata["dlbook"]["timings"] == {"quick": provenance.timing_of(rec)}


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
    assert timings["quick"]["code_sha256"] == provenance.notebook_code_hash(timed)
    assert timings["quick"]["date"] >= stored.metadata["dlbook"]["timings"]["quick"]["date"]
    assert set(timings["quick"]) == set(provenance.TIMING_KEYS)


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

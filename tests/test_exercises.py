"""The exercises: the checker, the answer key, the exercise notebooks and the student edition."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from booktools import exercise_key, student
from dlbook.exercises import NOT_ANSWERED, decode_key, encode_key, verdict

ROOT = Path(__file__).resolve().parent.parent
EXERCISE_NOTEBOOKS = student.exercise_notebooks()
ANSWERS = exercise_key.load_answers()
KINDS = ("compute by hand, check by code", "predict, then run", "modify and measure", "open extension")
HEADING = re.compile(r"^## Exercise (\d+) · (.+)$", re.M)
CHECK_CALL = re.compile(r'check\("([^"]+)", (\w+)\)')


def cells(path: Path, tag: str, kind: str | None = None) -> list:
    return [cell for cell in nbformat.read(path, as_version=4).cells
            if tag in cell.metadata.get("tags", []) and (kind is None or cell.cell_type == kind)]


# --- the checker ---------------------------------------------------------------------------------

SPECS = {
    "t.count": {"kind": "number", "value": 1792, "integer": True, "hint": "Count again.",
                "mistakes": [{"value": 1728, "hint": "Each filter also has a bias."}]},
    "t.float": {"kind": "number", "value": 0.25, "rtol": 1e-3},
    "t.shape": {"kind": "shape", "value": [48, 32]},
    "t.array": {"kind": "array", "value": [[10, 4], [3, -4]]},
    "t.choice": {"kind": "choice", "value": "b", "options": {"a": "Not a: why.", "c": "Not c: why."}},
    "t.interval": {"kind": "interval", "value": [0.4, 0.6]},
}


def message(exercise, answer):
    return verdict(exercise, answer, specs=SPECS).message


def test_right_answers_pass_in_any_reasonable_form():
    import tensorflow as tf

    for exercise, answer in [("t.count", 1792), ("t.count", np.int64(1792)), ("t.count", 1792.0),
                             ("t.count", tf.constant(1792)), ("t.float", 0.25001), ("t.shape", (48, 32)),
                             ("t.shape", [48, 32]), ("t.shape", tf.TensorShape([48, 32])),
                             ("t.array", [[10, 4], [3, -4]]), ("t.array", np.array([[10.0, 4], [3, -4]])),
                             ("t.choice", " B "), ("t.interval", 0.5)]:
        assert verdict(exercise, answer, specs=SPECS), (exercise, answer)


def test_an_untouched_stub_is_not_answered():
    result = verdict("t.count", ..., specs=SPECS)
    assert not result and not result.answered and NOT_ANSWERED in result.message


@pytest.mark.parametrize("exercise, answer, says", [
    ("t.count", 1728, "Each filter also has a bias."),
    ("t.count", -1792, "wrong sign"),
    ("t.count", 17920, "About 10 times too large"),
    ("t.count", 179, "About 10 times too small"),
    ("t.count", 1790, "Close, but outside the tolerance"),
    ("t.count", 1792.5, "whole number"),
    ("t.count", "1792", "one number"),
    ("t.float", 0.4, "Too large"),
    ("t.shape", (48, 32, 1), "more axes"),
    ("t.shape", (32, 48), "wrong order"),
    ("t.shape", (47, 32), "Axis 0"),
    ("t.shape", "48, 32", "tuple of whole numbers"),
    ("t.array", [[10, 3], [4, -4]], "Transposed"),
    ("t.array", [[-10, -4], [-3, 4]], "wrong sign"),
    ("t.array", [[-4, 3], [4, 10]], "180°"),
    ("t.array", [[20, 8], [6, -8]], "constant factor"),
    ("t.array", [[10, 4], [3, -3]], "1 of 4 entries is wrong"),
    ("t.array", [10, 4, 3, -4], "wrong shape"),
    ("t.choice", "a", "Not a: why."),
    ("t.choice", "d", "one of 'a', 'b', 'c'"),
    ("t.interval", 0.3, "Too low"),
])
def test_a_wrong_answer_gets_a_hint_about_what_is_wrong(exercise, answer, says):
    result = verdict(exercise, answer, specs=SPECS)
    assert not result and result.answered
    assert says in result.message


def test_the_general_hint_follows_every_generic_one():
    assert message("t.count", 17920).endswith("Count again.")
    assert "Count again." not in message("t.count", 1728)  # a known slip has its own hint


def test_an_unknown_exercise_names_the_chapters_exercises():
    with pytest.raises(KeyError, match="t.count, t.float"):
        verdict("t.nine", 1, specs=SPECS)


def test_the_key_round_trips_and_hides_its_values():
    text = encode_key(SPECS)
    assert decode_key(text) == SPECS
    assert "1792" not in text and "1728" not in text
    assert "1792" not in __import__("base64").b64decode(text).decode("latin-1")  # not plain base64


# --- the book's answer key -----------------------------------------------------------------------

def test_the_packaged_key_is_the_toml():
    assert exercise_key.main(["--check"]) == 0, "run `python -m booktools.exercise_key`"


def test_the_package_source_does_not_show_the_answers():
    source = (ROOT / "src" / "dlbook" / "exercise_key.py").read_text(encoding="utf-8")
    for name, spec in ANSWERS.items():
        if spec["kind"] == "number" and abs(spec["value"]) >= 100:
            assert str(spec["value"]) not in source, name


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_each_key_entry_is_well_formed(name):
    spec = ANSWERS[name]
    assert spec["kind"] in ("number", "interval", "shape", "array", "choice")
    assert verdict(name, spec["value"] if spec["kind"] != "interval" else sum(spec["value"]) / 2)
    for mistake in spec.get("mistakes", ()):
        result = verdict(name, mistake["value"])
        assert not result and result.hint == mistake["hint"], f"{name}: a listed mistake is accepted"
    if spec["kind"] == "choice":
        options = set(spec["options"]) | {spec["value"]}
        assert spec["value"] not in spec["options"] and len(options) >= 3


def wrong_answers(spec):
    """Answers a student might give, none of them right."""
    value = spec["value"]
    if spec["kind"] == "number":
        return [m["value"] for m in spec.get("mistakes", ())] + [
            -value, 10 * value, value / 10, value + 1, value - 1, 0, 2 * value, value * 1.05]
    if spec["kind"] == "array":
        array = np.asarray(value, dtype=float)
        return [m["value"] for m in spec.get("mistakes", ())] + [
            -array, array.T, array[::-1, ::-1], 2 * array, array + 1, np.zeros_like(array), array.ravel()]
    if spec["kind"] == "shape":
        return [m["value"] for m in spec.get("mistakes", ())] + [
            value[::-1], [v + 1 for v in value], value + [1], value[1:]]
    if spec["kind"] == "choice":
        return sorted(spec["options"]) + ["z"]
    low, high = value
    return [low - abs(low) - 1, high + abs(high) + 1]


def tokens(value) -> set[str]:
    """The ways a message could spell the expected answer."""
    if isinstance(value, str):
        return {f"'{value}'", f'"{value}"', f"({value})"}
    array = np.asarray(value)
    if array.ndim == 0:
        number = float(array)
        return {f"{number:g}", f"{number:,.0f}" if number.is_integer() else f"{number:g}", repr(value)}
    return {str(value), str(array.tolist()), str(tuple(array.tolist()))}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_no_message_gives_the_answer_away(name):
    spec = ANSWERS[name]
    if spec["kind"] == "interval":
        return
    for answer in wrong_answers(spec):
        result = verdict(name, answer)
        if result:  # e.g. an integer answer of 0 times 1.05 … still right only if equal
            continue
        for token in tokens(spec["value"]):
            assert not re.search(rf"(?<![\d.,]){re.escape(token)}(?![\d.,])", result.message), (
                f"{name}: the hint for {answer!r} spells the answer ({token}): {result.message}")


# --- the exercise notebooks ----------------------------------------------------------------------

def test_every_chapter_with_exercises_has_a_notebook_and_at_least_four():
    assert EXERCISE_NOTEBOOKS, "notebooks/exercises/ holds no notebook"
    chapters = {path.stem for path in (ROOT / "notebooks").glob("*.ipynb")}
    for path in EXERCISE_NOTEBOOKS:
        assert path.stem in chapters, f"{path.name} is not a chapter's name"
        headings = HEADING.findall("\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                                             if c.cell_type == "markdown"))
        numbers = [int(n) for n, _ in headings]
        assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 4, path.name
        kinds = {kind for _, kind in headings}
        assert kinds <= set(KINDS), f"{path.name}: unknown kinds {kinds - set(KINDS)}"
        assert set(KINDS[:3]) <= kinds, f"{path.name}: each of {KINDS[:3]} at least once"


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=[p.stem for p in EXERCISE_NOTEBOOKS])
def test_each_exercise_has_a_stub_then_a_folded_solution(path):
    notebook = nbformat.read(path, as_version=4)
    starts = [i for i, c in enumerate(notebook.cells) if c.cell_type == "markdown" and HEADING.search(c.source)]
    for start, end in zip(starts, starts[1:] + [len(notebook.cells) - 1]):
        block = notebook.cells[start + 1:end]
        roles = [("stub" if "exercise" in c.metadata.get("tags", []) else
                  "solution" if "solution" in c.metadata.get("tags", []) else "other", c.cell_type) for c in block]
        assert roles == [("stub", "code"), ("solution", "markdown"), ("solution", "code")], (
            f"{path.name}, cell {start}: an exercise is a stub, a solution's text, a solution's code")
        stub, text, code = block
        assert text.source.startswith('<details class="solution">') and text.source.rstrip().endswith("</details>"), (
            "the solution's text is folded (<details>, which Jupyter, Colab and the website all fold)")
        assert "hide-cell" in code.metadata.get("tags", []), "the solution's code is folded on the website"
        assert code.metadata.get("cellView") == "form" and code.source.startswith("# @title"), (
            "the solution's code is folded in Colab (a form cell)")


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=[p.stem for p in EXERCISE_NOTEBOOKS])
def test_stubs_fail_their_check_and_solutions_pass_it(path):
    """Each key is checked by one stub, whose stored output says 'not answered yet', and by its
    solution, whose stored output says 'correct'; nbval re-runs both and compares those outputs."""
    checked = {}
    for stub in cells(path, "exercise", "code"):
        calls = CHECK_CALL.findall(stub.source)
        if not calls:
            assert "check(" not in stub.source
            continue
        (name, variable), = calls
        assert re.search(rf"^{variable} = \.\.\.", stub.source, re.M), f"{name}: the stub sets {variable} = ..."
        assert name not in checked, f"{name} is checked by two stubs"
        checked[name] = stub
        printed = "".join(output.get("text", "") for output in stub.outputs)
        assert printed.strip() == verdict(name, ...).message, f"{name}: the stub's stored output"
        assert "nbval-ignore-output" not in stub.metadata.get("tags", [])
    solved = set()
    for code in cells(path, "solution", "code"):
        for name, _ in CHECK_CALL.findall(code.source):
            printed = "".join(output.get("text", "") for output in code.outputs)
            assert f"✓ Exercise {name}: correct." in printed, f"{name}: its solution's stored output"
            assert "nbval-ignore-output" not in code.metadata.get("tags", [])
            solved.add(name)
    assert set(checked) == solved, f"stubs without a solution that passes: {set(checked) ^ solved}"
    chapter_keys = {name for name in ANSWERS if name.split(".")[0] == path.stem}
    assert set(checked) == chapter_keys, f"keys without a stub or stubs without a key: {set(checked) ^ chapter_keys}"


def test_every_key_belongs_to_a_notebook():
    stems = {path.stem for path in EXERCISE_NOTEBOOKS}
    assert {name.split(".")[0] for name in ANSWERS} <= stems


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=[p.stem for p in EXERCISE_NOTEBOOKS])
def test_the_chapter_sends_its_reader_to_the_exercises(path):
    chapter = nbformat.read(ROOT / "notebooks" / f"{path.stem}.ipynb", as_version=4)
    link = f"exercises/{path.stem}"
    assert any(link in cell.source for cell in chapter.cells[-4:] if cell.cell_type == "markdown"), (
        f"the end of {path.stem} links its exercises ({{doc}}`... <{link}>`)")


# --- the student edition -------------------------------------------------------------------------

def test_the_student_edition_keeps_the_stubs_and_drops_the_solutions(tmp_path):
    written = student.write_student_edition(tmp_path)
    assert [p.name for p in written] == [f"{p.stem}-exercises.ipynb" for p in EXERCISE_NOTEBOOKS]
    for path, original in zip(written, EXERCISE_NOTEBOOKS):
        edition = nbformat.read(path, as_version=4)
        assert not any("solution" in c.metadata.get("tags", []) for c in edition.cells)
        assert not any("<details" in c.source or "@title Solution" in c.source for c in edition.cells)
        assert [c.source for c in edition.cells if "exercise" in c.metadata.get("tags", [])] == [
            c.source for c in cells(original, "exercise")]
        assert all(not c.outputs and c.execution_count is None for c in edition.cells if c.cell_type == "code")
        assert "dlbook" not in edition.metadata
        nbformat.validate(edition)
    with zipfile.ZipFile(tmp_path / "exercises.zip") as bundle:
        assert sorted(bundle.namelist()) == sorted(p.name for p in written)

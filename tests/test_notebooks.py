"""Notebook conventions (see CONTRIBUTING.md), checked on every notebook's stored form."""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from PIL import Image

from booktools.links import Repository, check_notebook
from dlbook.plotting import FIGURE_MIME_TYPES
from booktools.freshness import stale_because

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))  # the chapters
EXERCISE_NOTEBOOKS = sorted((ROOT / "notebooks" / "exercises").glob("*.ipynb"))  # one per chapter
BOOK_NOTEBOOKS = NOTEBOOKS + EXERCISE_NOTEBOOKS
REAL_PROFILES = {"cpu", "gpu"}
KNOWN_TAGS = {"nbval-ignore-output", "nbval-skip", "hide-input", "hide-output", "hide-cell", "remove-input",
              "remove-cell", "exercise", "solution"}


def run_name(path: Path) -> str:
    """The name a notebook starts its run with (dlbook.start): its stem, or ``<chapter>-exercises``."""
    return f"{path.stem}-exercises" if path.parent.name == "exercises" else path.stem


def toc_files() -> list[str]:
    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                yield node["file"]
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    return list(walk(yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))))


def load(path: Path):
    return nbformat.read(path, as_version=4)


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


def test_toc_and_notebooks_match():
    listed = {f for f in toc_files() if f.startswith("notebooks/")}
    present = {p.relative_to(ROOT).with_suffix("").as_posix() for p in BOOK_NOTEBOOKS}
    assert listed == present, f"only in _toc.yml: {listed - present}; only in notebooks/: {present - listed}"
    for entry in toc_files():
        assert any((ROOT / f"{entry}{suffix}").is_file() for suffix in (".md", ".ipynb")), f"{entry} does not exist"


@pytest.fixture(params=BOOK_NOTEBOOKS, ids=[run_name(p) for p in BOOK_NOTEBOOKS])
def notebook_path(request) -> Path:
    """Every notebook of the book: the chapters and their exercises."""
    return request.param


@pytest.fixture(params=NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def chapter_path(request) -> Path:
    return request.param


def test_kernel_is_python3(notebook_path):
    assert load(notebook_path).metadata["kernelspec"]["name"] == "python3"


def test_title_cell_asks_the_question(chapter_path):
    first = load(chapter_path).cells[0]
    assert first.cell_type == "markdown"
    lines = first.source.splitlines()
    assert lines[0].startswith("# ") and lines[0].rstrip().endswith("?"), "the H1 is the question"


def test_links_derive_from_config(notebook_path):
    repo = Repository.from_config(ROOT / "_config.yml")
    assert check_notebook(notebook_path, ROOT, repo) == []


def test_setup_cell_starts_the_run(notebook_path):
    setup = code_cells(load(notebook_path))[0]
    assert 'importlib.util.find_spec("dlbook") is None' in setup.source
    assert f'dlbook.start("{run_name(notebook_path)}")' in setup.source
    # In Colab (and the Colab-like test kernel) it prints pip's messages; locally nothing.
    assert "nbval-ignore-output" in setup.metadata.get("tags", []), "tag the setup cell nbval-ignore-output"


def test_last_cell_shows_provenance(notebook_path):
    last = load(notebook_path).cells[-1]
    assert last.cell_type == "code" and last.source.strip() == "dlbook.show_provenance()"
    assert "nbval-ignore-output" in last.metadata.get("tags", [])


def test_outputs_are_stored_and_clean(notebook_path):
    for index, cell in enumerate(code_cells(load(notebook_path))):
        assert cell.execution_count is not None, f"code cell {index} was not executed"
        for output in cell.outputs:
            assert output.output_type != "error", f"code cell {index} stored an error"
            if output.output_type == "stream":
                assert output.name == "stdout", f"code cell {index} wrote to stderr: {output.text[:200]}"
                text = output.text
            else:
                text = str(output.get("data", {}).get("text/plain", ""))
            assert not re.search(r"warning", text, re.IGNORECASE), f"code cell {index} output has a warning: {text[:200]}"


def test_figures_have_alt_text_and_go_through_the_checker(notebook_path):
    for index, cell in enumerate(code_cells(load(notebook_path))):
        images = sum(mime in output.get("data", {}) for output in cell.outputs for mime in FIGURE_MIME_TYPES)
        has_image = images > 0
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
        if has_image:
            assert len(alt) >= 20, f"code cell {index} shows a figure without alt text (metadata mystnb.image.alt)"
            assert images == 1, f"code cell {index} shows {images} figures; one per cell, so its alt text fits"
        assert "plt.show()" not in cell.source, f"code cell {index}: use dlbook.plotting.show(fig), which checks labels"


def test_only_known_tags(notebook_path):
    for cell in load(notebook_path).cells:
        assert set(cell.metadata.get("tags", [])) <= KNOWN_TAGS


def test_every_fold_says_what_it_holds(notebook_path):
    """A folded cell (hide-cell) or folded output (hide-output) carries its own label
    (myst-nb's cell-level `code_prompt_show`), so the page says "Show figure: ..." instead of a
    generic "Show code cell content" that students skip past (issue 31's screenshot reading)."""
    unlabelled = []
    for index, cell in enumerate(load(notebook_path).cells):
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type != "code" or not tags & {"hide-cell", "hide-output"}:
            continue
        assert not {"hide-input", "hide-output"} <= tags, (
            f"cell {index}: hide-input with hide-output makes two generic folds; use hide-cell")
        label = cell.metadata.get("mystnb", {}).get("code_prompt_show", "")
        if not (label.startswith("Show ") and 10 < len(label) <= 90 and "{type}" not in label):
            unlabelled.append(f"cell {index}: {label!r}")
    assert not unlabelled, f"folds without a label saying what they hold: {unlabelled}"


def test_provenance_is_present_real_and_fresh(notebook_path):
    notebook = load(notebook_path)
    record = notebook.metadata.get("dlbook", {}).get("provenance")
    assert record, "no provenance: run `make execute NB=...`"
    assert record["profile"] in REAL_PROFILES, "stored outputs must come from a real-data profile"
    assert record["notebook"] == run_name(notebook_path)
    assert record.get("seed_offset") == 0, "stored outputs use the seeds written in the notebook"
    assert {"data", "hardware", "versions", "wall_time_s", "date"} <= record.keys()
    stale = stale_because(record, notebook)
    assert not stale, (
        f"{notebook_path.name}: the stored outputs come from older source ({'; '.join(stale)}); "
        f"run `make execute NB={notebook_path.relative_to(ROOT)}`")


LINE_LIMIT = 88  # black's default line length
# Lines that cannot be wrapped without changing the code (one f-string field longer than the limit:
# Python 3.11 cannot break inside one); each goes when its chapter's code next changes.
LONG_LINES_AWAITING_EXECUTION: set[tuple[str, str]] = set()


def test_code_is_formatted_by_black():
    """Every notebook's code cells are in black's style (`black notebooks/` reformats them; the
    outputs stay fresh: booktools.freshness hashes what the code runs, not its layout)."""
    done = subprocess.run([sys.executable, "-m", "black", "--check", "--quiet", *map(str, BOOK_NOTEBOOKS)],
                          capture_output=True, text=True)
    assert done.returncode == 0, f"run `black notebooks/`: {done.stderr.strip()}"


def test_code_lines_fit_the_page(notebook_path):
    long_lines = {(notebook_path.stem, line.strip()) for cell in code_cells(load(notebook_path))
                  for line in cell.source.splitlines() if len(line) > LINE_LIMIT}
    assert long_lines <= LONG_LINES_AWAITING_EXECUTION, (
        f"code lines over {LINE_LIMIT} characters: {sorted(long_lines - LONG_LINES_AWAITING_EXECUTION)}")
    waiting = {line for stem, line in LONG_LINES_AWAITING_EXECUTION if stem == notebook_path.stem}
    assert waiting <= {line for _, line in long_lines}, "a line awaiting a change was fixed: drop it from the list"


# Chapters whose stored figures predate sharp (2x) figures; each leaves the list when it is next
# executed (booktools.execute stores PNGs at twice the figure's dpi since issue 31).
AWAITING_SHARP_FIGURES = {"keras-tuner"}


def test_stored_figures_are_sharp(notebook_path):
    """PNG figures hold twice the pixels of the width the page shows them at (the record's
    figure_scale), so text stays crisp when zoomed and on high-density screens."""
    notebook = load(notebook_path)
    scale = notebook.metadata["dlbook"]["provenance"].get("figure_scale", 1)
    if run_name(notebook_path) in AWAITING_SHARP_FIGURES:
        assert scale == 1, f"{notebook_path.stem} was executed with sharp figures: remove it from AWAITING_SHARP_FIGURES"
    else:
        assert scale == 2, f"{notebook_path.stem}: run `make execute NB=...` for sharp figures"
    for index, cell in enumerate(code_cells(notebook)):
        for output in cell.get("outputs", []):
            if "image/png" not in output.get("data", {}):
                continue
            with Image.open(io.BytesIO(base64.b64decode(output["data"]["image/png"]))) as image:
                pixels = image.size[0]
            shown = output.get("metadata", {}).get("image/png", {}).get("width")
            assert shown == (pixels // scale if scale > 1 else None), (
                f"code cell {index}: a {pixels}-px PNG shown {shown} px wide in a record of figure_scale {scale}")


def test_quick_timing_is_recorded_and_fresh(notebook_path):
    """The landing page shows how long each chapter takes in CI's profile; `make timings` measures it."""
    notebook = load(notebook_path)
    timing = notebook.metadata.get("dlbook", {}).get("timings", {}).get("quick")
    assert timing, f"no quick-profile time: run `make timings NB={notebook_path.relative_to(ROOT)}`"
    stale = stale_because(timing, notebook, profile="quick")
    assert not stale, (
        f"{notebook_path.name}: its quick-profile time was measured on older source ({'; '.join(stale)}); "
        f"run `make timings NB={notebook_path.relative_to(ROOT)}`")
    assert 0 < timing["wall_time_s"] < 300, "a quick-profile chapter takes seconds to minutes"


ANSWER_BOX = re.compile(r"^:::\{admonition\} (Answer[^\n]*)\n(.*?)^:::$", re.M | re.S)


def answer_boxes(notebook) -> list[tuple[str, str]]:
    """``(title, body)`` of every `:::{admonition} Answer...` box in the notebook's Markdown."""
    return [match.groups() for cell in notebook.cells if cell.cell_type == "markdown"
            for match in ANSWER_BOX.finditer(cell.source)]


def test_each_sub_question_has_an_answer_box(chapter_path):
    titles = [title for title, _ in answer_boxes(load(chapter_path))]
    assert len(titles) >= 2, "one `:::{admonition} Answer: <sub-question>` box per sub-question"
    assert all(re.match(r"Answer( to \(|: )\S", title) for title in titles), (
        f"each box names its sub-question (`Answer: ...` or `Answer to (a)`): {titles}")
    assert len(set(titles)) == len(titles), f"two boxes with the same title: {titles}"


def test_percentages_in_answers_are_stored_outputs(chapter_path):
    """An answer quotes measured percentages only as the notebook's own cells printed them."""
    notebook = load(chapter_path)
    printed = "\n".join(
        "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/markdown", ""))
        + "".join(output.get("data", {}).get("text/plain", ""))
        for cell in code_cells(notebook) for output in cell.outputs)
    for title, body in answer_boxes(notebook):
        for number in re.findall(r"\d+\.\d+%", body):
            assert number in printed, f"{title!r} quotes {number}, which no stored output shows"


def test_stored_figures_are_opaque(notebook_path):
    """A transparent figure shows black text on the dark theme's dark background."""
    import base64
    import io

    from PIL import Image

    for index, cell in enumerate(code_cells(load(notebook_path))):
        for output in cell.outputs:
            png = output.get("data", {}).get("image/png")
            if png:
                image = Image.open(io.BytesIO(base64.b64decode(png)))
                if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                    alpha = image.convert("RGBA").getchannel("A")
                    assert alpha.getextrema()[0] == 255, f"code cell {index} stores a transparent figure"


GPU_CHAPTERS = {"brain-tumor-classifier", "inception", "keras-tuner"}


def test_training_chapters_ask_colab_for_a_gpu(notebook_path):
    metadata = load(notebook_path).metadata
    if run_name(notebook_path) in GPU_CHAPTERS:
        assert metadata.get("accelerator") == "GPU" and metadata.get("colab", {}).get("gpuType")
    else:
        assert "accelerator" not in metadata, "only chapters that train CNNs ask for a GPU"


# The headline figures each training chapter records (dlbook.results.record_results) and its answer
# boxes must quote.
REQUIRED_RESULTS = {
    "brain-tumor-classifier": ("scan_accuracy", "scan_accuracy_low", "scan_accuracy_high", "scan_auc",
                               "scan_auc_low", "scan_auc_high", "scan_precision",
                               "single_model_scan_accuracy_min", "single_model_scan_accuracy_max",
                               "scans"),
    "inception": ("test_accuracy", "test_accuracy_low", "test_accuracy_high", "images_per_second"),
    "keras-tuner": ("test_accuracy", "test_accuracy_low", "test_accuracy_high"),
}


def quoted(name: str, value: float) -> str:
    """How an answer writes a recorded result: AUCs to three decimals, rates per second whole,
    counts whole, other fractions as percentages to one decimal."""
    if "auc" in name:
        return f"{value:.3f}"
    if name.endswith("per_second") or value > 1:
        return f"{value:,.0f}"
    return f"{value:.1%}"


def test_answers_quote_the_recorded_results(chapter_path):
    notebook = load(chapter_path)
    recorded = notebook.metadata.get("dlbook", {}).get("results", {})
    required = REQUIRED_RESULTS.get(chapter_path.stem, ())
    missing = [name for name in required if name not in recorded]
    assert not missing, f"the stored run recorded no {missing}: record them with dlbook.results.record_results"
    answers = "\n".join(body for _, body in answer_boxes(notebook))
    for name in required:
        assert quoted(name, recorded[name]) in answers, (
            f"no answer box quotes {name} = {quoted(name, recorded[name])}, the recorded result")


# Chapters that cut their data into cross-validation folds store every file's fold and group
# (dlbook.fold_record), so the split can be audited without re-running the chapter.
FOLD_RECORDS = {"brain-tumor-classifier": 3000}


def test_stored_folds_cover_every_file_and_no_group_crosses_a_fold(notebook_path):
    stored = load(notebook_path).metadata.get("dlbook", {}).get("folds")
    if run_name(notebook_path) not in FOLD_RECORDS:
        assert stored is None
        return
    assert stored, "the stored run recorded no folds: record them with dlbook.fold_record.record_folds"
    assert len(stored) == FOLD_RECORDS[run_name(notebook_path)]
    fold_of_group = {}
    for name, entry in stored.items():
        assert fold_of_group.setdefault(entry["group"], entry["fold"]) == entry["fold"], (
            f"group {entry['group']} (file {name}) is in more than one fold")
    folds = sorted(set(fold_of_group.values()))
    assert folds == list(range(len(folds))) and len(folds) >= 2


def test_quoted_formats():
    assert quoted("scan_auc", 0.88249) == "0.882"
    assert quoted("scan_accuracy", 0.8057) == "80.6%"
    assert quoted("images_per_second", 684.4) == "684"


def test_plumbing_cells_are_collapsed_on_the_website(notebook_path):
    """The imports after the setup cell and the budget cell show no code until a reader asks."""
    code = code_cells(load(notebook_path))
    imports = code[1]
    if all(re.match(r"(import |from \S+ import |\)|    \w|#)", line) for line in imports.source.splitlines()
           if line.strip()):
        assert "hide-input" in imports.metadata.get("tags", []), "tag the imports cell hide-input"
    for cell in code:
        if "show_budget(" in cell.source:
            assert {"hide-input", "hide-cell"} & set(cell.metadata.get("tags", [])), (
                "tag the budget cell hide-input (or hide-cell)")


def test_a_card_line_quotes_only_its_short_answer(chapter_path):
    """The landing page's card shows a chapter's `<!-- card: ... -->` line (booktools.overview); its
    numbers (more than one digit) must be the short answer's, which the tests above tie to outputs."""
    from booktools.overview import CARD_LINE, card_line

    notebook = load(chapter_path)
    line = card_line(notebook)
    if line is None:
        return
    short = next((body for title, body in answer_boxes(notebook) if title == "Answer: in short"), "")
    assert "<!-- card:" in short, "the card line sits in the 'Answer: in short' box"
    assert len(line) <= 200, f"a card line of {len(line)} characters; at most 200"
    for number in re.findall(r"\d[\d,.]*\d%?|\d+%", line):
        assert number in CARD_LINE.sub("", short), f"the card quotes {number}, which its short answer does not"

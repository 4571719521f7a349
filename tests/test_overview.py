"""booktools.overview: the landing page's chapter cards and the notebooks zip."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import nbformat

from booktools import overview

ROOT = Path(__file__).resolve().parent.parent


def test_generate_cards_thumbnails_and_zip(tmp_path):
    shutil.copy(ROOT / "_toc.yml", tmp_path / "_toc.yml")
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    (tmp_path / "book" / "_generated").mkdir(parents=True)
    (tmp_path / "book" / "_generated" / "stale.txt").write_text("left from an old build")
    out = overview.generate(tmp_path)

    listed = [name for _, name in overview.toc_chapters(ROOT)]
    assert sorted(listed) == sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert not (out / "stale.txt").exists(), "the folder is rebuilt from scratch"
    page = (out / "overview.md").read_text(encoding="utf-8")
    assert page.count(":::{grid-item-card}") == len(listed)
    titles = overview.toc_titles(ROOT)
    for name in listed:  # each card is named as the sidebar names the chapter
        assert f":::{{grid-item-card}} {titles[name]}\n" in page
    timings = (out / "timings.md").read_text(encoding="utf-8")
    assert "| chapter |" in timings and "| chapter |" not in page, "the timing table has its own page"
    for name in listed:
        chapter = overview.read_chapter(ROOT / "notebooks" / f"{name}.ipynb", "")
        notebook = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        assert chapter.question == notebook.cells[0].source.splitlines()[0][2:].strip()
        assert f":link: ../notebooks/{name}\n" in page
        assert chapter.figure, f"{name} has no figure for its card"
        _, content, alt = chapter.figure
        thumb = out / "thumbnails" / f"{name}.jpg"
        assert thumb.read_bytes() == overview.thumbnail(content)
        assert f":img-alt: {alt}\n" in page and alt
    assert "Stored run" not in page and "not measured" not in page, "no machine line per card, no empty cells"
    for name in overview.HEADLINES:
        results = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4).metadata.get(
            "dlbook", {}).get("results", {})
        if results:  # a stored run that recorded its figures: its card states them
            assert f"**{results[overview.HEADLINES[name][0]]:.1%}**" in page
    exercises = sorted(p.name for p in (ROOT / "notebooks" / "exercises").glob("*.ipynb"))
    with zipfile.ZipFile(out / "exercises-student-edition.zip") as archive:
        assert sorted(archive.namelist()) == [name.replace(".ipynb", "-exercises.ipynb") for name in exercises]
    with zipfile.ZipFile(out / "notebooks.zip") as archive:
        assert sorted(archive.namelist()) == sorted([f"notebooks/{n}.ipynb" for n in listed]
                                                    + [f"notebooks/exercises/{n}" for n in exercises])
        for name in listed:
            stored = nbformat.reads(archive.read(f"notebooks/{name}.ipynb").decode(), as_version=4)
            assert stored.cells[0].source == nbformat.read(
                ROOT / "notebooks" / f"{name}.ipynb", as_version=4).cells[0].source


def test_toc_parts_are_named():
    parts = {part for part, _ in overview.toc_chapters(ROOT)}
    assert all(part.startswith("Assignment") for part in parts)


def timed_notebook(timings: dict, provenance_profile: str | None = "cpu"):
    """A one-cell notebook with the given ``dlbook.timings`` (values: seconds, or (seconds, code hash))."""
    from nbformat.v4 import new_code_cell, new_notebook

    from booktools.freshness import source_record

    notebook = new_notebook(cells=[new_code_cell("print(1)")])
    source = source_record(notebook)
    entry = lambda seconds, sha=source["code_sha256"]: {
        "wall_time_s": seconds, "hardware": {"cpu": "Test CPU", "gpu": None}, "date": "2026-01-01 00:00 UTC",
        "code_sha256": sha, "dlbook_sha256": source["dlbook_sha256"]}
    notebook.metadata["dlbook"] = {"timings": {
        name: entry(*value) if isinstance(value, tuple) else entry(value) for name, value in timings.items()}}
    if provenance_profile:
        notebook.metadata["dlbook"]["provenance"] = {"profile": provenance_profile, **entry(600.0)}
    return notebook


def test_current_timings_drop_stale_times_and_include_the_stored_run():
    notebook = timed_notebook({"quick": 12.0, "gpu": (30.0, "an older code hash")})
    found = overview.current_timings(notebook)
    assert set(found) == {"quick", "cpu"}, "the gpu time was measured on other code"
    assert found["cpu"]["wall_time_s"] == 600.0, "the stored run's provenance counts as its profile's time"
    assert found["quick"]["wall_time_s"] == 12.0


def test_timings_table_per_profile():
    chapters = [
        overview.Chapter("a", "Assignment 3", "A?", None, "cpu", 10.0, "Test CPU",
                         {"quick": {"wall_time_s": 12.0, "hardware": {"cpu": "Test CPU"}},
                          "cpu": {"wall_time_s": 600.0, "hardware": {"cpu": "Test CPU"}}}),
        overview.Chapter("b", "Assignment 3", "B?", None, "cpu", 0.1, "Test CPU",
                         {"quick": {"wall_time_s": 150.0, "hardware": {"cpu": "Test CPU"}},
                          "cpu": {"wall_time_s": 6.0, "hardware": {"cpu": "Test CPU"}},
                          "gpu": {"wall_time_s": 3.0, "hardware": {"cpu": "Host", "gpu": "Test GPU"}}}),
    ]
    table = overview.timings_table(chapters)
    assert "| chapter | `quick` | `cpu` | `gpu` |" in table
    assert "| {doc}`../notebooks/a` | 12 s | 10.0 min (stored) | — |" in table, "titles, not slugs"
    assert "| {doc}`../notebooks/b` | 2.5 min | 6 s (stored) | 3 s |" in table
    assert "| **total** | **2.7 min** | **10.1 min** | — |" in table, "no gpu total while a chapter lacks one"
    assert "`gpu`: Test GPU" in table and "`quick`: Test CPU" in table


def test_a_profile_nobody_measured_gets_no_column():
    chapters = [overview.Chapter("a", "Assignment 3", "A?", None, "cpu", 10.0, "Test CPU",
                                 {"cpu": {"wall_time_s": 600.0, "hardware": {"cpu": "Test CPU"}}})]
    table = overview.timings_table(chapters)
    assert "| chapter | `cpu` |" in table and "gpu" not in table and "quick" not in table


def test_thumbnails_have_one_shape_and_are_small():
    from io import BytesIO

    from PIL import Image

    sizes = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        chapter = overview.read_chapter(path, "")
        data = overview.thumbnail(chapter.figure[1])
        with Image.open(BytesIO(data)) as image:
            assert image.size == overview.THUMBNAIL_SIZE and image.format == "JPEG"
        sizes.append(len(data))
        assert len(data) < 60_000, f"{path.stem}: a {len(data) / 1e3:.0f} KB thumbnail"
    assert sum(sizes) < 400_000, f"the cards' pictures weigh {sum(sizes) / 1e3:.0f} KB"


def test_a_chapter_can_name_its_card_figure():
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    def figure_cell(png_bytes, **metadata):
        cell = new_code_cell("show(fig)", metadata=metadata)
        cell.outputs = [new_output("display_data", data={"image/png": base64.b64encode(png_bytes).decode()})]
        return cell

    import base64
    notebook = new_notebook(cells=[figure_cell(b"first"), figure_cell(b"chosen", dlbook={"thumbnail": True})])
    assert overview.chosen_figure(notebook)[1] == b"chosen"
    notebook.cells[1].metadata = {}
    assert overview.chosen_figure(notebook)[1] == b"first"


def test_headline_states_the_result_its_interval_and_the_run():
    results = {"scan_accuracy": 0.8057, "scan_accuracy_low": 0.763, "scan_accuracy_high": 0.846}
    assert overview.headline("brain-tumor-classifier", results, "cpu") == (
        "**80.6%** per-scan accuracy, grouped cross-validation (95% interval 76.3%–84.6%), "
        "trained on two CPU cores")
    assert overview.headline("keras-tuner", {"test_accuracy": 0.759}, "cpu") == (
        "**75.9%** test accuracy of the tuned model, trained on two CPU cores")
    assert overview.headline("keras-tuner", {"test_accuracy": 0.759, "test_accuracy_low": 0.75,
                                             "test_accuracy_high": 0.77}, "gpu") == (
        "**75.9%** test accuracy of the tuned model (95% interval 75.0%–77.0%), trained on a GPU")
    assert overview.headline("keras-tuner", {}, "cpu") is None
    assert overview.headline("conv-backprop", {"test_accuracy": 0.5}, "cpu") is None


def test_a_card_line_is_read_from_its_comment():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Q\n\n:::{admonition} Answer: in short\nText.\n"
                                      "<!-- card: Two lines\n  of **card**. -->\n:::"),
        nbformat.v4.new_markdown_cell("<!-- card: a later one -->")])
    assert overview.card_line(notebook) == "Two lines of **card**."
    assert overview.card_line(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("x")])) is None


def test_every_card_states_a_result():
    """Each chapter's card has a headline: its recorded result or its card line."""
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        chapter = overview.read_chapter(path, "part")
        assert chapter.headline, f"{path.stem}: no recorded headline and no `<!-- card: ... -->` line"

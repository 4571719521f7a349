"""dlbook.overview: the landing page's chapter cards and the notebooks zip."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import nbformat

from dlbook import overview

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
    for name in listed:
        chapter = overview.read_chapter(ROOT / "notebooks" / f"{name}.ipynb", "")
        notebook = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        assert chapter.question == notebook.cells[0].source.splitlines()[0][2:].strip()
        assert f":link: ../notebooks/{name}\n" in page
        if chapter.figure:
            extension, content, alt = chapter.figure
            assert (out / "thumbnails" / f"{name}.{extension}").read_bytes() == content
            assert f":img-alt: {alt}\n" in page and alt
        if chapter.minutes is not None:
            assert f"{chapter.minutes:.1f} min" in page
    with zipfile.ZipFile(out / "notebooks.zip") as archive:
        assert sorted(archive.namelist()) == sorted(f"notebooks/{n}.ipynb" for n in listed)
        for name in listed:
            stored = nbformat.reads(archive.read(f"notebooks/{name}.ipynb").decode(), as_version=4)
            assert stored.cells[0].source == nbformat.read(
                ROOT / "notebooks" / f"{name}.ipynb", as_version=4).cells[0].source


def test_toc_parts_are_named():
    parts = {part for part, _ in overview.toc_chapters(ROOT)}
    assert all(part.startswith("Assignment") for part in parts)

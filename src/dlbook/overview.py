"""Pages generated from the notebooks before each book build.

    python -m dlbook.overview [--book-root .]

``make book`` (and the book tests) run this first. It writes, into
``book/_generated/`` (ignored by git, rebuilt every time):

``overview.md``
    the landing page's chapter cards: each chapter's question, a thumbnail of
    its first stored figure (with that figure's alt text) and how long its
    stored run took, in which profile, on which hardware (from provenance);
``thumbnails/<notebook>.<png|jpg>``
    those thumbnails;
``notebooks.zip``
    every chapter notebook with its stored outputs, for one download.
"""

from __future__ import annotations

import argparse
import base64
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from dlbook.plotting import FIGURE_MIME_TYPES

GENERATED = Path("book") / "_generated"
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg"}


@dataclass(frozen=True)
class Chapter:
    """What the landing page says about one notebook."""

    name: str
    part: str
    question: str
    figure: tuple[str, bytes, str] | None  # (extension, bytes, alt text)
    profile: str | None
    minutes: float | None
    hardware: str | None


def toc_chapters(book_root: Path) -> list[tuple[str, str]]:
    """``(part caption, notebook name)`` for every notebook in ``_toc.yml``, in order."""
    toc = yaml.safe_load((book_root / "_toc.yml").read_text(encoding="utf-8"))
    found = []

    def walk(node, caption):
        if isinstance(node, dict):
            caption = node.get("caption", caption)
            entry = node.get("file", "")
            if entry.startswith("notebooks/"):
                found.append((caption, entry.split("/", 1)[1]))
            for value in node.values():
                walk(value, caption)
        elif isinstance(node, list):
            for item in node:
                walk(item, caption)

    walk(toc.get("parts", []), "")
    return found


def read_chapter(path: Path, part: str) -> Chapter:
    notebook = nbformat.read(path, as_version=4)
    question = notebook.cells[0].source.splitlines()[0].lstrip("# ").strip()
    figure = None
    for cell in notebook.cells:
        if cell.cell_type != "code" or figure:
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            mime = next((m for m in FIGURE_MIME_TYPES if m in data and m in EXTENSIONS), None)
            if mime:
                alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
                figure = (EXTENSIONS[mime], base64.b64decode(data[mime]), alt)
                break
    record = notebook.metadata.get("dlbook", {}).get("provenance", {})
    hardware = record.get("hardware", {})
    machine = hardware.get("gpu") or hardware.get("cpu")
    seconds = record.get("wall_time_s")
    return Chapter(path.stem, part, question, figure, record.get("profile"),
                   None if seconds is None else seconds / 60, machine)


def _card(chapter: Chapter, thumbnails: Path) -> str:
    lines = [f":::{{grid-item-card}} {chapter.question}",
             f":link: ../notebooks/{chapter.name}", ":link-type: doc"]
    if chapter.figure:
        extension, _, alt = chapter.figure
        lines += [f":img-top: _generated/{thumbnails.name}/{chapter.name}.{extension}",
                  f":img-alt: {alt}"]
    lines.append("")
    lines.append(f"{chapter.part}")
    if chapter.minutes is not None:
        lines.append(f"\nStored run: {chapter.minutes:.1f} min, `{chapter.profile}` profile, "
                     f"{chapter.hardware}")
    lines.append(":::")
    return "\n".join(lines)


def overview_markdown(chapters: list[Chapter], thumbnails: Path) -> str:
    cards = "\n\n".join(_card(chapter, thumbnails) for chapter in chapters)
    rows = "\n".join(
        f"| {{doc}}`{chapter.name} <../notebooks/{chapter.name}>` | "
        f"{'—' if chapter.minutes is None else f'{chapter.minutes:.1f} min'} | "
        f"`{chapter.profile or '—'}` | {chapter.hardware or '—'} |"
        for chapter in chapters)
    return (
        "::::{grid} 1 2 2 3\n:gutter: 3\n\n" + cards + "\n::::\n\n"
        "How long each chapter took when its stored outputs were made (from its provenance "
        "record). In the `quick` profile every chapter runs in seconds to two minutes; the "
        "`gpu` profile trains longer on a GPU.\n\n"
        "| chapter | stored run | profile | hardware |\n|---|---|---|---|\n" + rows + "\n"
    )


def generate(book_root: Path) -> Path:
    """Write ``book/_generated`` under ``book_root`` from scratch; return that folder."""
    out = book_root / GENERATED
    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    thumbnails = staging / "thumbnails"
    thumbnails.mkdir(parents=True)
    chapters = [read_chapter(book_root / "notebooks" / f"{name}.ipynb", part)
                for part, name in toc_chapters(book_root)]
    for chapter in chapters:
        if chapter.figure:
            extension, content, _ = chapter.figure
            (thumbnails / f"{chapter.name}.{extension}").write_bytes(content)
    (staging / "overview.md").write_text(overview_markdown(chapters, thumbnails), encoding="utf-8")
    with zipfile.ZipFile(staging / "notebooks.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for chapter in chapters:
            archive.write(book_root / "notebooks" / f"{chapter.name}.ipynb",
                          f"notebooks/{chapter.name}.ipynb")
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the book's overview and notebook zip.")
    parser.add_argument("--book-root", type=Path, default=Path("."))
    args = parser.parse_args(argv)
    out = generate(args.book_root.resolve())
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

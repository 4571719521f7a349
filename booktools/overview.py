"""Pages generated from the notebooks before each book build.

    python -m booktools.overview [--book-root .]

``make book`` (and the book tests) run this first. It writes, into
``book/_generated/`` (ignored by git, rebuilt every time):

``overview.md``
    the landing page's chapter cards: each chapter's short numbered title
    (its ``title`` in ``_toc.yml``, as the sidebar shows it), its question, a
    thumbnail of its chosen figure (with that figure's alt text) and its
    headline: for a training chapter, the result recorded by its stored run
    (``metadata["dlbook"]["results"]``, see :data:`HEADLINES`), for the others
    the line its short answer box holds for the card (:func:`card_line`);
``timings.md``
    for the running page: a table of how long each chapter takes in each
    profile that has been measured (from the ``dlbook.timings`` that
    ``make execute`` and ``make timings`` record; a time measured on older
    code is not shown);
``thumbnails/<notebook>.jpg``
    those thumbnails: the figure cropped to :data:`THUMBNAIL_SIZE` about its
    centre, as a small JPEG. A chapter names its figure with the cell metadata
    ``{"dlbook": {"thumbnail": true}}``; otherwise its first figure is used;
``notebooks.zip``
    every chapter notebook and its exercises with their stored outputs, for one download;
``exercises-student-edition.zip``
    the exercises without their solutions (``booktools.student``), for a teacher to hand out.
"""

from __future__ import annotations

import argparse
import base64
import io
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from booktools.freshness import stale_because, timing_of
from dlbook.plotting import FIGURE_MIME_TYPES
from dlbook.profiles import PROFILES

GENERATED = Path("book") / "_generated"
PROFILE_NAMES = tuple(PROFILES)  # quick, cpu, gpu: the table's columns
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg"}
THUMBNAIL_SIZE = (480, 270)  # pixels, 16:9: every card's picture has the same shape
THUMBNAIL_QUALITY = 80
# A training chapter's card states its headline: (result, interval low, interval high, what it is).
HEADLINES = {
    "brain-tumor-classifier": ("scan_accuracy", "scan_accuracy_low", "scan_accuracy_high",
                               "per-scan accuracy, grouped cross-validation"),
    "inception": ("test_accuracy", "test_accuracy_low", "test_accuracy_high", "test accuracy"),
    "keras-tuner": ("test_accuracy", "test_accuracy_low", "test_accuracy_high", "test accuracy of the tuned model"),
}
# How a card names the run its headline comes from, in words a student knows (not a profile name).
RUN_WORDS = {"cpu": "trained on two CPU cores", "gpu": "trained on a GPU", "quick": "a quick test run"}

# The words of the generated pages in the Persian edition (fa/, whose _config.yml sets `language: fa`);
# booktools.persian writes their numbers the Persian way.
PERSIAN = {
    "per-scan accuracy, grouped cross-validation": "دقت در سطح اسکن، اعتبارسنجی متقابل گروه‌بندی‌شده",
    "test accuracy": "دقت آزمون",
    "test accuracy of the tuned model": "دقت آزمون مدل تنظیم‌شده",
    "95% interval": "بازهٔ اطمینان ۹۵٪",
    "trained on two CPU cores": "آموزش روی دو هستهٔ CPU",
    "trained on a GPU": "آموزش روی یک GPU",
    "a quick test run": "یک اجرای آزمایشی کوتاه",
    "chapter": "فصل",
    "stored": "ذخیره‌شده",
    "total": "جمع",
    "Machines": "ماشین‌ها",
    "s": "ثانیه",
    "min": "دقیقه",
    "intro": ("مدت اجرای هر فصل در هر پروفایل، از نخستین سلول نوت‌بوک تا آخرین آن، آن‌گونه که "
              "`make execute` (اجرایی که وب‌سایت خروجی‌هایش را نشان می‌دهد با «ذخیره‌شده» مشخص است) و "
              "`make timings` (پروفایل `quick` که CI اجرا می‌کند) روی کد کنونی فصل ثبت کرده‌اند."),
}


def _words(text: str, language: str) -> str:
    """``text`` in the edition's language (the English as it is)."""
    return PERSIAN.get(text, text) if language == "fa" else text


def edition_language(book_root: Path) -> str:
    """``fa`` for the Persian edition (its ``_config.yml`` sets ``language: fa``), else ``en``."""
    path = book_root / "_config.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return ((config.get("sphinx") or {}).get("config") or {}).get("language") or "en"


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
    timings: dict  # profile -> {"wall_time_s", "hardware", "date", "code_sha256"} for the current code
    headline: str | None = None  # the recorded headline result, as the card shows it
    title: str | None = None  # the short numbered title of _toc.yml (the sidebar's name for it)


def headline(name: str, results: dict, profile: str | None, language: str = "en") -> str | None:
    """The card's line for a chapter's recorded headline result, or ``None`` if it records none."""
    if name not in HEADLINES or HEADLINES[name][0] not in results:
        return None
    value, low, high, what = HEADLINES[name]
    text = f"**{results[value]:.1%}** {_words(what, language)}"
    if low in results and high in results:
        text += f" ({_words('95% interval', language)} {results[low]:.1%}–{results[high]:.1%})"
    text += f", {_words(RUN_WORDS.get(profile, f'{profile} run'), language)}" if profile else ""
    if language == "fa":
        from booktools.persian import fix

        return fix(text)
    return text


# A chapter without a recorded result writes its card's line inside its "Answer: in short" box, as an
# HTML comment (invisible on the page and in Jupyter): `<!-- card: ... -->`. Its numbers are the box's
# own, which the tests check against the stored outputs.
CARD_LINE = re.compile(r"<!-- card: (.+?) -->", re.S)


def card_line(notebook) -> str | None:
    """The card line of the first Markdown cell that has one (see :data:`CARD_LINE`), or ``None``."""
    for cell in notebook.cells:
        found = CARD_LINE.search(cell.source) if cell.cell_type == "markdown" else None
        if found:
            return " ".join(found.group(1).split())
    return None


def machine(hardware: dict) -> str:
    """The machine a run used, in words: its GPU if it had one, else its CPU."""
    return hardware.get("gpu") or hardware.get("cpu") or "unknown hardware"


def current_timings(notebook) -> dict:
    """``dlbook.timings`` of a notebook, keeping only the times measured on its current source
    (its code cells and the dlbook modules it runs: :func:`booktools.freshness.stale_because`).

    The stored run's provenance counts as a timing of its profile.
    """
    meta = notebook.metadata.get("dlbook", {})
    found = dict(meta.get("timings", {}))
    record = meta.get("provenance")
    if record:
        found[record["profile"]] = timing_of(record)
    return {profile: timing for profile, timing in found.items() if not stale_because(timing, notebook, profile=profile)}


def duration(seconds: float, language: str = "en") -> str:
    """``42 s`` under two minutes, else ``7.7 min``."""
    if seconds < 120:
        return f"{seconds:.0f} {_words('s', language)}"
    return f"{seconds / 60:.1f} {_words('min', language)}"


def _is_chapter(entry: str) -> bool:
    """Whether a ``_toc.yml`` file entry is a chapter (not a chapter's exercises)."""
    return entry.startswith("notebooks/") and not entry.startswith("notebooks/exercises/")


def toc_entries(book_root: Path) -> list[tuple[str, dict]]:
    """Every entry of ``_toc.yml`` with a ``file``, in order, each with its part's caption."""
    toc = yaml.safe_load((book_root / "_toc.yml").read_text(encoding="utf-8"))
    found = []

    def walk(node, caption):
        if isinstance(node, dict):
            caption = node.get("caption", caption)
            if "file" in node:
                found.append((caption, node))
            for value in node.values():
                walk(value, caption)
        elif isinstance(node, list):
            for item in node:
                walk(item, caption)

    walk(toc.get("parts", []), "")
    return found


def toc_chapters(book_root: Path) -> list[tuple[str, str]]:
    """``(part caption, notebook name)`` of every chapter in ``_toc.yml``, in order."""
    return [(caption, node["file"].split("/", 1)[1])
            for caption, node in toc_entries(book_root) if _is_chapter(node["file"])]


def toc_titles(book_root: Path) -> dict[str, str]:
    """``{notebook name: title}`` for every chapter entry of ``_toc.yml`` that sets a ``title``."""
    return {node["file"].split("/", 1)[1]: node["title"]
            for _, node in toc_entries(book_root) if _is_chapter(node["file"]) and node.get("title")}


def _cell_figure(cell) -> tuple[str, bytes, str] | None:
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        mime = next((m for m in FIGURE_MIME_TYPES if m in data and m in EXTENSIONS), None)
        if mime:
            alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
            return EXTENSIONS[mime], base64.b64decode(data[mime]), alt
    return None


def chosen_figure(notebook) -> tuple[str, bytes, str] | None:
    """The figure of the cell marked ``{"dlbook": {"thumbnail": true}}``, else the first figure."""
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    marked = [cell for cell in code if cell.metadata.get("dlbook", {}).get("thumbnail")]
    for cell in marked or code:
        figure = _cell_figure(cell)
        if figure:
            return figure
    return None


def thumbnail(content: bytes, size: tuple[int, int] = THUMBNAIL_SIZE) -> bytes:
    """A figure scaled to cover ``size`` and cropped to it about its centre, as a JPEG.

    Cropping rather than letterboxing keeps a row of eight images from becoming a thin strip
    on its card: the card shows the middle of the figure, large enough to see.
    """
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(content)) as image:
        canvas = ImageOps.fit(image.convert("RGB"), size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
    return out.getvalue()


def read_chapter(path: Path, part: str, title: str | None = None, language: str = "en") -> Chapter:
    notebook = nbformat.read(path, as_version=4)
    question = notebook.cells[0].source.splitlines()[0].lstrip("# ").strip()
    figure = chosen_figure(notebook)
    record = notebook.metadata.get("dlbook", {}).get("provenance", {})
    seconds = record.get("wall_time_s")
    results = notebook.metadata.get("dlbook", {}).get("results", {})
    return Chapter(path.stem, part, question, figure, record.get("profile"),
                   None if seconds is None else seconds / 60,
                   machine(record["hardware"]) if record else None, current_timings(notebook),
                   headline(path.stem, results, record.get("profile"), language) or card_line(notebook), title)


def _card(chapter: Chapter, thumbnails: Path) -> str:
    lines = [f":::{{grid-item-card}} {chapter.title or chapter.question}",
             f":link: ../notebooks/{chapter.name}", ":link-type: doc"]
    if chapter.figure:
        _, _, alt = chapter.figure
        lines += [f":img-top: _generated/{thumbnails.name}/{chapter.name}.jpg",
                  f":img-alt: {alt}"]
    lines.append("")
    lines.append(chapter.question if chapter.title else chapter.part)
    if chapter.headline:
        lines += ["", chapter.headline]
    lines.append(":::")
    return "\n".join(lines)


def timings_table(chapters: list[Chapter], language: str = "en") -> str:
    """Chapters × profiles: how long each notebook ran, and on which machines.

    Only profiles measured for at least one chapter get a column; a chapter
    not measured in a shown profile reads "—". Chapters are named by their
    page titles (a ``{doc}`` link without text).
    """
    profiles = [name for name in PROFILE_NAMES if any(name in chapter.timings for chapter in chapters)]
    header = f"| {_words('chapter', language)} | " + " | ".join(f"`{name}`" for name in profiles) + " |"
    rows = [header, "|---|" + "---:|" * len(profiles)]
    machines: dict[str, set[str]] = {name: set() for name in profiles}
    for chapter in chapters:
        cells = []
        for name in profiles:
            timing = chapter.timings.get(name)
            if timing is None:
                cells.append("—")
            else:
                machines[name].add(machine(timing["hardware"]))
                stored = f" ({_words('stored', language)})" if name == chapter.profile else ""
                cells.append(duration(timing["wall_time_s"], language) + stored)
        rows.append(f"| {{doc}}`../notebooks/{chapter.name}` | " + " | ".join(cells) + " |")
    totals = [f"**{_words('total', language)}**"]
    for name in profiles:
        times = [chapter.timings[name]["wall_time_s"] for chapter in chapters if name in chapter.timings]
        totals.append(f"**{duration(sum(times), language)}**" if len(times) == len(chapters) else "—")
    rows.append("| " + " | ".join(totals) + " |")
    notes = [f"`{name}`: " + ", ".join(sorted(machines[name])) for name in profiles]
    return "\n".join(rows) + f"\n\n{_words('Machines', language)}: " + "; ".join(notes) + ".\n"


def overview_markdown(chapters: list[Chapter], thumbnails: Path) -> str:
    cards = "\n\n".join(_card(chapter, thumbnails) for chapter in chapters)
    return "::::{grid} 1 2 2 3\n:gutter: 3\n\n" + cards + "\n::::\n"


def timings_markdown(chapters: list[Chapter], language: str = "en") -> str:
    if language == "fa":
        return PERSIAN["intro"] + "\n\n" + timings_table(chapters, language)
    return (
        "How long each chapter takes in each profile, from the notebook's first cell to its "
        "last, as recorded by `make execute` (the run whose outputs the website shows is marked "
        "*stored*) and `make timings` (the `quick` profile that CI runs), on the chapter's "
        "current code.\n\n" + timings_table(chapters)
    )


def generate(book_root: Path) -> Path:
    """Write ``book/_generated`` under ``book_root`` from scratch; return that folder."""
    out = book_root / GENERATED
    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    thumbnails = staging / "thumbnails"
    thumbnails.mkdir(parents=True)
    titles = toc_titles(book_root)
    language = edition_language(book_root)
    chapters = [read_chapter(book_root / "notebooks" / f"{name}.ipynb", part, titles.get(name), language)
                for part, name in toc_chapters(book_root)]
    for chapter in chapters:
        if chapter.figure:
            _, content, _ = chapter.figure
            (thumbnails / f"{chapter.name}.jpg").write_bytes(thumbnail(content))
    (staging / "overview.md").write_text(overview_markdown(chapters, thumbnails), encoding="utf-8")
    (staging / "timings.md").write_text(timings_markdown(chapters, language), encoding="utf-8")
    exercises = sorted((book_root / "notebooks" / "exercises").glob("*.ipynb"))
    with zipfile.ZipFile(staging / "notebooks.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for chapter in chapters:
            archive.write(book_root / "notebooks" / f"{chapter.name}.ipynb",
                          f"notebooks/{chapter.name}.ipynb")
        for path in exercises:  # with their solutions
            archive.write(path, f"notebooks/exercises/{path.name}")
    if exercises:  # the student edition, for a teacher to hand out: booktools.student
        from booktools.student import write_student_edition

        write_student_edition(staging / "student", book_root / "notebooks" / "exercises")
        (staging / "student" / "exercises.zip").rename(staging / "exercises-student-edition.zip")
        shutil.rmtree(staging / "student")
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

"""The student edition of the exercises: every exercise notebook without its solutions.

    python -m booktools.student [OUT]        (make student; OUT defaults to build/student)

writes ``OUT/<chapter>-exercises.ipynb`` for each notebook in ``notebooks/exercises/``, with
the cells tagged ``solution`` removed and every output cleared (a stub's output would only say
"not answered yet"), and ``OUT/exercises.zip`` holding them all, for a teacher to hand out.
The stubs (cells tagged ``exercise``) stay as they are: each ends with the ``check(...)`` call
that tells a student whether an answer is right.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "notebooks" / "exercises"
SOLUTION, EXERCISE = "solution", "exercise"


def exercise_notebooks(folder: Path = EXERCISES) -> list[Path]:
    return sorted(folder.glob("*.ipynb"))


def student_edition(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of an exercise notebook without its solutions and outputs."""
    edition = nbformat.from_dict(notebook)
    edition.cells = [cell for cell in edition.cells if SOLUTION not in cell.metadata.get("tags", [])]
    for cell in edition.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    edition.metadata.pop("dlbook", None)  # the provenance of the full edition's outputs
    return edition


def write_student_edition(out: Path, folder: Path = EXERCISES) -> list[Path]:
    """Write the student edition of every exercise notebook in ``folder`` to ``out``, and a zip."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in exercise_notebooks(folder):
        target = out / f"{path.stem}-exercises.ipynb"
        nbformat.write(student_edition(nbformat.read(path, as_version=4)), target)
        written.append(target)
    if not written:
        raise SystemExit(f"no exercise notebooks in {folder}")
    archive = out / "exercises.zip"
    with zipfile.ZipFile(archive.with_suffix(".zip.part"), "w", zipfile.ZIP_DEFLATED) as bundle:
        for target in written:
            bundle.write(target, target.name)
    archive.with_suffix(".zip.part").replace(archive)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the exercises without their solutions.")
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "build" / "student")
    args = parser.parse_args(argv)
    written = write_student_edition(args.out)
    print(f"wrote {len(written)} notebooks and exercises.zip to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Re-execute notebooks and store their outputs with a provenance record.

    python -m booktools.execute notebooks/conv-backprop.ipynb [more.ipynb ...]

This is what ``make execute`` runs. Each notebook is executed top to bottom
in a fresh ``python3`` kernel, in its own folder, in the profile that
``DLBOOK_PROFILE`` names (unset: ``gpu`` if a GPU is visible, else ``cpu``;
the stored outputs of the book must come from a real-data profile, so
``quick`` is refused unless ``--allow-quick`` is given). The provenance
record written by the notebook's last cell, with the hash of its code
cells and of the ``dlbook`` source it runs (:func:`booktools.freshness.source_record`),
is stored in the notebook metadata under ``dlbook.provenance``, and the
headline figures it recorded with :func:`dlbook.results.record_results`
under ``dlbook.results``. The
notebook file is replaced only after a successful run, and only if neither
its code cells nor that ``dlbook`` source changed while it ran (Markdown
edits made meanwhile are kept).

Every run also records how long the notebook took in its profile under
``dlbook.timings.<profile>`` (wall time, hardware, date, source hashes), which the
landing page shows per profile. ``--time-only`` runs a notebook just for that
record: its stored outputs and provenance stay as they are, so it accepts the
``quick`` profile (``make timings`` times every notebook in ``quick``).

PNG figures are stored as 256-colour palette images (``booktools.compact_png``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from booktools import figure_text
from booktools.compact_png import compact_figures
from booktools.freshness import source_record, stale_because, timing_of
from dlbook.profiles import SEED_OFFSET_VAR, current_profile, seed_offset
from dlbook.provenance import CODE_HASH_VAR, PACKAGE_HASH_VAR, PROVENANCE_FILE_VAR
from dlbook.fold_record import FOLDS_FILE_VAR
from dlbook.results import RESULTS_FILE_VAR


FIGURE_SCALE = 2  # stored PNG figures: IPython's "retina" format (booktools.figure_text.startup_folder)


def _keep_prose_edits(executed, on_disk) -> None:
    """Carry Markdown edits made to the file during the run into the executed notebook.

    Only called when the code cells are unchanged; cells are matched by
    position, so a cell added or removed meanwhile is an error.
    """
    if [c.cell_type for c in executed.cells] != [c.cell_type for c in on_disk.cells]:
        raise RuntimeError("cells were added or removed while the notebook ran; run it again")
    for ran, edited in zip(executed.cells, on_disk.cells):
        if ran.cell_type == "markdown":
            ran.source, ran.metadata = edited.source, edited.metadata


def execute_notebook(path: Path, *, timeout: int = 3600, time_only: bool = False) -> dict:
    """Execute ``path`` and return its provenance record.

    Normally the outputs and the record are stored in ``path``; with
    ``time_only`` only ``dlbook.timings.<profile>`` is written there.
    """
    notebook = nbformat.read(path, as_version=4)
    profile = current_profile().name
    source = source_record(notebook, profile=profile)  # taken before the run: what the outputs come from
    # A figure whose text the website would show too small fails the run, in every notebook (its
    # exceptions hold under nbval only); the stored figures are PNGs at twice the figure's dpi.
    figure_text.use_in_kernels(retina=True)
    code_sha = source["code_sha256"]
    with tempfile.TemporaryDirectory(prefix="dlbook-execute-") as tmp:
        record_file, results_file = Path(tmp) / "provenance.json", Path(tmp) / "results.json"
        folds_file = Path(tmp) / "folds.json"
        passed = {CODE_HASH_VAR: code_sha, PACKAGE_HASH_VAR: source["dlbook_sha256"],
                  PROVENANCE_FILE_VAR: str(record_file), RESULTS_FILE_VAR: str(results_file),
                  FOLDS_FILE_VAR: str(folds_file)}
        saved = {name: os.environ.get(name) for name in passed}
        os.environ.update(passed)
        try:
            client = NotebookClient(
                notebook,
                timeout=timeout,
                kernel_name="python3",
                # Keep what libraries write to the process's own stderr (TensorFlow's C++ start-up
                # lines on CPUs where oneDNN is on by default) out of the stored outputs.
                extra_arguments=["--IPKernelApp.capture_fd_output=False"],
                record_timing=False,
                resources={"metadata": {"path": str(path.parent)}},
            )
            started = time.perf_counter()
            client.execute()
            elapsed = time.perf_counter() - started
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        if not record_file.is_file():
            raise RuntimeError(f"{path} did not write its provenance: its last cell must call dlbook.show_provenance().")
        record = json.loads(record_file.read_text(encoding="utf-8"))
        results = json.loads(results_file.read_text(encoding="utf-8")) if results_file.is_file() else None
        folds = json.loads(folds_file.read_text(encoding="utf-8")) if folds_file.is_file() else None
    record.update(source)
    record["execution_wall_time_s"] = round(elapsed, 1)
    record["figure_scale"] = FIGURE_SCALE  # image pixels per CSS pixel of the stored PNG figures
    on_disk = nbformat.read(path, as_version=4)
    changed = stale_because(record, on_disk)
    if changed:  # edited while it ran: these outputs would be credited to source they did not run
        raise RuntimeError(f"{path} was not updated: while it ran, {'; '.join(changed)}. Run it again.")
    if time_only:
        notebook = on_disk
    else:
        _keep_prose_edits(notebook, on_disk)
        compact_figures(notebook)  # PNG figures as palette images: a third of the bytes
        notebook.metadata.setdefault("dlbook", {})["provenance"] = record
        if results is None:  # figures of an earlier run must not outlive it
            notebook.metadata["dlbook"].pop("results", None)
        else:
            notebook.metadata["dlbook"]["results"] = results
        if folds is None:
            notebook.metadata["dlbook"].pop("folds", None)
        else:
            notebook.metadata["dlbook"]["folds"] = folds
    notebook.metadata.setdefault("dlbook", {}).setdefault("timings", {})[record["profile"]] = timing_of(record)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".ipynb", delete=False, encoding="utf-8") as out:
        nbformat.write(notebook, out)
    os.replace(out.name, path)
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=3600, help="seconds allowed per cell")
    parser.add_argument("--allow-quick", action="store_true", help="allow the quick profile (for testing the executor)")
    parser.add_argument("--time-only", action="store_true",
                        help="only record how long each notebook takes (dlbook.timings); keep its outputs")
    args = parser.parse_args(argv)
    profile = current_profile()
    if not profile.real_data and not (args.allow_quick or args.time_only):
        parser.error("the book's stored outputs come from a real-data profile; set DLBOOK_PROFILE=cpu or gpu")
    if seed_offset() and not args.time_only:
        parser.error(f"the book's stored outputs use the seeds written in the notebooks; unset {SEED_OFFSET_VAR}")
    for path in args.notebooks:
        print(f"{'timing' if args.time_only else 'executing'} {path} in the {profile.name} profile ...", flush=True)
        record = execute_notebook(path, timeout=args.timeout, time_only=args.time_only)
        print(f"  done in {record['execution_wall_time_s']} s (code {record['code_sha256'][:12]})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

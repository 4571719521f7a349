"""Where a notebook's outputs came from.

A notebook calls :func:`start` in its setup cell and :func:`show_provenance`
in its last cell; the data loaders call :func:`record_data`. The last cell
shows the record (profile, data, hardware, versions, wall time, date, code
hash) and, when ``make execute`` runs the notebook, also writes it to the
file named by ``DLBOOK_PROVENANCE_FILE`` so that the executor can store it
in the notebook's metadata. ``DLBOOK_CODE_SHA256`` carries the hash of the
notebook's code cells, and ``DLBOOK_PACKAGE_SHA256`` that of the ``dlbook``
modules it runs (both computed by the book's executor, ``booktools``, before
the run), into the kernel.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import time
from typing import Any, Mapping

from dlbook.display import markdown_table, show_markdown

PROVENANCE_FILE_VAR = "DLBOOK_PROVENANCE_FILE"
CODE_HASH_VAR = "DLBOOK_CODE_SHA256"
PACKAGE_HASH_VAR = "DLBOOK_PACKAGE_SHA256"


_state: dict[str, Any] = {"notebook": None, "started": None, "profile": None, "data": {}}


def begin(notebook: str, profile_name: str) -> None:
    """Start the record of a notebook run (called by :func:`dlbook.start`)."""
    _state.update(notebook=notebook, started=time.perf_counter(), profile=profile_name, data={})


def record_data(name: str, source: str, fingerprint: str, count: int) -> None:
    """Note a dataset the run used (called by the loaders)."""
    _state["data"][name] = {"source": source, "fingerprint": fingerprint, "count": int(count)}


def record() -> dict[str, Any]:
    """The provenance of the run so far."""
    from dlbook.hardware import cpu_model, gpu_name, versions

    if _state["started"] is None:
        raise RuntimeError("dlbook.start(...) was not called in this kernel; call it in the setup cell.")
    from dlbook.profiles import seed_offset

    return {
        "notebook": _state["notebook"],
        "profile": _state["profile"],
        "seed_offset": seed_offset(),
        "data": dict(_state["data"]),
        "hardware": {"cpu": cpu_model(), "gpu": gpu_name()},
        "versions": versions(),
        "wall_time_s": round(time.perf_counter() - _state["started"], 1),
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "code_sha256": os.environ.get(CODE_HASH_VAR) or None,
        "dlbook_sha256": os.environ.get(PACKAGE_HASH_VAR) or None,
    }


def format_record(rec: Mapping[str, Any]) -> str:
    """A provenance record as a Markdown table."""
    if rec["data"]:
        data = "; ".join(
            f"{name}: {d['count']} image{'' if d['count'] == 1 else 's'} from {d['source']} "
            f"(fingerprint `{d['fingerprint'][:16]}`)"
            for name, d in rec["data"].items()
        )
    else:
        data = "none loaded (the notebook builds its own small arrays)"
    versions = ", ".join(f"{k} {v}" for k, v in rec["versions"].items())
    code = rec.get("code_sha256")
    rows = [
        ["profile", f"`{rec['profile']}`"],
        ["data", data],
        ["hardware", rec["hardware"]["cpu"] + (f"; GPU: {rec['hardware']['gpu']}" if rec["hardware"]["gpu"] else "; no GPU")],
        ["versions", versions],
        *([["seeds", f"offset by {rec['seed_offset']:+d} from the code's (DLBOOK_SEED_OFFSET)"]]
          if rec.get("seed_offset") else []),
        ["wall time", f"{rec['wall_time_s']} s"],
        ["date", rec["date"]],
        ["code hash", f"`{code[:16]}`" if code else "not recorded (run through `make execute` to record it)"],
        *([["dlbook source hash", f"`{rec['dlbook_sha256'][:16]}` (the dlbook modules this notebook runs)"]]
          if rec.get("dlbook_sha256") else []),
    ]
    return "**Provenance of these outputs**\n\n" + markdown_table(["record", "value"], rows)


def show_provenance() -> None:
    """Show the run's provenance; under ``make execute`` also write it for the executor."""
    rec = record()
    target = os.environ.get(PROVENANCE_FILE_VAR)
    if target:
        with open(target, "w", encoding="utf-8") as out:
            json.dump(rec, out, indent=1)
    show_markdown(format_record(rec))

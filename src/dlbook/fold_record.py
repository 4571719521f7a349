"""Every file's cross-validation fold and group, stored with the notebook for audits.

A chapter that cuts a dataset into folds calls :func:`record_folds`; under
``make execute`` the file named by ``DLBOOK_FOLDS_FILE`` receives the
record and the executor stores it at ``metadata["dlbook"]["folds"]``, so
anyone can check which file was tested by which model, and that no group
crosses a fold, without re-running the chapter.
"""

from __future__ import annotations

import json
import os

FOLDS_FILE_VAR = "DLBOOK_FOLDS_FILE"


def record_folds(files, folds, groups) -> dict[str, dict[str, int]]:
    """Record the fold and group of every file (and write them, under ``make execute``).

    ``files`` are names (unique strings), ``folds`` and ``groups`` one
    integer per file. Returns ``{file: {"fold": f, "group": g}}``.
    """
    files = [str(name) for name in files]
    folds, groups = [int(f) for f in folds], [int(g) for g in groups]
    if not len(files) == len(folds) == len(groups):
        raise ValueError(f"{len(files)} files, {len(folds)} folds and {len(groups)} groups: one of each per file")
    if len(set(files)) != len(files):
        raise ValueError("file names must be unique")
    record = {name: {"fold": fold, "group": group} for name, fold, group in zip(files, folds, groups)}
    target = os.environ.get(FOLDS_FILE_VAR)
    if target:
        with open(target, "w", encoding="utf-8") as out:
            json.dump(record, out, sort_keys=True)
    return record

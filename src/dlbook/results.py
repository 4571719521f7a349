"""A chapter's headline figures, recorded for programs to read.

A training chapter calls :func:`record_results` with the numbers its
answer states (accuracies as fractions). Under ``make execute`` the file
named by ``DLBOOK_RESULTS_FILE`` receives them and the executor stores them
in the notebook's metadata at ``metadata["dlbook"]["results"]``, next to
the provenance record, so the landing page, the benchmarks and the tests
read the same numbers the page prints.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from typing import Mapping

RESULTS_FILE_VAR = "DLBOOK_RESULTS_FILE"

_results: dict[str, float] = {}


def record_results(**values: float) -> Mapping[str, float]:
    """Add ``name=number`` results to this run's record (and write it, under ``make execute``).

    Names are identifiers (``scan_accuracy``); values must be finite
    numbers. Returns everything recorded so far.
    """
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
            raise ValueError(f"result {name!r} must be a finite number, not {value!r}")
        _results[name] = float(value)
    target = os.environ.get(RESULTS_FILE_VAR)
    if target:
        with open(target, "w", encoding="utf-8") as out:
            json.dump(_results, out, indent=1, sort_keys=True)
    return dict(_results)


def clear() -> None:
    """Forget the results recorded so far (a new run; the tests)."""
    _results.clear()

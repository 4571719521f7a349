"""Helpers shared by the notebooks of the deep-learning course book.

A notebook's setup cell calls :func:`start` before it imports TensorFlow;
its last cell calls :func:`show_provenance`.
"""

from __future__ import annotations

import os
from importlib import metadata as _metadata

try:  # the version lives in pyproject.toml alone, so a release touches no module a notebook runs
    __version__ = _metadata.version("dlbook")
except _metadata.PackageNotFoundError:  # imported from a source tree that pip has not installed
    __version__ = "unknown"

from dlbook.data import DatasetError, ImageDataset, data_dir, load_br35h, load_cifar10  # noqa: E402
from dlbook.profiles import Profile, current_profile, get_profile, seed, seed_offset, show_budget  # noqa: E402
from dlbook.provenance import show_provenance  # noqa: E402

__all__ = [
    "DatasetError",
    "ImageDataset",
    "Profile",
    "current_profile",
    "data_dir",
    "get_profile",
    "load_br35h",
    "load_cifar10",
    "seed",
    "seed_offset",
    "show_budget",
    "show_provenance",
    "start",
]


def start(notebook: str) -> Profile:
    """Prepare a notebook run and return its profile.

    Silences TensorFlow's C++ start-up log lines (set before TensorFlow is
    imported), applies the book's figure style, validates
    ``DLBOOK_PROFILE`` (an unknown value is an error listing the valid
    ones) and ``DLBOOK_SEED_OFFSET`` (see :func:`seed`), and starts the
    provenance record.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from dlbook import plotting, provenance

    plotting.use_book_style()
    profile = current_profile()
    seed_offset()  # a malformed offset fails here, in the setup cell, not in a training cell
    provenance.begin(notebook, profile.name)
    return profile

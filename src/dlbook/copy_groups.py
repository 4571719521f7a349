"""The copies the brain chapter's stored run found in Br35H, and the links they make.

:func:`br35h_copy_groups` reads the groups shipped with dlbook
(``dlbook/br35h_copy_groups.json``); :func:`stored_links` turns groups of file
names into a link matrix that joins a detector's own links, so that the
chapter's folds do not depend on a processor's rounding near a detector's cut.
"""

from __future__ import annotations

import importlib.resources
import json

import numpy as np


def br35h_copy_groups() -> list[list[str]]:
    """The groups of Br35H copies the brain chapter's stored run found, shipped with dlbook.

    Each group lists two or more file names (``"yes/y125.jpg"``) that are copies of
    one scan; a file in no group is a scan of its own. Read from
    ``dlbook/br35h_copy_groups.json`` (which also says where and when they were found).
    """
    text = importlib.resources.files("dlbook").joinpath("br35h_copy_groups.json").read_text(encoding="utf-8")
    return json.loads(text)["groups"]


def stored_links(files, stored_groups) -> np.ndarray:
    """The links a stored grouping makes between ``files``: an (n, n) boolean matrix.

    ``stored_groups`` are lists of file names (for instance
    :func:`br35h_copy_groups`); entry (i, j) is True when ``files[i]``
    and ``files[j]`` are listed in one group, and on the diagonal. Names ``files``
    lacks are ignored; a file listed in no group is linked to itself only. OR it
    with a detector's links and pass the result to :func:`dlbook.splits.connected_groups`.
    """
    position = {str(name): i for i, name in enumerate(files)}
    if len(position) != len(files):
        raise ValueError("file names must be unique")
    linked = np.eye(len(files), dtype=bool)
    for group in stored_groups:
        members = [position[name] for name in group if name in position]
        linked[np.ix_(members, members)] = True
    return linked

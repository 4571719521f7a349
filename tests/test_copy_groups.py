"""dlbook.copy_groups: the brain chapter's stored grouping of Br35H, and the links it makes."""

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from dlbook.copy_groups import br35h_copy_groups, stored_links
from dlbook.data import BR35H_EXPECTED
from dlbook.splits import connected_groups


def test_stored_links_join_listed_files_and_ignore_unknown_names():
    files = ["a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg"]
    linked = stored_links(files, [["a.jpg", "c.jpg"], ["d.jpg", "e.jpg", "elsewhere.jpg"]])
    assert linked.dtype == bool and np.array_equal(linked, linked.T) and linked.diagonal().all()
    assert np.array_equal(connected_groups(linked), [0, 1, 0, 2, 2])
    # A detector's extra link joins two stored groups; a stored link it misses stays.
    detected = np.eye(5, dtype=bool)
    detected[1, 3] = detected[3, 1] = True
    assert np.array_equal(connected_groups(linked | detected), [0, 1, 0, 1, 1])
    with pytest.raises(ValueError, match="unique"):
        stored_links(["a.jpg", "a.jpg"], [])


def test_the_shipped_br35h_grouping_is_a_partition_of_distinct_names():
    groups = br35h_copy_groups()
    names = [name for group in groups for name in group]
    assert len(names) == len(set(names)), "a file in two groups"
    assert all(len(group) >= 2 for group in groups)
    assert all(name.split("/")[0] in BR35H_EXPECTED for name in names)
    # Copies share a label: every group lies in one class folder.
    assert all(len({name.split("/")[0] for name in group}) == 1 for group in groups)
    singletons = sum(BR35H_EXPECTED.values()) - len(names)
    assert len(groups) + singletons == 302, "the stored run's count of distinct scans"


def test_the_brain_chapters_stored_folds_group_the_files_as_the_shipped_grouping():
    """The stored run's groups (notebook metadata) are the ones dlbook ships: the same partition."""

    notebook = Path(__file__).resolve().parent.parent / "notebooks" / "brain-tumor-classifier.ipynb"
    record = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["dlbook"]["folds"]
    members = defaultdict(set)
    for name, entry in record.items():
        members[entry["group"]].add(name)
    stored = {frozenset(group) for group in members.values() if len(group) > 1}
    assert stored == {frozenset(group) for group in br35h_copy_groups()}
    # And no group crosses a fold.
    folds_of = defaultdict(set)
    for name, entry in record.items():
        folds_of[entry["group"]].add(entry["fold"])
    assert all(len(folds) == 1 for folds in folds_of.values())


def test_the_grouping_ships_in_the_package_a_reader_installs():
    """Colab installs dlbook as a wheel: the JSON must be declared package data, not only be in src/."""
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["dlbook"]
    data_files = [path.name for path in (root / "src" / "dlbook").iterdir()
                  if path.is_file() and path.suffix not in {".py", ".pyc"}]
    assert "br35h_copy_groups.json" in data_files
    assert all(any(fnmatch.fnmatch(name, pattern) for pattern in patterns) for name in data_files), data_files

"""Grouped cross-validation and scan-level scores with bootstrap intervals.

A dataset whose files are copies of fewer distinct pictures (Br35H: 3,000
files, about 350 scans) is measured honestly only if

* no group of copies is on both sides of a cut (:func:`grouped_folds`,
  :func:`grouped_holdout`),
* every distinct scan counts once, not once per copy (:func:`group_means`,
  :func:`equal_group_weights`), and
* the result comes with its noise: an interval from resampling the scans
  (:func:`bootstrap_interval`).
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def _groups_by_label(labels, groups) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(group ids, label of each group, group index of each item)``; a group must not mix labels."""
    labels, groups = np.asarray(labels), np.asarray(groups)
    if labels.shape != groups.shape or labels.ndim != 1 or len(labels) == 0:
        raise ValueError("labels and groups must be non-empty 1-D arrays of the same length")
    ids, index = np.unique(groups, return_inverse=True)
    group_label = np.zeros(len(ids), labels.dtype)
    group_label[index] = labels
    if (group_label[index] != labels).any():
        raise ValueError("a group mixes labels: every copy of a scan must carry the scan's label")
    return ids, group_label, index


def grouped_folds(labels, groups, k: int = 5, seed: int = 0) -> np.ndarray:
    """The cross-validation fold (0 .. k-1) of every item.

    Every group goes whole into one fold, and each label's groups are dealt
    out in turn, in an order shuffled by ``seed``, so every fold holds the
    same number of groups of each label (give or take one). Fold sizes in
    *items* then differ with the group sizes; in groups they do not.
    """
    ids, group_label, index = _groups_by_label(labels, groups)
    if k < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, not {k}")
    rng = np.random.default_rng(seed)
    fold_of_group = np.empty(len(ids), np.int64)
    start = 0
    for label in np.unique(group_label):
        members = rng.permutation(np.nonzero(group_label == label)[0])
        if len(members) < k:
            raise ValueError(f"label {label} has {len(members)} groups, fewer than the {k} folds")
        fold_of_group[members] = (start + np.arange(len(members))) % k
        start += len(members)  # the next label starts where this one stopped: fold sizes stay even
    return fold_of_group[index]


def grouped_holdout(indices, labels, groups, fraction: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Split ``indices`` into ``(rest, held_out)`` by whole groups, ``fraction`` of each label's groups held out."""
    if not 0 < fraction < 1:
        raise ValueError(f"the held-out fraction must be between 0 and 1, not {fraction}")
    indices = np.asarray(indices)
    ids, group_label, index = _groups_by_label(np.asarray(labels)[indices], np.asarray(groups)[indices])
    rng = np.random.default_rng(seed)
    held = np.zeros(len(ids), bool)
    for label in np.unique(group_label):
        members = rng.permutation(np.nonzero(group_label == label)[0])
        held[members[:max(1, int(round(fraction * len(members))))]] = True
    return np.sort(indices[~held[index]]), np.sort(indices[held[index]])


def group_means(values, groups) -> tuple[np.ndarray, np.ndarray]:
    """``(group ids, mean of values per group)``: one score per distinct scan."""
    values, groups = np.asarray(values, float), np.asarray(groups)
    if values.shape != groups.shape:
        raise ValueError("values and groups must have the same shape")
    ids, index = np.unique(groups, return_inverse=True)
    return ids, np.bincount(index, weights=values) / np.bincount(index)


def group_labels(labels, groups) -> tuple[np.ndarray, np.ndarray]:
    """``(group ids, label of each group)``; raises if a group mixes labels."""
    ids, group_label, _ = _groups_by_label(labels, groups)
    return ids, group_label


def equal_group_weights(groups) -> np.ndarray:
    """A weight per item so that every group weighs the same in total; the weights average 1."""
    _, index, counts = np.unique(np.asarray(groups), return_inverse=True, return_counts=True)
    weights = 1.0 / counts[index]
    return weights / weights.mean()


def bootstrap_interval(statistic: Callable[[np.ndarray], float], n: int, *, samples: int = 2000,
                       level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic(indices)`` over ``n`` resampled items.

    ``statistic`` receives an index array (``n`` draws with replacement from
    ``range(n)``) and returns a number; resamples where it returns nan (an
    AUC with one class only) are dropped.
    """
    if n < 2 or not 0 < level < 1:
        raise ValueError("need at least two items and a level between 0 and 1")
    rng = np.random.default_rng(seed)
    values = np.array([statistic(rng.integers(0, n, n)) for _ in range(samples)], float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        raise ValueError("the statistic was undefined on every resample")
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)

"""Near-duplicate detection and leak-free train/validation/test splits.

A dataset scraped together from several sources often holds the same image
more than once: re-encoded, resized, with other contrast, or mirrored.
If one copy lands in training and another in the test split, the test
accuracy measures memory, not generalisation. This module

* scores how alike every pair of images is (:func:`similarity_matrix`),
* joins images whose similarity passes a threshold into groups
  (:func:`near_duplicate_groups`), and
* splits by group, stratified by label and deterministic from a seed
  (:func:`grouped_split`), so that no group has members in two splits.

The similarity is the correlation of two images' *fine structure*: each
image is turned to grayscale, shrunk to ``size`` pixels square, its smooth
part (a Gaussian blur of width ``sigma``) subtracted and the rest
standardised. Brightness, contrast, resolution and JPEG quality barely
change that signal; a different scan changes it completely. Mirror images
(flipped left-right, top-bottom or both) are compared too, because flipped
copies are a common way to pad a dataset.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

SPLIT_NAMES = ("train", "validation", "test")
ORIENTATIONS = ("as is", "flipped left-right", "flipped top-bottom", "rotated 180°")


def structure_features(images: np.ndarray, size: int = 64, sigma: float = 2.0) -> np.ndarray:
    """One standardised high-pass vector per image, shape ``(N, size * size)``.

    ``images`` is ``(N, H, W)`` or ``(N, H, W, C)`` with any numeric dtype;
    colour images are averaged to grayscale. A flat image (no structure)
    gives a zero vector, so it is similar to nothing.
    """
    images = np.asarray(images)
    if images.ndim == 4:
        images = images.mean(axis=-1)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"expected a non-empty batch of images (N, H, W[, C]), got shape {images.shape}")
    features = np.empty((len(images), size * size), np.float32)
    for i, image in enumerate(images):
        small = cv2.resize(np.ascontiguousarray(image, dtype=np.float32), (size, size),
                           interpolation=cv2.INTER_AREA)
        detail = (small - cv2.GaussianBlur(small, (0, 0), sigma)).ravel()
        detail -= detail.mean()
        norm = np.linalg.norm(detail)
        features[i] = detail / norm if norm > 1e-6 else 0.0
    return features


def _orientations(images: np.ndarray) -> list[np.ndarray]:
    images = np.asarray(images)
    return [images, images[:, :, ::-1], images[:, ::-1, :], images[:, ::-1, ::-1]]


def similarity_matrix(images: np.ndarray, *, size: int = 64, sigma: float = 2.0,
                      mirrored: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise similarity (correlation of fine structure, -1..1) of ``images``.

    Returns ``(similarity, orientation)``, both ``(N, N)``: for each pair the
    best correlation over the orientations tried, and which one gave it
    (an index into :data:`ORIENTATIONS`; only "as is" when ``mirrored`` is
    false). The diagonal is 1.
    """
    reference = structure_features(images, size, sigma)
    candidates = _orientations(images) if mirrored else [np.asarray(images)]
    similarity = np.full((len(reference), len(reference)), -np.inf, np.float32)
    orientation = np.zeros(similarity.shape, np.int8)
    for index, candidate in enumerate(candidates):
        score = reference @ structure_features(candidate, size, sigma).T
        score = np.maximum(score, score.T)  # a flipped b == b flipped a, up to resampling
        better = score > similarity
        similarity[better] = score[better]
        orientation[better] = index
    np.fill_diagonal(similarity, 1.0)
    np.fill_diagonal(orientation, 0)
    return similarity, orientation


def connected_groups(linked: np.ndarray) -> np.ndarray:
    """Group ids (0, 1, ... in order of first member) of the connected components
    of a symmetric boolean adjacency matrix."""
    linked = np.asarray(linked, bool)
    n = len(linked)
    parent = np.arange(n)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(linked, 1))):
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    roots = np.array([root(i) for i in range(n)])
    _, first, groups = np.unique(roots, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))  # renumber groups by their first member
    return order[groups].astype(np.int64)


@dataclass
class DuplicateGroups:
    """The result of :func:`near_duplicate_groups`."""

    groups: np.ndarray  # (N,) group id per image
    similarity: np.ndarray  # (N, N) best similarity over orientations
    orientation: np.ndarray  # (N, N) index into ORIENTATIONS
    threshold: float

    @property
    def group_count(self) -> int:
        return int(self.groups.max()) + 1

    @property
    def sizes(self) -> np.ndarray:
        """Number of images in each group."""
        return np.bincount(self.groups)

    def members(self, group: int) -> np.ndarray:
        return np.nonzero(self.groups == group)[0]

    def duplicated_images(self) -> int:
        """Images that have at least one near-duplicate."""
        return int((self.sizes[self.groups] > 1).sum())

    def mixed_label_groups(self, labels: np.ndarray) -> list[int]:
        """Groups whose members do not all carry the same label."""
        labels = np.asarray(labels)
        return [g for g in range(self.group_count) if len(np.unique(labels[self.groups == g])) > 1]


def near_duplicate_groups(images: np.ndarray, threshold: float = 0.85, *, size: int = 64,
                          sigma: float = 2.0, mirrored: bool = True) -> DuplicateGroups:
    """Group images that are near-duplicates, directly or through a chain.

    Two images are linked when their :func:`similarity_matrix` score is at
    least ``threshold``; a group is a connected set of linked images, so a
    scan and all its re-encoded and mirrored copies end up together.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    similarity, orientation = similarity_matrix(images, size=size, sigma=sigma, mirrored=mirrored)
    return DuplicateGroups(connected_groups(similarity >= threshold), similarity, orientation, threshold)


# --- splits -------------------------------------------------------------------


def _check_fractions(fractions) -> np.ndarray:
    fractions = np.asarray(fractions, float)
    if fractions.shape != (3,) or (fractions <= 0).any() or not np.isclose(fractions.sum(), 1.0):
        raise ValueError(f"fractions must be three positive numbers that sum to 1, got {tuple(fractions)}")
    return fractions


def _assignment_cost(counts: np.ndarray, targets: np.ndarray) -> float:
    # counts, targets: (label, split). Relative miss of every target, squared.
    return float((((counts - targets) / np.maximum(targets, 1)) ** 2).sum())


def grouped_split(labels, groups, fractions=(0.7, 0.15, 0.15), seed: int = 0,
                  attempts: int = 200) -> dict[str, np.ndarray]:
    """Split image indices into train / validation / test by group.

    Every group goes whole into one split, so no near-duplicate pair is ever
    separated. Groups are assigned per label (a group counts under its most
    common label) in an order shuffled by ``seed``, each to the split whose
    share of that label is furthest below its target; of ``attempts``
    shuffles the one closest to the target fractions is kept. The result
    depends only on the inputs and ``seed``.

    Returns ``{"train": idx, "validation": idx, "test": idx}`` with sorted
    index arrays that together cover every image exactly once.
    """
    labels = np.asarray(labels)
    groups = np.asarray(groups)
    if labels.shape != groups.shape or labels.ndim != 1:
        raise ValueError("labels and groups must be 1-D arrays of the same length")
    fractions = _check_fractions(fractions)
    group_ids, group_index = np.unique(groups, return_inverse=True)
    classes = np.unique(labels)
    label_index = np.searchsorted(classes, labels)
    per_group = np.zeros((len(group_ids), len(classes)), np.int64)
    np.add.at(per_group, (group_index, label_index), 1)
    group_label = per_group.argmax(axis=1)
    group_size = per_group.sum(axis=1)
    totals = np.array([group_size[group_label == c].sum() for c in range(len(classes))])
    targets = totals[:, None] * fractions[None, :]
    if min(len(group_ids), (group_label[:, None] == np.arange(len(classes))).sum(0).min()) < 3:
        raise ValueError("every label needs at least three groups to fill three splits")

    rng = np.random.default_rng(seed)
    best, best_cost = None, np.inf
    for _ in range(max(1, attempts)):
        order = rng.permutation(len(group_ids))
        counts = np.zeros_like(targets)
        where = np.empty(len(group_ids), np.int64)
        for g in order:
            c = group_label[g]
            deficit = (targets[c] - counts[c]) / targets[c]
            split = int(np.argmax(deficit))
            where[g] = split
            counts[c, split] += group_size[g]
        cost = _assignment_cost(counts, targets)
        if cost < best_cost:
            best, best_cost = where, cost
    image_split = best[group_index]
    return {name: np.nonzero(image_split == s)[0] for s, name in enumerate(SPLIT_NAMES)}


def random_split(labels, fractions=(0.7, 0.15, 0.15), seed: int = 0) -> dict[str, np.ndarray]:
    """The naive split: files shuffled and cut per label, duplicates ignored."""
    labels = np.asarray(labels)
    fractions = _check_fractions(fractions)
    rng = np.random.default_rng(seed)
    parts = {name: [] for name in SPLIT_NAMES}
    for c in np.unique(labels):
        members = rng.permutation(np.nonzero(labels == c)[0])
        cuts = np.round(np.cumsum(fractions)[:2] * len(members)).astype(int)
        for name, chunk in zip(SPLIT_NAMES, np.split(members, cuts)):
            parts[name].append(chunk)
    return {name: np.sort(np.concatenate(chunks)) for name, chunks in parts.items()}


def validation_split(labels, fraction: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(train, validation)`` indices: ``fraction`` of each label held out, fixed by ``seed``.

    For datasets that come with their own test set (CIFAR-10): the
    validation part is carved from the training data, so no training or
    tuning decision ever looks at the test set.
    """
    if not 0 < fraction < 1:
        raise ValueError(f"the validation fraction must be between 0 and 1, not {fraction}")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    held_out = []
    for c in np.unique(labels):
        members = rng.permutation(np.nonzero(labels == c)[0])
        held_out.append(members[:int(round(fraction * len(members)))])
    validation = np.sort(np.concatenate(held_out))
    return np.setdiff1d(np.arange(len(labels)), validation), validation


def split_summary(split: dict[str, np.ndarray], labels, groups=None) -> list[dict]:
    """Per split: images, positives' share and (given groups) distinct groups."""
    labels = np.asarray(labels)
    rows = []
    for name in SPLIT_NAMES:
        idx = split[name]
        row = {"split": name, "images": len(idx), "positive share": float(labels[idx].mean())}
        if groups is not None:
            row["groups"] = len(np.unique(np.asarray(groups)[idx]))
        rows.append(row)
    return rows


def leaked(split: dict[str, np.ndarray], similarity: np.ndarray, threshold: float,
           into: str = "test", source: str = "train") -> np.ndarray:
    """Indices of ``split[into]`` with a near-duplicate (similarity ≥ threshold) in ``split[source]``."""
    into_idx, source_idx = split[into], split[source]
    if len(into_idx) == 0 or len(source_idx) == 0:
        return np.array([], np.int64)
    has_twin = (np.asarray(similarity)[np.ix_(into_idx, source_idx)] >= threshold).any(axis=1)
    return into_idx[has_twin]

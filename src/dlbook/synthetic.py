"""Small generated stand-ins for the real datasets (the ``quick`` profile).

They exist so that every notebook can run end to end in seconds without a
network or the data cache: they have the real datasets' shapes, dtypes and
class structure, not their content. Everything is deterministic from a seed.

* :func:`mri_phantoms` - grayscale "axial slices": a skull ring, brain
  tissue with soft texture, two dark ventricles, noise; the ``yes`` class
  adds one bright lesion with a darker rim at a random place in the brain.
* :func:`mri_phantoms_with_copies` - the same, padded with altered copies
  (resized, re-contrasted, noisier, mirrored) of some slices, the way
  Br35H is, so that duplicate detection has something to find.
* :func:`lesion_position_patches` - patches of tissue texture with one
  lesion and no landmark, labelled by the half of the frame the lesion is in
  (a task that only absolute position can solve).
* :func:`pattern_images` - ten classes of 32x32 colour patterns
  (stripes in three orientations, checks, rings, a disc, a cross, dots and
  two gradients) with random colours, scales, phases and noise.
"""

from __future__ import annotations

import cv2
import numpy as np

MRI_CLASSES = ("no", "yes")
PATTERN_CLASSES = (
    "horizontal-stripes",
    "vertical-stripes",
    "diagonal-stripes",
    "checkerboard",
    "rings",
    "disc",
    "cross",
    "dots",
    "linear-gradient",
    "radial-gradient",
)


def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    coords = np.linspace(-1.0, 1.0, size, dtype=np.float32)
    return np.meshgrid(coords, coords, indexing="xy")


def _ellipse(x, y, cx, cy, ax, ay, angle):
    c, s = np.cos(angle), np.sin(angle)
    u = (x - cx) * c + (y - cy) * s
    v = -(x - cx) * s + (y - cy) * c
    return (u / ax) ** 2 + (v / ay) ** 2


def _phantom(rng: np.random.Generator, size: int, lesion: bool) -> np.ndarray:
    """One slice, with a lesion somewhere well inside the brain if ``lesion``."""
    x, y = _grid(size)
    cx, cy = rng.uniform(-0.06, 0.06, 2)
    ax, ay = rng.uniform(0.62, 0.74), rng.uniform(0.75, 0.88)
    angle = rng.uniform(-0.25, 0.25)
    head = _ellipse(x, y, cx, cy, ax, ay, angle)
    brain_r = _ellipse(x, y, cx, cy, ax - 0.07, ay - 0.07, angle)
    image = np.zeros((size, size), np.float32)
    image[head <= 1.0] = 0.85  # skull and scalp
    brain = brain_r <= 1.0
    texture = np.zeros_like(image)
    for _ in range(6):  # soft grey/white-matter variation
        bx, by = rng.uniform(-0.5, 0.5, 2)
        texture += rng.uniform(-0.08, 0.08) * np.exp(-((x - bx) ** 2 + (y - by) ** 2) / rng.uniform(0.02, 0.1))
    image[brain] = 0.45 + texture[brain]
    for side in (-1, 1):  # ventricles
        vent = _ellipse(x, y, cx + side * rng.uniform(0.08, 0.14), cy - 0.05, 0.07, rng.uniform(0.16, 0.24), side * 0.3)
        image[vent <= 1.0] = 0.15
    if lesion:
        radius = rng.uniform(0.08, 0.2)
        while True:  # a centre well inside the brain
            lx, ly = rng.uniform(-0.5, 0.5, 2)
            inside = _ellipse(np.float32(lx), np.float32(ly), cx, cy, ax - 0.2, ay - 0.2, angle) <= 1.0
            if inside:
                break
        dist = np.sqrt((x - lx) ** 2 + (y - ly) ** 2) / radius
        image = np.where(dist <= 1.0, 0.95 - 0.25 * dist**2, image)
        image = np.where((dist > 1.0) & (dist <= 1.25) & brain, image - 0.15, image)
    image += rng.normal(0.0, 0.03, image.shape).astype(np.float32)
    return (np.clip(image, 0.0, 1.0) * 255).round().astype(np.uint8)


def mri_phantoms(n_per_class: int, image_size: int = 128, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``2 * n_per_class`` phantom slices (uint8, ``(N, S, S, 1)``) and labels (0 = no, 1 = yes).

    Classes alternate (no, yes, no, ...), so any prefix is balanced.
    """
    if n_per_class < 1 or image_size < 16:
        raise ValueError("need n_per_class >= 1 and image_size >= 16")
    rng = np.random.default_rng(seed)
    labels = np.tile(np.array([0, 1], np.int64), n_per_class)
    images = np.stack([_phantom(rng, image_size, bool(label)) for label in labels])
    return images[..., None], labels


def _altered_copy(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """A copy of a 2-D uint8 slice as a dataset might re-publish it."""
    size = image.shape[0]
    scale = rng.uniform(0.6, 0.9)
    small = cv2.resize(image, (int(size * scale),) * 2, interpolation=cv2.INTER_AREA)
    copy = cv2.resize(small, (size, size), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    copy = copy * rng.uniform(0.7, 1.2) + rng.uniform(-20, 20) + rng.normal(0, 4, copy.shape)
    if rng.random() < 0.5:
        copy = copy[:, ::-1]
    if rng.random() < 0.3:
        copy = copy[::-1]
    return np.clip(copy, 0, 255).round().astype(np.uint8)


def mri_phantoms_with_copies(
    n_per_class: int, image_size: int = 128, seed: int = 0, copy_fraction: float = 0.4
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Phantom slices of which about ``copy_fraction`` are altered copies of others.

    Returns ``(images, labels, source)``: images and labels as in
    :func:`mri_phantoms` (``2 * n_per_class`` of them, classes alternating)
    and, per image, the index of the distinct slice it shows - its own index
    for an original, the original's for a copy (resized, re-contrasted,
    noisier and possibly mirrored). A copy keeps its original's label.
    """
    if not 0.0 <= copy_fraction < 1.0:
        raise ValueError("copy_fraction must be in [0, 1)")
    images, labels = mri_phantoms(n_per_class, image_size, seed)
    rng = np.random.default_rng([seed, 1])
    for image in images[..., 0]:  # give every slice its own fine texture, as real scans have
        detail = cv2.GaussianBlur(rng.normal(0.0, 120.0, image.shape).astype(np.float32), (0, 0), 1.5)
        image[...] = np.clip(image + detail * (image > 0), 0, 255).round().astype(np.uint8)
    source = np.arange(len(labels))
    n_copies = int(round(copy_fraction * len(labels)))
    n_originals = len(labels) - n_copies
    for i in range(n_originals, len(labels)):  # later slices become copies of earlier ones
        same_class = np.nonzero(labels[:n_originals] == labels[i])[0]
        if len(same_class) == 0:
            continue
        original = int(rng.choice(same_class))
        source[i] = original
        images[i, ..., 0] = _altered_copy(rng, images[original, ..., 0])
    return images, labels, source


def lesion_position_patches(
    n_per_class: int, image_size: int = 64, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tissue patches with one lesion each, labelled by *where* it is: 0 = left half, 1 = right.

    The background is the phantoms' tissue texture spread evenly over the
    whole frame: no skull, no midline, no ventricles, nothing whose position
    relative to the lesion could tell the sides apart. The lesion (the
    phantoms' bright disc with a darker rim, radius 2.5-5 px at 64 px) is
    centred 1/16 to 3/16 of the width left or right of the vertical midline
    and between 5/16 and 11/16 of the height, so that at 64 px every lesion
    pixel is at least 13 px from every border. Only the lesion's absolute
    position in the frame separates the classes.

    Returns ``(images, labels, extents)``: images ``(N, S, S, 1)`` uint8,
    labels alternating 0, 1, ... as in :func:`mri_phantoms`, and per image the
    lesion's pixel extent ``(left, right, top, bottom)``, rim included.
    """
    if n_per_class < 1 or image_size < 16:
        raise ValueError("need n_per_class >= 1 and image_size >= 16")
    rng = np.random.default_rng(seed)
    labels = np.tile(np.array([0, 1], np.int64), n_per_class)
    rows, cols = np.mgrid[0:image_size, 0:image_size].astype(np.float32)
    scale, middle = image_size / 64, (image_size - 1) / 2
    images, extents = [], []
    for label in labels:
        image = np.full((image_size, image_size), 0.45, np.float32)
        for _ in range(12):  # soft texture, centred anywhere in or just outside the frame
            bx, by = rng.uniform(-0.1, 1.1, 2) * image_size
            width = rng.uniform(3, 10) * scale
            image += rng.uniform(-0.06, 0.06) * np.exp(-((cols - bx) ** 2 + (rows - by) ** 2) / (2 * width**2))
        radius = rng.uniform(2.5, 5.0) * scale
        lx = middle + (1 if label else -1) * rng.uniform(1 / 16, 3 / 16) * image_size
        ly = rng.uniform(5 / 16, 11 / 16) * image_size
        dist = np.sqrt((cols - lx) ** 2 + (rows - ly) ** 2) / radius
        image = np.where(dist <= 1.0, 0.95 - 0.25 * dist**2, image)
        image = np.where((dist > 1.0) & (dist <= 1.25), image - 0.15, image)
        image += rng.normal(0.0, 0.03, image.shape).astype(np.float32)
        images.append((np.clip(image, 0.0, 1.0) * 255).round().astype(np.uint8))
        lesion_cols, lesion_rows = cols[dist <= 1.25], rows[dist <= 1.25]
        extents.append((lesion_cols.min(), lesion_cols.max(), lesion_rows.min(), lesion_rows.max()))
    return np.stack(images)[..., None], labels, np.array(extents, np.int64)


def _pattern(rng: np.random.Generator, label: int, size: int) -> np.ndarray:
    x, y = _grid(size)
    freq = rng.uniform(2.0, 4.5)
    phase = rng.uniform(0, 2 * np.pi)
    if label == 0:
        mask = np.sin(np.pi * freq * y + phase) > 0
    elif label == 1:
        mask = np.sin(np.pi * freq * x + phase) > 0
    elif label == 2:
        sign = rng.choice([-1.0, 1.0])
        mask = np.sin(np.pi * freq * (x + sign * y) / np.sqrt(2) + phase) > 0
    elif label == 3:
        mask = (np.sin(np.pi * freq * x + phase) > 0) ^ (np.sin(np.pi * freq * y + phase) > 0)
    elif label == 4:
        cx, cy = rng.uniform(-0.3, 0.3, 2)
        mask = np.sin(np.pi * freq * 1.5 * np.hypot(x - cx, y - cy) + phase) > 0
    elif label == 5:
        cx, cy = rng.uniform(-0.4, 0.4, 2)
        mask = np.hypot(x - cx, y - cy) < rng.uniform(0.25, 0.5)
    elif label == 6:
        cx, cy = rng.uniform(-0.4, 0.4, 2)
        width = rng.uniform(0.1, 0.22)
        mask = (np.abs(x - cx) < width) | (np.abs(y - cy) < width)
    elif label == 7:
        mask = np.zeros((size, size), bool)
        for _ in range(rng.integers(5, 10)):
            cx, cy = rng.uniform(-0.9, 0.9, 2)
            mask |= np.hypot(x - cx, y - cy) < rng.uniform(0.07, 0.14)
    else:
        mask = None
    fg, bg = rng.uniform(0.0, 1.0, (2, 3)).astype(np.float32)
    if np.abs(fg - bg).sum() < 0.6:  # keep foreground and background distinguishable
        fg = 1.0 - bg
    if mask is not None:
        weight = mask.astype(np.float32)
    elif label == 8:
        angle = rng.uniform(0, 2 * np.pi)
        weight = (x * np.cos(angle) + y * np.sin(angle) + 1.42) / 2.84
    else:
        cx, cy = rng.uniform(-0.4, 0.4, 2)
        weight = np.clip(1.0 - np.hypot(x - cx, y - cy) / 1.4, 0.0, 1.0)
    image = weight[..., None] * fg + (1.0 - weight[..., None]) * bg
    image += rng.normal(0.0, 0.05, image.shape).astype(np.float32)
    return (np.clip(image, 0.0, 1.0) * 255).round().astype(np.uint8)


def pattern_images(n_per_class: int, image_size: int = 32, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``10 * n_per_class`` colour pattern images (uint8, ``(N, S, S, 3)``) and labels 0-9.

    Labels cycle 0, 1, ..., 9, 0, 1, ..., so any prefix is nearly balanced.
    """
    if n_per_class < 1 or image_size < 8:
        raise ValueError("need n_per_class >= 1 and image_size >= 8")
    rng = np.random.default_rng(seed)
    labels = np.tile(np.arange(len(PATTERN_CLASSES), dtype=np.int64), n_per_class)
    images = np.stack([_pattern(rng, int(label), image_size) for label in labels])
    return images, labels

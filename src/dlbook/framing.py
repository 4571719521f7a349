"""Where the head is in a scan, and framing every scan the same way.

Br35H's files come from several sources that frame the same slice
differently: more or less black border, another aspect ratio, rotated by
90° or 180°. Resizing each file to a square ("squashing") keeps those
differences and adds its own distortion. This module finds the head's
bounding box (:func:`head_box`) and re-frames a scan around it
(:func:`crop_and_pad`): cropped to the head, its true aspect ratio restored
from the file's original size, and padded with black to a square, so every
head fills the frame the same way whatever the file's border and shape.

The same crop finds copies of one scan that were framed differently
(:func:`head_similarity`): a copy with another border or aspect ratio no
longer lines up with its original once both are squashed to a square, so
:func:`dlbook.splits.similarity_matrix` misses it; cropped to the head and
compared over all eight rotations and mirror images, it lines up again.
"""

from __future__ import annotations

import cv2
import numpy as np


def head_box(image: np.ndarray, *, level: float = 0.1, min_share: float = 0.02) -> tuple[int, int, int, int]:
    """``(top, bottom, left, right)`` of the bright object in a grayscale ``image`` (bottom/right exclusive).

    A pixel is part of the object when a lightly blurred copy of the image is
    above ``level`` times its 99th percentile; rows and columns with fewer
    than ``min_share`` of their pixels above it (stray text, noise) do not
    count. An image with no such rows or columns gives the whole frame.
    """
    image = np.asarray(image, np.float32)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim != 2:
        raise ValueError(f"expected one grayscale image (H, W) or (H, W, 1), got shape {image.shape}")
    blurred = cv2.GaussianBlur(image, (0, 0), 1.5)
    bright = blurred > level * np.percentile(blurred, 99)
    rows = np.nonzero(bright.sum(axis=1) >= min_share * bright.shape[1])[0]
    cols = np.nonzero(bright.sum(axis=0) >= min_share * bright.shape[0])[0]
    if len(rows) < 2 or len(cols) < 2:
        return 0, image.shape[0], 0, image.shape[1]
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def crop_and_pad(images: np.ndarray, original_sizes=None) -> np.ndarray:
    """Each scan cropped to its head, at its true aspect ratio, padded with black to the input's square size.

    ``images`` is ``(N, S, S)`` or ``(N, S, S, 1)`` (the loader's squashed
    squares); ``original_sizes`` gives each file's ``(width, height)``
    before squashing, so a head that was squashed is stretched back; without
    it the crop keeps the aspect ratio it has in the square. The result has
    the input's shape and dtype, the head centred and touching two opposite
    sides of the frame.
    """
    images = np.asarray(images)
    squeeze = images.ndim == 3
    batch = images if squeeze else images[..., 0]
    if batch.ndim != 3 or batch.shape[1] != batch.shape[2]:
        raise ValueError(f"expected square grayscale images (N, S, S[, 1]), got shape {images.shape}")
    if original_sizes is not None and len(original_sizes) != len(batch):
        raise ValueError(f"{len(original_sizes)} original sizes for {len(batch)} images")
    size = batch.shape[1]
    out = np.zeros_like(batch)
    for i, image in enumerate(batch):
        top, bottom, left, right = head_box(image)
        height, width = bottom - top, right - left
        if original_sizes is not None:  # undo the squash: pixels of the square are not square in the file
            file_width, file_height = original_sizes[i]
            width, height = width * file_width / size, height * file_height / size
        scale = size / max(width, height)
        new_w = int(min(size, max(1, round(width * scale))))
        new_h = int(min(size, max(1, round(height * scale))))
        crop = np.ascontiguousarray(image[top:bottom, left:right])
        resized = cv2.resize(crop, (new_w, new_h), interpolation=cv2.INTER_AREA)
        y0, x0 = (size - new_h) // 2, (size - new_w) // 2
        out[i, y0:y0 + new_h, x0:x0 + new_w] = resized
    return out if squeeze else out[..., None]


DIHEDRAL = ("as is", "flipped left-right", "rotated 90°", "rotated 90°, flipped",
            "rotated 180°", "rotated 180°, flipped", "rotated 270°", "rotated 270°, flipped")


def head_signatures(images: np.ndarray, size: int = 48, low: float = 1.0, high: float = 4.0) -> np.ndarray:
    """One standardised band-pass image of each image's head, shape ``(N, size, size)``.

    Each image is cropped to its head's bounding box, resized to ``size``
    square (so border and aspect ratio no longer matter), and band-passed
    as the difference of Gaussian blurs of widths ``low`` and ``high``
    pixels, which keeps the anatomy's edges and drops noise and shading.
    """
    images = np.asarray(images)
    if images.ndim == 4:
        images = images.mean(axis=-1)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"expected a non-empty batch of images (N, H, W[, C]), got shape {images.shape}")
    signatures = np.empty((len(images), size, size), np.float32)
    for i, image in enumerate(images):
        image = np.asarray(image, np.float32)
        top, bottom, left, right = head_box(image)
        head = cv2.resize(np.ascontiguousarray(image[top:bottom, left:right]), (size, size),
                          interpolation=cv2.INTER_AREA)
        band = cv2.GaussianBlur(head, (0, 0), low) - cv2.GaussianBlur(head, (0, 0), high)
        band -= band.mean()
        norm = np.linalg.norm(band)
        signatures[i] = band / norm if norm > 1e-6 else 0.0
    return signatures


def head_similarity(images: np.ndarray, *, size: int = 48, low: float = 1.0,
                    high: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise similarity (-1..1) of the heads' band-pass signatures, best over the 8 rotations and flips.

    Returns ``(similarity, transform)``, both ``(N, N)``; ``transform``
    indexes :data:`DIHEDRAL`. The diagonal is 1.
    """
    signatures = head_signatures(images, size, low, high)
    reference = signatures.reshape(len(signatures), -1)
    similarity = np.full((len(reference), len(reference)), -np.inf, np.float32)
    transform = np.zeros(similarity.shape, np.int8)
    for quarter_turns in range(4):
        turned = np.rot90(signatures, quarter_turns, axes=(1, 2))
        for flipped, candidate in enumerate((turned, turned[:, :, ::-1])):
            score = reference @ np.ascontiguousarray(candidate).reshape(len(reference), -1).T
            score = np.maximum(score, score.T)
            better = score > similarity
            similarity[better] = score[better]
            transform[better] = 2 * quarter_turns + flipped
    np.fill_diagonal(similarity, 1.0)
    np.fill_diagonal(transform, 0)
    return similarity, transform

"""Perceptual hashes: a coarse fingerprint of an image's shape, compared in every orientation.

The brain-tumour chapter groups copies of one scan with three signals; this
module gives a fourth, independent one to check that grouping with. A
perceptual hash keeps only the signs of an image's lowest spatial
frequencies, so re-encoding, resizing and contrast changes barely move it,
while two different images differ in many of its bits. Copies in a public
collection are often mirrored or turned, so every image is hashed in all
eight rotations and mirror images and two images are as close as their
closest pair of orientations.
"""

from __future__ import annotations

import cv2
import numpy as np


def dct_hashes(images: np.ndarray, *, size: int = 32, keep: int = 8) -> np.ndarray:
    """Perceptual hashes of ``images`` in all eight rotations and mirror images: ``(N, 8, keep² − 1)`` bits.

    Each grayscale image, turned by a quarter turn k times and mirrored or
    not, is shrunk to ``size`` pixels square; the ``keep`` × ``keep`` lowest
    frequencies of its discrete cosine transform, the constant term left
    out, become one bit each: above their median or not. A different
    method from :func:`dlbook.splits.similarity_matrix` (no high-pass, coarse shape
    instead of fine structure), so it can check the groups that method made.
    """
    images = np.asarray(images, np.float32)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"expected grayscale images (N, H, W) or (N, H, W, 1), got shape {images.shape}")
    if not 2 <= keep <= size:
        raise ValueError(f"need 2 <= keep <= size, got keep={keep}, size={size}")
    bits = np.empty((len(images), 8, keep * keep - 1), bool)
    for n, image in enumerate(images):
        for turn in range(4):
            turned = np.rot90(image, turn)
            for mirror, view in enumerate((turned, turned[:, ::-1])):
                small = cv2.resize(np.ascontiguousarray(view), (size, size), interpolation=cv2.INTER_AREA)
                low = cv2.dct(small)[:keep, :keep].ravel()[1:]
                bits[n, 2 * turn + mirror] = low > np.median(low)
    return bits


def hash_distances(hashes: np.ndarray) -> np.ndarray:
    """``(N, N)`` Hamming distances between :func:`dct_hashes`, the fewest over the eight orientations.

    Image j is compared in each orientation with image i as is; the matrix is
    made symmetric by taking the smaller of the two directions.
    """
    hashes = np.asarray(hashes, bool)
    reference = hashes[:, 0, :].astype(np.float32)
    distance = np.full((len(hashes), len(hashes)), hashes.shape[-1], np.int32)
    for orientation in range(hashes.shape[1]):
        other = hashes[:, orientation, :].astype(np.float32)
        differ = reference @ (1 - other).T + (1 - reference) @ other.T
        distance = np.minimum(distance, np.rint(differ).astype(np.int32))
    return np.minimum(distance, distance.T)

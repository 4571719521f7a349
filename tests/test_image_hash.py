"""Perceptual hashes (dlbook.image_hash): copies in any orientation match, distinct images do not."""

import cv2
import numpy as np
import pytest

from dlbook import image_hash


def _scans(n: int, size: int, seed: int) -> np.ndarray:
    """n distinct random-texture images (uint8, (n, size, size))."""
    rng = np.random.default_rng(seed)
    return np.stack([np.clip(cv2.GaussianBlur(rng.normal(128, 60, (size, size)), (0, 0), 1.5), 0, 255)
                     .astype(np.uint8) for _ in range(n)])


def test_dct_hashes_match_copies_in_any_orientation_and_tell_scans_apart():
    scans = _scans(12, size=64, seed=3)
    ok, jpeg = cv2.imencode(".jpg", scans[3], [cv2.IMWRITE_JPEG_QUALITY, 40])
    turned = [np.rot90(scans[0]), np.rot90(scans[1], 2)[:, ::-1],
              np.clip(scans[2] * 0.7 + 40, 0, 255).astype(np.uint8), cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)]
    hashes = image_hash.dct_hashes(np.concatenate([scans, np.stack(turned)])[..., None])
    assert hashes.shape == (16, 8, 63) and hashes.dtype == bool
    distance = image_hash.hash_distances(hashes)
    assert np.array_equal(distance, distance.T) and (np.diag(distance) == 0).all()
    for k, original in enumerate(range(4)):
        assert distance[12 + k, original] <= 4, f"copy {k} of scan {original}: {distance[12 + k, original]} bits"
    between_scans = distance[:12, :12][~np.eye(12, dtype=bool)]
    assert between_scans.min() >= 12, "distinct random scans differ in many bits"


def test_dct_hashes_refuse_what_they_cannot_hash():
    with pytest.raises(ValueError, match="grayscale"):
        image_hash.dct_hashes(np.zeros((2, 8, 8, 3)))
    with pytest.raises(ValueError, match="keep"):
        image_hash.dct_hashes(np.zeros((2, 8, 8)), size=8, keep=9)

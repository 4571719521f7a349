"""The quick profile's generated stand-in datasets."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from dlbook import synthetic

# Fingerprint of mri_phantoms(3, 32, seed=1) with the pinned NumPy; a change means the quick data moved.
EXPECTED_PHANTOM_HASH = "5e6b1cac0b661139"


def test_phantoms_shape_balance_and_determinism():
    images, labels = synthetic.mri_phantoms(6, image_size=40, seed=3)
    assert images.shape == (12, 40, 40, 1) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [6, 6]
    again, _ = synthetic.mri_phantoms(6, image_size=40, seed=3)
    assert np.array_equal(images, again)
    other, _ = synthetic.mri_phantoms(6, image_size=40, seed=4)
    assert not np.array_equal(images, other)


def test_only_tumour_phantoms_have_bright_spots_inside_the_brain():
    images, labels = synthetic.mri_phantoms(100, image_size=64, seed=0)
    interior = images[:, 20:44, 20:44, 0]  # well inside the skull ring of every phantom
    bright = (interior > 200).reshape(len(images), -1).sum(axis=1)
    assert (bright[labels == 0] == 0).all(), "healthy phantoms: tissue and ventricles stay below the lesion's brightness"
    assert (bright[labels == 1] > 5).mean() >= 0.85, "most lesions lie in the interior (the rest nearer the skull)"


def test_patterns_shape_classes_and_determinism():
    images, labels = synthetic.pattern_images(4, seed=0)
    assert images.shape == (40, 32, 32, 3) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [4] * 10
    assert len(synthetic.PATTERN_CLASSES) == 10
    assert np.array_equal(images, synthetic.pattern_images(4, seed=0)[0])


def test_pattern_classes_differ():
    images, labels = synthetic.pattern_images(30, seed=0)
    means = np.stack([images[labels == k].reshape(30, -1).astype(float).std(axis=1).mean() for k in range(10)])
    assert len(np.unique(means.round(1))) > 5, "classes should not all look alike"


@pytest.mark.parametrize("call", [lambda: synthetic.mri_phantoms(0), lambda: synthetic.pattern_images(2, image_size=4)])
def test_bad_sizes_are_rejected(call):
    with pytest.raises(ValueError):
        call()


def test_lesion_side_phantoms_put_the_lesion_on_the_labelled_side():
    images, labels = synthetic.lesion_side_phantoms(30, image_size=128, seed=0)
    assert images.shape == (60, 128, 128, 1) and images.dtype == np.uint8
    assert labels.tolist() == [0, 1] * 30
    # The lesion's core is the only region whose 3x3 mean reaches 90% of white (the
    # skull is 85%); its centre is left (label 0) or right (1) of the middle.
    padded = np.pad(images[..., 0].astype(float), ((0, 0), (1, 1), (1, 1)))
    local_mean = sum(padded[:, i:i + 128, j:j + 128] for i in range(3) for j in range(3)) / 9
    bright = local_mean >= 0.9 * 255
    columns = np.arange(128)
    for image_bright, label in zip(bright, labels):
        centre = (image_bright.sum(axis=0) * columns).sum() / image_bright.sum()
        assert (centre > 63.5) == bool(label)
    again, _ = synthetic.lesion_side_phantoms(30, image_size=128, seed=0)
    assert np.array_equal(images, again)


def test_lesion_side_keeps_the_tumour_phantoms_unchanged():
    """Adding the side option must not change the stand-in data of other notebooks."""
    images, _ = synthetic.mri_phantoms(3, image_size=32, seed=1)
    assert hashlib.sha256(images.tobytes()).hexdigest()[:16] == EXPECTED_PHANTOM_HASH

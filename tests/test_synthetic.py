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


def test_lesion_position_patches_put_the_lesion_on_the_labelled_side_away_from_the_border():
    images, labels, extents = synthetic.lesion_position_patches(40, image_size=64, seed=0)
    assert images.shape == (80, 64, 64, 1) and images.dtype == np.uint8
    assert labels.tolist() == [0, 1] * 40
    assert extents.min() >= 13 and extents.max() <= 63 - 13, "every lesion pixel 13 px from the border"
    # The lesion's core is the only part of a patch above 85% of white: the texture stays below.
    columns = np.arange(64)
    for image, label, (left, right, top, bottom) in zip(images[..., 0], labels, extents):
        core = image > 0.85 * 255
        assert core.any() and not core[:, :left].any() and not core[:, right + 1:].any()
        assert not core[:top].any() and not core[bottom + 1:].any()
        centre = (core.sum(axis=0) * columns).sum() / core.sum()
        assert (centre > 31.5) == bool(label)
    assert np.array_equal(images, synthetic.lesion_position_patches(40, image_size=64, seed=0)[0])


def test_lesion_position_patches_have_no_landmark():
    """Away from the lesion the two classes' patches look alike: same mean brightness per column."""
    images, labels, extents = synthetic.lesion_position_patches(300, image_size=64, seed=1)
    tissue = images[..., 0].astype(float)
    for image, (left, right, top, bottom) in zip(tissue, extents):
        image[top:bottom + 1, left:right + 1] = np.nan
    profile = {label: np.nanmean(tissue[labels == label], axis=(0, 1)) for label in (0, 1)}
    assert np.abs(profile[0] - profile[1]).max() < 3, "no grey level per column tells the classes apart"


def test_tumour_phantoms_are_unchanged():
    """The stand-in data other notebooks use must not move when this module changes."""
    images, _ = synthetic.mri_phantoms(3, image_size=32, seed=1)
    assert hashlib.sha256(images.tobytes()).hexdigest()[:16] == EXPECTED_PHANTOM_HASH

"""dlbook.intensity_field: MRI-like shading, a smooth multiplicative field."""

import keras
import numpy as np
import pytest

from dlbook.intensity_field import RandomIntensityField


def _slices(count=6, size=32):
    rng = np.random.default_rng(3)
    images = rng.uniform(0.2, 1.0, (count, size, size, 1)).astype("float32")
    images[:, :4] = 0.0  # a black border, as around a head
    return images


def test_intensity_field_is_identity_at_inference_and_shades_in_training():
    images = _slices()
    layer = RandomIntensityField(0.3, seed=1)
    assert np.array_equal(keras.ops.convert_to_numpy(layer(images)), images)
    shaded = keras.ops.convert_to_numpy(layer(images, training=True))
    assert shaded.shape == images.shape
    assert np.all(shaded[:, :4] == 0), "black stays black: the field multiplies"
    factor = shaded[:, 4:] / images[:, 4:]
    assert np.all(factor > 0)
    assert not np.allclose(factor, 1.0), "training images are shaded"
    # One field per image, different between images.
    assert not np.allclose(factor[0], factor[1])


def test_intensity_field_is_smooth_and_about_as_strong_as_asked():
    images = np.ones((64, 48, 48, 1), "float32")
    for strength in (0.1, 0.3):
        log_field = np.log(keras.ops.convert_to_numpy(
            RandomIntensityField(strength, grid=4, seed=2)(images, training=True)))
        # Neighbouring pixels differ far less than the field varies across the slice.
        step = np.abs(np.diff(log_field, axis=2)).mean()
        assert step < 0.1 * log_field.std(axis=(1, 2)).mean()
        # The grid's values have standard deviation `strength`; resizing keeps it within a factor 2.
        assert 0.5 * strength < log_field.std(axis=(1, 2)).mean() < 2 * strength


def test_intensity_field_repeats_from_its_seed_and_round_trips_through_its_config():
    images = _slices()
    first = keras.ops.convert_to_numpy(RandomIntensityField(0.3, seed=7)(images, training=True))
    again = keras.ops.convert_to_numpy(RandomIntensityField(0.3, seed=7)(images, training=True))
    assert np.array_equal(first, again)
    layer = RandomIntensityField(0.2, grid=3, seed=7, name="shading")
    copy = keras.layers.deserialize(keras.layers.serialize(layer))
    assert isinstance(copy, RandomIntensityField)
    assert (copy.strength, copy.grid, copy.seed, copy.name) == (0.2, 3, 7, "shading")


def test_intensity_field_refuses_a_negative_strength_or_a_one_point_grid():
    with pytest.raises(ValueError, match="strength"):
        RandomIntensityField(-0.1)
    with pytest.raises(ValueError, match="grid"):
        RandomIntensityField(0.3, grid=1)

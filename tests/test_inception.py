"""The Inception building blocks, networks and training helper."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from dlbook import inception


def module_model(build, channels=32, size=8, **kwargs):
    x = keras.Input((size, size, channels))
    return keras.Model(x, build(x, **kwargs))


def test_module_concatenates_its_four_branches():
    model = module_model(inception.inception_module, filters_1x1=8, reduce_3x3=4, filters_3x3=12,
                         reduce_5x5=2, filters_5x5=6, pool_projection=5, name="m", batch_norm=False)
    assert model.output_shape == (None, 8, 8, 8 + 12 + 6 + 5)
    c = 32  # every convolution: k*k*C_in weights per filter plus a bias
    expected = (c * 8 + 8) + (c * 4 + 4) + (9 * 4 * 12 + 12) + (c * 2 + 2) + (25 * 2 * 6 + 6) + (c * 5 + 5)
    assert model.count_params() == expected


def test_batch_norm_replaces_biases_with_four_numbers_per_channel():
    plain = module_model(inception.inception_module, filters_1x1=8, reduce_3x3=4, filters_3x3=12,
                         reduce_5x5=2, filters_5x5=6, pool_projection=5, name="m", batch_norm=False)
    normed = module_model(inception.inception_module, filters_1x1=8, reduce_3x3=4, filters_3x3=12,
                          reduce_5x5=2, filters_5x5=6, pool_projection=5, name="m")
    channels = 8 + 4 + 12 + 2 + 6 + 5
    assert normed.count_params() == plain.count_params() - channels + 4 * channels


def test_naive_module_keeps_the_input_channels_in_its_pool_branch():
    model = module_model(inception.naive_inception_module, filters_1x1=8, filters_3x3=12,
                         filters_5x5=6, name="n")
    assert model.output_shape == (None, 8, 8, 8 + 12 + 6 + 32)
    assert model.count_params() == (32 * 8 + 8) + (9 * 32 * 12 + 12) + (25 * 32 * 6 + 6)


def test_module_filters_halve_googlenet_and_scale():
    assert inception.module_filters("3a", 1.0) == (32, 48, 64, 8, 16, 16)
    assert inception.module_filters("3a", 2.0) == inception.GOOGLENET_MODULES["3a"]
    assert min(inception.module_filters("3a", 0.01)) == 4


@pytest.mark.parametrize("width", [0.25, 1.0])
def test_small_net_maps_uint8_images_to_class_probabilities(width):
    model = inception.small_inception_net(width)
    images = np.random.default_rng(0).integers(0, 256, (3, 32, 32, 3)).astype("uint8")
    probabilities = model.predict(images, verbose=0)
    assert probabilities.shape == (3, 10)
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    assert not any(isinstance(layer, keras.layers.Flatten) for layer in model.layers)


def test_writeup_net_puts_most_weights_in_its_dense_layer():
    model = inception.writeup_inception_net()
    assert model.get_layer("flatten").output.shape[1] == 8 * 8 * 480
    assert model.get_layer("dense").count_params() > 0.5 * model.count_params()


def test_one_cycle_rises_then_decays():
    schedule = inception.one_cycle_schedule(100, peak=0.2, warmup_fraction=0.2)
    values = [float(schedule(step)) for step in (0, 20, 60, 100)]
    assert values[0] == pytest.approx(0.02) and values[1] == pytest.approx(0.2)
    assert values[1] > values[2] > values[3] and values[3] == pytest.approx(0.002, rel=1e-3)
    assert isinstance(inception.one_cycle_sgd(100), keras.optimizers.SGD)
    with pytest.raises(ValueError):
        inception.one_cycle_schedule(1)


def test_train_classifier_reports_epochs_and_keeps_the_best():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (40, 32, 32, 3)).astype("uint8")
    labels = np.arange(40) % 10
    model = inception.small_inception_net(0.1, augment=False)
    run = inception.train_classifier(model, keras.optimizers.Adam(1e-3), (images, labels),
                                     (images[:10], labels[:10]), epochs=2, seconds=600,
                                     batch_size=16, keep_best=True, verbose=0)
    assert run["epochs"] == 2 and not run["stopped_by_budget"] and run["seconds"] > 0
    assert len(run["history"]["val_accuracy"]) == 2


def test_batches_are_cached_and_shaped():
    images = np.zeros((10, 32, 32, 3), "uint8")
    data = inception.batches(images, np.arange(10), 4, shuffle=True)
    assert [len(x) for x, _ in data] == [4, 4, 2]

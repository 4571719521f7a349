"""The Inception building blocks, networks and training helper."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

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


def test_train_classifier_runs_its_epochs_without_a_clock():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (24, 32, 32, 3)).astype("uint8")
    labels = np.arange(24) % 10
    run = inception.train_classifier(inception.small_inception_net(0.1, augment=False),
                                     keras.optimizers.SGD(0.01), (images, labels),
                                     (images[:8], labels[:8]), epochs=2, batch_size=8)
    assert run["epochs"] == 2 and not run["stopped_by_budget"]
    assert run["images_per_second"] == pytest.approx(24 * 2 / run["seconds"])


def test_flip_averaging_is_the_mean_of_image_and_mirror():
    model = inception.small_inception_net(0.1, augment=False)
    images = np.random.default_rng(2).integers(0, 256, (5, 32, 32, 3)).astype("uint8")
    plain = inception.predict_probabilities(model, images)
    mirrored = inception.predict_probabilities(model, images[:, :, ::-1])
    both = inception.predict_probabilities(model, images, flip=True)
    np.testing.assert_allclose(both, (plain + mirrored) / 2, atol=1e-6)
    np.testing.assert_allclose(inception.predict_probabilities(model, images[:, :, ::-1], flip=True),
                               both, atol=1e-6)  # a mirrored image gets the same averaged answer
    assert not np.allclose(plain, mirrored, atol=1e-6), "random images are not mirror-symmetric"


@pytest.mark.parametrize("name", list(inception.ABLATIONS))
def test_each_ablation_undoes_what_its_name_says(name):
    model, optimizer, training = inception.ablation_model(name, 0.25, 100)
    names = {layer.name for layer in model.layers}
    assert "augmentation" not in names  # augmentation is done in NumPy, by train_classifier
    assert (training["shift"] is None) == (name == "no augmentation")
    assert (training["label_smoothing"] == 0) == (name == "no label smoothing")
    assert any(n.endswith("_bn") for n in names) == (name != "no batch normalization")
    assert ("flatten" in names) == (name == "Flatten + dense 256 head")
    assert (model.get_layer("dropout").rate == 0) == (name == "no weight decay, no dropout")
    assert isinstance(optimizer, keras.optimizers.Adam) == (name == "Adam 1e-3, constant rate")
    if isinstance(optimizer, keras.optimizers.SGD):
        assert (optimizer.weight_decay is None) == (name == "no weight decay, no dropout")
    if name == "ours":
        assert training == inception.RECIPE
        assert model.count_params() == inception.small_inception_net(0.25).count_params()
        assert optimizer.weight_decay == pytest.approx(5e-3)


def test_plain_cnn_has_no_branches_and_maps_images_to_probabilities():
    model = inception.plain_cnn((8, 16, 16))
    assert not any(isinstance(layer, layers.Concatenate) for layer in model.layers)
    images = np.zeros((2, 32, 32, 3), "uint8")
    probabilities = model.predict(images, verbose=0)
    assert probabilities.shape == (2, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)
    assert model.get_layer("block3_b_conv").output.shape[1:3] == (4, 4)


def test_an_unknown_head_is_refused():
    with pytest.raises(ValueError, match="head"):
        inception.small_inception_net(0.25, head="dense")


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


def test_weight_decay_spares_normalization_scales_shifts_and_biases():
    inputs = keras.Input((4,))
    outputs = layers.Dense(2, name="dense")(layers.BatchNormalization(name="bn")(inputs))
    model = keras.Model(inputs, outputs)
    optimizer = inception.one_cycle_sgd(100, peak=0.1)
    before = [keras.ops.convert_to_numpy(v).copy() for v in model.trainable_variables]
    optimizer.apply([keras.ops.zeros(v.shape) for v in model.trainable_variables],
                    model.trainable_variables)
    for variable, old in zip(model.trainable_variables, before):
        new = keras.ops.convert_to_numpy(variable)
        if variable.name in inception.UNDECAYED:
            np.testing.assert_array_equal(new, old)  # no gradient and no decay: unchanged
        else:
            np.testing.assert_allclose(new, old * (1 - 0.01 * 5e-3), rtol=1e-6)  # warm-up starts at 0.01
    coupled = inception.one_cycle_sgd(100, decay_normalization=True)
    coupled.apply([keras.ops.zeros(v.shape) for v in model.trainable_variables],
                  model.trainable_variables)
    gamma = model.get_layer("bn").gamma
    assert float(keras.ops.convert_to_numpy(gamma)[0]) < 1.0


def test_label_smoothing_and_numpy_shifts_train_and_report_accuracy():
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, (32, 32, 32, 3)).astype("uint8")
    labels = np.arange(32) % 10
    model = inception.small_inception_net(0.1, augment=False)
    run = inception.train_classifier(model, keras.optimizers.SGD(0.01), (images, labels),
                                     (images[:8], labels[:8]), epochs=2, batch_size=8,
                                     label_smoothing=0.1, shift=4)
    assert run["epochs"] == 2
    assert {"accuracy", "val_accuracy", "loss", "val_loss"} <= set(run["history"])
    # a smoothed target never reaches probability 1, so the loss stays above its floor
    assert min(run["history"]["loss"]) > 0.1 * np.log(10) / 2
    final = inception.train_classifier(inception.small_inception_net(0.1, augment=False),
                                       keras.optimizers.SGD(0.01), (images, labels), None,
                                       epochs=1, batch_size=8, label_smoothing=0.1, shift=4)
    assert "val_accuracy" not in final["history"]
    with pytest.raises(ValueError, match="validation"):
        inception.train_classifier(model, keras.optimizers.SGD(0.01), (images, labels), None,
                                   epochs=1, batch_size=8, keep_best=True)


def test_views_are_the_image_its_shifts_and_their_mirror_images():
    images = np.random.default_rng(4).integers(0, 256, (3, 32, 32, 3)).astype("uint8")
    assert len(inception.views(images)) == 1
    assert len(inception.views(images, flip=True)) == 2
    shifted = inception.views(images, flip=True, shift=2)
    assert len(shifted) == 10
    # views 1-4 move the image down, up, right and left by 2 pixels: the rest is the original
    down, up, right, left = shifted[1:5]
    np.testing.assert_array_equal(down[:, 2:], images[:, :-2])
    np.testing.assert_array_equal(up[:, :-2], images[:, 2:])
    np.testing.assert_array_equal(right[:, :, 2:], images[:, :, :-2])
    np.testing.assert_array_equal(left[:, :, :-2], images[:, :, 2:])
    np.testing.assert_array_equal(shifted[5], images[:, :, ::-1])
    model = inception.small_inception_net(0.1, augment=False)
    averaged = inception.predict_probabilities(model, images, flip=True, shift=2)
    each = [model.predict(view, verbose=0) for view in shifted]
    np.testing.assert_allclose(averaged, np.mean(each, axis=0), atol=1e-6)


def test_module_diagram_draws_one_box_per_layer_and_no_arrow_through_a_box():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.text import Annotation

    x = keras.Input((28, 28, 192), name="module_input")
    model = keras.Model(x, inception.inception_module(x, 64, 96, 128, 16, 32, 32, name="m3a",
                                                      batch_norm=False))
    fig = inception.module_diagram(model, "m3a", title="module 3a")
    try:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        boxes = [text.get_bbox_patch().get_window_extent(renderer) for text in ax.texts
                 if not isinstance(text, Annotation)]
        assert len(boxes) == 2 + 7, "input, concatenation and the seven layers of the four branches"
        arrows = [text for text in ax.texts if isinstance(text, Annotation)]
        assert len(arrows) == 7 + 4, "one into every layer, one from each branch into the concatenation"
        for arrow in arrows:
            start, end = (ax.transData.transform(point) for point in (arrow.xyann, arrow.xy))
            ends = {min(range(len(boxes)), key=lambda i: np.hypot(*(point - np.array(
                [boxes[i].x0 + boxes[i].width / 2, boxes[i].y0 + boxes[i].height / 2]))))
                for point in (start, end)}
            for index, box in enumerate(boxes):
                if index in ends:
                    continue
                crossing = [point for point in np.linspace(start, end, 400)
                            if box.x0 - 2 < point[0] < box.x1 + 2 and box.y0 - 2 < point[1] < box.y1 + 2]
                assert not crossing, f"an arrow from {start} to {end} crosses box {index}"
    finally:
        plt.close(fig)

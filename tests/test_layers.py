"""dlbook.layers.LocallyConnected2D: counts, equivalence with Conv2D, training, saving."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from dlbook.layers import LocallyConnected2D


def a9_q4_model() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(20, 7),
            keras.layers.MaxPooling2D(2, strides=2),
            keras.layers.Conv2D(10, 5),
            LocallyConnected2D(2, 3),
            keras.layers.Flatten(),
            keras.layers.Dense(10),
        ]
    )


def test_a9_q4_counts():
    model = a9_q4_model()
    local = model.layers[3]
    assert local.output.shape == (None, 5, 5, 2)
    assert local.count_params() == 25 * (3 * 3 * 10 * 2) + 25 * 2 == 4550
    assert model.count_params() == 11070


@pytest.mark.parametrize("kernel,strides,shape", [(3, 1, (7, 7, 4)), ((2, 3), (2, 1), (9, 8, 3)), (1, 3, (5, 7, 2))])
def test_shared_weights_make_it_a_conv2d(kernel, strides, shape):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, *shape)).astype("float32")
    conv = keras.layers.Conv2D(3, kernel, strides=strides)
    expected = conv(x)
    local = LocallyConnected2D(3, kernel, strides=strides)
    local.build(x.shape)
    conv_kernel, conv_bias = (w.numpy() for w in conv.weights)
    positions = local.kernel.shape[0]
    local.set_weights([
        np.repeat(conv_kernel.reshape(1, -1, 3), positions, axis=0),
        np.broadcast_to(conv_bias, local.bias.shape),
    ])
    assert local(x).shape == expected.shape
    np.testing.assert_allclose(local(x), expected, rtol=1e-5, atol=1e-5)


def test_weights_are_not_shared():
    """Changing one position's filters changes that output position only."""
    x = np.ones((1, 4, 4, 1), "float32")
    local = LocallyConnected2D(1, 2, kernel_initializer="ones")
    before = keras.ops.convert_to_numpy(local(x))
    kernel = local.kernel.numpy()
    kernel[0] *= 3.0
    local.kernel.assign(kernel)
    after = keras.ops.convert_to_numpy(local(x))
    changed = np.argwhere(before != after)[:, 1:3].tolist()
    assert changed == [[0, 0]]


def test_it_trains():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6, 6, 2)).astype("float32")
    target_layer = LocallyConnected2D(2, 3)
    y = keras.ops.convert_to_numpy(target_layer(x))
    model = keras.Sequential([keras.Input((6, 6, 2)), LocallyConnected2D(2, 3)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]


def test_save_and_reload(tmp_path):
    model = a9_q4_model()
    x = np.random.default_rng(1).normal(size=(3, 28, 28, 1)).astype("float32")
    path = tmp_path / "model.keras"
    model.save(path)
    reloaded = keras.models.load_model(path)
    assert isinstance(reloaded.layers[3], LocallyConnected2D)
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_config_round_trip():
    layer = LocallyConnected2D(4, (3, 2), strides=(2, 1), activation="relu", use_bias=False, name="lc")
    clone = LocallyConnected2D.from_config(layer.get_config())
    assert (clone.filters, clone.kernel_size, clone.strides, clone.use_bias) == (4, (3, 2), (2, 1), False)
    assert clone.activation is keras.activations.relu


def test_bad_arguments():
    with pytest.raises(ValueError, match="kernel_size"):
        LocallyConnected2D(2, (3, 0))
    with pytest.raises(ValueError, match="smaller than"):
        LocallyConnected2D(2, 5).build((None, 4, 4, 1))


# --- AddCoords ------------------------------------------------------------------------------------


def test_add_coords_appends_column_and_row_positions():
    from dlbook.layers import AddCoords

    x = np.full((2, 3, 5, 4), 7.0, dtype="float32")
    out = keras.ops.convert_to_numpy(AddCoords()(x))
    assert out.shape == (2, 3, 5, 6)
    assert np.array_equal(out[..., :4], x)
    np.testing.assert_allclose(out[1, 2, :, 4], [-1, -0.5, 0, 0.5, 1], atol=1e-6)  # columns
    np.testing.assert_allclose(out[0, :, 3, 5], [-1, 0, 1], atol=1e-6)  # rows
    assert np.all(out[0, :, :, 4:] == out[1, :, :, 4:])


def test_add_coords_in_a_model_with_unknown_size_saves_and_loads(tmp_path):
    from dlbook.layers import AddCoords

    model = keras.Sequential([keras.Input((None, None, 1)), AddCoords(), keras.layers.Conv2D(2, 3)])
    assert model.outputs[0].shape == (None, None, None, 2)
    x = np.random.default_rng(0).normal(size=(1, 9, 7, 1)).astype("float32")
    path = tmp_path / "coords.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded(x), model(x), atol=1e-6)
    assert model.layers[0].count_params() == 0

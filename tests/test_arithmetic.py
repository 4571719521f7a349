"""The shape and parameter formulas agree with Keras on random layer configurations."""

from __future__ import annotations

import keras
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlbook import arithmetic as ar
from dlbook.layers import LocallyConnected2D

EXAMPLES = 100  # per layer family; five families below, so 500 configurations in all
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
CONV = {1: keras.layers.Conv1D, 2: keras.layers.Conv2D, 3: keras.layers.Conv3D}
POOL = {
    (1, "max"): keras.layers.MaxPooling1D, (2, "max"): keras.layers.MaxPooling2D, (3, "max"): keras.layers.MaxPooling3D,
    (1, "avg"): keras.layers.AveragePooling1D, (2, "avg"): keras.layers.AveragePooling2D,
    (3, "avg"): keras.layers.AveragePooling3D,
}


@st.composite
def conv_configs(draw):
    rank = draw(st.sampled_from([1, 2, 3]))
    limit = {1: 40, 2: 20, 3: 9}[rank]
    kernel = tuple(draw(st.integers(1, 5)) for _ in range(rank))
    padding = draw(st.sampled_from(["valid", "same"]))
    if draw(st.booleans()):  # strided
        strides, dilation = tuple(draw(st.integers(1, 3)) for _ in range(rank)), (1,) * rank
    else:  # Keras allows dilation only with stride 1
        strides, dilation = (1,) * rank, tuple(draw(st.integers(1, 3)) for _ in range(rank))
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]  # the smallest length a window fits in
    spatial = tuple(draw(st.integers(span, max(limit, span + 3))) for span in spans)
    return dict(
        rank=rank, spatial=spatial, channels=draw(st.integers(1, 6)), filters=draw(st.integers(1, 8)),
        kernel=kernel, strides=strides, dilation=dilation, padding=padding, use_bias=draw(st.booleans()),
    )


@PROPERTY
@given(conv_configs())
def test_conv_shapes_and_params(config):
    layer = CONV[config["rank"]](
        config["filters"], config["kernel"], strides=config["strides"], padding=config["padding"],
        dilation_rate=config["dilation"], use_bias=config["use_bias"],
    )
    input_shape = (None, *config["spatial"], config["channels"])
    layer.build(input_shape)
    expected = ar.conv_output_shape(
        config["spatial"], config["filters"], config["kernel"], config["strides"], config["padding"], config["dilation"]
    )
    assert tuple(layer.compute_output_shape(input_shape)[1:]) == expected
    assert layer.count_params() == ar.conv_params(config["kernel"], config["channels"], config["filters"], config["use_bias"])


@PROPERTY
@given(
    rank=st.sampled_from([1, 2, 3]), kind=st.sampled_from(["max", "avg"]), pool=st.integers(1, 4),
    stride=st.one_of(st.none(), st.integers(1, 4)), padding=st.sampled_from(["valid", "same"]),
    size=st.integers(4, 12), channels=st.integers(1, 5),
)
def test_pooling_shapes(rank, kind, pool, stride, padding, size, channels):
    spatial = (size,) * rank
    layer = POOL[(rank, kind)](pool_size=pool, strides=stride, padding=padding)
    input_shape = (None, *spatial, channels)
    assert tuple(layer.compute_output_shape(input_shape)[1:]) == ar.pool_output_shape(spatial, channels, pool, stride, padding)


@PROPERTY
@given(inputs=st.integers(1, 500), units=st.integers(1, 300), use_bias=st.booleans())
def test_dense_params(inputs, units, use_bias):
    layer = keras.layers.Dense(units, use_bias=use_bias)
    layer.build((None, inputs))
    assert layer.count_params() == ar.dense_params(inputs, units, use_bias)


@PROPERTY
@given(shape=st.lists(st.integers(1, 12), min_size=1, max_size=4))
def test_flatten_size(shape):
    assert keras.layers.Flatten().compute_output_shape((None, *shape)) == (None, ar.flatten_size(shape))


@PROPERTY
@given(
    rows=st.integers(3, 10), cols=st.integers(3, 10), channels=st.integers(1, 4), filters=st.integers(1, 4),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)), strides=st.tuples(st.integers(1, 3), st.integers(1, 3)),
)
def test_locally_connected(rows, cols, channels, filters, kernel, strides):
    layer = LocallyConnected2D(filters, kernel, strides=strides)
    input_shape = (None, rows, cols, channels)
    layer.build(input_shape)
    out = ar.conv_output_shape((rows, cols), filters, kernel, strides)
    assert tuple(layer.compute_output_shape(input_shape)[1:]) == out
    assert layer.count_params() == ar.locally_connected_params(out[0] * out[1], kernel, channels, filters)


def test_the_assignments_numbers():
    # A3-Q3 (a): Conv1D(16, 3) on 500 x 7, and the last Dense(5) after Dense(128)
    assert ar.conv_output_shape((500,), 16, 3) == (498, 16) and ar.conv_params((3,), 7, 16) == 352
    assert ar.dense_params(128, 5) == 645 and ar.dense_params(3776, 128) == 483456
    # A9-Q4: LocallyConnected2D(2, 3x3) on 7 x 7 x 10
    assert ar.locally_connected_params(25, (3, 3), 10, 2) == 4550


@pytest.mark.parametrize("call", [
    lambda: ar.output_length(4, 5), lambda: ar.output_length(10, 3, padding="full"),
])
def test_impossible_windows_are_errors(call):
    with pytest.raises(ValueError):
        call()


def test_multiply_adds_of_a_conv():
    # 64x64x3 -> Conv2D(128, 3x3): 62*62 positions x 128 filters, each 3*3*3 products
    assert ar.conv_multiply_adds((62, 62, 128), (3, 3), 3) == 62 * 62 * 128 * 27


def test_results_are_plain_ints_even_from_numpy_inputs():
    import numpy as np

    shape = ar.conv_output_shape((np.int64(9), np.int64(8)), np.int64(4), (3, 3), (2, 2))
    assert shape == (4, 3, 4) and all(type(n) is int for n in shape)
    assert type(ar.conv_params((np.int64(3),), np.int64(2), 5)) is int


def test_receptive_fields_grow_by_kernel_times_jump():
    assert ar.receptive_fields([(3, 1)] * 3) == [(3, 1), (5, 1), (7, 1)]
    assert ar.receptive_fields([(3, 2)] * 3) == [(3, 2), (7, 4), (15, 8)]
    assert ar.receptive_fields([(7, 2), (3, 2), (3, 1)]) == [(7, 2), (11, 4), (19, 4)]
    with pytest.raises(ValueError):
        ar.receptive_fields([(3, 0)])


def test_receptive_field_matches_the_gradient_support_of_a_keras_chain():
    import keras
    import numpy as np
    import tensorflow as tf

    stack = [(3, 2), (5, 1), (3, 2)]
    model = keras.Sequential([keras.Input((64, 64, 1))] + [
        keras.layers.Conv2D(1, k, strides=s, kernel_initializer="ones", use_bias=False)
        for k, s in stack])
    image = tf.Variable(np.zeros((1, 64, 64, 1), np.float32))
    with tf.GradientTape() as tape:
        centre = model(image)[0, 2, 2, 0]
    gradient = tape.gradient(centre, image).numpy()[0, :, :, 0]
    touched = np.nonzero(np.abs(gradient).sum(axis=1))[0]
    field, _ = ar.receptive_fields(stack)[-1]
    assert touched.max() - touched.min() + 1 == field

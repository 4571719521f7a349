"""Keras 3 layers the book needs that Keras itself no longer ships."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="dlbook")
class LocallyConnected2D(keras.layers.Layer):
    """A convolution-shaped layer with a separate filter bank at every output position.

    Like ``Conv2D`` with ``padding="valid"``, it slides a ``kernel_size``
    window over the input with ``strides``; unlike ``Conv2D`` the weights
    are *not shared* between positions. The kernel has shape
    ``(out_rows * out_cols, kh * kw * in_channels, filters)`` and the bias
    ``(out_rows, out_cols, filters)``, so the layer has

        out_rows * out_cols * (kh * kw * in_channels * filters + filters)

    parameters. Keras 2 had this layer (``keras.layers.LocallyConnected2D``);
    Keras 3 removed it. Channels-last inputs only.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int, int],
        strides: int | tuple[int, int] = (1, 1),
        activation=None,
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def _output_grid(self, input_shape) -> tuple[int, int]:
        rows, cols = input_shape[1], input_shape[2]
        if rows is None or cols is None:
            raise ValueError("LocallyConnected2D needs a known input height and width.")
        (kh, kw), (sh, sw) = self.kernel_size, self.strides
        if rows < kh or cols < kw:
            raise ValueError(f"Input {rows}x{cols} is smaller than the {kh}x{kw} kernel.")
        return (rows - kh) // sh + 1, (cols - kw) // sw + 1

    def build(self, input_shape):
        out_rows, out_cols = self._output_grid(input_shape)
        kh, kw = self.kernel_size
        in_channels = input_shape[-1]
        self.kernel = self.add_weight(
            name="kernel",
            shape=(out_rows * out_cols, kh * kw * in_channels, self.filters),
            initializer=self.kernel_initializer,
        )
        self.bias = (
            self.add_weight(name="bias", shape=(out_rows, out_cols, self.filters), initializer=self.bias_initializer)
            if self.use_bias
            else None
        )

    def call(self, inputs):
        out_rows, out_cols = self._output_grid(inputs.shape)
        (kh, kw), (sh, sw) = self.kernel_size, self.strides
        window_size = kh * kw * inputs.shape[-1]
        patches = [
            ops.reshape(inputs[:, i * sh : i * sh + kh, j * sw : j * sw + kw, :], (-1, window_size))
            for i in range(out_rows)
            for j in range(out_cols)
        ]
        # (batch, positions, window) x (positions, window, filters) -> (batch, positions, filters)
        outputs = ops.einsum("bpw,pwf->bpf", ops.stack(patches, axis=1), self.kernel)
        outputs = ops.reshape(outputs, (-1, out_rows, out_cols, self.filters))
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        out_rows, out_cols = self._output_grid(input_shape)
        return (input_shape[0], out_rows, out_cols, self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            kernel_size=self.kernel_size,
            strides=self.strides,
            activation=keras.activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            bias_initializer=keras.initializers.serialize(self.bias_initializer),
        )
        return config


@keras.saving.register_keras_serializable(package="dlbook")
class AddCoords(keras.layers.Layer):
    """Append two coordinate channels to an image batch (the "CoordConv" input).

    Channel ``-2`` holds the column position and channel ``-1`` the row
    position, each running linearly from -1 (left or top) to +1 (right or
    bottom), so a following convolution can tell *where* it is, which a plain
    convolution cannot (Liu et al., 2018). Channels-last inputs of any height
    and width; the layer has no weights.
    """

    def call(self, inputs):
        # Built from a cumulative sum of ones so that it also works while the
        # height and width are still unknown (symbolic model construction).
        ones = ops.ones_like(inputs[..., :1])
        positions = []
        for axis in (2, 1):  # columns, then rows
            index = ops.cumsum(ones, axis=axis) - 1.0
            last = ops.maximum(ops.max(index, axis=axis, keepdims=True), 1.0)
            positions.append(2.0 * index / last - 1.0)
        return ops.concatenate([inputs, *positions], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 2)


def _pair(value, name: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and v > 0 for v in pair):
        raise ValueError(f"{name} must be a positive int or a pair of them, not {value!r}")
    return pair

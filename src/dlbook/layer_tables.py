"""Layer-by-layer tables of output shapes and parameter counts, checked against Keras.

:func:`layer_table` reads only a layer's hyperparameters (kernel size,
strides, padding, filters, units), applies the formulas of
:mod:`dlbook.arithmetic`, writes each formula with its numbers filled in, and
then compares the result with the shape and count that Keras built,
raising :class:`FormulaMismatch` on any difference.
"""

from __future__ import annotations

from typing import Sequence

import keras

from dlbook import arithmetic as ar
from dlbook.layers import LocallyConnected2D

CONVOLUTIONS = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D, LocallyConnected2D)
POOLINGS = (keras.layers.MaxPooling1D, keras.layers.MaxPooling2D, keras.layers.MaxPooling3D,
            keras.layers.AveragePooling1D, keras.layers.AveragePooling2D,
            keras.layers.AveragePooling3D)

HEADER = ["layer", "output shape", "output size", "parameters", "shape formula",
          "parameter formula"]


class FormulaMismatch(AssertionError):
    """A formula's shape or parameter count differs from what Keras built."""


def length_formula(n: int, kernel: int, stride: int, padding: str, out: int) -> str:
    """The output-length formula with its numbers filled in."""
    return f"⌈{n}/{stride}⌉ = {out}" if padding == "same" else f"⌊({n}−{kernel})/{stride}⌋+1 = {out}"


def describe(layer, shape: Sequence[int]) -> tuple[tuple[int, ...], int, str, str]:
    """Output shape, parameters, and both formulas (as text) of ``layer`` on input ``shape``."""
    *spatial, channels = shape
    if isinstance(layer, CONVOLUTIONS):
        if any(d != 1 for d in getattr(layer, "dilation_rate", (1,))):
            raise ValueError(f"{layer.name}: describe has no text formula for dilated convolutions")
        kernel, stride = layer.kernel_size, layer.strides
        padding = getattr(layer, "padding", "valid")
        out = ar.conv_output_shape(spatial, layer.filters, kernel, stride, padding)
        window = "·".join(map(str, kernel)) + f"·{channels}"
        if isinstance(layer, LocallyConnected2D):
            positions = out[0] * out[1]
            params = ar.locally_connected_params(positions, kernel, channels, layer.filters)
            how = f"{positions}·({window}·{layer.filters} + {layer.filters})"
        else:
            params = ar.conv_params(kernel, channels, layer.filters)
            how = f"({window} + 1)·{layer.filters}"
    elif isinstance(layer, POOLINGS):
        kernel, stride, padding = layer.pool_size, layer.strides, layer.padding
        out = ar.pool_output_shape(spatial, channels, kernel, stride, padding)
        params, how = 0, "no weights"
    elif isinstance(layer, keras.layers.Flatten):
        out = (ar.flatten_size(shape),)
        return out, 0, "·".join(map(str, shape)) + f" = {out[0]}", "no weights"
    elif isinstance(layer, keras.layers.Dense):
        out, params = (layer.units,), ar.dense_params(shape[-1], layer.units)
        return out, params, f"{layer.units} units", f"({shape[-1]} + 1)·{layer.units}"
    else:
        raise ValueError(f"no formula for {type(layer).__name__}")
    per_axis = zip(spatial, kernel, stride, out)
    lengths = ", ".join(length_formula(n, k, s, padding, o) for n, k, s, o in per_axis)
    return tuple(out), params, lengths, how


def layer_table(model, input_shape: Sequence[int]) -> list[list]:
    """One row per layer of ``model`` (see :data:`HEADER`), each checked against Keras."""
    rows, shape = [], tuple(input_shape)
    for layer in model.layers:
        out, params, shape_how, params_how = describe(layer, shape)
        keras_shape, keras_params = tuple(layer.output.shape[1:]), layer.count_params()
        if keras_shape != out or keras_params != params:
            raise FormulaMismatch(f"{layer.name}: Keras built {keras_shape} with {keras_params} "
                                  f"parameters, the formulas give {out} with {params}")
        size = 1
        for n in out:
            size *= n
        rows.append([type(layer).__name__, out, size, params, shape_how, params_how])
        shape = out
    return rows

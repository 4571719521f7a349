"""Output shapes and parameter counts of common layers, from their formulas.

These are the formulas the book derives by hand; ``tests/test_arithmetic.py``
checks them against Keras on hundreds of random layer configurations.
Spatial layers are channels-last, and ``spatial`` is a tuple of lengths
(one for 1-D layers, two for 2-D, three for 3-D). Results are plain ints.
"""

from __future__ import annotations

import math
from typing import Sequence


def _tuple(value: int | Sequence[int], rank: int) -> tuple[int, ...]:
    return (int(value),) * rank if isinstance(value, int) else tuple(int(v) for v in value)


def output_length(n: int, kernel: int, stride: int = 1, padding: str = "valid",
                  dilation: int = 1) -> int:
    """Positions of a window of `kernel` (dilated by `dilation`) on a length-`n` axis.

    valid: the window must fit, so floor((n - d(k-1) - 1) / s) + 1.
    same:  zeros are padded so that every s-th position is a centre, ceil(n / s).
    """
    if padding == "valid":
        span = dilation * (kernel - 1) + 1
        if n < span:
            raise ValueError(f"a window spanning {span} does not fit in length {n}")
        return int((n - span) // stride + 1)
    if padding == "same":
        return int(math.ceil(n / stride))
    raise ValueError(f"padding must be 'valid' or 'same', not {padding!r}")


def conv_output_shape(spatial: Sequence[int], filters: int, kernel_size, strides=1,
                      padding: str = "valid", dilation_rate=1) -> tuple[int, ...]:
    """Output shape (without the batch axis) of a ConvND layer."""
    rank = len(spatial)
    kernel, stride, dilation = (_tuple(v, rank) for v in (kernel_size, strides, dilation_rate))
    lengths = (output_length(n, k, s, padding, d)
               for n, k, s, d in zip(spatial, kernel, stride, dilation))
    return (*lengths, int(filters))


def conv_params(kernel_size: Sequence[int], in_channels: int, filters: int,
                use_bias: bool = True) -> int:
    """Weights of a ConvND layer: F filters of k1 x ... x kN x C_in, plus a bias each."""
    weights = math.prod(kernel_size) * in_channels * filters
    return int(weights + (filters if use_bias else 0))


def pool_output_shape(spatial: Sequence[int], channels: int, pool_size, strides=None,
                      padding: str = "valid") -> tuple[int, ...]:
    """Output shape of a (max or average) PoolingND layer; stride defaults to the pool."""
    rank = len(spatial)
    pool = _tuple(pool_size, rank)
    stride = pool if strides is None else _tuple(strides, rank)
    lengths = (output_length(n, k, s, padding) for n, k, s in zip(spatial, pool, stride))
    return (*lengths, int(channels))


def dense_params(inputs: int, units: int, use_bias: bool = True) -> int:
    """Weights of a Dense layer: (inputs + 1) * units with a bias."""
    return int((inputs + (1 if use_bias else 0)) * units)


def flatten_size(shape: Sequence[int]) -> int:
    """Length of the vector Flatten makes from a shape (without the batch axis)."""
    return int(math.prod(shape))


def locally_connected_params(out_positions: int, kernel_size: Sequence[int],
                             in_channels: int, filters: int) -> int:
    """Weights of a LocallyConnected layer: own filters and biases at every position."""
    return int(out_positions * (math.prod(kernel_size) * in_channels * filters + filters))


def conv_multiply_adds(output_shape: Sequence[int], kernel_size: Sequence[int],
                       in_channels: int) -> int:
    """Multiply-adds of one ConvND pass: each output value sums prod(k) * C_in products."""
    return int(math.prod(output_shape) * math.prod(kernel_size) * in_channels)


def receptive_fields(stack: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Receptive field and jump after each ``(kernel, stride)`` layer of a chain.

    The jump is the input distance between neighbouring outputs. Starting
    from one pixel (field 1, jump 1), each layer adds ``(kernel - 1) * jump``
    to the field and multiplies the jump by its stride.
    """
    field, jump, result = 1, 1, []
    for kernel, stride in stack:
        if kernel < 1 or stride < 1:
            raise ValueError(f"kernel and stride must be positive, not {(kernel, stride)}")
        field, jump = field + (kernel - 1) * jump, jump * stride
        result.append((int(field), int(jump)))
    return result

"""Training images altered: random mirror images and whole-pixel shifts, and MRI-like shading.

``flip_and_shift`` is the augmentation; ``AugmentedBatches`` feeds ``model.fit`` a
new, shuffled, augmented copy of the training images every epoch. Done in NumPy the
augmentation costs a few seconds per epoch of CIFAR-10 on a CPU, outside the
network, and every altered image is an exact shift of the original pixels (no
interpolation).

``RandomIntensityField`` is a Keras layer for MRI slices: it multiplies each
training image by a smooth random field, the slow brightness drift across an MRI
image that scanners' receive coils cause (the "bias field", Sled et al. 1998).
"""

from __future__ import annotations

import math

import keras
import numpy as np


def flip_and_shift(images: np.ndarray, rng: np.random.Generator, shift: int = 4) -> np.ndarray:
    """A copy of ``images`` (N, H, W, C), each mirrored left-right with probability 1/2 and
    moved by a whole number of pixels, up to ``shift`` in each direction independently; the
    border that moves in is filled by reflecting the image at its edge."""
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"expected a batch of images (N, H, W, C), got shape {images.shape}")
    if shift < 0:
        raise ValueError(f"shift must be 0 or more pixels, got {shift}")
    count, height, width = images.shape[:3]
    if shift >= min(height, width):
        raise ValueError(f"a shift of {shift} pixels does not fit a {height}x{width} image")
    padded = np.pad(images, ((0, 0), (shift, shift), (shift, shift), (0, 0)), mode="reflect")
    down = rng.integers(0, 2 * shift + 1, count)
    right = rng.integers(0, 2 * shift + 1, count)
    rows = (down[:, None] + np.arange(height))[:, :, None]
    columns = (right[:, None] + np.arange(width))[:, None, :]
    mirrored = rng.random(count) < 0.5
    columns = np.where(mirrored[:, None, None], columns[:, :, ::-1], columns)
    return padded[np.arange(count)[:, None, None], rows, columns]


class AugmentedBatches(keras.utils.PyDataset):
    """Batches of ``(images, labels)`` for ``model.fit``: every epoch a new order and a new
    :func:`flip_and_shift` copy, drawn from ``seed`` (the same seed gives the same epochs)."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, batch_size: int, *, seed: int,
                 shift: int = 4):
        super().__init__()
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        if len(images) == 0:
            raise ValueError("no training images")
        self.images, self.labels = images, labels
        self.batch_size, self.shift = batch_size, shift
        self.rng = np.random.default_rng(seed)
        self.epochs_drawn = 0
        self._draw_epoch()

    def _draw_epoch(self) -> None:
        order = self.rng.permutation(len(self.images))
        self.epoch_images = flip_and_shift(self.images[order], self.rng, self.shift)
        self.epoch_labels = self.labels[order]
        self.epochs_drawn += 1

    def __len__(self) -> int:
        return math.ceil(len(self.images) / self.batch_size)

    def __getitem__(self, index: int):
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.epoch_images[rows], self.epoch_labels[rows]

    def on_epoch_end(self) -> None:
        self._draw_epoch()


@keras.saving.register_keras_serializable(package="dlbook")
class RandomIntensityField(keras.layers.Layer):
    """Multiplies each training image by ``exp(f)``, ``f`` a smooth random field.

    ``f`` is a ``grid`` x ``grid`` array of normal values with standard deviation
    ``strength``, resized bicubically to the image: a brightness that drifts slowly
    across the slice, as an MRI scanner's coils make it (black stays black; the
    factor stays near ``exp(±2·strength)``). At inference the layer passes images
    through unchanged.
    """

    def __init__(self, strength: float = 0.3, grid: int = 4, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if strength < 0:
            raise ValueError(f"strength must be 0 or more, got {strength}")
        if grid < 2:
            raise ValueError(f"grid must be at least 2 points a side, got {grid}")
        self.strength, self.grid, self.seed = float(strength), int(grid), seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images, training=False):
        if not training or self.strength == 0:
            return images
        height, width = images.shape[1], images.shape[2]
        coarse = keras.random.normal(
            (keras.ops.shape(images)[0], self.grid, self.grid, 1),
            stddev=self.strength,
            seed=self.seed_generator,
        )
        field = keras.ops.image.resize(coarse, (height, width), interpolation="bicubic")
        return images * keras.ops.cast(keras.ops.exp(field), images.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "strength": self.strength, "grid": self.grid, "seed": self.seed}

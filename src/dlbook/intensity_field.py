"""MRI-like shading for training images: a Keras layer.

``RandomIntensityField`` multiplies each training image by a smooth random
field, the slow brightness drift across an MRI slice that a scanner's receive
coils cause (the "bias field" or intensity non-uniformity, Sled et al. 1998).
The brain chapter's lever benchmark (``benchmarks/brain.py``) adds it to the
chapter's augmentation.
"""

from __future__ import annotations

import keras


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

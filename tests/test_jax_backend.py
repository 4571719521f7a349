"""The dlbook code of the chapters that run on Keras' JAX backend works there too.

Each check runs in a fresh interpreter with ``KERAS_BACKEND=jax`` (the backend
is chosen when Keras is first imported). The chapters themselves run under
nbval on JAX with ``make test-jax``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("jax")

INCEPTION = """
import keras, numpy as np
from dlbook import inception
assert keras.backend.backend() == "jax"
rng = np.random.default_rng(0)
images = rng.integers(0, 256, (24, 32, 32, 3)).astype("uint8")
labels = np.arange(24) % 10
model, optimizer, training = inception.ablation_model("ours", 0.1, 6)
run = inception.train_classifier(model, optimizer, (images, labels), (images[:8], labels[:8]),
                                 epochs=2, batch_size=8, **training)
assert run["epochs"] == 2 and run["images_per_second"] > 0
both = inception.predict_probabilities(model, images, flip=True)
plain = inception.predict_probabilities(model, images)
mirrored = inception.predict_probabilities(model, images[:, :, ::-1])
np.testing.assert_allclose(both, (plain + mirrored) / 2, atol=1e-6)
writeup = inception.writeup_inception_net()
# A budget shorter than one epoch (XLA compiles the first): the time limit stops it after one.
run = inception.train_classifier(writeup, keras.optimizers.Adam(1e-3), (images, labels),
                                 (images[:8], labels[:8]), epochs=50, seconds=0.01,
                                 batch_size=8, keep_best=True)
assert run["epochs"] == 1
print("ok")
"""


def _run_on_jax(code: str, timeout: float) -> None:
    """Run ``code`` in a fresh interpreter on Keras' JAX backend; it must print ``ok`` last."""
    env = {**os.environ, "KERAS_BACKEND": "jax", "DLBOOK_PROFILE": "quick"}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")


def test_inception_helpers_train_and_predict_on_jax():
    _run_on_jax(INCEPTION, timeout=900)


TUNING = """
import keras, numpy as np
from dlbook import tuning
assert keras.backend.backend() == "jax"
rng = np.random.default_rng(0)
images = rng.integers(0, 256, (32, 32, 32, 3)).astype("uint8")
labels = np.arange(32) % 10
record = {"conv_blocks": 2, "filters": 8, "dense_layers": 1, "units": 128,
          "optimizer": "sgd", "learning_rate": 2e-2}
augment = keras.layers.RandomFlip("horizontal", seed=0)
model = tuning.CifarHyperModel(augmentation=augment).build(tuning.fixed_hyperparameters(record))
history = model.fit(images, labels, batch_size=8, epochs=2, shuffle=True,
                    validation_data=(images[:8], labels[:8]), verbose=0).history
assert len(history["val_accuracy"]) == 2
np.testing.assert_allclose(model.predict(images, verbose=0), model.predict(images, verbose=0))
print("ok")
"""


def test_tuning_hypermodel_trains_with_augmentation_on_jax():
    _run_on_jax(TUNING, timeout=600)


GRAD_CAM = """
import keras, numpy as np
from dlbook import evaluation
assert keras.backend.backend() == "jax"
keras.utils.set_random_seed(0)
inputs = keras.Input((16, 16, 1))
features = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="features")(inputs)
outputs = keras.layers.Dense(1, activation="sigmoid")(keras.layers.GlobalAveragePooling2D()(features))
model = keras.Model(inputs, outputs)
x = np.random.default_rng(0).random((3, 16, 16, 1)).astype("float32")
maps = evaluation.grad_cam(model, x, "features")
# With global average pooling, Grad-CAM is the class activation map relu(features . w).
f = keras.ops.convert_to_numpy(keras.Model(inputs, features)(x))
cam = np.maximum(f @ model.layers[-1].get_weights()[0][:, 0], 0)
peak = cam.max(axis=(1, 2), keepdims=True)
assert (peak > 0).any()
np.testing.assert_allclose(maps, np.divide(cam, peak, out=np.zeros_like(cam), where=peak > 0), atol=1e-5)
print("ok")
"""


def test_grad_cam_on_jax():
    _run_on_jax(GRAD_CAM, timeout=300)

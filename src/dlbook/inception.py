"""Inception modules and the CIFAR-10 networks of the Inception chapter.

* :func:`inception_module` - GoogLeNet's module: 1x1, 1x1 -> 3x3,
  1x1 -> 5x5 and 3x3 max-pool -> 1x1 branches, concatenated on channels.
* :func:`naive_inception_module` - the same branches without the 1x1
  bottlenecks, for the cost comparison.
* :func:`small_inception_net` - a GoogLeNet-style network sized for 32x32
  inputs (stem, modules at 16x16, 8x8 and 4x4, batch normalization, global
  average pooling, one small dense layer); Keras augmentation layers only on
  request (the chapter augments in NumPy: :func:`train_classifier`).
* :func:`writeup_inception_net` - our reconstruction of the student
  write-ups' model (7x7 stride-2 stem, two modules, flatten, dense).
* :func:`batches` - a cached, shuffled, prefetched ``tf.data`` pipeline
  (TensorFlow backend; on JAX the arrays go to Keras as they are).
* :func:`train_classifier` - compile and fit for a number of epochs (or a
  wall-time budget), reporting seconds and images per second.
* :func:`predict_probabilities` - class probabilities, optionally averaged
  over the mirrored and shifted images (test-time augmentation).
* :data:`RECIPE` - the training options the chapter uses with :func:`one_cycle_sgd`.
* :data:`ABLATIONS` - our network and recipe with one ingredient undone, for
  ``benchmarks/inception.py --ablation``.
* :func:`plain_cnn` - an airbench-style network without Inception modules, the
  benchmark's measure of what the modules cost on a CPU.

The notebook and ``benchmarks/inception.py`` build their models from here,
so the benchmark measures exactly what the chapter shows.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

CIFAR_SHAPE = (32, 32, 3)
# Variables that weight decay leaves alone: batch normalization's scale and shift, and biases.
UNDECAYED = ("gamma", "beta", "bias")

# Filters of each module: (1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection), as in
# GoogLeNet's modules 3a, 3b, 4a, 4b, 5a; module_filters() halves them and scales them by `width`.
GOOGLENET_MODULES = {
    "3a": (64, 96, 128, 16, 32, 32),
    "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64),
    "4b": (160, 112, 224, 24, 64, 64),
    "5a": (256, 160, 320, 32, 128, 128),
}


def conv_bn_relu(x, filters: int, kernel: int, name: str, *, strides: int = 1,
                 batch_norm: bool = True):
    """Convolution, then (optionally) batch normalization, then ReLU.

    With batch normalization the convolution has no bias: the normalization
    subtracts the batch mean, which removes any bias, and its own shift
    (beta) takes the bias's role.
    """
    x = layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=not batch_norm,
                      name=name)(x)
    if batch_norm:
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def inception_module(x, filters_1x1: int, reduce_3x3: int, filters_3x3: int, reduce_5x5: int,
                     filters_5x5: int, pool_projection: int, *, name: str, batch_norm: bool = True):
    """One Inception module; its output has the sum of the four branch widths as channels.

    Layer names are ``<name>_1x1``, ``<name>_3x3_reduce``, ``<name>_3x3``,
    ``<name>_5x5_reduce``, ``<name>_5x5``, ``<name>_pool``,
    ``<name>_pool_projection`` and ``<name>_concat``.
    """
    branch_1 = conv_bn_relu(x, filters_1x1, 1, f"{name}_1x1", batch_norm=batch_norm)
    branch_3 = conv_bn_relu(x, reduce_3x3, 1, f"{name}_3x3_reduce", batch_norm=batch_norm)
    branch_3 = conv_bn_relu(branch_3, filters_3x3, 3, f"{name}_3x3", batch_norm=batch_norm)
    branch_5 = conv_bn_relu(x, reduce_5x5, 1, f"{name}_5x5_reduce", batch_norm=batch_norm)
    branch_5 = conv_bn_relu(branch_5, filters_5x5, 5, f"{name}_5x5", batch_norm=batch_norm)
    branch_pool = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    branch_pool = conv_bn_relu(branch_pool, pool_projection, 1, f"{name}_pool_projection",
                               batch_norm=batch_norm)
    return layers.Concatenate(name=f"{name}_concat")([branch_1, branch_3, branch_5, branch_pool])


def naive_inception_module(x, filters_1x1: int, filters_3x3: int, filters_5x5: int, *, name: str):
    """The module without bottlenecks: 1x1, 3x3 and 5x5 convolutions and a max-pool, side by side.

    The pooling branch keeps all input channels, so the output is always
    wider than the input.
    """
    branches = [
        layers.Conv2D(filters, size, padding="same", activation="relu", name=f"{name}_{size}x{size}")(x)
        for filters, size in ((filters_1x1, 1), (filters_3x3, 3), (filters_5x5, 5))
    ]
    branches.append(layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x))
    return layers.Concatenate(name=f"{name}_concat")(branches)


def module_filters(module: str, width: float) -> tuple[int, ...]:
    """GoogLeNet's filter counts for ``module``, halved and scaled by ``width`` (at least 4 each)."""
    return tuple(max(4, int(round(count * width / 2))) for count in GOOGLENET_MODULES[module])


def augmentation(seed: int = 0, shift: float = 0.125) -> keras.Sequential:
    """Random horizontal flips and shifts of up to ``shift`` of the side (reflected borders).

    A shift of 0.125 (4 pixels of 32) is close to CIFAR's classic "pad 4
    pixels, crop 32", but the shifts are real-valued (bilinear
    interpolation) and the borders are reflected, not zero. The layers are
    active in training only.
    """
    return keras.Sequential([
        layers.RandomFlip("horizontal", seed=seed),
        layers.RandomTranslation(shift, shift, fill_mode="reflect", seed=seed + 1),
    ], name="augmentation")


def small_inception_net(width: float = 1.0, *, classes: int = 10, augment: bool = False,
                        dropout: float = 0.2, batch_norm: bool = True, head: str = "global_pool",
                        seed: int = 0) -> keras.Model:
    """A GoogLeNet-style classifier for 32x32 RGB images.

    Stem (3x3 convolution at 32x32, 3x3 stride-2 convolution to 16x16),
    module 3a at 16x16, max-pool, modules 4a and 4b at 8x8, max-pool,
    module 5a at 4x4, global average pooling, dropout and one dense
    softmax layer. Pixels are rescaled inside the model, so it takes
    uint8 images as they are. ``dropout``, ``batch_norm`` and ``head``
    (``"flatten"``: the write-ups' Flatten and dense layer of 256) let the
    ablation undo one ingredient; the chapter's network is the defaults.
    ``augment=True`` puts Keras' random flip and translation layers in front
    (the previous edition's pipeline, kept for the chapter's step profile), and
    ``seed`` seeds those layers only: the weights follow Keras' global seed.
    """
    if head not in ("global_pool", "flatten"):
        raise ValueError(f"head must be 'global_pool' or 'flatten', not {head!r}")
    images = keras.Input(CIFAR_SHAPE, name="image")
    x = augmentation(seed)(images) if augment else images
    x = layers.Rescaling(1 / 255, name="rescale")(x)
    x = conv_bn_relu(x, max(8, int(round(32 * width))), 3, "stem_1", batch_norm=batch_norm)
    x = conv_bn_relu(x, max(8, int(round(64 * width))), 3, "stem_2", strides=2,
                     batch_norm=batch_norm)
    x = inception_module(x, *module_filters("3a", width), name="module_3a", batch_norm=batch_norm)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool_3")(x)
    x = inception_module(x, *module_filters("4a", width), name="module_4a", batch_norm=batch_norm)
    x = inception_module(x, *module_filters("4b", width), name="module_4b", batch_norm=batch_norm)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool_4")(x)
    x = inception_module(x, *module_filters("5a", width), name="module_5a", batch_norm=batch_norm)
    if head == "global_pool":
        x = layers.GlobalAveragePooling2D(name="global_pool")(x)
    else:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(256, activation="relu", name="dense")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(classes, activation="softmax", name="class_probabilities")(x)
    return keras.Model(images, outputs, name=f"small_inception_w{width:g}")


def plain_cnn(widths: tuple[int, int, int] = (32, 128, 128), *, classes: int = 10) -> keras.Model:
    """A plain convolutional network in the style of airbench (Jordan, 2024), for 32x32 RGB images.

    A 3x3 stem of ``widths[0]`` channels, then three blocks, each a 3x3
    convolution, a 2x2 max-pool and a second 3x3 convolution (batch
    normalization and GELU after each convolution), at 16x16, 8x8 and 4x4,
    global max pooling and one dense softmax layer. No branches: a few wide
    convolutions, which a CPU computes more efficiently than many narrow ones.
    """
    images = keras.Input(CIFAR_SHAPE, name="image")
    x = layers.Rescaling(1 / 255, name="rescale")(images)

    def conv(x, filters, name):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv")(x)
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
        return layers.Activation("gelu", name=f"{name}_gelu")(x)

    x = conv(x, widths[0], "stem")
    for number, filters in enumerate(widths, start=1):
        x = conv(x, filters, f"block{number}_a")
        x = layers.MaxPooling2D(2, name=f"block{number}_pool")(x)
        x = conv(x, filters, f"block{number}_b")
    x = layers.GlobalMaxPooling2D(name="global_pool")(x)
    outputs = layers.Dense(classes, activation="softmax", name="class_probabilities")(x)
    return keras.Model(images, outputs, name=f"plain_cnn_{'_'.join(map(str, widths))}")


def writeup_inception_net(*, classes: int = 10) -> keras.Model:
    """Our reconstruction of the write-ups' network (no normalization, no augmentation).

    A 7x7 stride-2 stem and a 3x3 stride-2 max-pool take 32x32 down to
    8x8, then GoogLeNet's modules 3a and 3b at full width, flatten, a dense
    layer of 256 and softmax: most weights sit in that dense layer.
    """
    images = keras.Input(CIFAR_SHAPE, name="image")
    x = layers.Rescaling(1 / 255, name="rescale")(images)
    x = layers.Conv2D(64, 7, strides=2, padding="same", activation="relu", name="stem")(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="stem_pool")(x)
    x = inception_module(x, *GOOGLENET_MODULES["3a"], name="module_3a", batch_norm=False)
    x = inception_module(x, *GOOGLENET_MODULES["3b"], name="module_3b", batch_norm=False)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(256, activation="relu", name="dense")(x)
    outputs = layers.Dense(classes, activation="softmax", name="class_probabilities")(x)
    return keras.Model(images, outputs, name="writeup_inception")


def batches(images: np.ndarray, labels: np.ndarray, batch_size: int, *, shuffle: bool,
            seed: int = 0):
    """``tf.data`` batches of ``(image, label)``: cached, reshuffled each epoch if asked, prefetched.

    TensorFlow backend only (about 1.5 times the throughput of handing Keras
    the arrays there); :func:`train_classifier` gives other backends the
    arrays themselves.
    """
    import tensorflow as tf

    data = tf.data.Dataset.from_tensor_slices((images, labels)).cache()
    if shuffle:
        data = data.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def _fit_inputs(train, validation, batch_size: int, seed: int) -> tuple[dict, dict]:
    """``fit`` arguments for the training and validation data on the active backend."""
    if keras.backend.backend() == "tensorflow":
        return ({"x": batches(*train, batch_size, shuffle=True, seed=seed), "shuffle": False},
                {} if validation is None else
                {"validation_data": batches(*validation, 512, shuffle=False)})
    return ({"x": train[0], "y": train[1], "batch_size": batch_size, "shuffle": True},
            {} if validation is None else
            {"validation_data": validation, "validation_batch_size": 512})


def one_cycle_schedule(total_steps: int, *, peak: float = 0.1, warmup_fraction: float = 0.2):
    """A learning rate that rises linearly from ``peak / 10`` to ``peak``, then follows a cosine to ``peak / 100``.

    The first ``warmup_fraction`` of the steps warm up; the rest decay. The
    rate ends at a hundredth of the peak, and the last epoch's weights are
    the ones kept: no epoch is picked on validation data.
    """
    if total_steps < 2:
        raise ValueError("a schedule needs at least two steps")
    warmup = max(1, int(total_steps * warmup_fraction))
    return keras.optimizers.schedules.CosineDecay(
        peak / 10, decay_steps=total_steps - warmup, alpha=0.01,
        warmup_target=peak, warmup_steps=warmup)


def one_cycle_sgd(total_steps: int, *, peak: float = 0.1, weight_decay: float | None = 5e-3,
                  decay_normalization: bool = False):
    """SGD with Nesterov momentum 0.9, weight decay and :func:`one_cycle_schedule`.

    Keras applies ``weight_decay`` decoupled: each step multiplies a
    trainable variable by ``1 - learning_rate * weight_decay``, outside the
    momentum, so 5e-3 here shrinks weights about as much as a coupled L2
    term of 5e-4 does at momentum 0.9. Batch-normalization scales and shifts
    and biases are spared (scaling them down changes what the network
    computes, not how large its weights are) unless ``decay_normalization``.
    """
    optimizer = keras.optimizers.SGD(one_cycle_schedule(total_steps, peak=peak), momentum=0.9,
                                     nesterov=True, weight_decay=weight_decay)
    if weight_decay and not decay_normalization:
        optimizer.exclude_from_weight_decay(var_names=list(UNDECAYED))
    return optimizer


def train_classifier(model: keras.Model, optimizer, train: tuple[np.ndarray, np.ndarray],
                     validation: tuple[np.ndarray, np.ndarray], *, epochs: int,
                     batch_size: int, seconds: float | None = None, keep_best: bool = False,
                     label_smoothing: float = 0.0, shift: int | None = None,
                     seed: int = 0, verbose: int = 0) -> dict:
    """Fit ``model`` on integer labels for ``epochs``, or until ``seconds`` of wall time run out.

    Without ``seconds`` every machine trains the same number of epochs.
    ``keep_best`` restores the weights of the epoch with the best validation
    accuracy at the end (a favour to a model that overfits).
    ``label_smoothing`` moves that share of each target's probability from
    its class to all ten classes equally. ``shift`` augments the training
    images in NumPy (:class:`dlbook.augment.AugmentedBatches`: a random
    mirror image and a whole-pixel shift of up to ``shift`` pixels, new each
    epoch). ``validation`` may be ``None`` (a final model trained on every
    image). Returns the Keras history, the epochs run, the seconds used,
    whether the time budget stopped training, and ``images_per_second``:
    training images processed per second of wall time, any validation passes
    included.
    """
    import time

    from dlbook.evaluation import TimeBudget

    classes = model.output_shape[-1]
    if label_smoothing:
        targets = lambda labels: keras.utils.to_categorical(labels, classes)
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing)
        metric = keras.metrics.CategoricalAccuracy(name="accuracy")
    else:
        targets = lambda labels: labels
        loss, metric = "sparse_categorical_crossentropy", "accuracy"
    model.compile(optimizer=optimizer, loss=loss, metrics=[metric])
    callbacks = []
    clock = TimeBudget(seconds) if seconds is not None else None
    if clock is not None:
        callbacks.append(clock)
    if keep_best:
        if validation is None:
            raise ValueError("keep_best needs validation data to choose an epoch")
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor="val_accuracy", patience=epochs, restore_best_weights=True))
    train = (train[0], targets(train[1]))
    validation = None if validation is None else (validation[0], targets(validation[1]))
    training, validating = _fit_inputs(train, validation, batch_size, seed)
    if shift is not None:
        from dlbook.augment import AugmentedBatches

        training = {"x": AugmentedBatches(*train, batch_size, seed=seed, shift=shift)}
    started = time.perf_counter()
    history = model.fit(**training, **validating, epochs=epochs, callbacks=callbacks,
                        verbose=verbose)
    elapsed = time.perf_counter() - started
    epochs_run = len(history.history["loss"])
    return {"history": history.history, "epochs": epochs_run, "seconds": elapsed,
            "stopped_by_budget": bool(clock and clock.stopped_by_budget),
            "images_per_second": len(train[0]) * epochs_run / elapsed}


def views(images: np.ndarray, *, flip: bool = False, shift: int = 0) -> list[np.ndarray]:
    """The views test-time augmentation averages over: each image as is, moved by ``shift``
    pixels up, down, left and right (borders reflected), and, with ``flip``, the mirror
    image of each of those."""
    images = np.asarray(images)
    shown = [images]
    if shift:
        padded = np.pad(images, ((0, 0), (shift, shift), (shift, shift), (0, 0)), mode="reflect")
        height, width = images.shape[1:3]
        for down, right in ((0, shift), (2 * shift, shift), (shift, 0), (shift, 2 * shift)):
            shown.append(padded[:, down:down + height, right:right + width])
    if flip:
        shown += [view[:, :, ::-1] for view in shown]
    return shown


def predict_probabilities(model: keras.Model, images: np.ndarray, *, flip: bool = False,
                          shift: int = 0, batch_size: int = 512) -> np.ndarray:
    """Class probabilities for ``images`` (inference mode), averaged over :func:`views`.

    ``flip=True`` is flip test-time augmentation: the mean of the
    probabilities for each image and for its mirror image (left-right). It
    suits a network trained with random flips, which has learned to treat
    the two as the same picture. ``shift`` adds the four views moved by that
    many pixels, for a network trained on shifted images.
    """
    probabilities = [model.predict(view, batch_size=batch_size, verbose=0)
                     for view in views(images, flip=flip, shift=shift)]
    return np.mean(probabilities, axis=0)


# The chapter's training recipe beside the optimizer (one_cycle_sgd: weight decay 5e-3 sparing
# batch normalization and biases): label smoothing 0.1, and random mirror images with whole-pixel
# shifts of up to 4 pixels done in NumPy (train_classifier's options).
RECIPE: dict = {"label_smoothing": 0.1, "shift": 4}

# Our network and recipe with one ingredient undone: the keyword arguments of
# small_inception_net, of the optimizer and of train_classifier that change.
ABLATIONS: dict[str, dict] = {
    "ours": {},
    "no augmentation": {"shift": None},
    "no label smoothing": {"label_smoothing": 0.0},
    "no batch normalization": {"batch_norm": False},
    "Flatten + dense 256 head": {"head": "flatten"},
    "no weight decay, no dropout": {"dropout": 0.0, "weight_decay": None},
    "weight decay 5e-4, BN decayed too": {"weight_decay": 5e-4, "decay_normalization": True},
    "Adam 1e-3, constant rate": {"optimizer": "adam"},
}


def ablation_model(name: str, width: float, total_steps: int, *, peak: float = 0.1,
                   seed: int = 0) -> tuple[keras.Model, keras.optimizers.Optimizer, dict]:
    """The network, optimizer and ``train_classifier`` options of the ablation ``name``
    (a key of :data:`ABLATIONS`)."""
    options = dict(ABLATIONS[name])
    training = {key: options.pop(key, value) for key, value in RECIPE.items()}
    optimizer = options.pop("optimizer", "one-cycle SGD")
    decay = {key: options.pop(key) for key in ("weight_decay", "decay_normalization")
             if key in options}
    model = small_inception_net(width, seed=seed, augment=False, **options)
    if optimizer == "adam":
        return model, keras.optimizers.Adam(1e-3), training
    return model, one_cycle_sgd(total_steps, peak=peak, **decay), training


BRANCHES = (("1x1",), ("3x3_reduce", "3x3"), ("5x5_reduce", "5x5"), ("pool", "pool_projection"))


def _describe(layer) -> str:
    shape = "×".join(str(n) for n in layer.output.shape[1:])
    if isinstance(layer, layers.Conv2D):
        k = layer.kernel_size[0]
        return f"{layer.name}\n{k}×{k} conv, {layer.filters} filters\n→ {shape}"
    if isinstance(layer, layers.MaxPooling2D):
        k, s = layer.pool_size[0], layer.strides[0]
        return f"{layer.name}\n{k}×{k} max-pool, stride {s}\n→ {shape}"
    return f"{layer.name}\n→ {shape}"


def module_diagram(model: keras.Model, name: str, *, title: str):
    """The four branches of the module ``name`` in ``model`` as a box-and-arrow figure.

    Every box is read from the model: the layer's name, kernel, filters and
    output shape, so the drawing cannot drift from the code.
    """
    import matplotlib.pyplot as plt

    box = {"boxstyle": "round,pad=0.4", "facecolor": "#e8f0fb", "edgecolor": "#3465a4"}
    arrow = {"arrowstyle": "->", "color": "#555555"}
    fig, ax = plt.subplots(figsize=(10, 5))
    first = model.get_layer(f"{name}_{BRANCHES[0][0]}")
    input_shape = "×".join(str(n) for n in first.input.shape[1:])
    top, bottom = (4.5, 3.5), (4.5, -0.3)
    ax.text(*top, f"module input\n{input_shape}", ha="center", va="center", bbox=box)
    concat = model.get_layer(f"{name}_concat")
    ax.text(*bottom, _describe(concat).replace("\n→", " (channels stacked)\n→"),
            ha="center", va="center", bbox={**box, "facecolor": "#fbeee8", "edgecolor": "#a44634"})
    for column, suffixes in enumerate(BRANCHES):
        x = 3.0 * column
        rows = (2.25, 1.2)[:len(suffixes)]
        previous = top
        for suffix, y in zip(suffixes, rows):
            ax.text(x, y, _describe(model.get_layer(f"{name}_{suffix}")), ha="center",
                    va="center", fontsize=9, bbox=box)
            ax.annotate("", xy=(x, y + 0.38), xytext=(previous[0], previous[1] - 0.3),
                        arrowprops=arrow)
            previous = (x, y)
        # Each branch lands on its own part of the wide concatenation box, so that no arrow
        # crosses a neighbouring branch's box.
        ax.annotate("", xy=(bottom[0] + 0.35 * (x - bottom[0]), bottom[1] + 0.35),
                    xytext=(x, previous[1] - 0.38), arrowprops=arrow)
    ax.set_xlim(-1.4, 10.4)
    ax.set_ylim(-0.9, 4.0)
    ax.axis("off")
    ax.set_title(title)
    return fig

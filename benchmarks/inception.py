"""Our small Inception network against the write-ups' model, at equal wall time, on CIFAR-10.

    DLBOOK_PROFILE=cpu python benchmarks/inception.py            # or: make bench-inception
    DLBOOK_PROFILE=cpu python benchmarks/inception.py --seconds 600

Both models train on the same 90% of the CIFAR-10 training images (the
other 10% is validation data) and are tested once on the 10,000 test
images. Ours follows its recipe for the profile's epochs (stopped early if
``--seconds`` run out); the write-ups' model then trains within the wall
time ours used (stopping before an epoch would overrun it), with its own
recipe (Adam, no augmentation), and keeps the weights of its best
validation epoch. Prints both test accuracies and
their ratio. A benchmark, not a test: it takes as long as the budget says.
"""

from __future__ import annotations

import argparse
import time

import dlbook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=None,
                        help="wall-time budget per model (default: the profile's)")
    args = parser.parse_args()

    profile = dlbook.start("inception")
    import keras

    from dlbook import inception, splits

    budget = profile.budget("inception")
    seconds = args.seconds or budget["seconds_per_model"]
    train, test = dlbook.load_cifar10(profile=profile)
    fit_index, validation_index = splits.validation_split(
        train.labels, budget["validation_fraction"], seed=0)
    fit = (train.images[fit_index], train.labels[fit_index])
    validation = (train.images[validation_index], train.labels[validation_index])
    steps = budget["epochs"] * -(-len(fit_index) // budget["batch_size"])

    results = {}
    keras.utils.set_random_seed(0)
    ours = inception.small_inception_net(budget["width"])
    started = time.perf_counter()
    run = inception.train_classifier(
        ours, inception.one_cycle_sgd(steps, peak=budget["peak_learning_rate"]), fit, validation,
        epochs=budget["epochs"], seconds=seconds, batch_size=budget["batch_size"])
    results["ours"] = (ours, run)
    used = time.perf_counter() - started

    keras.utils.set_random_seed(0)
    writeup = inception.writeup_inception_net()
    run = inception.train_classifier(
        writeup, keras.optimizers.Adam(1e-3), fit, validation, epochs=10_000, seconds=used,
        batch_size=64, keep_best=True)
    results["write-up"] = (writeup, run)

    print(f"\nprofile {profile.name}, {train.source}; budget {used:.0f} s per model")
    accuracy = {}
    for name, (model, run) in results.items():
        _, accuracy[name] = model.evaluate(inception.batches(test.images, test.labels, 512,
                                                             shuffle=False), verbose=0)
        print(f"{name:>9}: {model.count_params():>9,} parameters, {run['epochs']} epochs in "
              f"{run['seconds']:.0f} s, test accuracy {accuracy[name]:.2%}")
    print(f"ratio ours / write-up: {accuracy['ours'] / accuracy['write-up']:.3f}")


if __name__ == "__main__":
    main()

"""Our small Inception network against the write-ups' model on CIFAR-10, and an ablation of ours.

    DLBOOK_PROFILE=cpu python benchmarks/inception.py             # or: make bench-inception
    DLBOOK_PROFILE=cpu python benchmarks/inception.py --epochs 5
    DLBOOK_PROFILE=cpu python benchmarks/inception.py --ablation --epochs 6 --train-images 10000 --seeds 0 1 --save FILE
        (the chapter's table is the run saved to benchmarks/results/inception-ablation.json)
    DLBOOK_PROFILE=cpu python benchmarks/inception.py --plain-cnn --epochs 20

Comparison (the default): both models train on the same 90% of the CIFAR-10
training images (the other 10% is validation data) and are tested once on
the 10,000 test images. Ours follows its recipe for the profile's epochs
(or ``--epochs``), the same number on every machine; the write-ups' model
then trains within the wall time ours used (stopping before an epoch would
overrun it), with its own recipe (Adam, no augmentation), and keeps the
weights of its best validation epoch. Prints images per second, both test
accuracies (plain and with flip test-time augmentation) and their ratio.

Ablation (``--ablation``): our network and recipe with one ingredient undone
at a time (``dlbook.inception.ABLATIONS``), each trained for the same epochs
from each of ``--seeds``, optionally on ``--train-images`` of the fit split
(a stratified random subset: the same share of every class). It reports validation accuracy only (mean and range over seeds),
its difference from ours trained from the same seed (mean and range: an
ingredient matters at this budget only where the whole range is on one side
of zero) and the gap to clean training accuracy: the test set stays out of it.

Plain CNN (``--plain-cnn``): our network against an airbench-style plain
convolutional network (``dlbook.inception.plain_cnn``, half airbench's
width), both with our recipe (``inception.RECIPE`` and ``one_cycle_sgd``) on
the fit split; ours trains for the epochs, the plain network for as many
epochs as fit in the wall time ours used (timed on its first epoch), with
the schedule sized to them. Prints both test accuracies with flip TTA: what
the Inception structure costs on this machine's clock.

A benchmark, not a test: it takes as long as the budget says.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

import dlbook


def _data(profile, budget, train_images):
    from dlbook import splits

    train, test = dlbook.load_cifar10(profile=profile)
    fit_index, validation_index = splits.validation_split(
        train.labels, budget["validation_fraction"], seed=0)
    if train_images and train_images < len(fit_index):
        # The same share of every class, drawn at random: the image folders are sorted by class,
        # so the first N images would be the first classes only.
        _, subset = splits.validation_split(train.labels[fit_index], train_images / len(fit_index), seed=1)
        fit_index = fit_index[subset]
    fit = (train.images[fit_index], train.labels[fit_index])
    validation = (train.images[validation_index], train.labels[validation_index])
    return train, test, fit, validation


def compare(profile, budget, epochs: int, train_images: int | None = None) -> None:
    import keras

    from dlbook import inception

    train, test, fit, validation = _data(profile, budget, train_images)
    steps = epochs * -(-len(fit[0]) // budget["batch_size"])
    keras.utils.set_random_seed(0)
    ours = inception.small_inception_net(budget["width"], augment=False)
    runs = {"ours": inception.train_classifier(
        ours, inception.one_cycle_sgd(steps, peak=budget["peak_learning_rate"]), fit, validation,
        epochs=epochs, batch_size=budget["batch_size"], **inception.RECIPE)}
    keras.utils.set_random_seed(0)
    writeup = inception.writeup_inception_net()
    runs["write-up"] = inception.train_classifier(
        writeup, keras.optimizers.Adam(1e-3), fit, validation, epochs=10_000,
        seconds=runs["ours"]["seconds"], batch_size=64, keep_best=True)

    print(f"\nprofile {profile.name}, {train.source}; {epochs} epochs of ours, "
          f"{runs['ours']['seconds']:.0f} s per model")
    accuracy = {}
    for name, model in (("ours", ours), ("write-up", writeup)):
        run = runs[name]
        plain, mirrored = (
            float(np.mean(inception.predict_probabilities(model, test.images, flip=flip)
                          .argmax(axis=1) == test.labels)) for flip in (False, True))
        accuracy[name] = plain
        print(f"{name:>9}: {model.count_params():>9,} parameters, {run['epochs']} epochs in "
              f"{run['seconds']:.0f} s ({run['images_per_second']:.0f} images/s), "
              f"test accuracy {plain:.2%}, with flip TTA {mirrored:.2%}")
    print(f"ratio ours / write-up: {accuracy['ours'] / accuracy['write-up']:.3f}")


def ablate(profile, budget, epochs: int, train_images: int | None, seeds: list[int],
           save: str | None = None, variants: list[str] | None = None) -> None:
    import keras

    from dlbook import inception

    train, _, fit, validation = _data(profile, budget, train_images)
    steps = epochs * -(-len(fit[0]) // budget["batch_size"])
    sample = np.arange(min(5000, len(fit[0])))
    per_class = np.bincount(fit[1], minlength=len(train.class_names))
    print(f"profile {profile.name}, {train.source}; {len(fit[0]):,} training images "
          f"({per_class.min():,} to {per_class.max():,} per class), {epochs} epochs, seeds {seeds}")
    print(f"{'variant':<30} {'validation accuracy':>24} {'vs ours, per seed':>24} "
          f"{'training - validation':>22} {'s per run':>10}")
    print(f"{'':<30} {'':>24} {'(points)':>24} {'(points)':>22}")
    ours_scores = None
    rows = []
    names = [name for name in inception.ABLATIONS if name == "ours" or variants is None or name in variants]
    for name in names:
        scores, gaps, seconds = [], [], []
        for seed in seeds:
            keras.utils.set_random_seed(seed)
            model, optimizer, training = inception.ablation_model(
                name, budget["width"], steps, peak=budget["peak_learning_rate"], seed=seed)
            run = inception.train_classifier(model, optimizer, fit, validation, epochs=epochs,
                                             batch_size=budget["batch_size"], seed=seed, **training)
            correct = {part: float(np.mean(inception.predict_probabilities(model, images)
                                           .argmax(axis=1) == labels))
                       for part, (images, labels) in
                       (("training", (fit[0][sample], fit[1][sample])), ("validation", validation))}
            scores.append(correct["validation"])
            gaps.append(correct["training"] - correct["validation"])
            seconds.append(run["seconds"])
        ours_scores = scores if ours_scores is None else ours_scores
        rows.append({"variant": name, "validation": scores,
                     "against_ours": list(np.subtract(scores, ours_scores)),
                     "training_minus_validation": float(np.mean(gaps)),
                     "seconds": float(np.mean(seconds))})
        print(f"{name:<30} {_mean_range(scores, ''):>24} "
              f"{_mean_range(np.subtract(scores, ours_scores), '+'):>24} "
              f"{100 * np.mean(gaps):>+22.1f} {np.mean(seconds):>10.0f}", flush=True)
    print("vs ours, per seed: the variant's validation accuracy minus ours from the same seed, "
          "in points (mean, and min to max over the seeds)")
    if save:
        from dlbook import hardware

        record = {"profile": profile.name, "source": train.source, "training_images": len(fit[0]),
                  "epochs": epochs, "seeds": list(seeds), "width": budget["width"],
                  "hardware": hardware.gpu_name() or hardware.cpu_model(),
                  "dlbook": dlbook.__version__, "rows": rows}
        Path(save).write_text(json.dumps(record, indent=1) + "\n")
        print(f"saved to {save}; the chapter's table:\n" + ablation_table(record))


def ablation_table(record: dict) -> str:
    """The stored ablation as the Markdown table the chapter shows (the tests compare the two)."""
    lines = ["| variant | validation accuracy, mean (range over seeds) | against ours, same seed "
             "(points) | training − validation (points) |", "|---|---|---|---|"]
    for row in record["rows"]:
        lines.append(f"| {row['variant']} | {_mean_range(row['validation'], '')} | "
                     f"{_mean_range(row['against_ours'], '+')} | "
                     f"{100 * row['training_minus_validation']:+.1f} |")
    return "\n".join(lines)


def against_plain_cnn(profile, budget, epochs: int, train_images: int | None = None) -> None:
    import keras

    from dlbook import inception

    train, test, fit, validation = _data(profile, budget, train_images)
    steps_per_epoch = -(-len(fit[0]) // budget["batch_size"])
    keras.utils.set_random_seed(0)
    ours = inception.small_inception_net(budget["width"], augment=False)
    runs = {"ours": inception.train_classifier(
        ours, inception.one_cycle_sgd(epochs * steps_per_epoch, peak=budget["peak_learning_rate"]),
        fit, validation, epochs=epochs, batch_size=budget["batch_size"], **inception.RECIPE)}
    # The plain network's epochs: as many as fit in ours' time, at the speed of a timed first epoch.
    keras.utils.set_random_seed(0)
    probe = inception.plain_cnn()
    timed = inception.train_classifier(probe, inception.one_cycle_sgd(steps_per_epoch * 2), fit,
                                       validation, epochs=1, batch_size=budget["batch_size"],
                                       **inception.RECIPE)
    plain_epochs = max(1, int(runs["ours"]["seconds"] // timed["seconds"]))
    keras.utils.set_random_seed(0)
    plain = inception.plain_cnn()
    runs["plain CNN"] = inception.train_classifier(
        plain, inception.one_cycle_sgd(plain_epochs * steps_per_epoch, peak=budget["peak_learning_rate"]),
        fit, validation, epochs=plain_epochs, batch_size=budget["batch_size"], **inception.RECIPE)
    print(f"\nprofile {profile.name}, {train.source}; our recipe for both, on {len(fit[0]):,} images")
    for name, model in (("ours", ours), ("plain CNN", plain)):
        run = runs[name]
        accuracy = float(np.mean(inception.predict_probabilities(model, test.images, flip=True)
                                 .argmax(axis=1) == test.labels))
        print(f"{name:>9}: {model.count_params():>9,} parameters, {run['epochs']} epochs in "
              f"{run['seconds']:.0f} s ({run['images_per_second']:.0f} images/s), "
              f"test accuracy with flip TTA {accuracy:.2%}")


def _mean_range(values, sign: str) -> str:
    """``mean (min to max)`` of fractions, as percentages (``sign='+'``: signed points)."""
    values = list(values)
    if sign:
        return (f"{100 * np.mean(values):+.1f} ({100 * min(values):+.1f} to {100 * max(values):+.1f})")
    return f"{np.mean(values):.1%} ({min(values):.1%}-{max(values):.1%})"


def main() -> None:
    from dlbook import inception

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs of our recipe (default: the profile's)")
    parser.add_argument("--ablation", action="store_true",
                        help="retrain ours with one ingredient undone at a time")
    parser.add_argument("--save", default=None,
                        help="ablation only: write the results to this JSON file (the chapter's table)")
    parser.add_argument("--plain-cnn", action="store_true",
                        help="ours against an airbench-style plain CNN in the same wall time")
    parser.add_argument("--train-images", type=int, default=None,
                        help="train on N images of the fit split, the same number from every class "
                             "(default: all of it)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1],
                        help="ablation only: seeds per variant (default: 0 1)")
    parser.add_argument("--variants", nargs="+", default=None, choices=list(inception.ABLATIONS),
                        metavar="VARIANT",
                        help="ablation only: these variants (names as in dlbook.inception.ABLATIONS) "
                             "beside ours, which every row is compared with (default: all)")
    args = parser.parse_args()

    profile = dlbook.start("inception")
    budget = profile.budget("inception")
    epochs = args.epochs or budget["epochs"]
    if args.ablation:
        ablate(profile, budget, epochs, args.train_images, args.seeds, args.save, args.variants)
    elif args.plain_cnn:
        against_plain_cnn(profile, budget, epochs, args.train_images)
    else:
        compare(profile, budget, epochs, args.train_images)


if __name__ == "__main__":
    main()

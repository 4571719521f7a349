"""Keras Tuner for the keras-tuner chapter: the assignment's search space, tuners
that share an epoch budget, trial tables, Hyperband's schedule, and the small
searches that show distributed tuning and resuming on one machine.

Run as a module, it is one process of a distributed search (see
:func:`run_distributed_search`)::

    KERASTUNER_TUNER_ID=tuner0 KERASTUNER_ORACLE_IP=127.0.0.1 \\
    KERASTUNER_ORACLE_PORT=8000 python -m dlbook.tuning --directory DIR --project NAME
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import keras
import keras_tuner
from keras import layers

from dlbook.data import shown_path

OBJECTIVE = "val_accuracy"
TUNER_NAMES = ("hyperband", "random", "bayesian")
ADAM_RATES = (1e-4, 5e-4, 1e-3)  # the assignment's learning rates
SGD_RATES = (1e-2, 2e-2, 5e-2)  # SGD's own range: at Adam's rates it barely moves in a few epochs
SEARCH_SPACE = {
    "conv_blocks": "1, 2 or 3 blocks of 3×3 convolution (ReLU) + 2×2 max-pool",
    "filters": "8, 16, 24 or 32 filters in every convolution",
    "dense_layers": "1 to 4 dense ReLU layers (each followed by 30% dropout)",
    "units": "128, 192 or 256 units in every dense layer",
    "optimizer": "Adam, or SGD with Nesterov momentum 0.9",
    "learning_rate": "Adam: 1e-4, 5e-4 or 1e-3 (the assignment's); SGD: 1e-2, 2e-2 or 5e-2 "
                     "(a conditional hyperparameter of each optimizer)",
}
RATE_NAMES = {"adam": "adam_learning_rate", "sgd": "sgd_learning_rate"}


class CifarHyperModel(keras_tuner.HyperModel):
    """The assignment's CNN search space for 32×32 colour images and integer labels.

    :meth:`fit` also reports the epochs a trial trained and its wall time, as
    extra metrics stored with the trial, so budgets and tables survive a resume.
    ``augmentation``, a Keras layer such as random flips, is applied to the
    images first; like every augmentation layer it acts in training only, so
    evaluating and predicting see the images as they are. It runs inside the
    model, on any Keras backend.
    """

    def __init__(self, num_classes: int = 10, batch_size: int = 64, name: str = "cifar_cnn",
                 augmentation: keras.layers.Layer | None = None):
        super().__init__(name=name)
        self.num_classes = num_classes
        self.batch_size = batch_size
        self.augmentation = augmentation

    def build(self, hp: keras_tuner.HyperParameters) -> keras.Model:
        conv_blocks = hp.Int("conv_blocks", 1, 3)
        filters = hp.Int("filters", 8, 32, step=8)
        dense_layers = hp.Int("dense_layers", 1, 4)
        units = hp.Int("units", 128, 256, step=64)
        optimizer_name = hp.Choice("optimizer", ["adam", "sgd"])
        # Each optimizer draws its learning rate from its own range; the other's is inactive.
        with hp.conditional_scope("optimizer", ["adam"]):
            adam_rate = hp.Choice(RATE_NAMES["adam"], list(ADAM_RATES))
        with hp.conditional_scope("optimizer", ["sgd"]):
            sgd_rate = hp.Choice(RATE_NAMES["sgd"], list(SGD_RATES))

        inputs = keras.Input((32, 32, 3), name="image")
        x = inputs if self.augmentation is None else self.augmentation(inputs)
        x = layers.Rescaling(1 / 255, name="rescale")(x)
        for block in range(1, conv_blocks + 1):
            x = layers.Conv2D(filters, 3, padding="same", activation="relu",
                              name=f"block{block}_conv")(x)
            x = layers.MaxPooling2D(name=f"block{block}_pool")(x)
        x = layers.Flatten(name="flatten")(x)
        for index in range(1, dense_layers + 1):
            x = layers.Dense(units, activation="relu", name=f"dense{index}")(x)
            x = layers.Dropout(0.3, name=f"dropout{index}")(x)
        outputs = layers.Dense(self.num_classes, activation="softmax", name="class_probabilities")(x)
        model = keras.Model(inputs, outputs, name=self.name)
        if optimizer_name == "adam":
            optimizer = keras.optimizers.Adam(adam_rate)
        else:
            optimizer = keras.optimizers.SGD(sgd_rate, momentum=0.9, nesterov=True)
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model

    def fit(self, hp, model, *args, **kwargs) -> dict[str, float]:
        kwargs.setdefault("batch_size", self.batch_size)
        start = time.perf_counter()
        history = model.fit(*args, **kwargs).history
        return {OBJECTIVE: max(history[OBJECTIVE]), "epochs_trained": len(history["loss"]),
                "seconds": time.perf_counter() - start}


def space_size() -> int:
    """How many configurations the search space holds (each optimizer with its own rates)."""
    architectures = 3 * 4 * 4 * 3
    return architectures * (len(ADAM_RATES) + len(SGD_RATES))


def fixed_hyperparameters(record: dict) -> keras_tuner.HyperParameters:
    """The values of one trial record as fixed hyperparameters, to build that model again."""
    chosen = keras_tuner.HyperParameters()
    for name in ("conv_blocks", "filters", "dense_layers", "units", "optimizer"):
        chosen.Fixed(name, record[name])
    chosen.Fixed(RATE_NAMES[record["optimizer"]], record["learning_rate"])
    return chosen


def trial_metric(trial: keras_tuner.engine.trial.Trial, name: str) -> float | None:
    """The value ``name`` a finished trial reported, or ``None``."""
    if not trial.metrics.exists(name):
        return None
    return trial.metrics.get_last_value(name)


def epochs_spent(oracle) -> int | None:
    """Epochs trained by all finished trials of ``oracle``.

    ``None`` for a worker of a distributed search, whose oracle lives in the chief.
    """
    trials = getattr(oracle, "trials", None)
    if trials is None:
        return None
    return sum(int(trial_metric(trial, "epochs_trained") or 0) for trial in trials.values())


class BudgetedSearch:
    """Tuner mixin: stop once ``epoch_budget`` epochs are spent, and print one line per trial.

    The budget is checked before each new trial, so the last trial may end a
    few epochs over it. ``None`` means the tuner's own stopping rule alone.
    """

    epoch_budget: int | None = None
    label: str = ""

    def pre_create_trial(self):
        super().pre_create_trial()
        spent = epochs_spent(self.oracle)
        if self.epoch_budget is not None and spent is not None and spent >= self.epoch_budget:
            self.oracle.max_trials = max(len(self.oracle.trials), 1)

    def on_trial_end(self, trial):
        super().on_trial_end(trial)
        score = trial_metric(trial, OBJECTIVE)
        epochs = int(trial_metric(trial, "epochs_trained") or 0)
        spent = epochs_spent(self.oracle)
        shown = "failed" if score is None else f"validation accuracy {score:.3f}"
        line = (f"{self.label} trial {trial.trial_id}: {shown} after {epochs} "
                f"epoch{'' if epochs == 1 else 's'} "
                f"({trial_metric(trial, 'seconds') or 0:.0f} s)")
        if spent is not None:
            budget = f"/{self.epoch_budget}" if self.epoch_budget is not None else ""
            line += f"; {spent}{budget} epochs spent"
        print(line, flush=True)


class BudgetedRandomSearch(BudgetedSearch, keras_tuner.RandomSearch):
    """`RandomSearch` with an epoch budget."""


class BudgetedBayesianOptimization(BudgetedSearch, keras_tuner.BayesianOptimization):
    """`BayesianOptimization` with an epoch budget."""


class ReportingHyperband(BudgetedSearch, keras_tuner.Hyperband):
    """`Hyperband` that prints one line per trial; its schedule is its budget."""


def make_tuner(kind: str, hypermodel: keras_tuner.HyperModel, *, directory: str | Path,
               project_name: str, max_epochs: int, factor: int = 3,
               epoch_budget: int | None = None, seed: int = 1, overwrite: bool = False,
               max_trials: int = 1000, initial_points: int = 4):
    """One of ``TUNER_NAMES``, maximising validation accuracy, saving under ``directory``.

    ``seed`` must not be 0: Keras Tuner treats a false seed as "pick one at
    random", so the trials would differ from run to run. ``initial_points`` random trials start a Bayesian search before its
    Gaussian process proposes any. ``overwrite=False`` (the default) reloads a search saved under the same
    ``directory``/``project_name`` and continues it where it stopped.
    """
    common = dict(hypermodel=hypermodel, objective=keras_tuner.Objective(OBJECTIVE, "max"),
                  directory=str(directory), project_name=project_name, seed=seed,
                  overwrite=overwrite)
    if kind not in TUNER_NAMES:
        raise ValueError(f"unknown tuner {kind!r}; choose one of {', '.join(TUNER_NAMES)}")
    # Keras Tuner prints "Reloading Tuner from <absolute path>" when it resumes a search: say it
    # with the path relative to the data cache (a folder elsewhere, such as a temporary one, as
    # "<search folder>"), so a page shows no machine's folders.
    with contextlib.redirect_stdout(io.StringIO()) as said:
        if kind == "hyperband":
            tuner = ReportingHyperband(max_epochs=max_epochs, factor=factor, **common)
        elif kind == "random":
            tuner = BudgetedRandomSearch(max_trials=max_trials, **common)
        else:
            tuner = BudgetedBayesianOptimization(max_trials=max_trials,
                                                 num_initial_points=initial_points, **common)
    shown = shown_path(directory)
    shown = shown if shown.startswith("$") else "<search folder>"
    for line in said.getvalue().splitlines():
        print(line.replace(str(directory), shown))
    tuner.epoch_budget = epoch_budget
    tuner.label = kind
    return tuner


def trial_records(tuner) -> list[dict]:
    """The tuner's trials in the order they were created, as flat dictionaries.

    Each has ``trial`` (its id), the hyperparameter values (Hyperband's own
    ``tuner/...`` values renamed ``bracket``, ``round``, ``epochs_to``; the
    active optimizer's rate as ``learning_rate``),
    ``val_accuracy``, ``epochs_trained``, ``seconds`` and ``status``.
    """
    renamed = {"tuner/bracket": "bracket", "tuner/round": "round", "tuner/epochs": "epochs_to"}
    records = []
    for trial_id in sorted(tuner.oracle.trials, key=int):
        trial = tuner.oracle.trials[trial_id]
        values = {renamed.get(k, k): v for k, v in trial.hyperparameters.values.items()
                  if (not k.startswith("tuner/") or k in renamed) and k not in RATE_NAMES.values()}
        if "optimizer" in values:
            values["learning_rate"] = trial.hyperparameters.values.get(RATE_NAMES[values["optimizer"]])
        records.append({"trial": trial_id, **values,
                        OBJECTIVE: trial_metric(trial, OBJECTIVE),
                        "epochs_trained": int(trial_metric(trial, "epochs_trained") or 0),
                        "seconds": trial_metric(trial, "seconds") or 0.0,
                        "status": trial.status})
    return records


def best_so_far(records: list[dict]) -> tuple[list[int], list[float], list[float]]:
    """Cumulative epochs, cumulative seconds and best validation accuracy after each trial."""
    epochs, seconds, best = [], [], []
    for record in records:
        score = record[OBJECTIVE] if record[OBJECTIVE] is not None else -math.inf
        epochs.append((epochs[-1] if epochs else 0) + record["epochs_trained"])
        seconds.append((seconds[-1] if seconds else 0.0) + record["seconds"])
        best.append(max(best[-1], score) if best else score)
    return epochs, seconds, best


def hyperband_schedule(max_epochs: int, factor: int) -> list[dict]:
    """Keras Tuner's Hyperband plan for one iteration, bracket by bracket and round by round.

    Keras Tuner (1.4) sizes its brackets differently from the paper: the last
    round of bracket s keeps ⌈(1 + log_factor(max_epochs)) / (s + 1)⌉ models
    (rounded up at each round), and round r of bracket s trains its models to
    ⌈max_epochs / factor^(s − r)⌉ epochs, continuing from the previous round's
    weights. Brackets run from the most exploratory (most models, fewest
    epochs) to the one that trains a few models for ``max_epochs``.
    """
    brackets, epochs = 0, float(max_epochs)
    while epochs >= 1:
        epochs /= factor
        brackets += 1
    last_round_size = math.ceil(1 + math.log(max_epochs, factor))
    rows = []
    for bracket in range(brackets - 1, -1, -1):
        previous_epochs = 0
        for round_num in range(bracket + 1):
            models = math.ceil(last_round_size / (bracket + 1) * factor ** (bracket - round_num))
            epochs_to = math.ceil(max_epochs / factor ** (bracket - round_num))
            rows.append({"bracket": bracket, "round": round_num, "models": models,
                         "epochs_to": epochs_to, "epochs_each": epochs_to - previous_epochs,
                         "epochs": models * (epochs_to - previous_epochs)})
            previous_epochs = epochs_to
    return rows


def tiny_search_tuner(directory: str | Path, project_name: str, *, max_trials: int,
                      overwrite: bool = False):
    """A RandomSearch over the assignment's space for the quick demonstrations."""
    return make_tuner("random", CifarHyperModel(batch_size=32), directory=directory,
                      project_name=project_name, max_epochs=1, max_trials=max_trials,
                      overwrite=overwrite)


def tiny_search(directory: str | Path, project_name: str, *, max_trials: int,
                stop_in_trial: int | None = None) -> list[str]:
    """Run (or resume) a tiny search on the generated stand-in data, one epoch per trial.

    Returns the ids of the trials this call ran. ``stop_in_trial`` (1-based)
    ends the process abruptly when that trial starts, to simulate a crash.
    """
    from dlbook.data import load_cifar10
    from dlbook.splits import validation_split

    train, _ = load_cifar10(profile="quick")
    fit_index, validation_index = validation_split(train.labels, 0.2, seed=0)
    tuner = tiny_search_tuner(directory, project_name, max_trials=max_trials)
    tuner.label = os.environ.get("KERASTUNER_TUNER_ID", "tiny")
    ran_ids: list[str] = []
    start_trial = tuner.on_trial_begin

    def on_trial_begin(trial):
        ran_ids.append(trial.trial_id)
        if stop_in_trial is not None and len(ran_ids) == stop_in_trial:
            print(f"stopping the process abruptly as trial {trial.trial_id} starts", flush=True)
            os._exit(3)
        start_trial(trial)

    tuner.on_trial_begin = on_trial_begin
    tuner.search(train.images[fit_index], train.labels[fit_index], epochs=1, verbose=0,
                 validation_data=(train.images[validation_index], train.labels[validation_index]))
    return ran_ids


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _module_command(directory: str | Path, project_name: str, max_trials: int,
                    stop_in_trial: int | None = None, result_file: Path | None = None) -> list[str]:
    command = [sys.executable, "-m", "dlbook.tuning", "--directory", str(directory),
               "--project", project_name, "--max-trials", str(max_trials)]
    if stop_in_trial is not None:
        command += ["--stop-in-trial", str(stop_in_trial)]
    if result_file is not None:
        command += ["--result-file", str(result_file)]
    return command


def read_result(path: Path, tuner_id: str) -> list[str]:
    """The trial ids a child process wrote to ``path`` when it finished (see :func:`main`)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))["trials"]
    except (OSError, ValueError, KeyError) as error:
        raise RuntimeError(f"{tuner_id} exited without writing its trials to {path}: {error}") from None


def _quiet_environment(**extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KERASTUNER_")}
    return dict(environment, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore", **extra)


def run_distributed_search(directory: str | Path, project_name: str, *, workers: int = 2,
                           max_trials: int = 6, timeout: float = 180) -> dict[str, list[str]]:
    """A chief and ``workers`` worker processes on 127.0.0.1 sharing one oracle.

    The chief (``KERASTUNER_TUNER_ID=chief``) only serves the oracle over gRPC;
    each worker (``tuner0``, ``tuner1``, …) asks it for trials, trains them and
    reports back. Returns the trial ids each worker ran.
    """
    port = str(free_port())
    processes = {}
    # Each child writes its trial ids to a file of its own, not to stdout: Keras Tuner 1.4.8
    # prints the first value of every conditional scope it serializes (a stray debug print
    # in conditions.Parent.to_proto), from gRPC threads that may still run at exit.
    with tempfile.TemporaryDirectory(prefix="dlbook-distributed-") as results_directory:
        result_files = {}
        for tuner_id in ["chief"] + [f"tuner{i}" for i in range(workers)]:
            environment = _quiet_environment(KERASTUNER_TUNER_ID=tuner_id,
                                             KERASTUNER_ORACLE_IP="127.0.0.1",
                                             KERASTUNER_ORACLE_PORT=port)
            result_files[tuner_id] = Path(results_directory) / f"{tuner_id}.json"
            processes[tuner_id] = subprocess.Popen(
                _module_command(directory, project_name, max_trials,
                                result_file=result_files[tuner_id]),
                env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + timeout
        results = {}
        for tuner_id, process in processes.items():
            try:
                _, stderr = process.communicate(timeout=max(deadline - time.monotonic(), 1))
            except subprocess.TimeoutExpired:
                for other in processes.values():
                    other.kill()
                raise RuntimeError(f"the distributed search did not finish in {timeout:.0f} s") from None
            if process.returncode != 0:
                raise RuntimeError(f"{tuner_id} exited with {process.returncode}:\n{stderr[-2000:]}")
            results[tuner_id] = read_result(result_files[tuner_id], tuner_id)
    return results


def run_interrupted_search(directory: str | Path, project_name: str, *, max_trials: int,
                           stop_in_trial: int, timeout: float = 300) -> int:
    """Run a tiny search in a child process that dies abruptly in trial ``stop_in_trial``.

    Returns the child's exit code (3); what it finished is saved in ``directory``.
    """
    process = subprocess.run(_module_command(directory, project_name, max_trials, stop_in_trial),
                             env=_quiet_environment(),
                             capture_output=True, text=True, timeout=timeout)
    if process.returncode != 3:
        raise RuntimeError(f"the search was meant to stop with code 3, not {process.returncode}:\n"
                           f"{process.stderr[-2000:]}")
    return process.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--directory", required=True, help="the tuner's directory")
    parser.add_argument("--project", required=True, help="the tuner's project name")
    parser.add_argument("--max-trials", type=int, default=6, help="trials in the search")
    parser.add_argument("--stop-in-trial", type=int, default=None,
                        help="exit abruptly when this trial (1-based) starts training")
    parser.add_argument("--result-file", type=Path, default=None,
                        help="write the ran trial ids here as JSON (default: print them)")
    args = parser.parse_args(argv)
    ran = tiny_search(args.directory, args.project, max_trials=args.max_trials,
                      stop_in_trial=args.stop_in_trial)
    result = json.dumps({"tuner_id": os.environ.get("KERASTUNER_TUNER_ID", ""), "trials": ran})
    if args.result_file is None:
        print(result)
    else:  # written whole, then renamed: a reader never sees half a file
        partial = args.result_file.with_name(args.result_file.name + ".partial")
        partial.write_text(result, encoding="utf-8")
        partial.replace(args.result_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Execution profiles: how much data, how many epochs, which images.

Every notebook runs in one of three profiles, chosen with the environment
variable ``DLBOOK_PROFILE``:

``quick``
    CI and smoke tests: small data the package generates itself, one epoch,
    seconds per notebook. Never touches the network or the data cache.
``cpu``
    The real datasets with budgets that finish on a 2-core CPU.
``gpu``
    The real datasets with the full budget (Colab with a GPU runtime).

When the variable is unset the profile is ``gpu`` if the Keras backend sees
a GPU and ``cpu`` otherwise. Notebooks read their epochs, image sizes and
subset sizes from :meth:`Profile.budget`, never from scattered ``if``\\ s, and
show that budget as a small table (:func:`show_budget`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from dlbook.display import markdown_table, show_markdown

ENV_VAR = "DLBOOK_PROFILE"
SEED_OFFSET_VAR = "DLBOOK_SEED_OFFSET"


@dataclass(frozen=True)
class Profile:
    """One execution profile and the per-notebook budgets it grants."""

    name: str
    description: str
    real_data: bool
    budgets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def budget(self, notebook: str) -> Mapping[str, Any]:
        """The settings (epochs, sizes, ...) this profile grants ``notebook``."""
        try:
            return MappingProxyType(dict(self.budgets[notebook]))
        except KeyError:
            known = ", ".join(sorted(self.budgets)) or "none"
            raise KeyError(
                f"Profile {self.name!r} has no budget for notebook {notebook!r}; "
                f"notebooks with a budget: {known}. Add one in dlbook/profiles.py."
            ) from None


# Budgets are added here by each notebook that trains or loads real data.
_BUDGETS: dict[str, dict[str, dict[str, Any]]] = {
    "quick": {
        "learning-rate": {"epochs": 10, "iterations": 200, "seeds": (0,)},
        "one-by-one-convolutions": {"bottleneck_epochs": 4, "control_steps": 64, "seeds": (0,),
                                    "control_seeds": (0,)},
        "why-convolutions": {"seeds": (0,), "ladder_sizes": (32, 512), "steps": 200, "side_steps": 150,
                             "side_depths": (1, 3), "position_epochs": 8},
        "brain-tumor-classifier": {"model_size": 64, "folds": 2, "validation_fraction": 0.2,
                                   "epochs": 1, "warmup_epochs": 0, "assignment_epochs": 1,
                                   "peak_learning_rate": 2e-3, "seeds": (0, 1)},
        "inception": {"width": 0.25, "epochs": 1, "batch_size": 64, "peak_learning_rate": 0.1,
                      "validation_fraction": 0.1, "ablation_images": 200, "ablation_epochs": 1,
                      "ablation_seeds": (0,)},
        "keras-tuner": {"search_train": 240, "search_validation": 80, "max_epochs": 2,
                        "factor": 2, "patience": 1, "batch_size": 32, "demo_images": 160,
                        "noise_seeds": 2, "final_validation": 100,
                        "screen_epochs": 1, "final_epochs": 2, "search_seeds": (1,)},
        "image-filters": {"cifar_images": 1000, "epochs": 6, "seeds": (0,), "edge_seeds": 2},
    },
    "cpu": {
        "learning-rate": {"epochs": 30, "iterations": 600, "seeds": (0, 1, 2)},
        "one-by-one-convolutions": {"bottleneck_epochs": 25, "control_steps": 3000, "seeds": (0, 1, 2),
                                    "control_seeds": (0, 1, 2, 3, 4)},
        "why-convolutions": {"seeds": (0, 1, 2), "ladder_sizes": (32, 128, 512, 2048), "steps": 800,
                             "side_steps": 400, "side_depths": (1, 2, 3, 4), "position_epochs": 15},
        "brain-tumor-classifier": {"model_size": 96, "folds": 5, "validation_fraction": 0.15,
                                   "epochs": 30, "warmup_epochs": 2, "assignment_epochs": 10,
                                   "peak_learning_rate": 2e-3, "seeds": (0, 1)},
        "inception": {"width": 0.75, "epochs": 20, "batch_size": 128, "peak_learning_rate": 0.1,
                      "validation_fraction": 0.1, "ablation_images": 10000, "ablation_epochs": 6,
                      "ablation_seeds": (0, 1)},
        "keras-tuner": {"search_train": 8000, "search_validation": 2000, "max_epochs": 9,
                        "factor": 3, "patience": 2, "batch_size": 64, "demo_images": 1000,
                        "noise_seeds": 3, "final_validation": 5000,
                        "screen_epochs": 10, "final_epochs": 30, "search_seeds": (1, 2, 3)},
        "image-filters": {"cifar_images": 10000, "epochs": 6, "seeds": (0, 1, 2), "edge_seeds": 8},
    },
    "gpu": {
        "learning-rate": {"epochs": 30, "iterations": 600, "seeds": (0, 1, 2)},  # a tiny MLP: a GPU adds nothing
        "one-by-one-convolutions": {"bottleneck_epochs": 25, "control_steps": 3000, "seeds": (0, 1, 2),
                                    "control_seeds": (0, 1, 2, 3, 4)},
        "why-convolutions": {"seeds": (0, 1, 2), "ladder_sizes": (32, 128, 512, 2048), "steps": 800,
                             "side_steps": 400, "side_depths": (1, 2, 3, 4), "position_epochs": 15},
        "brain-tumor-classifier": {"model_size": 128, "folds": 5, "validation_fraction": 0.15,
                                   "epochs": 40, "warmup_epochs": 2, "assignment_epochs": 10,
                                   "peak_learning_rate": 2e-3, "seeds": (0, 1, 2)},
        "inception": {"width": 1.5, "epochs": 30, "batch_size": 128, "peak_learning_rate": 0.1,
                      "validation_fraction": 0.1, "ablation_images": 10000, "ablation_epochs": 6,
                      "ablation_seeds": (0, 1)},
        "keras-tuner": {"search_train": 40000, "search_validation": 10000, "max_epochs": 9,
                        "factor": 3, "patience": 2, "batch_size": 64, "demo_images": 1000,
                        "noise_seeds": 3, "final_validation": 5000,
                        "screen_epochs": 10, "final_epochs": 40, "search_seeds": (1, 2, 3)},
        "image-filters": {"cifar_images": 10000, "epochs": 6, "seeds": (0, 1, 2), "edge_seeds": 8},
    },
}

PROFILES: Mapping[str, Profile] = MappingProxyType(
    {
        "quick": Profile(
            "quick",
            "CI smoke run: small generated stand-in data, one epoch, seconds per notebook",
            real_data=False,
            budgets=_BUDGETS["quick"],
        ),
        "cpu": Profile(
            "cpu",
            "real data, budgets that finish on a 2-core CPU",
            real_data=True,
            budgets=_BUDGETS["cpu"],
        ),
        "gpu": Profile(
            "gpu",
            "real data, the full budget (a Colab-class GPU)",
            real_data=True,
            budgets=_BUDGETS["gpu"],
        ),
    }
)


class UnknownProfileError(ValueError):
    """``DLBOOK_PROFILE`` (or a ``profile=`` argument) names no profile."""


def get_profile(name: str) -> Profile:
    """The profile called ``name`` (case-insensitive, surrounding spaces ignored)."""
    key = name.strip().lower()
    if key not in PROFILES:
        valid = ", ".join(PROFILES)
        raise UnknownProfileError(
            f"Unknown profile {name!r}. Valid profiles: {valid}. "
            f"Set {ENV_VAR} to one of them (or unset it to pick cpu/gpu automatically)."
        )
    return PROFILES[key]


def gpu_available() -> bool:
    """Whether the active Keras backend can see a GPU."""
    from dlbook.hardware import gpu_name

    return gpu_name() is not None


def current_profile() -> Profile:
    """The profile named by ``DLBOOK_PROFILE``, else ``gpu``/``cpu`` by hardware."""
    requested = os.environ.get(ENV_VAR, "").strip()
    if requested:
        return get_profile(requested)
    return PROFILES["gpu"] if gpu_available() else PROFILES["cpu"]


def resolve(profile: Profile | str | None) -> Profile:
    """Accept a :class:`Profile`, a profile name, or ``None`` (the current one)."""
    if profile is None:
        return current_profile()
    if isinstance(profile, Profile):
        return profile
    return get_profile(profile)


def seed_offset() -> int:
    """The whole number in ``DLBOOK_SEED_OFFSET`` (0 when unset): added to every training seed."""
    text = os.environ.get(SEED_OFFSET_VAR, "").strip()
    try:
        offset = int(text or 0)
    except ValueError:
        offset = -1
    if offset < 0:
        raise ValueError(
            f"{SEED_OFFSET_VAR}={text!r} is not a whole number. Unset it for the book's own seeds, or set "
            "it to 1, 2, ... to train every model from other random seeds."
        )
    return offset


def seed(base: int = 0) -> int:
    """The random seed a notebook passes where it writes ``base``.

    ``base`` plus :func:`seed_offset`: the book's stored outputs use the
    seeds as written (offset 0); the tests re-run the notebooks with another
    offset to show that what a chapter concludes from training does not hang
    on one lucky seed.
    """
    return int(base) + seed_offset()


def budget_table(profile: Profile, notebook: str) -> str:
    """The notebook's budget in this profile as a Markdown table."""
    return markdown_table(["setting", profile.name], [list(item) for item in profile.budget(notebook).items()])


def show_budget(profile: Profile, notebook: str) -> None:
    """Display the budget table (Markdown in Jupyter, text elsewhere).

    It returns nothing, so that a cell ending with it shows the table alone;
    read the settings with ``profile.budget(notebook)``.
    """
    show_markdown(
        f"**Profile `{profile.name}`**: {profile.description}.\n\n" + budget_table(profile, notebook)
    )

"""Profiles: selection by environment, validation, budgets."""

from __future__ import annotations

import pytest

from dlbook import profiles
from dlbook.profiles import Profile, UnknownProfileError, current_profile, get_profile


@pytest.mark.parametrize("value,expected", [("quick", "quick"), ("cpu", "cpu"), ("gpu", "gpu"), (" CPU ", "cpu")])
def test_environment_selects_profile(monkeypatch, value, expected):
    monkeypatch.setenv("DLBOOK_PROFILE", value)
    assert current_profile().name == expected


@pytest.mark.parametrize("value", ["fast", "GPU2", "quick,cpu"])
def test_unknown_profile_lists_the_valid_ones(monkeypatch, value):
    monkeypatch.setenv("DLBOOK_PROFILE", value)
    with pytest.raises(UnknownProfileError, match=r"Valid profiles: quick, cpu, gpu"):
        current_profile()


@pytest.mark.parametrize("gpu,expected", [(True, "gpu"), (False, "cpu")])
def test_default_follows_the_hardware(monkeypatch, gpu, expected):
    monkeypatch.delenv("DLBOOK_PROFILE", raising=False)
    monkeypatch.setattr(profiles, "gpu_available", lambda: gpu)
    assert current_profile().name == expected


def test_empty_variable_means_unset(monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "")
    monkeypatch.setattr(profiles, "gpu_available", lambda: False)
    assert current_profile().name == "cpu"


def test_gpu_detection_on_this_machine_matches_tensorflow():
    import tensorflow as tf

    assert profiles.gpu_available() == bool(tf.config.list_physical_devices("GPU"))


def test_only_quick_uses_generated_data():
    assert [p.name for p in profiles.PROFILES.values() if not p.real_data] == ["quick"]


def test_resolve_accepts_names_profiles_and_none(monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    assert profiles.resolve(None).name == "quick"
    assert profiles.resolve("gpu") is get_profile("gpu")
    assert profiles.resolve(get_profile("cpu")).name == "cpu"


def test_budget_lookup_and_table():
    profile = Profile("demo", "a test profile", real_data=False, budgets={"nb": {"epochs": 3, "image_size": 64}})
    assert dict(profile.budget("nb")) == {"epochs": 3, "image_size": 64}
    with pytest.raises(TypeError):
        profile.budget("nb")["epochs"] = 4  # budgets are read-only
    assert profiles.budget_table(profile, "nb").splitlines() == [
        "| setting | demo |", "|---|---|", "| epochs | 3 |", "| image_size | 64 |",
    ]
    with pytest.raises(KeyError, match="no budget for notebook 'other'"):
        profile.budget("other")


def test_every_profile_budgets_the_same_notebooks_and_settings():
    quick, cpu, gpu = (profiles.PROFILES[name].budgets for name in ("quick", "cpu", "gpu"))
    assert quick.keys() == cpu.keys() == gpu.keys()
    for notebook in quick:
        assert quick[notebook].keys() == cpu[notebook].keys() == gpu[notebook].keys(), notebook

"""The loaders on the real datasets, when a copy is in the cache (skipped otherwise).

The project's tests must pass without the real data; where it is present
(after `../shared/datasets/install`, or a notebook's download) these check
the loaders against the facts of the real copies.
"""

from __future__ import annotations

import pytest

from dlbook import data


def cached(name: str):
    folder = data.data_dir() / name
    return pytest.mark.skipif(not folder.is_dir(), reason=f"no real {name} copy at {folder} (install one to run this)")


@cached("br35h")
def test_real_br35h():
    dataset = data.load_br35h(32, profile="cpu", download=False)
    assert dataset.class_counts() == {"no": 1500, "yes": 1500}
    assert len(dataset.info["png_named_jpg"]) == 13
    assert {"RGB", "L"} <= dataset.info["modes"].keys()
    assert not any(name.startswith("pred/") for name in dataset.files)


@cached("cifar10")
def test_real_cifar10():
    train, test = data.load_cifar10(profile="cpu")
    assert train.images.shape == (50000, 32, 32, 3) and test.images.shape == (10000, 32, 32, 3)
    assert set(train.class_counts().values()) == {5000} and set(test.class_counts().values()) == {1000}

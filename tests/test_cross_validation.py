import numpy as np
import pytest

from dlbook import cross_validation as cv


def dataset(n_groups=40, seed=0):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 9, n_groups)
    groups = np.repeat(np.arange(n_groups) * 7 + 3, sizes)  # ids need not be 0..n-1
    group_label = np.arange(n_groups) % 2
    labels = np.repeat(group_label, sizes)
    return labels, groups


def test_folds_keep_groups_whole_and_balance_scans_per_label():
    labels, groups = dataset()
    folds = cv.grouped_folds(labels, groups, k=5, seed=1)
    for g in np.unique(groups):
        assert len(set(folds[groups == g])) == 1, "a group was cut"
    for label in (0, 1):
        per_fold = [len(np.unique(groups[(folds == f) & (labels == label)])) for f in range(5)]
        assert max(per_fold) - min(per_fold) <= 1 and sum(per_fold) == 20
    assert set(folds) == set(range(5))
    assert np.array_equal(folds, cv.grouped_folds(labels, groups, k=5, seed=1)), "fixed by the seed"
    assert not np.array_equal(folds, cv.grouped_folds(labels, groups, k=5, seed=2))


def test_folds_refuse_mixed_groups_and_too_few_groups():
    labels, groups = dataset(10)
    mixed = labels.copy()
    mixed[0] = 1 - mixed[0]
    if (groups == groups[0]).sum() == 1:
        mixed[1] = 1 - mixed[1]; groups = groups.copy(); groups[1] = groups[0]
    with pytest.raises(ValueError, match="mixes labels"):
        cv.grouped_folds(mixed, groups, k=2)
    with pytest.raises(ValueError, match="fewer than"):
        cv.grouped_folds(labels, groups, k=6)
    with pytest.raises(ValueError, match="at least 2 folds"):
        cv.grouped_folds(labels, groups, k=1)


def test_holdout_takes_whole_groups_of_each_label():
    labels, groups = dataset()
    indices = np.arange(len(labels))[(groups // 7) % 3 != 0]
    rest, held = cv.grouped_holdout(indices, labels, groups, 0.25, seed=0)
    assert np.array_equal(np.sort(np.r_[rest, held]), indices)
    assert set(groups[rest]).isdisjoint(groups[held])
    for label in (0, 1):
        assert len(np.unique(groups[held][labels[held] == label])) >= 1
    with pytest.raises(ValueError):
        cv.grouped_holdout(indices, labels, groups, 1.0)


def test_group_means_labels_and_weights():
    groups = np.array([5, 5, 9, 5, 2])
    ids, means = cv.group_means([1.0, 0.0, 0.5, 0.5, 0.25], groups)
    assert list(ids) == [2, 5, 9] and np.allclose(means, [0.25, 0.5, 0.5])
    ids, labels = cv.group_labels([1, 1, 0, 1, 0], groups)
    assert list(labels) == [0, 1, 0]
    weights = cv.equal_group_weights(groups)
    assert np.isclose(weights.mean(), 1)
    assert np.isclose(weights[groups == 5].sum(), weights[groups == 9].sum())


def test_bootstrap_interval_covers_the_value_and_narrows_with_n():
    rng = np.random.default_rng(0)
    small, large = rng.random(50) < 0.8, rng.random(2000) < 0.8
    low_s, high_s = cv.bootstrap_interval(lambda i: small[i].mean(), len(small))
    low_l, high_l = cv.bootstrap_interval(lambda i: large[i].mean(), len(large))
    assert low_s <= small.mean() <= high_s and low_l <= large.mean() <= high_l
    assert high_l - low_l < (high_s - low_s) / 3, "forty times the items: about a sixth of the width"
    assert cv.bootstrap_interval(lambda i: large[i].mean(), len(large)) == (low_l, high_l), "seeded"
    with pytest.raises(ValueError, match="undefined"):
        cv.bootstrap_interval(lambda i: float("nan"), 10)

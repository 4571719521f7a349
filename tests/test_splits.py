"""Near-duplicate groups and leak-free splits (dlbook.splits)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook import splits, synthetic


def _scans(n: int, size: int = 96, seed: int = 0) -> np.ndarray:
    """n distinct random-texture 'scans' (uint8, (n, size, size))."""
    rng = np.random.default_rng(seed)
    import cv2
    return np.stack([
        np.clip(cv2.GaussianBlur(rng.normal(128, 60, (size, size)), (0, 0), 1.5) * 1.0, 0, 255).astype(np.uint8)
        for _ in range(n)
    ])


def _copy(image: np.ndarray, kind: str, rng) -> np.ndarray:
    import cv2
    if kind == "resized":
        small = cv2.resize(image, (61, 61), interpolation=cv2.INTER_AREA)
        return cv2.resize(small, image.shape[::-1], interpolation=cv2.INTER_LINEAR)
    if kind == "contrast":
        return np.clip(image.astype(float) * 0.7 + 40, 0, 255).astype(np.uint8)
    if kind == "jpeg":
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 40])
        return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    if kind == "noisy":
        return np.clip(image + rng.normal(0, 8, image.shape), 0, 255).astype(np.uint8)
    if kind == "mirrored":
        return image[:, ::-1].copy()
    if kind == "upside-down":
        return image[::-1].copy()
    raise ValueError(kind)


KINDS = ["resized", "contrast", "jpeg", "noisy", "mirrored", "upside-down"]


def test_copies_are_found_and_distinct_scans_are_not():
    rng = np.random.default_rng(1)
    scans = _scans(10)
    copies = np.stack([_copy(scans[i % 3], kind, rng) for i, kind in enumerate(KINDS)])
    images = np.concatenate([scans, copies])
    result = splits.near_duplicate_groups(images)
    expected_partner = [i % 3 for i in range(len(KINDS))]
    for k, partner in enumerate(expected_partner):
        assert result.groups[10 + k] == result.groups[partner], KINDS[k]
    # the ten originals stay apart: 10 groups in all
    assert result.group_count == 10
    assert len(np.unique(result.groups[:10])) == 10
    assert result.duplicated_images() == 3 + len(KINDS)
    off_diagonal = result.similarity[:10, :10][~np.eye(10, dtype=bool)]
    assert off_diagonal.max() < 0.5


def test_mirror_copies_need_mirrored_search():
    scans = _scans(4)
    images = np.concatenate([scans, scans[:1, :, ::-1]])
    assert splits.near_duplicate_groups(images).groups[4] == 0
    plain = splits.near_duplicate_groups(images, mirrored=False)
    assert plain.groups[4] != 0
    mirrored = splits.similarity_matrix(images)[1]
    assert splits.ORIENTATIONS[mirrored[0, 4]] == "flipped left-right"


def test_flat_and_colour_images():
    images = np.zeros((3, 32, 32, 3), np.uint8)
    images[1] = _scans(1, 32)[0][..., None]
    features = splits.structure_features(images)
    assert np.all(features[0] == 0) and np.isclose(np.linalg.norm(features[1]), 1, atol=1e-5)
    with pytest.raises(ValueError, match="batch of images"):
        splits.structure_features(np.zeros((32, 32)))
    with pytest.raises(ValueError, match="threshold"):
        splits.near_duplicate_groups(images, threshold=1.5)


def test_connected_groups_follow_chains_and_number_by_first_member():
    linked = np.zeros((6, 6), bool)
    for a, b in [(0, 3), (3, 5), (1, 4)]:
        linked[a, b] = linked[b, a] = True
    assert splits.connected_groups(linked).tolist() == [0, 1, 2, 0, 1, 0]


def _grouped_data(seed: int, n_groups: int = 120):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 12, n_groups)
    group_labels = rng.integers(0, 2, n_groups)
    groups = np.repeat(np.arange(n_groups), sizes)
    labels = np.repeat(group_labels, sizes)
    return labels, groups


@settings(max_examples=25, deadline=None)
@given(data_seed=st.integers(0, 10_000), split_seed=st.integers(0, 10_000))
def test_grouped_split_is_a_partition_without_shared_groups(data_seed, split_seed):
    labels, groups = _grouped_data(data_seed)
    split = splits.grouped_split(labels, groups, seed=split_seed, attempts=20)
    together = np.concatenate([split[name] for name in splits.SPLIT_NAMES])
    assert np.array_equal(np.sort(together), np.arange(len(labels)))
    sets = [set(groups[split[name]]) for name in splits.SPLIT_NAMES]
    assert not (sets[0] & sets[1]) and not (sets[0] & sets[2]) and not (sets[1] & sets[2])


def test_grouped_split_balance_and_determinism():
    labels, groups = _grouped_data(7, n_groups=400)
    a = splits.grouped_split(labels, groups, seed=3)
    b = splits.grouped_split(labels, groups, seed=3)
    c = splits.grouped_split(labels, groups, seed=4)
    assert all(np.array_equal(a[k], b[k]) for k in splits.SPLIT_NAMES)
    assert any(not np.array_equal(a[k], c[k]) for k in splits.SPLIT_NAMES)
    overall = labels.mean()
    for name, fraction in zip(splits.SPLIT_NAMES, (0.7, 0.15, 0.15)):
        assert abs(labels[a[name]].mean() - overall) <= 0.01, name
        assert abs(len(a[name]) / len(labels) - fraction) <= 0.01, name


def test_grouped_split_rejects_bad_input():
    labels, groups = _grouped_data(0)
    with pytest.raises(ValueError, match="fractions"):
        splits.grouped_split(labels, groups, fractions=(0.5, 0.5, 0.0))
    with pytest.raises(ValueError, match="same length"):
        splits.grouped_split(labels[:-1], groups)
    with pytest.raises(ValueError, match="three groups"):
        splits.grouped_split(np.array([0, 0, 1, 1]), np.array([0, 0, 1, 2]))


def test_random_split_is_stratified_and_leaks_duplicates():
    labels, groups = _grouped_data(5, n_groups=300)
    split = splits.random_split(labels, seed=0)
    together = np.concatenate([split[name] for name in splits.SPLIT_NAMES])
    assert np.array_equal(np.sort(together), np.arange(len(labels)))
    for name in splits.SPLIT_NAMES:
        assert abs(labels[split[name]].mean() - labels.mean()) <= 0.01
    same_group = (groups[:, None] == groups[None, :]).astype(np.float32)
    leaks = splits.leaked(split, same_group, threshold=1.0)
    assert len(leaks) > 0 and set(leaks) <= set(split["test"])
    grouped = splits.grouped_split(labels, groups, seed=0, attempts=20)
    assert len(splits.leaked(grouped, same_group, threshold=1.0)) == 0


def test_split_summary_counts_groups():
    labels, groups = _grouped_data(2)
    split = splits.grouped_split(labels, groups, seed=0, attempts=5)
    rows = splits.split_summary(split, labels, groups)
    assert [row["split"] for row in rows] == list(splits.SPLIT_NAMES)
    assert sum(row["images"] for row in rows) == len(labels)
    assert sum(row["groups"] for row in rows) == len(np.unique(groups))


def test_quick_stand_in_has_near_duplicates_to_find():
    images, labels, source = synthetic.mri_phantoms_with_copies(30, image_size=128, seed=0)
    result = splits.near_duplicate_groups(images)
    assert result.group_count == len(np.unique(source))
    assert np.array_equal(splits.connected_groups(source[:, None] == source[None, :]), result.groups)
    assert not result.mixed_label_groups(labels)


def test_validation_split_holds_out_a_stratified_fraction():
    labels = np.repeat(np.arange(10), 50)
    train, validation = splits.validation_split(labels, 0.1, seed=3)
    assert np.intersect1d(train, validation).size == 0
    assert len(train) + len(validation) == len(labels)
    assert (np.bincount(labels[validation]) == 5).all()
    again = splits.validation_split(labels, 0.1, seed=3)
    assert np.array_equal(again[1], validation)
    assert not np.array_equal(splits.validation_split(labels, 0.1, seed=4)[1], validation)
    with pytest.raises(ValueError):
        splits.validation_split(labels, 1.0)

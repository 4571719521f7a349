"""Head bounding boxes and crop-and-pad framing (dlbook.framing)."""

import cv2
import numpy as np
import pytest

from dlbook import framing, splits


def _scan(frame=(120, 200), box=(20, 100, 60, 160), value=200):
    image = np.zeros(frame, np.uint8)
    top, bottom, left, right = box
    image[top:bottom, left:right] = value
    return image


def test_head_box_finds_the_bright_object_and_ignores_specks():
    image = _scan()
    image[2, 2] = 255  # one stray bright pixel: too few in its row and column to count
    top, bottom, left, right = framing.head_box(image)
    assert abs(top - 20) <= 2 and abs(bottom - 100) <= 2 and abs(left - 60) <= 2 and abs(right - 160) <= 2
    assert framing.head_box(np.zeros((10, 12))) == (0, 10, 0, 12)
    with pytest.raises(ValueError, match="grayscale"):
        framing.head_box(np.zeros((2, 10, 10)))


def test_crop_and_pad_restores_the_true_aspect_ratio_whatever_the_border():
    # One head 80 tall and 100 wide, in two files with different borders, both squashed to 64 x 64.
    files = [_scan((120, 200), (20, 100, 60, 160)), _scan((90, 110), (5, 85, 5, 105))]
    squashed = np.stack([cv2.resize(f, (64, 64), interpolation=cv2.INTER_AREA) for f in files])
    sizes = [(f.shape[1], f.shape[0]) for f in files]  # (width, height), as PIL gives them
    framed = framing.crop_and_pad(squashed[..., None], sizes)
    assert framed.shape == (2, 64, 64, 1) and framed.dtype == np.uint8
    for image in framed[..., 0]:
        top, bottom, left, right = framing.head_box(image)
        assert right - left >= 62  # the longer side fills the frame
        assert abs((bottom - top) / (right - left) - 0.8) < 0.06  # 80 / 100, the head's true shape
    before = np.abs(squashed[0].astype(int) - squashed[1].astype(int)).mean()
    after = np.abs(framed[0].astype(int) - framed[1].astype(int)).mean()
    assert after < 0.15 * before, (before, after)  # the two files now agree, up to their blurred edges
    with pytest.raises(ValueError, match="original sizes"):
        framing.crop_and_pad(squashed, sizes[:1])
    with pytest.raises(ValueError, match="square"):
        framing.crop_and_pad(np.zeros((1, 10, 12)))


def _head(texture: np.ndarray, frame: tuple[int, int], offset: tuple[int, int]) -> np.ndarray:
    """A textured elliptical 'head' pasted at ``offset`` into a black frame of (height, width)."""
    import cv2
    size = texture.shape[0]
    yy, xx = np.mgrid[:size, :size]
    inside = ((yy - size / 2) / (0.48 * size)) ** 2 + ((xx - size / 2) / (0.4 * size)) ** 2 <= 1
    head = np.where(inside, np.maximum(texture, 30), 0).astype(np.uint8)
    canvas = np.zeros(frame, np.uint8)
    canvas[offset[0]:offset[0] + size, offset[1]:offset[1] + size] = head
    return cv2.resize(canvas, (96, 96), interpolation=cv2.INTER_AREA)  # squashed to a square, as the loader does


def test_head_similarity_finds_reframed_turned_copies_that_fine_structure_misses():
    import cv2
    rng = np.random.default_rng(3)  # anatomy-sized structure: blobs a few pixels across
    textures = np.stack([np.clip(cv2.GaussianBlur(rng.normal(128, 400, (64, 64)), (0, 0), 3.0), 0, 255)
                         for _ in range(6)]).astype(np.uint8)
    originals = np.stack([_head(t, (80, 80), (8, 8)) for t in textures])
    wider = _head(textures[0], (80, 130), (8, 40))  # another border and aspect ratio
    turned = np.rot90(_head(textures[1], (100, 80), (30, 8)), 2)  # another crop, rotated 180°
    quarter = np.rot90(_head(textures[2], (80, 80), (8, 8)), 1)
    images = np.concatenate([originals, np.stack([wider, turned, quarter])])
    head, transform = framing.head_similarity(images)
    fine = splits.similarity_matrix(images)[0]
    for copy, original in ((6, 0), (7, 1), (8, 2)):
        assert head[copy, original] > 0.9, (copy, head[copy, original])
    assert fine[6, 0] < 0.85 and fine[7, 1] < 0.85  # re-framing defeats the squashed comparison
    assert framing.DIHEDRAL[transform[7, 1]] == "rotated 180°"
    assert framing.DIHEDRAL[transform[8, 2]] in ("rotated 90°", "rotated 270°")
    distinct = head[:6, :6][~np.eye(6, dtype=bool)]
    assert distinct.max() < 0.8  # the shared outline lifts different heads, but far below a copy
    assert np.allclose(np.diag(head), 1) and np.allclose(head, head.T)
    with pytest.raises(ValueError, match="batch of images"):
        framing.head_signatures(np.zeros((32, 32)))


def test_fold_record_is_written_where_the_executor_asks(tmp_path, monkeypatch):
    import json

    from dlbook import fold_record

    target = tmp_path / "folds.json"
    monkeypatch.setenv(fold_record.FOLDS_FILE_VAR, str(target))
    record = fold_record.record_folds(["yes/y1.jpg", "no/no2.jpg"], np.array([0, 4]), np.array([7, 3]))
    assert record == {"yes/y1.jpg": {"fold": 0, "group": 7}, "no/no2.jpg": {"fold": 4, "group": 3}}
    assert json.loads(target.read_text()) == record
    monkeypatch.delenv(fold_record.FOLDS_FILE_VAR)
    target.unlink()
    fold_record.record_folds(["a"], [0], [0])
    assert not target.exists()
    with pytest.raises(ValueError, match="one of each per file"):
        fold_record.record_folds(["a"], [0, 1], [0])
    with pytest.raises(ValueError, match="unique"):
        fold_record.record_folds(["a", "a"], [0, 1], [0, 1])

import cv2
import numpy as np
import pytest

from dlbook import keypoints, splits, synthetic
from dlbook.data import load_sample_image


def _turned(image, degrees, scale=1.0):
    height, width = image.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, scale)
    return cv2.warpAffine(image, matrix, (width, height))


@pytest.fixture(scope="module")
def camera():
    return load_sample_image("camera")


def test_a_copy_turned_by_any_angle_recropped_and_recontrasted_keeps_many_inliers(camera):
    copy = _turned(camera, 23, 0.8)[40:470, 10:500]  # turned, shrunk, cropped to another frame
    copy = np.clip(copy.astype(float) ** 0.8 * 2.2, 0, 255).astype(np.uint8)  # gamma and gain
    mirrored = np.ascontiguousarray(copy[:, ::-1])
    original = keypoints.image_keypoints(camera)
    assert keypoints.affine_inliers(original, keypoints.image_keypoints(copy)) >= 60
    assert keypoints.affine_inliers(original, keypoints.image_keypoints(mirrored)) >= 60


def test_different_pictures_share_few_inliers(camera):
    other = cv2.cvtColor(load_sample_image("coffee"), cv2.COLOR_RGB2GRAY)
    assert keypoints.affine_inliers(keypoints.image_keypoints(camera),
                                    keypoints.image_keypoints(other)) < 15


@pytest.fixture(scope="module")
def phantoms():
    images, labels, source = synthetic.mri_phantoms_with_copies(30, image_size=128, seed=0)
    return images[..., 0], source


def test_on_phantoms_every_link_above_30_inliers_is_a_true_copy(phantoms):
    images, source = phantoms
    links = keypoints.keypoint_links(images)
    copy = source[links.pairs[:, 0]] == source[links.pairs[:, 1]]
    assert copy.sum() >= 10, "the candidate search should reach most generated copies"
    assert links.inliers[~copy].max() < 30 <= links.inliers[copy].max()
    linked = links.linked(len(images), 30)
    assert np.array_equal(linked, linked.T) and not linked.diagonal().any()
    found = splits.connected_groups(linked | (source[:, None] == source[None, :]))
    assert np.array_equal(found, splits.connected_groups(source[:, None] == source[None, :]))


def test_pairs_inside_a_known_group_are_not_candidates(phantoms):
    images, source = phantoms
    points = [keypoints.image_keypoints(image) for image in images]
    pairs = keypoints.candidate_pairs(points, groups=source)
    assert len(pairs) and (pairs[:, 0] < pairs[:, 1]).all()
    assert (source[pairs[:, 0]] != source[pairs[:, 1]]).all()


def test_blank_and_tiny_images(camera):
    blank = keypoints.image_keypoints(np.zeros((64, 64), np.uint8))
    assert blank.descriptors.shape == (0, 128)
    assert keypoints.affine_inliers(blank, keypoints.image_keypoints(camera)) == 0
    assert keypoints.candidate_pairs([blank, blank]).shape == (0, 2)
    with pytest.raises(ValueError, match="at least 8x8"):
        keypoints.image_keypoints(np.zeros((4, 64), np.uint8))

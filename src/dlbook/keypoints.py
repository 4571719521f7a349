"""Copies of one picture found by matching keypoints, whatever was done to the copy.

Comparing whole images (:mod:`dlbook.splits`, :mod:`dlbook.framing`) misses a
copy rotated by an angle that is not a quarter turn, cropped into the
object, or carrying overlay text. Keypoints survive all of that: SIFT
finds small distinctive patches and describes each one in a way that does
not change with rotation, scale or contrast; two copies of one picture
share many such patches, and their positions in one copy map onto the other
by a single affine transformation. Two different pictures of similar
objects share a few look-alike patches, but those do not fit one
transformation. The count of matches that do (the *inliers* of a RANSAC
fit) separates the two.

Matching every pair of a few thousand images is slow, so it runs in two
steps: :func:`candidate_pairs` lets every keypoint vote for the images that
hold its nearest neighbours (an approximate search over all keypoints at
once) and keeps each image's most-voted partners; :func:`affine_inliers`
fits a transformation to each candidate pair. :func:`keypoint_links` does
both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import cv2
import numpy as np


@dataclass(frozen=True)
class ImageKeypoints:
    """SIFT keypoints of one image: ``points`` (K, 2) and ``descriptors`` (K, 128), as is and mirrored."""

    points: np.ndarray
    descriptors: np.ndarray
    mirrored_points: np.ndarray
    mirrored_descriptors: np.ndarray


def _grayscale(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim == 3:
        image = image.mean(axis=-1) if image.shape[-1] > 1 else image[..., 0]
    if image.ndim != 2 or min(image.shape) < 8:
        raise ValueError(f"expected a grayscale image of at least 8x8 pixels, got shape {image.shape}")
    if image.dtype != np.uint8:
        low, high = float(image.min()), float(image.max())
        image = np.round((image - low) / (high - low or 1.0) * 255)
    return image.astype(np.uint8)


def image_keypoints(image: np.ndarray, *, longest_side: int = 256, count: int = 300) -> ImageKeypoints:
    """The ``count`` strongest SIFT keypoints of ``image`` and of its mirror image.

    The image is resized so its longest side is ``longest_side`` pixels
    (keeping its aspect ratio) and histogram-equalised, so that copies saved
    at other sizes and contrasts are described alike. SIFT is not mirror
    invariant, so the mirror image gets keypoints of its own.
    """
    image = _grayscale(image)
    height, width = image.shape
    scale = longest_side / max(height, width)
    size = (max(8, round(width * scale)), max(8, round(height * scale)))
    image = cv2.equalizeHist(cv2.resize(image, size, interpolation=cv2.INTER_AREA))
    sift = cv2.SIFT_create(nfeatures=count)
    found = []
    for picture in (image, np.ascontiguousarray(image[:, ::-1])):
        keypoints, descriptors = sift.detectAndCompute(picture, None)
        points = np.array([k.pt for k in keypoints], np.float32).reshape(-1, 2)
        found += [points, np.zeros((0, 128), np.float32) if descriptors is None else descriptors]
    return ImageKeypoints(*found)


def read_originals(files: Sequence[str], folder: Path | str) -> list[np.ndarray]:
    """Each of ``files`` (relative to ``folder``) decoded at its original size, grayscale."""
    from dlbook.data import read_image

    return [read_image(Path(folder) / name, None, "grayscale")[0][..., 0] for name in files]


def candidate_pairs(keypoints: Sequence[ImageKeypoints], *, neighbours: int = 6, partners: int = 6,
                    groups: np.ndarray | None = None) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, worth an affine fit, as an ``(M, 2)`` array.

    Every keypoint of every image, as is and mirrored, looks up its
    ``neighbours`` nearest keypoints among all images' (an approximate
    search, FLANN k-d trees) and votes once for each other image holding
    one. Each image keeps its ``partners`` most-voted images. Pairs inside one
    of ``groups`` (already known to be copies) are left out.
    """
    counts = [len(k.descriptors) for k in keypoints]
    if len(keypoints) < 2 or sum(counts) <= neighbours:
        return np.zeros((0, 2), np.int64)
    owner = np.repeat(np.arange(len(keypoints)), counts)
    matcher = cv2.FlannBasedMatcher({"algorithm": 1, "trees": 4}, {"checks": 32})
    matcher.add([np.concatenate([k.descriptors for k in keypoints]).astype(np.float32)])
    matcher.train()
    votes: dict[tuple[int, int], int] = {}
    for side in ("descriptors", "mirrored_descriptors"):
        queries = [getattr(k, side) for k in keypoints]
        asking = np.repeat(np.arange(len(keypoints)), [len(q) for q in queries])
        if not len(asking):
            continue
        for query, found in zip(asking, matcher.knnMatch(np.concatenate(queries).astype(np.float32),
                                                         k=neighbours)):
            for match in found:
                other = int(owner[match.trainIdx])
                if other != query:
                    key = (min(query, other), max(query, other))
                    votes[key] = votes.get(key, 0) + 1
    best: dict[int, list[tuple[int, int]]] = {}
    for (i, j), count in votes.items():
        best.setdefault(i, []).append((count, j))
        best.setdefault(j, []).append((count, i))
    pairs = {(min(i, j), max(i, j)) for i, ranked in best.items()
             for _, j in sorted(ranked, reverse=True)[:partners]}
    if groups is not None:
        groups = np.asarray(groups)
        pairs = {(i, j) for i, j in pairs if groups[i] != groups[j]}
    return np.array(sorted(pairs), np.int64).reshape(-1, 2)


def affine_inliers(first: ImageKeypoints, second: ImageKeypoints, *, ratio: float = 0.8,
                   tolerance: float = 4.0, seed: int = 0) -> int:
    """How many keypoint matches between two images fit one affine transformation.

    Matches pass Lowe's ratio test (the nearest descriptor clearly nearer
    than the second nearest, by ``ratio``); a RANSAC fit counts those that
    the best transformation maps within ``tolerance`` pixels. The second
    image is tried as is and mirrored; the larger count is returned.
    """
    cv2.setRNGSeed(seed)
    matcher = cv2.BFMatcher(cv2.NORM_L2)
    best = 0
    for points, descriptors in ((second.points, second.descriptors),
                                (second.mirrored_points, second.mirrored_descriptors)):
        if len(first.descriptors) < 2 or len(descriptors) < 2:
            continue
        good = [pair[0] for pair in matcher.knnMatch(first.descriptors, descriptors, k=2)
                if len(pair) == 2 and pair[0].distance < ratio * pair[1].distance]
        if len(good) < 3:
            continue
        source = first.points[[m.queryIdx for m in good]]
        target = points[[m.trainIdx for m in good]]
        _, fitted = cv2.estimateAffine2D(source, target, method=cv2.RANSAC,
                                         ransacReprojThreshold=tolerance, maxIters=2000,
                                         confidence=0.99, refineIters=0)
        if fitted is not None:
            best = max(best, int(fitted.sum()))
    return best


@dataclass(frozen=True)
class KeypointLinks:
    """Candidate pairs (``pairs``, ``(M, 2)``) and their affine ``inliers`` (``(M,)``)."""

    pairs: np.ndarray
    inliers: np.ndarray

    def linked(self, count: int, cut: int) -> np.ndarray:
        """A symmetric ``(count, count)`` boolean matrix: the pairs with at least ``cut`` inliers."""
        linked = np.zeros((count, count), bool)
        chosen = self.pairs[self.inliers >= cut]
        linked[chosen[:, 0], chosen[:, 1]] = linked[chosen[:, 1], chosen[:, 0]] = True
        return linked


def keypoint_links(images: Iterable[np.ndarray], *, groups: np.ndarray | None = None,
                   longest_side: int = 256, count: int = 300, partners: int = 6) -> KeypointLinks:
    """:func:`image_keypoints` of every image, :func:`candidate_pairs` between ``groups``, and
    each candidate's :func:`affine_inliers`."""
    keypoints = [image_keypoints(image, longest_side=longest_side, count=count) for image in images]
    pairs = candidate_pairs(keypoints, partners=partners, groups=groups)
    inliers = np.array([affine_inliers(keypoints[i], keypoints[j]) for i, j in pairs], np.int64)
    return KeypointLinks(pairs, inliers)

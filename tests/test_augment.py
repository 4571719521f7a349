import keras
import numpy as np
import pytest

from dlbook.augment import AugmentedBatches, flip_and_shift


def _images(count=12, size=8, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (count, size, size, 3), dtype=np.uint8)


def _possible(image, shift):
    """Every flip_and_shift output allowed for one image: each crop of its reflected border, mirrored or not."""
    size = image.shape[0]
    padded = np.pad(image, ((shift, shift), (shift, shift), (0, 0)), mode="reflect")
    crops = [padded[d:d + size, r:r + size] for d in range(2 * shift + 1) for r in range(2 * shift + 1)]
    return crops + [crop[:, ::-1] for crop in crops]


def test_every_output_is_a_whole_pixel_shift_of_its_image_or_of_its_mirror():
    images = _images()
    out = flip_and_shift(images, np.random.default_rng(1), shift=2)
    assert out.shape == images.shape and out.dtype == images.dtype
    for image, altered in zip(images, out):
        assert any(np.array_equal(altered, option) for option in _possible(image, 2))


def test_shifts_and_mirrors_are_drawn_evenly():
    image = np.arange(8 * 8 * 3, dtype=np.uint8).reshape(1, 8, 8, 3)  # every pixel distinct
    out = flip_and_shift(np.repeat(image, 2000, axis=0), np.random.default_rng(2), shift=1)
    options = _possible(image[0], 1)
    seen = [next(i for i, option in enumerate(options) if np.array_equal(a, option)) for a in out]
    counts = np.bincount(seen, minlength=len(options))
    assert counts.min() > 2000 / 18 * 0.6 and counts.max() < 2000 / 18 * 1.4, counts
    assert 900 < counts[9:].sum() < 1100  # half of them mirrored


def test_no_shift_only_mirrors_and_the_same_seed_gives_the_same_images():
    images = _images()
    out = flip_and_shift(images, np.random.default_rng(3), shift=0)
    assert all(np.array_equal(a, i) or np.array_equal(a, i[:, ::-1]) for a, i in zip(out, images))
    again = flip_and_shift(images, np.random.default_rng(3), shift=0)
    assert np.array_equal(out, again)


@pytest.mark.parametrize("shape, shift, message", [((8, 8, 3), 2, "batch of images"),
                                                    ((2, 8, 8, 3), -1, "0 or more"),
                                                    ((2, 8, 8, 3), 8, "does not fit")])
def test_bad_arguments_say_what_is_wrong(shape, shift, message):
    with pytest.raises(ValueError, match=message):
        flip_and_shift(np.zeros(shape, np.uint8), np.random.default_rng(0), shift=shift)


def test_batches_keep_labels_with_their_images_and_change_every_epoch():
    count = 10
    images = np.repeat(np.arange(count, dtype=np.uint8)[:, None, None, None], 4, axis=1)
    images = np.repeat(np.repeat(images, 4, axis=2), 3, axis=3)  # image i is all i
    labels = np.arange(count)
    batches = AugmentedBatches(images, labels, batch_size=4, seed=0, shift=1)
    assert len(batches) == 3
    first = np.concatenate([batches[i][1] for i in range(len(batches))])
    assert sorted(first) == list(labels)  # every image once per epoch
    for i in range(len(batches)):
        x, y = batches[i]
        assert np.array_equal(x[:, 0, 0, 0], y)  # each label beside its own image
    batches.on_epoch_end()
    second = np.concatenate([batches[i][1] for i in range(len(batches))])
    assert sorted(second) == list(labels) and not np.array_equal(first, second)
    replay = AugmentedBatches(images, labels, batch_size=4, seed=0, shift=1)
    assert np.array_equal(np.concatenate([replay[i][1] for i in range(3)]), first)
    with pytest.raises(ValueError, match="labels"):
        AugmentedBatches(images, labels[:3], batch_size=4, seed=0)


def test_fit_trains_each_epoch_on_a_new_draw():
    class Recorded(AugmentedBatches):
        def __getitem__(self, index):
            self.used.append(self.epochs_drawn)
            return super().__getitem__(index)

    images, labels = _images(count=16), np.arange(16) % 2
    batches = Recorded.__new__(Recorded)
    batches.used = []
    batches.__init__(images, labels, batch_size=8, seed=0)
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(), keras.layers.Dense(2)])
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(batches, epochs=3, verbose=0)
    last_three = batches.used[-6:]  # two batches per epoch
    assert last_three[0::2] == last_three[1::2], "an epoch mixed two draws"
    assert len(set(last_three)) == 3, f"the epochs did not each get a new draw: {batches.used}"


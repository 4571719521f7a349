"""The data layer: cache, Br35H and CIFAR-10 loaders, downloads; no network used."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from conftest import make_br35h_tree, write_image, zip_folder

from dlbook import data, provenance
from dlbook.data import DatasetError, load_br35h, load_cifar10


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


# --- cache root -----------------------------------------------------------------


def test_data_dir_defaults_to_home_cache(monkeypatch):
    monkeypatch.delenv("DLBOOK_DATA_DIR", raising=False)
    assert data.data_dir() == Path("~/.cache/dlbook").expanduser()


def test_data_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    assert data.data_dir() == tmp_path / "cache"


# --- reading images -------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["RGB", "L", "RGBA", "P", "LA", "CMYK"])
@pytest.mark.parametrize("color_mode,channels", [("grayscale", 1), ("rgb", 3)])
def test_read_image_converts_every_mode(tmp_path, mode, color_mode, channels):
    path = tmp_path / "img.jpg"
    write_image(path, mode, fmt="PNG" if mode not in ("RGB", "L", "CMYK") else "JPEG")
    array, meta = data.read_image(path, 12, color_mode)
    assert array.shape == (12, 12, channels) and array.dtype == np.uint8
    assert meta["mode"] == mode


def test_read_image_trusts_content_not_name(tmp_path):
    path = tmp_path / "scan.jpg"
    write_image(path, "RGB", fmt="PNG")
    _, meta = data.read_image(path, None, "rgb")
    assert meta["format"] == "PNG"


@pytest.mark.parametrize("payload", [b"", b"definitely not an image", b"\xff\xd8\xff\xe0" + b"\0" * 20])
def test_read_image_rejects_non_images(tmp_path, payload):
    path = tmp_path / "broken.jpg"
    path.write_bytes(payload)
    with pytest.raises(DatasetError, match="not a readable image"):
        data.read_image(path, 8, "grayscale")


def test_read_image_rejects_unknown_color_mode(tmp_path):
    write_image(tmp_path / "a.jpg")
    with pytest.raises(ValueError, match="color_mode"):
        data.read_image(tmp_path / "a.jpg", 8, "cmyk")


# --- Br35H from the cache -----------------------------------------------------------------


def test_br35h_reads_cache_with_all_oddities(tmp_path, br35h_small):
    br35h_small(tmp_path / "br35h")
    dataset = load_br35h(32, profile="cpu", root=tmp_path, download=False)
    assert dataset.images.shape == (9, 32, 32, 1) and dataset.images.dtype == np.uint8
    assert dataset.class_counts() == {"no": 5, "yes": 4}
    assert dataset.labels.tolist() == [0] * 5 + [1] * 4
    assert not any(f.startswith("pred/") for f in dataset.files), "the unlabeled pred/ folder must be ignored"
    # the RGBA and palette images are written as PNG data, like Br35H's 13 PNGs behind .jpg names
    assert dataset.info["png_named_jpg"] == ["no/No99.jpg", "no/n2.jpg", "no/n3.jpg", "yes/y2.jpg", "yes/y3.jpg"]
    assert sorted(dataset.info["skipped_files"]) == ["yes/.DS_Store", "yes/notes.txt"]
    assert set(dataset.info["modes"]) == {"RGB", "L", "RGBA", "P"}
    assert len(dataset.fingerprint) == 64


def test_br35h_rgb_and_fingerprint_is_stable(tmp_path, br35h_small):
    br35h_small(tmp_path / "br35h")
    first = load_br35h(16, color_mode="rgb", profile="cpu", root=tmp_path, download=False)
    second = load_br35h(16, color_mode="rgb", profile="cpu", root=tmp_path, download=False)
    assert first.images.shape[-1] == 3
    assert first.fingerprint == second.fingerprint
    (tmp_path / "br35h" / "yes" / "y0.jpg").write_bytes((tmp_path / "br35h" / "yes" / "y1.jpg").read_bytes())
    assert load_br35h(16, profile="cpu", root=tmp_path, download=False).fingerprint != first.fingerprint


def test_br35h_records_provenance(tmp_path, br35h_small):
    br35h_small(tmp_path / "br35h")
    load_br35h(16, profile="cpu", root=tmp_path, download=False)
    recorded = provenance._state["data"]["Br35H"]
    assert recorded["count"] == 9 and str(tmp_path) in recorded["source"]


def test_br35h_corrupt_file_is_a_clear_error(tmp_path, br35h_small):
    br35h_small(tmp_path / "br35h")
    (tmp_path / "br35h" / "yes" / "y1.jpg").write_bytes(b"\xff\xd8 truncated")
    with pytest.raises(DatasetError, match=r"corrupt.*y1\.jpg.*delete the folder"):
        load_br35h(16, profile="cpu", root=tmp_path, download=False)


def test_br35h_incomplete_copy_is_a_clear_error(tmp_path, br35h_small):
    br35h_small(tmp_path / "br35h")
    (tmp_path / "br35h" / "yes" / "y2.jpg").unlink()
    with pytest.raises(DatasetError, match=r"incomplete: yes/ holds 3 images, expected 4"):
        load_br35h(16, profile="cpu", root=tmp_path, download=False)


def test_a_folder_that_is_not_br35h_is_a_clear_error(tmp_path):
    write_image(tmp_path / "br35h" / "cats" / "c.jpg")
    with pytest.raises(DatasetError, match=r"not the Br35H dataset: it has no no/, yes/ folder"):
        load_br35h(16, profile="cpu", root=tmp_path, download=False)


def test_missing_br35h_without_download_says_how_to_get_it(tmp_path):
    with pytest.raises(DatasetError, match=r"not in the cache.*shared/datasets/install"):
        load_br35h(16, profile="cpu", root=tmp_path, download=False)


def test_default_root_is_the_cache(tmp_path, monkeypatch, br35h_small):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path))
    br35h_small(tmp_path / "br35h")
    assert len(load_br35h(16, profile="cpu", download=False)) == 9


# --- Br35H download (fake downloaders) ---------------------------------------------------------


def fake_downloader(payload: bytes):
    def download(target: Path) -> None:
        target.write_bytes(payload)

    return download


def test_download_unpacks_verifies_and_drops_pred(tmp_path, br35h_small):
    source = br35h_small(tmp_path / "source")
    cache = tmp_path / "cache"
    archive = zip_folder(source, prefix="Br35H-Mask-RCNN/")  # the dataset one level down, as in real zips
    dataset = load_br35h(16, profile="cpu", root=cache, downloader=fake_downloader(archive))
    assert dataset.class_counts() == {"no": 5, "yes": 4}
    assert leftovers(cache) == ["br35h"], "no temporary files may stay behind"
    assert sorted(p.name for p in (cache / "br35h").iterdir()) == ["no", "yes"]


def test_failed_download_leaves_nothing_behind(tmp_path):
    cache = tmp_path / "cache"

    def offline(target: Path) -> None:
        target.write_bytes(b"partial")
        raise ConnectionError("Name or service not known")

    with pytest.raises(DatasetError, match=r"Could not download Br35H \(ConnectionError.*Nothing was written"):
        load_br35h(16, profile="cpu", root=cache, downloader=offline)
    assert leftovers(cache) == []


def test_gdown_returning_nothing_is_a_failed_download(tmp_path, monkeypatch):
    import gdown

    monkeypatch.setattr(gdown, "download", lambda **kwargs: None)
    with pytest.raises(DatasetError, match="gdown could not fetch"):
        load_br35h(16, profile="cpu", root=tmp_path / "cache")
    assert leftovers(tmp_path / "cache") == []


def test_html_error_page_instead_of_zip_is_rejected(tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(DatasetError, match="not a zip archive"):
        load_br35h(16, profile="cpu", root=cache, downloader=fake_downloader(b"<html>quota exceeded</html>"))
    assert leftovers(cache) == []


def test_zip_without_the_class_folders_is_rejected(tmp_path):
    other = tmp_path / "other"
    write_image(other / "images" / "a.jpg")
    cache = tmp_path / "cache"
    with pytest.raises(DatasetError, match="not Br35H"):
        load_br35h(16, profile="cpu", root=cache, downloader=fake_downloader(zip_folder(other)))
    assert leftovers(cache) == []


def test_download_with_a_corrupt_image_is_rejected(tmp_path, br35h_small):
    source = br35h_small(tmp_path / "source")
    (source / "no" / "n0.jpg").write_bytes(b"garbage")
    cache = tmp_path / "cache"
    with pytest.raises(DatasetError, match="corrupt"):
        load_br35h(16, profile="cpu", root=cache, downloader=fake_downloader(zip_folder(source)))
    assert leftovers(cache) == []


def test_zip_with_path_traversal_is_refused(tmp_path):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../escape.txt", "x")
    cache = tmp_path / "cache"
    with pytest.raises(DatasetError, match="unsafe path"):
        load_br35h(16, profile="cpu", root=cache, downloader=fake_downloader(buffer.getvalue()))
    assert leftovers(cache) == [] and not (tmp_path / "escape.txt").exists()


# --- quick profile stand-ins ---------------------------------------------------------------------


def test_quick_profile_never_touches_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    dataset = load_br35h(48, profile="quick", quick_per_class=5)
    assert dataset.images.shape == (10, 48, 48, 1)
    assert dataset.class_counts() == {"no": 5, "yes": 5}
    assert "generated" in dataset.source
    train, test = load_cifar10(profile="quick", quick_per_class=(3, 2))
    assert train.images.shape == (30, 32, 32, 3) and test.images.shape == (20, 32, 32, 3)
    assert not (tmp_path / "cache").exists()


def test_quick_stand_ins_are_deterministic():
    assert load_br35h(32, profile="quick", quick_per_class=3).fingerprint == load_br35h(
        32, profile="quick", quick_per_class=3
    ).fingerprint
    assert load_br35h(32, profile="quick", seed=1, quick_per_class=3).fingerprint != load_br35h(
        32, profile="quick", seed=2, quick_per_class=3
    ).fingerprint


# --- CIFAR-10 -------------------------------------------------------------------------------------


@pytest.fixture
def cifar_small(monkeypatch, tmp_path):
    """An image-folder CIFAR-10 with 2 train and 1 test image per class."""
    monkeypatch.setattr(data, "CIFAR10_EXPECTED", {"train": 2, "test": 1})
    folder = tmp_path / "cifar10"
    for split, n in (("train", 2), ("test", 1)):
        for label, name in enumerate(data.CIFAR10_CLASSES):
            for i in range(n):
                write_image(folder / split / name / f"{i:04d}.jpg", size=(32, 32), seed=100 * label + i)
    return folder


def test_cifar_folder_is_read_and_cached(tmp_path, cifar_small):
    train, test = load_cifar10(profile="cpu", root=tmp_path)
    assert train.images.shape == (20, 32, 32, 3) and test.images.shape == (10, 32, 32, 3)
    assert train.class_counts() == dict.fromkeys(data.CIFAR10_CLASSES, 2)
    assert (cifar_small / "arrays-v1.npz").is_file()
    again, _ = load_cifar10(profile="cpu", root=tmp_path)
    assert np.array_equal(again.images, train.images) and again.fingerprint == train.fingerprint


def test_cifar_cache_is_rebuilt_when_images_change(tmp_path, cifar_small):
    first, _ = load_cifar10(profile="cpu", root=tmp_path)
    changed = cifar_small / "train" / "cat" / "0000.jpg"
    write_image(changed, size=(32, 32), seed=12345)
    os.utime(changed, ns=(10**18, 10**18))
    second, _ = load_cifar10(profile="cpu", root=tmp_path)
    assert second.fingerprint != first.fingerprint


def test_cifar_wrong_image_size_is_a_clear_error(tmp_path, cifar_small):
    write_image(cifar_small / "test" / "dog" / "0000.jpg", size=(30, 32))
    with pytest.raises(DatasetError, match="32x32"):
        load_cifar10(profile="cpu", root=tmp_path)


def test_cifar_missing_split_is_a_clear_error(tmp_path, cifar_small):
    import shutil

    shutil.rmtree(cifar_small / "test")
    with pytest.raises(DatasetError, match="no test/ folder"):
        load_cifar10(profile="cpu", root=tmp_path)


def test_cifar_download_failure_says_how_to_get_it(tmp_path, monkeypatch):
    import keras

    def offline():
        raise OSError("Name or service not known")

    monkeypatch.setattr(keras.datasets.cifar10, "load_data", offline)
    with pytest.raises(DatasetError, match=r"Could not download CIFAR-10.*image-folder copy at (?s:.*)") as error:
        load_cifar10(profile="cpu", root=tmp_path)
    assert str(tmp_path / "cifar10") in str(error.value)


def test_cifar_keras_download_path(tmp_path, monkeypatch):
    import keras

    rng = np.random.default_rng(0)
    fake = ((rng.integers(0, 256, (6, 32, 32, 3), dtype=np.uint8), np.arange(6).reshape(-1, 1) % 10),
            (rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8), np.arange(4).reshape(-1, 1)))
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", lambda: fake)
    train, test = load_cifar10(profile="cpu", root=tmp_path)
    assert train.labels.tolist() == [0, 1, 2, 3, 4, 5] and test.labels.ndim == 1
    assert train.class_names == data.CIFAR10_CLASSES and "keras.datasets" in train.source


# --- sample photographs ---------------------------------------------------------------------------


@pytest.mark.parametrize("name,shape", [("camera", (512, 512)), ("coffee", (400, 600, 3))])
def test_sample_images_ship_with_scikit_image(name, shape):
    image = data.load_sample_image(name)
    assert image.shape == shape and image.dtype == np.uint8
    assert provenance._state["data"][name]["source"] == data.SAMPLE_IMAGES[name]


def test_unknown_sample_image_lists_the_choices():
    with pytest.raises(ValueError, match="camera, coffee, astronaut"):
        data.load_sample_image("lena")


def test_load_photo_converts_a_colour_sample_to_grayscale():
    image = data.load_photo("coffee")
    assert image.shape == (400, 600) and image.dtype == np.uint8


@pytest.mark.parametrize("mode,fmt,name", [("RGB", "JPEG", "me.jpg"), ("RGBA", "PNG", "me.png"),
                                           ("L", "PNG", "png-inside.jpg"), ("P", "PNG", "palette.png")])
def test_load_photo_reads_a_readers_own_image(tmp_path, mode, fmt, name):
    write_image(tmp_path / name, mode, size=(30, 20), fmt=fmt)
    image = data.load_photo(tmp_path / name)
    assert image.shape == (20, 30) and image.dtype == np.uint8
    assert provenance._state["data"][name]["count"] == 1


def test_load_photo_says_what_to_pass_for_a_wrong_path(tmp_path):
    with pytest.raises(DatasetError, match="No image file at .*missing.jpg.*camera, coffee, astronaut"):
        data.load_photo(tmp_path / "missing.jpg")
    with pytest.raises(DatasetError, match="No image file"):
        data.load_photo(tmp_path)  # a folder is not an image


def test_load_photo_rejects_a_file_that_is_not_an_image(tmp_path):
    (tmp_path / "notes.jpg").write_text("not an image")
    with pytest.raises(DatasetError, match="notes.jpg is not a readable image"):
        data.load_photo(tmp_path / "notes.jpg")


def test_shown_path_hides_the_machine_behind_the_data_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    assert data.shown_path(tmp_path / "cache" / "br35h") == "$DLBOOK_DATA_DIR/br35h"
    assert data.shown_path(tmp_path / "cache") == "$DLBOOK_DATA_DIR"
    assert data.shown_path(tmp_path / "elsewhere") == str(tmp_path / "elsewhere"), "a path outside stays as given"

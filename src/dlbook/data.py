"""Loading the book's datasets: Br35H brain MRI and CIFAR-10.

Real data lives in a cache folder, ``DLBOOK_DATA_DIR`` (default
``~/.cache/dlbook``)::

    br35h/yes/*.jpg, br35h/no/*.jpg                  1500 + 1500 MRI slices
    cifar10/{train,test}/<class>/NNNN.jpg           50000 + 10000 images (optional)

A loader uses the copy in the cache when there is one; otherwise it
downloads the dataset the way the course did (Br35H: the course's Google
Drive zip through ``gdown``; CIFAR-10: ``keras.datasets.cifar10``).
Downloads are unpacked into a temporary folder inside the cache and moved
into place only once complete and verified, so a failed or interrupted
download leaves nothing behind. A missing, incomplete or corrupt copy is a
:class:`DatasetError` whose message says how to get a good one - never a
silent switch to generated data.

In the ``quick`` profile the loaders return small generated stand-ins
(:mod:`dlbook.synthetic`) instead, without touching the cache or network.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
from PIL import Image, UnidentifiedImageError

from dlbook import provenance, synthetic
from dlbook.profiles import Profile, resolve

DATA_DIR_VAR = "DLBOOK_DATA_DIR"
DEFAULT_DATA_DIR = "~/.cache/dlbook"

BR35H_GDRIVE_ID = "1SCpVEdJ6_YOAcy2iW05ENlMh-OCcFz3P"
BR35H_CLASSES = ("no", "yes")  # label 0 = no tumour, label 1 = tumour
BR35H_EXPECTED = {"no": 1500, "yes": 1500}
CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)
CIFAR10_EXPECTED = {"train": 5000, "test": 1000}  # images per class

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
GET_DATA_HINT = (
    "With a network, delete the folder and run the notebook again to download a fresh copy. "
    "Without one, unpack a copy into the cache yourself (on the project's machines: "
    "`../shared/datasets/install`); see book/running.md."
)

Downloader = Callable[[Path], None]


class DatasetError(RuntimeError):
    """A dataset is missing, incomplete or corrupt; the message says what to do."""


@dataclass
class ImageDataset:
    """Images with integer labels, and where they came from."""

    name: str
    images: np.ndarray  # uint8, (N, H, W, C)
    labels: np.ndarray  # int64, (N,)
    class_names: tuple[str, ...]
    files: tuple[str, ...]  # a relative path (or a generated id) per image
    source: str
    fingerprint: str
    info: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.labels)

    def class_counts(self) -> dict[str, int]:
        counts = np.bincount(self.labels, minlength=len(self.class_names))
        return {name: int(n) for name, n in zip(self.class_names, counts)}


def data_dir() -> Path:
    """The data cache root: ``$DLBOOK_DATA_DIR`` or ``~/.cache/dlbook``."""
    return Path(os.environ.get(DATA_DIR_VAR) or DEFAULT_DATA_DIR).expanduser()


def shown_path(path: Path | str) -> str:
    """``path`` as a page shows it: inside the data cache, relative to it (``$DLBOOK_DATA_DIR/br35h``),
    so that stored outputs say where the data lives, not on which machine; elsewhere as given."""
    try:
        inside = Path(path).expanduser().resolve().relative_to(data_dir().resolve())
    except ValueError:
        return str(path)
    return f"${DATA_DIR_VAR}/{inside.as_posix()}" if inside.parts else f"${DATA_DIR_VAR}"


def _arrays_fingerprint(*arrays: np.ndarray) -> str:
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def _image_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """Image files directly in ``folder`` (sorted by name) and the other files skipped."""
    images, skipped = [], []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.is_file():
            continue
        if path.name.startswith(".") or path.suffix.lower() not in IMAGE_SUFFIXES:
            skipped.append(path)
        else:
            images.append(path)
    return images, skipped


def read_image(path: Path, image_size: int | tuple[int, int] | None, color_mode: str) -> tuple[np.ndarray, dict]:
    """Decode one image file whatever its real format, as uint8 ``(H, W, C)``.

    The format is taken from the file's content, not its name (Br35H has
    PNG data behind ``.jpg`` names). Palette, alpha and 16-bit modes are
    converted to ``color_mode`` (``"grayscale"`` or ``"rgb"``). Raises
    :class:`DatasetError` if the file is not a readable image.
    """
    if color_mode not in ("grayscale", "rgb"):
        raise ValueError(f"color_mode must be 'grayscale' or 'rgb', not {color_mode!r}")
    try:
        with Image.open(path) as img:
            img.load()
            meta = {"format": img.format, "mode": img.mode, "size": img.size}
            if img.mode not in ("RGB", "L"):
                img = img.convert("RGBA" if "A" in img.mode or img.mode == "P" else "RGB")
                if img.mode == "RGBA":  # flatten transparency onto black, like the scanner background
                    background = Image.new("RGB", img.size)
                    background.paste(img, mask=img.getchannel("A"))
                    img = background
            img = img.convert("L" if color_mode == "grayscale" else "RGB")
            if image_size is not None:
                size = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
                img = img.resize((size[1], size[0]), Image.Resampling.BILINEAR)
            array = np.asarray(img, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DatasetError(f"{path} is not a readable image ({exc}).") from exc
    return (array[..., None] if array.ndim == 2 else array), meta


def read_class_folders(
    root: Path,
    class_names: Sequence[str],
    *,
    image_size: int | tuple[int, int] | None,
    color_mode: str,
    expected_counts: dict[str, int] | None = None,
    dataset_name: str = "dataset",
) -> tuple[np.ndarray | list[np.ndarray], np.ndarray, tuple[str, ...], dict]:
    """Read ``root/<class>/*`` image folders into arrays.

    With ``image_size=None`` images keep their own sizes and come back as a
    list; otherwise they are resized and stacked into one array.

    Hidden and non-image files are skipped (and counted); any other
    sub-folder of ``root`` (such as Br35H's unlabeled ``pred/``) is ignored.
    A missing class folder, a file that does not decode, or a count other
    than ``expected_counts`` raises :class:`DatasetError`.
    """
    missing = [name for name in class_names if not (root / name).is_dir()]
    if missing:
        raise DatasetError(
            f"{root} is not the {dataset_name} dataset: it has no "
            + ", ".join(f"{name}/" for name in missing)
            + f" folder (expected one folder per class: {', '.join(class_names)}). {GET_DATA_HINT}"
        )
    images, labels, files, skipped = [], [], [], []
    modes, formats, sizes, renamed = Counter(), Counter(), Counter(), []
    for label, name in enumerate(class_names):
        paths, other = _image_files(root / name)
        skipped += [str(p.relative_to(root)) for p in other]
        if expected_counts is not None and len(paths) != expected_counts[name]:
            raise DatasetError(
                f"The {dataset_name} copy at {root} is incomplete: {name}/ holds {len(paths)} images, "
                f"expected {expected_counts[name]}. {GET_DATA_HINT}"
            )
        for path in paths:
            try:
                array, meta = read_image(path, image_size, color_mode)
            except DatasetError as exc:
                raise DatasetError(f"The {dataset_name} copy at {root} is corrupt: {exc} {GET_DATA_HINT}") from exc
            images.append(array)
            labels.append(label)
            files.append(str(path.relative_to(root)))
            modes[meta["mode"]] += 1
            formats[meta["format"]] += 1
            sizes[meta["size"]] += 1
            if meta["format"] == "PNG" and path.suffix.lower() in (".jpg", ".jpeg"):
                renamed.append(files[-1])
    info = {
        "modes": dict(modes),
        "formats": dict(formats),
        "original_sizes": dict(sizes),
        "png_named_jpg": renamed,
        "skipped_files": skipped,
    }
    decoded = np.stack(images) if image_size is not None else images
    return decoded, np.array(labels, np.int64), tuple(files), info


def _folder_fingerprint(root: Path, files: Sequence[str]) -> str:
    """SHA-256 over the relative path and content of each file."""
    digest = hashlib.sha256()
    for relative in files:
        digest.update(relative.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256((root / relative).read_bytes()).digest())
    return digest.hexdigest()


# --- Br35H ------------------------------------------------------------------


def gdown_downloader(file_id: str = BR35H_GDRIVE_ID) -> Downloader:
    """A downloader that fetches a Google Drive file with ``gdown``."""

    def download(target: Path) -> None:
        try:
            import gdown
        except ImportError as exc:
            raise DatasetError("Downloading Br35H needs gdown: `pip install gdown`.") from exc
        result = gdown.download(id=file_id, output=str(target), quiet=False)
        if result is None or not target.is_file():
            raise DatasetError(f"gdown could not fetch Google Drive file {file_id}.")

    return download


def _safe_extract(archive: zipfile.ZipFile, dest: Path) -> None:
    dest = dest.resolve()
    for member in archive.namelist():
        if not (dest / member).resolve().is_relative_to(dest):
            raise DatasetError(f"The downloaded zip has an unsafe path {member!r}; refusing to unpack it.")
    archive.extractall(dest)


def _find_class_root(top: Path, class_names: Sequence[str]) -> Path | None:
    """The shallowest folder under ``top`` that holds every class folder."""
    candidates = [top, *sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: len(p.parts))]
    for folder in candidates:
        if "__MACOSX" in folder.parts:
            continue
        if all((folder / name).is_dir() for name in class_names):
            return folder
    return None


def download_br35h(root: Path, downloader: Downloader | None = None) -> Path:
    """Download, unpack and verify Br35H into ``root/br35h``; return that folder.

    Everything happens in a temporary folder inside ``root``; only a
    complete, verified copy is moved into place (atomically).
    """
    downloader = downloader or gdown_downloader()
    target = root / "br35h"
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".br35h-download-", dir=root) as tmp:
        tmp_path = Path(tmp)
        archive_path = tmp_path / "br35h.zip"
        try:
            downloader(archive_path)
        except Exception as exc:  # noqa: BLE001 - every failure becomes one clear message
            raise DatasetError(
                f"Could not download Br35H ({type(exc).__name__}: {exc}). Nothing was written to {root}. "
                f"Without a network, put a copy at {target}/yes and {target}/no "
                "(on the project's machines: `../shared/datasets/install`)."
            ) from exc
        if not archive_path.is_file() or not zipfile.is_zipfile(archive_path):
            raise DatasetError(
                "The Br35H download is not a zip archive (Google Drive may have returned an error page). "
                f"Nothing was written to {root}; try again later, or install a copy by hand (book/running.md)."
            )
        unpacked = tmp_path / "unpacked"
        with zipfile.ZipFile(archive_path) as archive:
            _safe_extract(archive, unpacked)
        class_root = _find_class_root(unpacked, BR35H_CLASSES)
        if class_root is None:
            raise DatasetError(
                "The downloaded archive holds no yes/ and no/ folders, so it is not Br35H. "
                f"Nothing was written to {root}."
            )
        staged = tmp_path / "br35h"
        staged.mkdir()
        for name in BR35H_CLASSES:  # the unlabeled pred/ folder is deliberately left behind
            shutil.move(str(class_root / name), staged / name)
        read_class_folders(
            staged, BR35H_CLASSES, image_size=8, color_mode="grayscale",
            expected_counts=BR35H_EXPECTED, dataset_name="downloaded Br35H",
        )
        if target.exists():
            shutil.rmtree(target)
        os.replace(staged, target)
    return target


def load_br35h(
    image_size: int = 128,
    *,
    color_mode: str = "grayscale",
    profile: Profile | str | None = None,
    root: Path | str | None = None,
    download: bool = True,
    downloader: Downloader | None = None,
    quick_per_class: int = 60,
    seed: int = 0,
) -> ImageDataset:
    """Br35H brain MRI slices, labels 0 = ``no`` tumour, 1 = ``yes``.

    Real profiles read ``<root>/br35h/{yes,no}`` (``root`` defaults to
    :func:`data_dir`), downloading the course's zip first if the folder is
    absent and ``download`` is true. The ``quick`` profile returns
    ``2 * quick_per_class`` generated phantoms instead, 40% of them
    altered copies of others (``info["copy_of"]`` says of which), like the
    real dataset's duplicates. Images are resized
    to ``image_size`` squared (aspect ratio is not kept, as in the course).
    """
    profile = resolve(profile)
    if not profile.real_data:
        images, labels, copy_of = synthetic.mri_phantoms_with_copies(
            quick_per_class, image_size=image_size, seed=seed)
        if color_mode == "rgb":
            images = np.repeat(images, 3, axis=-1)
        info = {
            "modes": {"L": len(labels)},
            "formats": {"generated": len(labels)},
            "original_sizes": {(image_size, image_size): len(labels)},
            "png_named_jpg": [],
            "skipped_files": [],
            "copy_of": copy_of,
        }
        dataset = ImageDataset(
            "Br35H stand-in", images, labels, BR35H_CLASSES,
            tuple(f"generated/{BR35H_CLASSES[y]}/{i:04d}" for i, y in enumerate(labels)),
            f"generated MRI-like phantoms with altered copies (dlbook.synthetic, seed {seed})",
            _arrays_fingerprint(images, labels), info,
        )
    else:
        cache = Path(root).expanduser() if root is not None else data_dir()
        folder = cache / "br35h"
        if not folder.exists():
            if not download:
                raise DatasetError(f"Br35H is not in the cache ({folder}) and download=False. {GET_DATA_HINT}")
            download_br35h(cache, downloader)
        images, labels, files, info = read_class_folders(
            folder, BR35H_CLASSES, image_size=image_size, color_mode=color_mode,
            expected_counts=BR35H_EXPECTED, dataset_name="Br35H",
        )
        dataset = ImageDataset(
            "Br35H", images, labels, BR35H_CLASSES, files,
            f"Br35H copy at {shown_path(folder)}", _folder_fingerprint(folder, files), info,
        )
    provenance.record_data(dataset.name, dataset.source, dataset.fingerprint, len(dataset))
    return dataset


# --- CIFAR-10 -----------------------------------------------------------------

_CIFAR_ARRAYS = "arrays-v1.npz"  # decoded copy of the image folders, next to them


def _folder_signature(folder: Path) -> np.ndarray:
    """Cheap change detector for an image-folder tree: file count, bytes, newest mtime."""
    count = total = newest = 0
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            if name == _CIFAR_ARRAYS or name.startswith("."):
                continue
            stat = os.stat(os.path.join(dirpath, name))
            count, total, newest = count + 1, total + stat.st_size, max(newest, stat.st_mtime_ns)
    return np.array([count, total, newest], np.int64)


def _read_cifar_folders(folder: Path) -> dict[str, np.ndarray]:
    """Decode ``cifar10/{train,test}/<class>/*`` once and keep the arrays beside it."""
    cached = folder / _CIFAR_ARRAYS
    signature = _folder_signature(folder)
    if cached.is_file():
        with np.load(cached) as stored:
            if np.array_equal(stored["signature"], signature):
                return {key: stored[key] for key in stored.files}
    arrays: dict[str, np.ndarray] = {"signature": signature}
    digest = hashlib.sha256()
    for split in ("train", "test"):
        if not (folder / split).is_dir():
            raise DatasetError(f"{folder} is not the CIFAR-10 image-folder layout: no {split}/ folder. {GET_DATA_HINT}")
        expected = {name: CIFAR10_EXPECTED[split] for name in CIFAR10_CLASSES}
        images, labels, files, _ = read_class_folders(
            folder / split, CIFAR10_CLASSES, image_size=None, color_mode="rgb",
            expected_counts=expected, dataset_name=f"CIFAR-10 {split}",
        )
        shapes = {image.shape for image in images}
        if shapes != {(32, 32, 3)}:
            raise DatasetError(f"CIFAR-10 {split} images must all be 32x32 RGB; found sizes {sorted(shapes)}. {GET_DATA_HINT}")
        arrays[f"x_{split}"], arrays[f"y_{split}"] = np.stack(images), labels
        digest.update(_folder_fingerprint(folder / split, files).encode())
    arrays["fingerprint"] = np.array(digest.hexdigest())
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".arrays-", suffix=".npz", delete=False) as tmp:
        np.savez(tmp, **arrays)
    os.replace(tmp.name, cached)
    return arrays


def _keras_cifar10(folder: Path) -> dict[str, np.ndarray]:
    """CIFAR-10 through Keras' own download; ``folder`` is where an offline copy would go."""
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    except Exception as exc:  # noqa: BLE001 - every failure becomes one clear message
        raise DatasetError(
            f"Could not download CIFAR-10 with keras.datasets.cifar10.load_data() ({type(exc).__name__}: {exc}). "
            f"Without a network, put an image-folder copy at {folder}/{{train,test}}/<class>/*.jpg "
            "(on the project's machines: `../shared/datasets/install`)."
        ) from exc
    arrays = {"x_train": x_train, "y_train": y_train.ravel(), "x_test": x_test, "y_test": y_test.ravel()}
    arrays["fingerprint"] = np.array(_arrays_fingerprint(*arrays.values()))
    return arrays


def load_cifar10(
    *,
    profile: Profile | str | None = None,
    root: Path | str | None = None,
    quick_per_class: tuple[int, int] = (40, 10),
    seed: int = 0,
) -> tuple[ImageDataset, ImageDataset]:
    """CIFAR-10 as ``(train, test)``: 32x32x3 uint8 images, labels 0-9.

    Real profiles read the image-folder copy ``<root>/cifar10`` if there is
    one (decoded once, then kept as ``arrays-v1.npz`` beside it), otherwise
    download through ``keras.datasets.cifar10.load_data()``. The ``quick``
    profile returns generated colour patterns (``quick_per_class`` train
    and test images per class) with ten pattern classes.
    """
    profile = resolve(profile)
    if not profile.real_data:
        n_train, n_test = quick_per_class
        x_train, y_train = synthetic.pattern_images(n_train, seed=seed)
        x_test, y_test = synthetic.pattern_images(n_test, seed=seed + 1)
        source = f"generated colour patterns (dlbook.synthetic, seed {seed})"
        fingerprint = _arrays_fingerprint(x_train, y_train, x_test, y_test)
        names, prefix = synthetic.PATTERN_CLASSES, "generated"
    else:
        cache = Path(root).expanduser() if root is not None else data_dir()
        folder = cache / "cifar10"
        if folder.exists():
            arrays = _read_cifar_folders(folder)
            source = f"CIFAR-10 image folders at {shown_path(folder)}"
        else:
            arrays = _keras_cifar10(folder)
            source = "keras.datasets.cifar10 (the original archive)"
        x_train, y_train, x_test, y_test = (arrays[k] for k in ("x_train", "y_train", "x_test", "y_test"))
        fingerprint, names, prefix = str(arrays["fingerprint"]), CIFAR10_CLASSES, "cifar10"
    train, test = (
        ImageDataset(
            f"CIFAR-10 {split}" if profile.real_data else f"CIFAR-10 stand-in {split}",
            x, y.astype(np.int64), tuple(names),
            tuple(f"{prefix}/{split}/{i:05d}" for i in range(len(y))), source, fingerprint,
        )
        for split, x, y in (("train", x_train, y_train), ("test", x_test, y_test))
    )
    provenance.record_data(train.name.replace(" train", ""), source, fingerprint, len(train) + len(test))
    return train, test


# --- sample photographs ---------------------------------------------------------------

SAMPLE_IMAGES = {
    "camera": "scikit-image's `camera`: a photographer with a camera (CC0)",
    "coffee": "scikit-image's `coffee`: a cup of coffee, courtesy of Pikolo Espresso Bar "
    "(CC0, photographer Rachel Michetti)",
    "astronaut": "scikit-image's `astronaut`: Eileen Collins, NASA (public domain)",
}


def load_sample_image(name: str) -> np.ndarray:
    """A free photograph that ships inside scikit-image (no download), as uint8.

    Grayscale images come back ``(H, W)``, colour images ``(H, W, 3)``. The
    image and its credit are recorded in the notebook's provenance.
    """
    if name not in SAMPLE_IMAGES:
        raise ValueError(f"Unknown sample image {name!r}; choose one of {', '.join(SAMPLE_IMAGES)}.")
    try:
        import skimage.data
    except ImportError as exc:
        raise DatasetError("Sample images need scikit-image: `pip install scikit-image`.") from exc
    image = np.asarray(getattr(skimage.data, name)(), dtype=np.uint8)
    provenance.record_data(name, SAMPLE_IMAGES[name], _arrays_fingerprint(image), 1)
    return image


def load_photo(source: str | os.PathLike = "camera") -> np.ndarray:
    """A grayscale photo as uint8 ``(H, W)``: a sample's name or the path of your own image.

    ``source`` is one of :data:`SAMPLE_IMAGES` (no download needed) or a
    path to any image file Pillow can read; colour images are converted to
    grayscale. The image is recorded in the notebook's provenance. A wrong
    path or a file that is not an image raises :class:`DatasetError` saying
    what to pass instead.
    """
    if isinstance(source, str) and source in SAMPLE_IMAGES:
        image = load_sample_image(source)
        if image.ndim == 3:
            image = np.asarray(Image.fromarray(image).convert("L"), dtype=np.uint8)
        return image
    path = Path(source).expanduser()
    if not path.is_file():
        raise DatasetError(
            f"No image file at {path}. Pass the path of a photo (JPEG, PNG, ...) "
            f"or one of the sample names: {', '.join(SAMPLE_IMAGES)}."
        )
    image, meta = read_image(path, None, "grayscale")
    image = image[..., 0]
    provenance.record_data(path.name, f"a reader's own image ({meta['format']}, {meta['size'][0]}×{meta['size'][1]})",
                           _arrays_fingerprint(image), 1)
    return image

"""Shared fixtures: the repository root and small fake datasets on disk."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo_root() -> Path:
    return ROOT


def write_image(path: Path, mode: str = "RGB", size=(20, 16), fmt: str = "JPEG", seed: int = 0) -> None:
    """A small random image in ``mode``, saved as ``fmt`` whatever ``path``'s suffix says."""
    rng = np.random.default_rng(seed)
    base = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8), "RGB")
    image = base.convert(mode) if mode != "P" else base.convert("P", palette=Image.Palette.ADAPTIVE)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "JPEG" and mode not in ("RGB", "L", "CMYK"):
        fmt = "PNG"
    image.save(path, format=fmt)


def make_br35h_tree(root: Path, per_class: int = 4) -> Path:
    """A Br35H-shaped folder with the real copy's oddities, in miniature."""
    modes = ["RGB", "L", "RGBA", "P"]
    for label, name in enumerate(("no", "yes")):
        for i in range(per_class):
            write_image(root / name / f"{name[0]}{i}.jpg", modes[i % len(modes)], seed=10 * label + i)
    write_image(root / "no" / "No99.jpg", "RGB", fmt="PNG", seed=99)  # PNG data behind a .jpg name
    write_image(root / "pred" / "pred0.jpg", "RGB", seed=5)  # unlabeled folder, must be ignored
    (root / "yes" / "notes.txt").write_text("not an image")
    (root / "yes" / ".DS_Store").write_bytes(b"\0\1")
    return root


@pytest.fixture
def br35h_small(monkeypatch):
    """Make the loaders expect the miniature counts of :func:`make_br35h_tree` (4 + 1 no, 4 yes)."""
    from dlbook import data

    monkeypatch.setattr(data, "BR35H_EXPECTED", {"no": 5, "yes": 4})
    return make_br35h_tree


def zip_folder(folder: Path, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return buffer.getvalue()

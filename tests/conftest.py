"""Shared fixtures: the repository root and small fake datasets on disk."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The website, built as `make book` builds it (generated pages first), in a temporary folder:
    the English edition, and the Persian edition (fa/) in its folder fa/."""
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    for edition, book_root in (("en", ROOT), ("fa", ROOT / "fa")):
        generated = subprocess.run([sys.executable, "-m", "booktools.overview", "--book-root", str(book_root)],
                                   capture_output=True, text=True, timeout=300, cwd=ROOT)
        assert generated.returncode == 0, generated.stderr[-4000:]
        result = subprocess.run(
            [str(jupyter_book), "build", str(book_root), "--path-output", str(out / edition), "-W", "-n",
             "--keep-going"],
            capture_output=True, text=True, timeout=900,
        )
        assert result.returncode == 0, (
            f"jupyter-book build of {edition} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    site = out / "en" / "_build" / "html"
    shutil.copytree(out / "fa" / "_build" / "html", site / "fa")
    return site


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


COLAB_ONLY_MISSING = ("dlbook", "keras-tuner", "kt-legacy")
_fresh_notebooks: set[str] = set()


def _kernel_python(kernel_name: str) -> str:
    from jupyter_client.kernelspec import KernelSpecManager

    return KernelSpecManager().get_kernel_spec(kernel_name).argv[0]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before a notebook's first cell in the Colab-like kernel, remove what Colab lacks.

    `make test` runs the notebooks with ``--nbval-kernel-name dlbook-colab-1`` (and ``-2``), a
    kernel with Colab's preinstalled packages. Uninstalling dlbook and
    keras-tuner there before each notebook makes every notebook start as in a
    fresh Colab runtime, so its setup cell has to install them itself.
    """
    kernel_name = item.config.getoption("nbval_kernel_name", default=None)
    notebook = str(item.fspath)
    if not kernel_name or not notebook.endswith(".ipynb") or notebook in _fresh_notebooks:
        return
    _fresh_notebooks.add(notebook)
    python = _kernel_python(kernel_name)
    subprocess.run([python, "-m", "pip", "uninstall", "--quiet", "--yes", *COLAB_ONLY_MISSING],
                   capture_output=True, text=True, timeout=300)
    left = subprocess.run([python, "-c", "import importlib.util as u; "
                           "print([m for m in ('dlbook', 'keras_tuner') if u.find_spec(m)])"],
                          capture_output=True, text=True, timeout=120)
    assert left.stdout.strip() == "[]", f"the Colab-like kernel still has {left.stdout.strip()}"

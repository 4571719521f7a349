"""The Colab-like kernel has Colab's published versions, and a setup cell leaves them as they are.

The notebooks' setup cells ``pip install`` dlbook (which brings keras-tuner) into
a reader's Colab runtime. If pip upgraded or downgraded anything Colab has
preinstalled (TensorFlow, Keras, NumPy, ...), the reader would run other
versions than the ones the book was tested with, and Colab would ask for a
restart. ``make test`` runs this file in its Colab pass, before the notebooks,
against the kernel that ``make colab-env`` builds.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import colab_requirements  # noqa: E402  (tests/colab_requirements.py)
from booktools.links import Repository  # noqa: E402
from booktools.release import project_version  # noqa: E402
from conftest import COLAB_ONLY_MISSING, _kernel_python  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))  # chapters and exercises


def pins(text: str) -> dict[str, str]:
    return {name: version for name, (_, version) in colab_requirements.parse_pins(text).items()}


def test_requirements_hold_colabs_published_versions():
    """Every package of the kernel is at the version in Colab's list (tensorflow as its CPU build)."""
    freeze = colab_requirements.parse_pins(colab_requirements.FREEZE.read_text(encoding="utf-8"))
    expected = colab_requirements.colab_constraints(freeze)
    required = pins(colab_requirements.REQUIREMENTS.read_text(encoding="utf-8"))
    for name in colab_requirements.COLAB_PACKAGES:
        name = colab_requirements.canonical(colab_requirements.CPU_BUILDS.get(colab_requirements.canonical(name), name))
        assert name in required, f"{name} is missing from tests/colab-requirements.txt"
    differ = {name: (version, expected[name]) for name, version in required.items()
              if name in expected and expected[name] != version}
    assert not differ, f"not Colab's versions (ours, Colab's): {differ}; run tests/colab_requirements.py"
    assert not set(required) & {colab_requirements.canonical(n) for n in COLAB_ONLY_MISSING}


def test_refresh_reports_what_moved(tmp_path):
    old = "keras==3.10.0\nnumpy==2.1.3\nscipy==1.0\n"
    new = "keras==3.13.2\nnumpy==2.1.3\nh5py==3.16.0\n"
    moved = colab_requirements.moved(colab_requirements.parse_pins(old), colab_requirements.parse_pins(new))
    assert moved == ["h5py: absent -> 3.16.0", "keras: 3.10.0 -> 3.13.2", "scipy: 1.0 -> removed"]
    assert colab_requirements.colab_python("Ubuntu 22.04.5 LTS\nPython 3.13.15\nR version 4.6.1\n") == "3.13.15"
    listed = colab_requirements.parse_pins("# comment\nfoo @ file:///x\nTensorflow==2.20.0\nscikit_learn==1.6.1\n")
    assert listed == {"tensorflow": ("Tensorflow", "2.20.0"), "scikit-learn": ("scikit_learn", "1.6.1")}


@pytest.fixture(scope="module")
def colab_python(request) -> str:
    kernel = request.config.getoption("nbval_kernel_name", default=None)
    if not kernel:
        pytest.skip("needs the Colab-like kernel: `make test` runs this in its Colab pass "
                    "(--nbval-kernel-name dlbook-colab-1)")
    return _kernel_python(kernel)


def installed(python: str) -> dict[str, str]:
    listing = subprocess.run([python, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
                             capture_output=True, text=True, check=True, timeout=120).stdout
    return {colab_requirements.canonical(p["name"]): p["version"] for p in json.loads(listing)}


def setup_cell(path: Path) -> str:
    return next(cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")


def test_every_notebook_has_the_same_setup_cell():
    """So running one of them here checks them all."""
    cells = {path.relative_to(ROOT).as_posix(): re.sub(rf'"{path.stem}(-exercises)?"', '"NOTEBOOK"', setup_cell(path))
             for path in NOTEBOOKS}
    assert len(set(cells.values())) == 1, f"setup cells differ: {sorted(cells)}"


def test_setup_cell_leaves_colabs_packages_alone(colab_python):
    subprocess.run([colab_python, "-m", "pip", "uninstall", "--quiet", "--yes", *COLAB_ONLY_MISSING],
                   capture_output=True, text=True, timeout=300)
    before = installed(colab_python)
    required = pins(colab_requirements.REQUIREMENTS.read_text(encoding="utf-8"))
    kernel_differs = {name: (before.get(name), version) for name, version in required.items()
                      if before.get(name) != version}
    assert not kernel_differs, f"the kernel is not what tests/colab-requirements.txt says: {kernel_differs}; " \
                               "run `make colab-env`"

    env = dict(os.environ, DLBOOK_PIP_SOURCE=os.environ.get("DLBOOK_PIP_SOURCE", str(ROOT)), DLBOOK_PROFILE="quick")
    ran = subprocess.run([colab_python, "-c", setup_cell(NOTEBOOKS[0])], cwd=ROOT / "notebooks",
                         capture_output=True, text=True, timeout=600, env=env)
    assert ran.returncode == 0, ran.stderr[-3000:]
    after = installed(colab_python)
    changed = {name: (version, after.get(name)) for name, version in before.items() if after.get(name) != version}
    assert not changed, f"the setup cell changed Colab's packages (before, after): {changed}"
    added = set(after) - set(before)
    assert added == {colab_requirements.canonical(n) for n in COLAB_ONLY_MISSING}, (
        f"the setup cell installed {sorted(added)}; Colab would not have the ones it already lacks")


def test_setup_cell_asks_colab_for_the_pinned_release(colab_python):
    """In Colab (no ``DLBOOK_PIP_SOURCE``) the cell installs the release tag of this version.

    pip is not really called (that would need GitHub): the probe records what
    the cell passes to ``subprocess.run`` in the Colab-like kernel's Python.
    """
    subprocess.run([colab_python, "-m", "pip", "uninstall", "--quiet", "--yes", *COLAB_ONLY_MISSING],
                   capture_output=True, text=True, timeout=300)
    probe = "\n".join([
        "import json, subprocess",
        "calls = []",
        "subprocess.run = lambda args, **kwargs: calls.append(list(args))",
        "try:",
        f"    exec(compile({setup_cell(NOTEBOOKS[0])!r}, 'setup cell', 'exec'))",
        "except ModuleNotFoundError as error:",
        "    assert error.name == 'dlbook', error",
        "print(json.dumps(calls))",
    ])
    env = {key: value for key, value in os.environ.items() if key != "DLBOOK_PIP_SOURCE"}
    ran = subprocess.run([colab_python, "-c", probe], capture_output=True, text=True, timeout=300, env=env)
    assert ran.returncode == 0, ran.stderr[-3000:]
    (call,) = json.loads(ran.stdout.strip().splitlines()[-1])
    pin = Repository.from_config(ROOT / "_config.yml").pip_source
    assert call[1:] == ["-m", "pip", "install", "-q", pin], call
    assert pin.endswith(f"@v{project_version(ROOT)}"), pin

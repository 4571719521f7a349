"""Refresh ``tests/colab-requirements.txt`` from the package list Google Colab publishes.

    python tests/colab_requirements.py [--download] [--python PYTHON] [--check]

Colab publishes what its runtime has preinstalled in the repository
``googlecolab/backend-info`` (``pip-freeze.txt``, and its Python in
``os-info.txt``). The notebook tests run in a kernel built from that list
(``make colab-env``), so that a notebook that passes here also runs on the
versions a reader's Colab runtime has. This script

1. reads the published list: the copy in ``tests/colab-pip-freeze.txt``, which
   ``--download`` first replaces with the current one (with
   ``tests/colab-os-info.txt``);
2. takes the packages the book's notebooks use from Colab (``COLAB_PACKAGES``),
   swapping GPU builds for their CPU builds (``CPU_BUILDS``);
3. resolves them together with everything they depend on, with every package
   held at Colab's version (``pip install --dry-run --report`` with the whole
   list as constraints, run by the Python the kernel will use, so markers and
   wheels are those of that Python);
4. writes the pinned result to ``tests/colab-requirements.txt`` and says what
   moved since the last refresh (or, with ``--check``, only says it and exits 1
   when the file is out of date).

It needs PyPI (the resolver downloads package metadata), not Colab.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "colab-requirements.txt"
FREEZE, OS_INFO = HERE / "colab-pip-freeze.txt", HERE / "colab-os-info.txt"
PUBLISHED = "https://raw.githubusercontent.com/googlecolab/backend-info/main/"

# What the notebooks take from Colab's runtime rather than install themselves (their setup cell
# installs dlbook, which brings keras-tuner). ipykernel runs them; PyYAML and nbformat are read
# by dlbook's helpers.
COLAB_PACKAGES = (
    "tensorflow", "keras", "numpy", "pillow", "matplotlib", "opencv-python-headless",
    "scikit-image", "scikit-learn", "tensorboard", "gdown", "PyYAML", "nbformat", "ipykernel",
)
# Colab's wheel -> the CPU build of the same release that the test machines install.
CPU_BUILDS = {"tensorflow": "tensorflow-cpu"}
# Installed by the notebooks' setup cells, so never part of the Colab-like kernel.
NOT_PREINSTALLED = ("dlbook", "keras-tuner", "kt-legacy")

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)\s*$")


def canonical(name: str) -> str:
    """A distribution name in PEP 503 form (``scikit_learn`` -> ``scikit-learn``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_pins(text: str) -> dict[str, tuple[str, str]]:
    """``canonical name -> (name as written, version)`` of every ``name==version`` line.

    Lines that are not plain pins (comments, ``name @ file://...`` references,
    editable installs) are skipped: they name nothing that PyPI can install.
    """
    pins = {}
    for line in text.splitlines():
        match = _PIN.match(line.strip())
        if match:
            pins[canonical(match.group(1))] = (match.group(1), match.group(2))
    return pins


def download(target: Path) -> bool:
    """Replace ``target`` with Colab's current copy of the file of that name; say if it changed."""
    url = PUBLISHED + target.name.removeprefix("colab-")
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (a fixed https URL)
            text = response.read().decode("utf-8")
    except OSError as error:
        raise SystemExit(f"could not download {url}: {error}. Without a network, refresh from the "
                         f"copy in {target.relative_to(HERE.parent)} (leave out --download).") from None
    changed = not target.is_file() or target.read_text(encoding="utf-8") != text
    target.write_text(text, encoding="utf-8")
    return changed


def colab_python(os_info: str) -> str | None:
    """Colab's Python version from its ``os-info.txt`` (``Python 3.13.15``)."""
    match = re.search(r"^Python (\d+\.\d+\.\d+)", os_info, re.M)
    return match.group(1) if match else None


def colab_constraints(freeze: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Colab's versions as constraints for the CPU builds: ``canonical name -> version``."""
    constraints = {name: version for name, (_, version) in freeze.items() if "+" not in version}
    for gpu_build, cpu_build in CPU_BUILDS.items():
        if gpu_build in freeze:
            constraints[canonical(cpu_build)] = freeze[gpu_build][1]
    return constraints


def requested(freeze: dict[str, tuple[str, str]]) -> list[str]:
    """``name==version`` for each package of :data:`COLAB_PACKAGES`, as Colab has it."""
    missing = [name for name in COLAB_PACKAGES if canonical(name) not in freeze]
    if missing:
        raise SystemExit(f"Colab's list has no {', '.join(missing)}: the book expects Colab to provide "
                         "them. Check the list, or install them in the setup cell and drop them from "
                         "COLAB_PACKAGES.")
    return [f"{CPU_BUILDS.get(canonical(name), name)}=={freeze[canonical(name)][1]}" for name in COLAB_PACKAGES]


def resolve(python: str, top_level: list[str], constraints: dict[str, str]) -> dict[str, str]:
    """Everything ``top_level`` needs, as ``pip`` running under ``python`` resolves it."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "requirements.txt").write_text("\n".join(top_level) + "\n")
        (tmp_path / "constraints.txt").write_text("".join(f"{n}=={v}\n" for n, v in sorted(constraints.items())))
        report = tmp_path / "report.json"
        result = subprocess.run(
            [python, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
             "--disable-pip-version-check", "--only-binary=:all:", "--report", str(report),
             "-r", str(tmp_path / "requirements.txt"), "-c", str(tmp_path / "constraints.txt")],
            capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"pip could not resolve Colab's versions with {python}:\n{result.stderr[-3000:]}")
        installs = json.loads(report.read_text())["install"]
    return {item["metadata"]["name"]: item["metadata"]["version"] for item in installs}


def python_version(python: str) -> str:
    return subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                          capture_output=True, text=True, check=True).stdout.strip()


def render(resolved: dict[str, str], *, python: str, colab: str | None) -> str:
    top = {canonical(CPU_BUILDS.get(canonical(n), n)) for n in COLAB_PACKAGES}
    lines = [
        "# The Colab-like kernel of the notebook tests (`make colab-env` builds .venv-colab-1 and -2 from it).",
        "# Generated by `python tests/colab_requirements.py`; do not edit by hand.",
        "# Source: tests/colab-pip-freeze.txt, a copy of googlecolab/backend-info's pip-freeze.txt.",
        f"# Colab's Python: {colab or 'not stated'} (tests/colab-os-info.txt); resolved with Python {python}.",
        "# Every package at the version Colab has preinstalled (tensorflow as tensorflow-cpu, the same",
        "# release without CUDA); the first block is what the notebooks use, the second what that needs.",
        "# dlbook and keras-tuner are deliberately missing: each notebook's setup cell installs them.",
    ]
    for block in (sorted(n for n in resolved if canonical(n) in top),
                  sorted(n for n in resolved if canonical(n) not in top)):
        lines.append("")
        lines += [f"{name}=={resolved[name]}" for name in sorted(block, key=canonical)]
    return "\n".join(lines) + "\n"


def moved(old: dict[str, tuple[str, str]], new: dict[str, tuple[str, str]]) -> list[str]:
    """What changed between two pin sets, one line per package."""
    lines = []
    for name in sorted(old.keys() | new.keys()):
        before, after = old.get(name, (name, None))[1], new.get(name, (name, None))[1]
        if before != after:
            label = new.get(name, old.get(name))[0]
            lines.append(f"{label}: {before or 'absent'} -> {after or 'removed'}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--download", action="store_true",
                        help=f"first replace the copies of Colab's lists with the current ones ({PUBLISHED})")
    parser.add_argument("--python", default=sys.executable, help="the interpreter the Colab-like kernel uses")
    parser.add_argument("--output", type=Path, default=REQUIREMENTS)
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if the file would change")
    args = parser.parse_args(argv)

    if args.download:
        for target in (FREEZE, OS_INFO):
            print(f"{target.name}: {'changed' if download(target) else 'unchanged'}")
    freeze = parse_pins(FREEZE.read_text(encoding="utf-8"))
    colab = colab_python(OS_INFO.read_text(encoding="utf-8"))
    resolved = resolve(args.python, requested(freeze), colab_constraints(freeze))
    for name in NOT_PREINSTALLED:
        resolved.pop(name, None)
    cpu_builds = {canonical(c) for c in CPU_BUILDS.values()}
    not_in_colab = sorted(n for n in resolved if canonical(n) not in freeze and canonical(n) not in cpu_builds)
    ours = python_version(args.python)
    text = render(resolved, python=ours, colab=colab)

    old = parse_pins(args.output.read_text(encoding="utf-8")) if args.output.is_file() else {}
    changes = moved(old, parse_pins(text))
    print(f"Colab's Python {colab or '?'}; resolved with Python {ours} ({args.python}).")
    if colab and colab.rsplit(".", 1)[0] != ours.rsplit(".", 1)[0]:
        print(f"note: Colab runs Python {colab}, this kernel would run {ours}")
    if not_in_colab:
        print("not in Colab's list, added by pip for what needs them: " + ", ".join(not_in_colab))
    print("moved:\n  " + "\n  ".join(changes) if changes else "nothing moved")
    if args.check:
        return 1 if changes else 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

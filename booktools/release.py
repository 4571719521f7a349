"""Releases of ``dlbook``: what a reader's Colab installs is exactly what made the stored outputs.

A notebook's setup cell installs ``git+https://github.com/OWNER/NAME@v<version>``
(``booktools.links``): the release tag of the version in ``pyproject.toml``.
For that to be the ``dlbook`` the book's outputs came from, every change to
``src/dlbook`` is a new release:

    python -m booktools.release 0.2.0     (make release VERSION=0.2.0)

sets the version in ``pyproject.toml``, adds a section for it at the top of
``CHANGELOG.md`` that records the hash of the package's source
(:func:`package_hash`), and points every setup cell at ``v0.2.0``. Describe
the changes under the new heading, commit, and push to ``main``: the publish
workflow creates the tag ``v0.2.0`` on that commit. The tests fail while the
package's source differs from the hash recorded for the current version, so
a change to ``dlbook`` cannot reach readers unreleased.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import re
import sys
from pathlib import Path

from booktools.freshness import PACKAGE_DIR, source_hash

ROOT = Path(__file__).resolve().parent.parent
VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_PROJECT_VERSION = re.compile(r'^(version\s*=\s*)"[^"]*"', re.M)
_SECTION = re.compile(r"^## (?P<version>\d+\.\d+\.\d+) \((?P<date>[^)]*)\)\n+dlbook source: `(?P<hash>[0-9a-f]{64})`",
                      re.M)


def package_hash(package_dir: Path = PACKAGE_DIR) -> str:
    """SHA-256 over every source file of the package (its path and :func:`source_hash`)."""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" not in path.parts:
            digest.update(f"{path.relative_to(package_dir).as_posix()}\0{source_hash(path)}\n".encode())
    return digest.hexdigest()


def project_version(root: Path = ROOT) -> str:
    import tomllib

    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def released_hashes(changelog: str) -> dict[str, str]:
    """``version -> dlbook source hash`` of every release section in ``CHANGELOG.md``."""
    return {m.group("version"): m.group("hash") for m in _SECTION.finditer(changelog)}


def unreleased_reason(root: Path = ROOT, package_dir: Path = PACKAGE_DIR) -> str | None:
    """Why this checkout's ``dlbook`` is not the release its version names, or ``None`` if it is."""
    version = project_version(root)
    changelog = root / "CHANGELOG.md"
    recorded = released_hashes(changelog.read_text(encoding="utf-8")).get(version) if changelog.is_file() else None
    if recorded is None:
        return f"CHANGELOG.md has no section for version {version} (pyproject.toml)"
    if recorded != package_hash(package_dir):
        return (f"src/dlbook differs from release {version} as CHANGELOG.md records it; "
                f"release it: make release VERSION=<next version>")
    return None


def release(version: str, root: Path = ROOT, package_dir: Path = PACKAGE_DIR, today: str | None = None) -> None:
    """Make ``version`` the release of this checkout's ``dlbook`` (see the module's docstring)."""
    from booktools.links import main as links_main

    if not VERSION.match(version):
        raise SystemExit(f"{version!r} is not a version like 0.2.0")
    current = project_version(root)
    if tuple(map(int, version.split("."))) <= tuple(map(int, current.split("."))):
        raise SystemExit(f"{version} is not newer than the current version {current}")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(_PROJECT_VERSION.sub(rf'\g<1>"{version}"', pyproject.read_text(encoding="utf-8"), count=1),
                         encoding="utf-8")
    changelog = root / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    section = (f"## {version} ({today or _dt.date.today().isoformat()})\n\n"
               f"dlbook source: `{package_hash(package_dir)}`\n\n")
    first = _SECTION.search(text)
    at = first.start() if first else len(text)
    changelog.write_text(text[:at] + section + text[at:], encoding="utf-8")
    links_main(["--root", str(root), "--fix"])
    print(f"version {version}: pyproject.toml, CHANGELOG.md (describe the changes under the new heading) and "
          "the setup cells; commit and push to main, and the publish workflow tags it")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("version", nargs="?", help="the new version; without it, check the current one")
    args = parser.parse_args(argv)
    if args.version:
        release(args.version)
        return 0
    reason = unreleased_reason()
    print(reason or f"src/dlbook is release {project_version()}")
    return 1 if reason else 0


if __name__ == "__main__":
    sys.exit(main())

"""Links to the repository, all derived from ``repository`` in ``_config.yml``.

The notebooks carry two of them: the "Open in Colab" badge in the title
cell, and the pip source in the setup cell, which installs the *release* of
``dlbook`` the stored outputs were made with: the tag ``v<version>`` of the
version in ``pyproject.toml`` (see ``booktools.release``), not whatever the
branch holds that day. The website's buttons derive from ``_config.yml``
itself.

    python -m booktools.links                       check every notebook
    python -m booktools.links --fix                 rewrite what does not match
    python -m booktools.links --set-repository OWNER/NAME
                                                    point the book at its home, then fix
    python -m booktools.links --expect OWNER/NAME   fail unless it points there already
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

# The setup cell's pip source, "git+https://github.com/ORG/REPO@REF": where a reader's Colab
# installs dlbook from. It changes when the book moves or is released, never what a cell computes
# (booktools.freshness leaves it out of the code hash).
PIP_SOURCE = re.compile(r'"git\+https://[^"@]+@[^"]+"')

COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
_BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\((?P<url>[^)]*)\)")


GITHUB_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$")
_CONFIG_URL = re.compile(r"^(?P<indent>\s+)url:\s*\S+\s*$", re.M)


def release_tag(book_root: Path) -> str:
    """The tag of the release this checkout is: ``v`` and the version in ``pyproject.toml``."""
    import tomllib

    project = tomllib.loads((book_root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return f"v{project['version']}"


@dataclass(frozen=True)
class Repository:
    url: str  # https://github.com/ORG/REPO
    branch: str
    path_to_book: str
    release: str = "main"  # what the setup cells install: a release tag, v<version>

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", self.url.rstrip("/"))
        object.__setattr__(self, "path_to_book", self.path_to_book.strip("/"))

    @classmethod
    def from_config(cls, config_path: Path) -> "Repository":
        import yaml

        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))["repository"]
        return cls(config["url"], config.get("branch", "main"), config.get("path_to_book", "") or "",
                   release_tag(config_path.parent))

    @property
    def github_path(self) -> str:
        """``ORG/REPO``."""
        return self.url.split("github.com/", 1)[1]

    def colab_url(self, notebook: str) -> str:
        """Colab's URL for ``notebook`` (a path relative to the book's root)."""
        path = f"{self.path_to_book}/{notebook}".lstrip("/")
        return f"https://colab.research.google.com/github/{self.github_path}/blob/{self.branch}/{path}"

    def badge(self, notebook: str) -> str:
        return f"[![Open In Colab]({COLAB_BADGE_IMAGE})]({self.colab_url(notebook)})"

    @property
    def pip_source(self) -> str:
        return f"git+{self.url}@{self.release}"


def set_repository(config_path: Path, github_path: str) -> str:
    """Point ``repository.url`` in ``_config.yml`` at ``https://github.com/OWNER/NAME``; return it.

    Only that line changes, so the file's comments and layout stay as they are.
    """
    if not GITHUB_PATH.match(github_path):
        raise SystemExit(f"{github_path!r} is not OWNER/NAME, the repository's path on GitHub")
    text = config_path.read_text(encoding="utf-8")
    block = re.search(r"^repository:\n((?:[ \t]+.*\n?)+)", text, re.M)
    if block is None or not _CONFIG_URL.search(block.group(1)):
        raise SystemExit(f"{config_path} has no repository.url line to set")
    url = f"https://github.com/{github_path}"
    body = _CONFIG_URL.sub(lambda m: f"{m.group('indent')}url: {url}", block.group(1), count=1)
    config_path.write_text(text[:block.start(1)] + body + text[block.end(1):], encoding="utf-8")
    return url


def check_notebook(path: Path, book_root: Path, repo: Repository, *, fix: bool = False) -> list[str]:
    """Problems with ``path``'s badge and setup-cell links (fixed in place if ``fix``)."""
    notebook = nbformat.read(path, as_version=4)
    relative = path.resolve().relative_to(book_root.resolve()).as_posix()
    problems, changed = [], False
    title = notebook.cells[0] if notebook.cells else None
    match = _BADGE.search(title.source) if title is not None and title.cell_type == "markdown" else None
    if match is None:
        problems.append(f"{relative}: the title cell has no 'Open In Colab' badge")
    elif match.group("url") != repo.colab_url(relative):
        problems.append(f"{relative}: the Colab badge points at {match.group('url')}, not {repo.colab_url(relative)}")
        title.source = _BADGE.sub(repo.badge(relative), title.source)
        changed = True
    sources = [cell for cell in notebook.cells if cell.cell_type == "code" and PIP_SOURCE.search(cell.source)]
    if not sources:
        problems.append(f"{relative}: no setup cell installs dlbook from the repository")
    for cell in sources:
        for found in PIP_SOURCE.findall(cell.source):
            if found != f'"{repo.pip_source}"':
                problems.append(f"{relative}: the setup cell installs {found}, not {repo.pip_source}")
                cell.source = cell.source.replace(found, f'"{repo.pip_source}"')
                changed = True
    if fix and changed:
        nbformat.write(notebook, path)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check (or --fix) the notebooks' links against _config.yml.")
    parser.add_argument("--root", type=Path, default=Path("."), help="the book's root (holds _config.yml)")
    parser.add_argument("--fix", action="store_true")
    parser.add_argument("--set-repository", metavar="OWNER/NAME",
                        help="set repository.url in _config.yml to github.com/OWNER/NAME, then --fix")
    parser.add_argument("--expect", metavar="OWNER/NAME",
                        help="exit 1, saying what to run, unless _config.yml already points there")
    args = parser.parse_args(argv)
    config = args.root / "_config.yml"
    if args.set_repository:
        print(f"repository.url: {set_repository(config, args.set_repository)}")
        if (args.root / "fa" / "_config.yml").exists():  # the Persian edition's copy of the setting
            set_repository(args.root / "fa" / "_config.yml", args.set_repository)
        args.fix = True
    repo = Repository.from_config(config)
    if args.expect and repo.github_path != args.expect:
        print(f"The book's links point at {repo.url}, but it is published from github.com/{args.expect}.\n"
              f"Run `make publish-config REPO={args.expect}`, commit and push.", file=sys.stderr)
        return 1
    problems = []
    # Both editions: the Persian notebooks (fa/, booktools.translation) open in Colab from fa/.
    for folder in (args.root / "notebooks", args.root / "fa" / "notebooks"):
        for path in sorted(folder.glob("*.ipynb")) + sorted((folder / "exercises").glob("*.ipynb")):
            problems += check_notebook(path, args.root, repo, fix=args.fix)
    for problem in problems:
        print(("fixed: " if args.fix else "") + problem)
    return 0 if args.fix or not problems else 1


if __name__ == "__main__":
    sys.exit(main())

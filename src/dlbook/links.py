"""Links to the repository, all derived from ``repository`` in ``_config.yml``.

The notebooks carry two of them: the "Open in Colab" badge in the title
cell and the pip source in the setup cell. ``python -m dlbook.links``
checks every notebook against ``_config.yml``; ``--fix`` rewrites them.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
_BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\((?P<url>[^)]*)\)")
_PIP_SOURCE = re.compile(r'"git\+https://[^"@]+@[^"]+"')


@dataclass(frozen=True)
class Repository:
    url: str  # https://github.com/ORG/REPO
    branch: str
    path_to_book: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", self.url.rstrip("/"))
        object.__setattr__(self, "path_to_book", self.path_to_book.strip("/"))

    @classmethod
    def from_config(cls, config_path: Path) -> "Repository":
        import yaml

        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))["repository"]
        return cls(config["url"], config.get("branch", "main"), config.get("path_to_book", "") or "")

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
        return f"git+{self.url}@{self.branch}"


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
    sources = [cell for cell in notebook.cells if cell.cell_type == "code" and _PIP_SOURCE.search(cell.source)]
    if not sources:
        problems.append(f"{relative}: no setup cell installs dlbook from the repository")
    for cell in sources:
        for found in _PIP_SOURCE.findall(cell.source):
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
    args = parser.parse_args(argv)
    repo = Repository.from_config(args.root / "_config.yml")
    problems = []
    for path in sorted((args.root / "notebooks").glob("*.ipynb")):
        problems += check_notebook(path, args.root, repo, fix=args.fix)
    for problem in problems:
        print(("fixed: " if args.fix else "") + problem)
    return 0 if args.fix or not problems else 1


if __name__ == "__main__":
    sys.exit(main())

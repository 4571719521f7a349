"""Repository links derive from _config.yml."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from booktools.links import Repository, check_notebook

REPO = Repository("https://github.com/org/book", "main", "")


def test_urls_derive_from_repository():
    assert REPO.colab_url("notebooks/a.ipynb") == "https://colab.research.google.com/github/org/book/blob/main/notebooks/a.ipynb"
    assert REPO.pip_source == "git+https://github.com/org/book@main"
    nested = Repository("https://github.com/org/book/", "dev", "docs")
    assert nested.colab_url("n.ipynb").endswith("/org/book/blob/dev/docs/n.ipynb")


def test_config_is_read(repo_root):
    repo = Repository.from_config(repo_root / "_config.yml")
    assert repo.url.startswith("https://github.com/") and repo.branch == "main"


def make(tmp_path, badge_url, pip):
    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "a.ipynb"
    cells = [
        new_markdown_cell(f"# Q\n\n[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({badge_url})"),
        new_code_cell(f'source = "{pip}"'),
    ]
    nbformat.write(new_notebook(cells=cells), path)
    return path


def test_correct_links_pass(tmp_path):
    path = make(tmp_path, REPO.colab_url("notebooks/a.ipynb"), REPO.pip_source)
    assert check_notebook(path, tmp_path, REPO) == []


def test_wrong_links_are_reported_and_fixed(tmp_path):
    path = make(tmp_path, "https://colab.research.google.com/github/old/x/blob/main/a.ipynb", "git+https://github.com/old/x@main")
    problems = check_notebook(path, tmp_path, REPO, fix=True)
    assert len(problems) == 2
    assert check_notebook(path, tmp_path, REPO) == []


def test_missing_badge_and_setup_are_reported(tmp_path):
    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "a.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Q")]), path)
    problems = check_notebook(path, tmp_path, REPO)
    assert any("no 'Open In Colab' badge" in p for p in problems)
    assert any("no setup cell" in p for p in problems)

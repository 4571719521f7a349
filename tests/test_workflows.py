"""The GitHub Actions workflows are valid, and the publishing commands they rely on work."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from booktools import links, release

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"


def test_workflows_pass_actionlint():
    tool_dir = Path(sys.executable).parent
    actionlint, shellcheck = tool_dir / "actionlint", tool_dir / "shellcheck"
    assert actionlint.is_file(), "actionlint is missing: `make setup` installs it (requirements.txt)"
    result = subprocess.run([str(actionlint), f"-shellcheck={shellcheck}", *sorted(map(str, WORKFLOWS.glob("*.yml")))],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """So that the test above can fail: a workflow with an unknown key and a bad expression."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stpes:\n"
                      "      - run: echo ${{ github.nonexistent.thing }}\n")
    result = subprocess.run([str(Path(sys.executable).parent / "actionlint"), str(broken)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "stpes" in result.stdout


def test_every_workflow_does_what_the_readme_says():
    workflows = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in WORKFLOWS.glob("*.yml")}
    assert set(workflows) == {"ci", "publish", "colab-drift"}
    triggers = {name: workflow[True] for name, workflow in workflows.items()}  # YAML reads `on:` as True
    assert {"push", "pull_request"} <= set(triggers["ci"])
    assert triggers["publish"]["workflow_run"]["workflows"] == ["CI"], "publishes only what passed CI"
    assert "schedule" in triggers["colab-drift"]
    steps = lambda name: [step for job in workflows[name]["jobs"].values() for step in job["steps"]]
    assert any(step.get("run") == "make test" for step in steps("ci"))
    uses = {step.get("uses", "").split("@")[0] for step in steps("publish")}
    assert {"actions/upload-pages-artifact", "actions/deploy-pages"} <= uses
    assert any("booktools.links --expect" in step.get("run", "") for step in steps("publish"))
    assert any("colab-requirements DOWNLOAD=1" in step.get("run", "") for step in steps("colab-drift"))


@pytest.fixture
def book_copy(tmp_path) -> Path:
    """The book's configuration, notebooks and release files in a temporary folder."""
    copy = tmp_path / "book"
    copy.mkdir()
    for name in ("_config.yml", "pyproject.toml", "CHANGELOG.md"):
        shutil.copy(ROOT / name, copy / name)
    shutil.copytree(ROOT / "notebooks", copy / "notebooks")
    (copy / "fa").mkdir()
    shutil.copy(ROOT / "fa" / "_config.yml", copy / "fa" / "_config.yml")
    shutil.copytree(ROOT / "fa" / "notebooks", copy / "fa" / "notebooks")
    return copy


def run_links(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "booktools.links", "--root", str(root), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_publish_config_points_every_link_at_the_new_home(book_copy):
    before = (book_copy / "_config.yml").read_text(encoding="utf-8")
    result = run_links(book_copy, "--set-repository", "owner/name")
    assert result.returncode == 0, result.stderr
    config = (book_copy / "_config.yml").read_text(encoding="utf-8")
    assert yaml.safe_load(config)["repository"]["url"] == "https://github.com/owner/name"
    assert config.count("\n") == before.count("\n"), "only the url line changed; comments stay"
    assert run_links(book_copy).returncode == 0, "every notebook's links now match"
    repo = links.Repository.from_config(book_copy / "_config.yml")
    persian = yaml.safe_load((book_copy / "fa" / "_config.yml").read_text(encoding="utf-8"))
    assert persian["repository"]["url"] == "https://github.com/owner/name", "the Persian edition moves too"
    notebooks = sorted((book_copy / "notebooks").rglob("*.ipynb")) + sorted((book_copy / "fa").rglob("*.ipynb"))
    assert len(notebooks) == 40
    for path in notebooks:
        text = path.read_text(encoding="utf-8")
        assert "your-org" not in text, f"{path.name} still names the placeholder"
        relative = path.relative_to(book_copy).as_posix()
        assert repo.colab_url(relative) in text and repo.pip_source in text
    assert "your-org" not in config
    assert run_links(book_copy, "--expect", "owner/name").returncode == 0


def test_the_publish_guard_stops_a_book_that_points_elsewhere(book_copy):
    result = run_links(book_copy, "--expect", "owner/name")
    assert result.returncode == 1
    assert "make publish-config REPO=owner/name" in result.stderr, "it says the one command to run"


def test_publish_config_refuses_what_is_not_owner_and_name(book_copy):
    assert run_links(book_copy, "--set-repository", "https://github.com/owner/name").returncode != 0
    assert "your-org" in (book_copy / "_config.yml").read_text(encoding="utf-8"), "nothing was changed"


def test_setup_cells_install_the_release_of_this_version():
    tag = links.release_tag(ROOT)
    assert tag == f"v{release.project_version()}"
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        setup = next(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        assert f'@{tag}"' in setup, f"{path.name}'s setup cell does not install {tag}"


def test_src_dlbook_is_the_release_its_version_names():
    reason = release.unreleased_reason()
    assert reason is None, reason


def test_a_change_to_dlbook_needs_a_release_and_the_release_command_makes_it(book_copy, tmp_path):
    package = tmp_path / "dlbook"
    shutil.copytree(release.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    assert release.unreleased_reason(book_copy, package) is None
    (package / "display.py").write_text((package / "display.py").read_text() + "\n# a change\n")
    assert "make release VERSION=" in release.unreleased_reason(book_copy, package)

    with pytest.raises(SystemExit):
        release.release(release.project_version(book_copy), book_copy, package)  # not newer
    major, minor, patch = map(int, release.project_version(book_copy).split("."))
    new = f"{major}.{minor + 1}.0"
    release.release(new, book_copy, package, today="2030-01-01")
    assert release.project_version(book_copy) == new
    assert release.unreleased_reason(book_copy, package) is None
    assert f"## {new} (2030-01-01)" in (book_copy / "CHANGELOG.md").read_text(encoding="utf-8")
    assert run_links(book_copy).returncode == 0, "the setup cells now install the new tag"
    assert f"@v{new}" in (book_copy / "notebooks" / "conv-backprop.ipynb").read_text(encoding="utf-8")

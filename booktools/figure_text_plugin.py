"""pytest plugin (``pyproject.toml`` loads it): the kernels nbval starts check their figures'
text (:mod:`booktools.figure_text`), and each knows which notebook it runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from booktools import figure_text


def pytest_configure(config) -> None:
    figure_text.use_in_kernels()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item) -> None:
    """Before nbval starts a notebook's kernel (at its first cell), name the notebook for it."""
    path = Path(str(item.fspath))
    if path.suffix == ".ipynb":
        os.environ[figure_text.NOTEBOOK_VAR] = path.stem

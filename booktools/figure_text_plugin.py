"""pytest plugin (``pyproject.toml`` loads it): the kernels nbval starts check their figures'
text (:mod:`booktools.figure_text`)."""

from __future__ import annotations

from booktools import figure_text


def pytest_configure(config) -> None:
    figure_text.use_in_kernels()

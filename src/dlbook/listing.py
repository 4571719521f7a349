"""Show the source code of a ``dlbook`` function or class on the page.

A chapter whose answer *is* code (a module, a network, a recipe) keeps that
code in ``dlbook`` so the tests and the benchmarks run exactly what the
page shows; :func:`show_source` puts it on the page as highlighted Python.
"""

from __future__ import annotations

import inspect
import textwrap

from dlbook.display import show_markdown


def source_text(*objects) -> str:
    """The source of ``objects`` (functions, classes, methods), dedented, blank line between."""
    if not objects:
        raise ValueError("name at least one function or class to show")
    parts = []
    for item in objects:
        try:
            parts.append(textwrap.dedent(inspect.getsource(item)).rstrip())
        except (TypeError, OSError) as error:
            raise ValueError(f"no source available for {item!r}: {error}") from None
    return "\n\n\n".join(parts)


def show_source(*objects) -> None:
    """Render the source of ``objects`` as one Python code block (printed outside Jupyter)."""
    show_markdown(f"```python\n{source_text(*objects)}\n```")

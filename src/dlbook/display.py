"""Show rich text in a notebook and plain text elsewhere."""

from __future__ import annotations


def show_markdown(text: str) -> None:
    """Render ``text`` as Markdown in Jupyter; print it in a plain interpreter."""
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:
        print(text)
        return
    if get_ipython() is None:
        print(text)
    else:
        display(Markdown(text))


def markdown_table(header: list[str], rows: list[list[object]]) -> str:
    """A Markdown table from a header and rows of cells."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)

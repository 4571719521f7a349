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


def _cell(value: object) -> str:
    # A "|" inside a cell (an absolute value, |x|) would end the cell: escape it.
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(header: list[str], rows: list[list[object]]) -> str:
    """A Markdown table from a header and rows of cells (pipes in cells are escaped)."""
    widths = {len(row) for row in rows}
    if widths - {len(header)}:
        raise ValueError(f"every row needs {len(header)} cells, got rows of {sorted(widths)}")
    lines = ["| " + " | ".join(map(_cell, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(_cell, row)) + " |" for row in rows]
    return "\n".join(lines)

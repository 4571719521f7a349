"""dlbook.display: Markdown tables that survive any cell content."""

from __future__ import annotations

import pytest

from dlbook.display import markdown_table


def test_markdown_table_layout():
    assert markdown_table(["a", "b"], [[1, 2.5], ["x", None]]) == (
        "| a | b |\n|---|---|\n| 1 | 2.5 |\n| x | None |"
    )


def test_pipes_and_newlines_inside_cells_do_not_break_the_table():
    table = markdown_table(["sum / Σ|w|", "note"], [["|x|", "two\nlines"]])
    assert table.splitlines() == ["| sum / Σ\\|w\\| | note |", "|---|---|", "| \\|x\\| | two lines |"]


def test_rows_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError, match="every row needs 2 cells"):
        markdown_table(["a", "b"], [[1, 2], [3]])

"""Sphinx extension: the References page labels entries as the text cites them, by author and year.

``bibtex_reference_style: author_year`` makes in-text citations read "[Goodfellow et al., 2016]",
but pybtex's formatting styles label the bibliography itself "[GBC16]", so a click on a citation
landed on a label that looked unrelated, and alpha labels built from accented names came out
garbled ("GDollarG+17" for Dollár). This registers a pybtex label style that writes the same
"Goodfellow et al., 2016" (accents decoded from LaTeX), and a formatting style, ``author_year``,
that uses it and sorts by author and year. ``_config.yml`` selects it with ``bibtex_default_style``.
"""

from __future__ import annotations

import unicodedata

from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle


def _last_name(person) -> str:
    return " ".join(part.render_as("text") for part in person.rich_prelast_names + person.rich_last_names)


def author_year_label(entry) -> str:
    """``Last, year``, ``Last and Other, year`` or ``Last et al., year``; an organisation without
    authors is named by its ``key`` or ``organization`` field."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    if not people:
        names = entry.fields.get("organization") or entry.fields.get("key") or entry.key
    elif len(people) == 1:
        names = _last_name(people[0])
    elif len(people) == 2:
        names = f"{_last_name(people[0])} and {_last_name(people[1])}"
    else:
        names = f"{_last_name(people[0])} et al."
    return f"{names}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        labels = [author_year_label(entry) for entry in sorted_entries]
        # Two works of the same authors and year: 2016a, 2016b, as the in-text citations cannot tell them apart.
        for label in set(labels):
            places = [i for i, other in enumerate(labels) if other == label]
            if len(places) > 1:
                for letter, i in zip("abcdefghijklmnopqrstuvwxyz", places):
                    labels[i] = f"{label}{letter}"
        yield from labels


class AuthorYearSortingStyle(BaseSortingStyle):
    """By the label's names as a reader sees them (accents decoded, then ignored), then by year:
    "Çiçek" sorts under C, not after "Z"."""

    def sorting_key(self, entry):
        plain = unicodedata.normalize("NFKD", author_year_label(entry))
        return ("".join(c for c in plain if not unicodedata.combining(c)).casefold(),
                entry.fields.get("title", ""))


class AuthorYearStyle(UnsrtStyle):
    default_label_style = AuthorYearLabelStyle
    default_sorting_style = AuthorYearSortingStyle


register_plugin("pybtex.style.labels", "author_year", AuthorYearLabelStyle)
register_plugin("pybtex.style.sorting", "author_year", AuthorYearSortingStyle)
register_plugin("pybtex.style.formatting", "author_year", AuthorYearStyle)


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}

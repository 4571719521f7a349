"""The Persian edition (fa/): in step with the English, computing the same things, typeset by rule.

How it works: booktools/translation.py (and fa/TRANSLATING.md); the typography: booktools/persian.py.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest
import yaml

from booktools import persian, translation
from booktools.links import _BADGE, Repository

ROOT = Path(__file__).resolve().parent.parent
FA = ROOT / "fa"
PAGES = translation.english_pages(ROOT)
NOTEBOOK_PAGES = [page for page in PAGES if page.endswith(".ipynb")]


def _toc_files(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [yaml.safe_load(text)["root"]] + re.findall(r"file: (\S+)", text)


def test_the_persian_toc_lists_the_english_pages_in_order():
    assert _toc_files(FA / "_toc.yml") == _toc_files(ROOT / "_toc.yml")


def test_every_persian_page_is_in_step_with_its_english_page():
    """Code, outputs, metadata and cell structure as `sync` writes them (it changes nothing)."""
    assert translation.sync(ROOT, check=True) == [], (
        "the Persian edition differs from what `python -m booktools.translation sync` writes: run it")


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_code_cells_and_outputs_are_the_english_ones_byte_for_byte(page):
    english = json.loads((ROOT / page).read_text(encoding="utf-8"))
    translated = json.loads((FA / page).read_text(encoding="utf-8"))
    assert [cell["id"] for cell in translated["cells"]] == [cell["id"] for cell in english["cells"]]
    code = [(e, t) for e, t in zip(english["cells"], translated["cells"]) if e["cell_type"] == "code"]
    for english_cell, cell in code:
        assert cell["cell_type"] == "code" and cell["source"] == english_cell["source"], cell["id"]
        assert cell["outputs"] == english_cell["outputs"], f"{page}: outputs of cell {cell['id']} differ"
        assert cell.get("execution_count") == english_cell.get("execution_count")
        metadata = json.loads(json.dumps(cell["metadata"]))
        metadata.pop(translation.META_KEY, None)
        for path in translation.CODE_FIELDS.values():  # the translated alt text and fold label
            for meta in (metadata, english_cell["metadata"]):
                assert translation._get(meta, path) is None or isinstance(translation._get(meta, path), str)
        assert _without_fields(metadata) == _without_fields(english_cell["metadata"]), cell["id"]
    metadata = dict(translated["metadata"])
    assert metadata.pop(translation.META_KEY) == {"language": "fa", "english": page}
    assert metadata == english["metadata"], "the notebook's metadata (provenance, timings) is the English one"


def _without_fields(metadata: dict) -> dict:
    copied = json.loads(json.dumps(metadata))
    for path in translation.CODE_FIELDS.values():
        node = copied
        for name in path[:-1]:
            node = node.get(name, {})
        node.pop(path[-1], None)
    return copied


@pytest.mark.parametrize("page", PAGES)
def test_every_unit_is_translated_from_the_current_english(page):
    lines = translation.stale(ROOT, [page])
    assert lines == [], (f"{len(lines)} units of fa/{page} are stale or untranslated (update them: "
                         "fa/TRANSLATING.md):\n" + "\n".join(lines[:20]))


def _tiny_book(tmp_path: Path) -> Path:
    """A copy of one chapter and its Persian twin as a book of its own."""
    page = "notebooks/conv-backprop.ipynb"
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "fa" / "notebooks").mkdir(parents=True)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: notebooks/conv-backprop\n", encoding="utf-8")
    shutil.copy(ROOT / page, tmp_path / page)
    shutil.copy(FA / page, tmp_path / "fa" / page)
    shutil.copy(FA / "terms.toml", tmp_path / "fa" / "terms.toml")
    return tmp_path


def _translate_first_unit(root: Path, page: str) -> str:
    work = translation.export(page, root, everything=True)
    first = re.search(r"^######## unit (\S+) ", work, re.M).group(1)
    unit = next(unit for unit in translation.units(page, root) if unit.key == first)
    persian_text = ("ترجمه‌ای آزمایشی " + " ".join(sorted(persian.numbers(unit.english))) + " "
                    + " ".join(sorted(persian.maths(unit.english))))
    header, body = work.split("\n######## unit ", 1)
    block = body.split("\n######## unit ", 1)[0]
    block = block.split(translation._PERSIAN_LINE)[0] + translation._PERSIAN_LINE + persian_text + "\n"
    assert translation.import_work(header + "\n######## unit " + block, root) == []
    return first


def test_editing_an_english_cell_makes_its_translation_stale(tmp_path):
    root = _tiny_book(tmp_path)
    page = "notebooks/conv-backprop.ipynb"
    key = _translate_first_unit(root, page)
    assert not any(f"unit {key} " in line for line in translation.stale(root))
    notebook = json.loads((root / page).read_text(encoding="utf-8"))
    cell = next(cell for cell in notebook["cells"] if cell["id"] == key)
    cell["source"] = "".join(cell["source"]).replace("question", "questions", 1)
    translation.write_notebook(notebook, root / page)
    stale = [line for line in translation.stale(root) if f"unit {key} " in line]
    assert stale == [f"fa/{page}: unit {key} is stale: "
                     f"{translation.units(page, root)[0].label!r}"], translation.stale(root)[:3]
    # The translation is kept (to revise), and the work file shows it with the new English.
    assert "ترجمه‌ای آزمایشی" in translation.export(page, root)


def test_editing_an_english_code_cell_puts_the_persian_notebook_out_of_step(tmp_path):
    root = _tiny_book(tmp_path)
    page = "notebooks/conv-backprop.ipynb"
    notebook = json.loads((root / page).read_text(encoding="utf-8"))
    cell = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
    cell["source"] = "".join(cell["source"]) + "\n# changed"
    translation.write_notebook(notebook, root / page)
    assert translation.sync(root, check=True) == [page]
    translation.sync(root)
    persian_cell = next(c for c in json.loads((root / "fa" / page).read_text(encoding="utf-8"))["cells"]
                        if c["id"] == cell["id"])
    assert "".join(persian_cell["source"]).endswith("# changed")


def test_import_refuses_a_translation_that_changes_a_number(tmp_path):
    root = _tiny_book(tmp_path)
    page = "notebooks/conv-backprop.ipynb"
    work = translation.export(page, root, everything=True)
    header, body = work.split("\n######## unit ", 1)
    block = body.split("\n######## unit ", 1)[0]
    block = block.split(translation._PERSIAN_LINE)[0] + translation._PERSIAN_LINE + "پرسش ۹۹۹\n"
    before = (root / "fa" / page).read_text(encoding="utf-8")
    problems = translation.import_work(header + "\n######## unit " + block, root)
    assert problems and "numbers differ" in problems[0] and "999" in problems[0]
    assert (root / "fa" / page).read_text(encoding="utf-8") == before


@pytest.mark.parametrize("page", PAGES)
def test_persian_typography_follows_the_rules(page):
    lines = translation.lint(ROOT, [page])
    assert lines == [], "\n".join(lines[:20]) + "\n(python -m booktools.translation fix applies the rules)"


@pytest.mark.parametrize("page", PAGES)
def test_glossary_terms_are_used_as_listed(page):
    lines = translation.term_problems(ROOT, [page])
    assert lines == [], "\n".join(lines)


@pytest.mark.parametrize("page", PAGES)
def test_translations_keep_the_english_numbers(page):
    """A translated unit writes exactly the numbers its English text writes (in Persian digits)."""
    for unit in translation.units(page, ROOT):
        if unit.persian is None:
            continue
        missing, extra = translation.number_mismatches(unit)
        assert not missing and not extra, f"fa/{page} {unit.key}: missing {missing}, added {extra}"


@pytest.mark.parametrize("page", PAGES)
def test_translations_keep_the_english_formulas(page):
    """A translated unit writes the formulas of its English text, character for character."""
    for unit in translation.units(page, ROOT):
        if unit.persian is not None:
            english, translated = persian.maths(unit.english), persian.maths(unit.persian)
            assert translated == english, (f"fa/{page} {unit.key}: formulas not in the English "
                                           f"{sorted(translated - english)}, missing {sorted(english - translated)}")


def test_the_glossary_pairs_every_english_term_with_its_persian():
    glossary = (FA / "book" / "glossary.md").read_text(encoding="utf-8")
    terms = tomllib.loads((FA / "terms.toml").read_text(encoding="utf-8"))["glossary"]
    english_terms = re.findall(r"^(\S[^\n]*)\n  ", (ROOT / "book" / "glossary.md").read_text(encoding="utf-8"),
                               re.M)
    assert set(terms) == {term for term in english_terms if term in terms} == set(english_terms) - {"```"}
    for english, persian_term in terms.items():
        expected = f"\n{english}\n" + (f"{persian_term}\n" if persian_term != english else "")
        assert expected in glossary, f"the Persian glossary does not pair {english!r} with {persian_term!r}"


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_colab_badges_open_the_persian_notebook(page):
    repo = Repository.from_config(ROOT / "_config.yml")
    title = json.loads((FA / page).read_text(encoding="utf-8"))["cells"][0]
    badge = _BADGE.search("".join(title["source"]))
    assert badge is not None and badge.group("url") == repo.colab_url(f"fa/{page}"), badge


def test_the_persian_config_follows_the_english_one():
    english = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    fa = yaml.safe_load((FA / "_config.yml").read_text(encoding="utf-8"))
    assert fa["repository"]["url"] == english["repository"]["url"]
    assert fa["repository"]["path_to_book"] == "fa"
    assert fa["sphinx"]["config"]["language"] == "fa"
    assert set(english["sphinx"]["local_extensions"]) <= set(fa["sphinx"]["local_extensions"])
    assert english["sphinx"]["config"]["edition_switch"]["href"] == "fa/"
    assert fa["sphinx"]["config"]["edition_switch"]["href"] == "../"
    for key in ("execute", "parse", "launch_buttons"):
        assert fa[key] == english[key], key


# --------------------------------------------------------------------------- the typography rules

@pytest.mark.parametrize("written, expected", [
    ("شبکه ها در 12 دوره", "شبکه\u200cها در ۱۲ دوره"),
    ("به 86.8% می رسد, نه 2,400", "به ۸۶٫۸٪ می\u200cرسد، نه ۲٬۴۰۰"),
    ("چرا؟ چون بزرگ تر و شبکه ای است; شده اند?", "چرا؟ چون بزرگ\u200cتر و شبکه\u200cای است؛ شده\u200cاند؟"),
    ("كتاب عربي", "کتاب عربی"),
    ("با `lr=0.01` و $x^2$ و [پیوند](../a-3.md)", "با `lr=0.01` و $x^2$ و [پیوند](../a-3.md)"),
    ("لایهٔ Conv۱D(۱۶، kernel ۳) → Dense(5) در ۲ گام", "لایهٔ Conv1D(16, kernel 3) → Dense(5) در ۲ گام"),
    ("{term}`گام 2 <Stride>`", "{term}`گام ۲ <Stride>`"),
    ("All English, 12, stays.", "All English, 12, stays."),
    ("فهرست:\n۱. یکم 2 بار\n2. دوم\n", "فهرست:\n1. یکم ۲ بار\n2. دوم\n"),  # Markdown reads only 1. as a list
    ("سوبل$/4$ و $x_0 + 8$", "سوبل$/4$ و $x_0 + 8$"),
    # a Persian line lays out an exponent, a sign or an expression backwards: a left-to-right isolate
    ("نرخ ۵×۱۰⁻⁴ و بازهٔ (−۰٫۷ تا +۶٫۳) و −۶٪", "نرخ \u2066۵×۱۰⁻⁴\u2069 و بازهٔ (\u2066−۰٫۷\u2069 تا \u2066+۶٫۳\u2069) و \u2066−۶\u2069٪"),
    ("پس ۱ + ۲×۳ = ۷ است", "پس \u2066۱ + ۲×۳ = ۷\u2069 است"),
    ("وزن ۳·۳·۱۰ و CNN ۱-بعدی", "وزن \u2066۳×۳×۱۰\u2069 و CNN یک\u200cبعدی"),  # · looked like ۰
    ("از ۵۶ → ۵۰ (ادغام (pooling)) → ۲۵", "از ۵۶ ← ۵۰ (ادغام (pooling)) ← \u200f۲۵"),  # Persian chains point left
    ("لایهٔ MaxPool1D(2) →\n   Conv1D(64, 5) در مدل", "لایهٔ MaxPool1D(2) →\n   Conv1D(64, 5) در مدل"),
    ("با η = 0.1 و CNN ۲ لایه", "با η = \u200f۰٫۱ و CNN \u200f۲ لایه"),  # bidi rule W7: a mark before the number
    ("خطی که به\n64. این ماژول", "خطی که به\n۶۴. این ماژول"),  # a wrapped line, not a list item
])
def test_typography_rules(written, expected):
    assert persian.fix(written) == expected
    assert persian.fix(expected) == expected
    assert persian.numbers(written) == persian.numbers(expected)


def test_fenced_code_and_directive_options_keep_their_characters():
    text = ("متن 1\n```python\nx = 1, 2\n```\n:::{admonition} پاسخ 3\n:class: tip\nمتن 4\n:::\n"
            "```{include} _generated/part2.md\n```\n```{glossary}\nStride\nگام\n  گام 2\n```\n")
    assert persian.fix(text) == (
        "متن ۱\n```python\nx = 1, 2\n```\n:::{admonition} پاسخ ۳\n:class: tip\nمتن ۴\n:::\n"
        "```{include} _generated/part2.md\n```\n```{glossary}\nStride\nگام\n  گام ۲\n```\n")


def test_the_persian_landing_page_and_running_page_are_generated_in_persian(tmp_path):
    """booktools.overview writes the Persian edition's cards and timing table in Persian, numbers in
    Persian digits: a training chapter's recorded headline, a concept chapter's translated card line."""
    from booktools import overview

    shutil.copytree(FA, tmp_path / "fa", ignore=shutil.ignore_patterns("_build"))
    out = overview.generate(tmp_path / "fa")
    cards = (out / "overview.md").read_text(encoding="utf-8")
    assert overview.edition_language(tmp_path / "fa") == "fa"
    inception = cards.split(":::{grid-item-card} ۷.")[1].split(":::")[0]
    assert "دقت آزمون" in inception and "بازهٔ اطمینان ۹۵٪" in inception and "٪" in inception, inception
    assert not re.search(r"\d+\.\d+%", cards), "a card writes a percentage the English way"
    assert "پارامتر" in cards.split(":::{grid-item-card} ۳.")[1].split(":::")[0]
    timings = (out / "timings.md").read_text(encoding="utf-8")
    assert timings.startswith("مدت اجرای هر فصل") and "| فصل |" in timings and "**جمع**" in timings


def test_import_refuses_a_translation_that_changes_a_formula(tmp_path):
    root = _tiny_book(tmp_path)
    page = "notebooks/conv-backprop.ipynb"
    unit = next(u for u in translation.units(page, root) if persian.maths(u.english))
    work = translation.export(page, root, everything=True)
    header, body = work.split("\n######## unit ", 1)
    block = next(b for b in body.split("\n######## unit ") if b.startswith(unit.key + " "))
    wrong = unit.persian.replace("$", "$\\,", 1) if unit.persian else None
    assert wrong and wrong != unit.persian
    block = block.split(translation._PERSIAN_LINE)[0] + translation._PERSIAN_LINE + wrong + "\n"
    problems = translation.import_work(header + "\n######## unit " + block, root)
    assert problems and "formulas differ" in problems[0], problems


def test_moving_the_book_stales_no_translation():
    """`booktools.links --set-repository` rewrites every title cell's Colab badge; the hash a
    translation records leaves the badge's address out, so no Persian title goes stale."""
    badge = "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({})"
    title = "# A question\n\n" + badge + "\n\nThe text."
    here = title.format("https://colab.research.google.com/github/your-org/book/blob/main/notebooks/a.ipynb")
    moved = title.format("https://colab.research.google.com/github/owner/name/blob/main/notebooks/a.ipynb")
    assert translation.sha(here) == translation.sha(moved)
    assert translation.sha(here) != translation.sha(here.replace("The text.", "Other text."))

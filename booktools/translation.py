"""The Persian edition (``fa/``), kept in step with the English one.

Every page of the English book has a Persian twin at the same path under
``fa/``. A Persian notebook is its English notebook with the Markdown cells
translated: the code cells, their outputs and the notebook's metadata are
copied byte for byte (``sync``), so both editions show the same computations.
Each translated unit records the SHA-256 (first 16 hex digits) of the English
text it translates:

- a Markdown cell, in its metadata: ``{"translation": {"english_sha256": ...}}``;
- a section of a Markdown page (``book/*.md``, cut before each heading), in a
  MyST comment line above it: ``% translation: english_sha256=...``.

When an English unit changes, its hash no longer matches and ``status`` (and
the tests) name the page and the unit until the translation is updated.

    python -m booktools.translation status          what is stale or untranslated (exit 1 if any)
    python -m booktools.translation sync            copy code, outputs and structure from the English
    python -m booktools.translation sync --check    fail if sync would change anything
    python -m booktools.translation export PAGE [-o FILE] [--all]
                                                    a work file: each stale or untranslated unit's
                                                    English text with room for its Persian (--all: every unit)
    python -m booktools.translation import FILE     write a work file's Persian back, typography fixed
    python -m booktools.translation lint [PAGE]     Persian typography (booktools.persian) and terms
    python -m booktools.translation fix             apply the typography rules to every translation

``PAGE`` is an English page's path (``notebooks/inception.ipynb``,
``book/intro.md``). A work file is plain text a translator edits; ``import``
refuses one whose numbers differ from the English unit's (a translation writes
the same numbers, in Persian digits).
"""

from __future__ import annotations

import argparse
import copy
import difflib
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from booktools import persian

ROOT = Path(__file__).resolve().parent.parent
EDITION = "fa"
META_KEY = "translation"
SHA_KEY = "english_sha256"
_PAGE_MARK = re.compile(r"^% translation: english_sha256=(?P<sha>[0-9a-f]{16}|untranslated)[ \t]*\n", re.M)
_HEADING = re.compile(r"^#{1,6} ")
_FENCE = re.compile(r"^(`{3,}|~{3,}|:{3,})")


def sha(text: str) -> str:
    """The hash a translation records of its English text (trailing whitespace ignored). The Colab
    badge's address is left out: it changes when the book moves (``booktools.links``), never what
    a reader is told, so moving the book stales no translation."""
    from booktools.links import _BADGE

    text = _BADGE.sub("[![Open In Colab]]", text)
    normal = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:16]


def english_pages(root: Path = ROOT) -> list[str]:
    """Every page of the English book, as paths relative to ``root``, in table-of-contents order."""
    from booktools.overview import toc_entries

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    paths = []
    for page in [toc["root"]] + [node["file"] for _, node in toc_entries(root)]:
        for suffix in (".ipynb", ".md"):
            if (root / f"{page}{suffix}").exists():
                paths.append(f"{page}{suffix}")
                break
        else:
            raise SystemExit(f"_toc.yml lists {page}, which is neither {page}.ipynb nor {page}.md")
    return paths


def persian_path(page: str, root: Path = ROOT) -> Path:
    return root / EDITION / page


# --------------------------------------------------------------------------- units


@dataclass
class Unit:
    """One piece of translatable text: a Markdown cell, or a section of a Markdown page."""

    key: str  # a cell's id, or a section's number on a page
    english: str
    persian: str | None  # None: never translated
    recorded: str | None  # the English hash the translation records

    @property
    def state(self) -> str:
        if self.persian is None or self.recorded is None:
            return "untranslated"
        return "ok" if self.recorded == sha(self.english) else "stale"

    @property
    def label(self) -> str:
        first = next((line.strip() for line in self.english.splitlines() if line.strip()), "")
        return first[:70]


# The text of a code cell's metadata that a reader sees: a figure's alt text, a fold's label.
CODE_FIELDS = {"alt": ("mystnb", "image", "alt"), "show": ("mystnb", "code_prompt_show")}


def _field(key: str) -> str:
    """Where a unit's hash is recorded in its cell's ``translation`` metadata."""
    return key.split("/", 1)[1] if "/" in key else SHA_KEY


def _get(mapping: dict, path: tuple[str, ...]):
    for name in path:
        if not isinstance(mapping, dict) or name not in mapping:
            return None
        mapping = mapping[name]
    return mapping


def _set(mapping: dict, path: tuple[str, ...], value: str) -> None:
    for name in path[:-1]:
        mapping = mapping.setdefault(name, {})
    mapping[path[-1]] = value


def _cell_texts(cell: dict) -> dict[str, str]:
    """A cell's translatable texts by unit key: a Markdown cell's source (key: its id); a code cell's
    alt text and fold label (keys ``<id>/alt``, ``<id>/show``)."""
    if cell["cell_type"] == "markdown":
        return {cell["id"]: _source(cell)}
    texts = {}
    for name, path in CODE_FIELDS.items():
        value = _get(cell.get("metadata", {}), path)
        if isinstance(value, str):
            texts[f"{cell['id']}/{name}"] = value
    return texts


def _read_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def write_notebook(notebook: dict, path: Path) -> None:
    """The book's notebook format: indent 1, sorted keys, UTF-8, a final newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _as_lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def page_sections(text: str) -> list[str]:
    """A Markdown page cut before each heading (outside fences); the pieces join back to ``text``."""
    sections, current, fence = [], [], None
    for line in text.splitlines(keepends=True):
        opened = _FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)[0] * 3
        elif fence is not None and line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
            fence = None
        if fence is None and _HEADING.match(line) and any(part.strip() for part in current):
            sections.append("".join(current))
            current = []
        current.append(line)
    if current:
        sections.append("".join(current))
    return sections


def _persian_sections(text: str) -> list[tuple[str | None, str]]:
    """``(recorded hash, text)`` of each section of a Persian page, split at its marks."""
    marks = list(_PAGE_MARK.finditer(text))
    sections = []
    for mark, following in zip(marks, marks[1:] + [None]):
        body = text[mark.end():following.start() if following else len(text)]
        recorded = None if mark.group("sha") == "untranslated" else mark.group("sha")
        sections.append((recorded, body))
    return sections


def units(page: str, root: Path = ROOT) -> list[Unit]:
    """The translatable units of an English page, each with its Persian translation as committed."""
    english_path, target = root / page, persian_path(page, root)
    if page.endswith(".ipynb"):
        translated = {}
        if target.exists():
            for cell in _read_notebook(target)["cells"]:
                for key, text in _cell_texts(cell).items():
                    translated[key] = (text, cell.get("metadata", {}).get(META_KEY, {}).get(_field(key)))
        found = []
        for cell in _read_notebook(english_path)["cells"]:
            for key, text in _cell_texts(cell).items():
                persian_text, recorded = translated.get(key, (None, None))
                found.append(Unit(key, text, persian_text if recorded else None, recorded))
        return found
    sections = page_sections(english_path.read_text(encoding="utf-8"))
    old = _persian_sections(target.read_text(encoding="utf-8")) if target.exists() else []
    return [Unit(str(index), text, *_align_one(index, sections, old))
            for index, text in enumerate(sections)]


def _align_one(index: int, sections: list[str], old: list[tuple[str | None, str]]):
    """The Persian section translating English section ``index``: the one recording its hash, else
    the one at the same place in a stretch where the page changed, else none."""
    wanted = [sha(text) for text in sections]
    recorded = [mark for mark, _ in old]
    matcher = difflib.SequenceMatcher(a=wanted, b=recorded, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if a0 <= index < a1:
            if tag == "equal" or (tag == "replace" and a1 - a0 == b1 - b0):
                mark, body = old[b0 + index - a0]
                return (body, mark) if mark else (None, None)
            return None, None
    return None, None


# --------------------------------------------------------------------------- sync


def _colab_fa(text: str, page: str) -> str:
    """Point the English Colab badge of ``page`` at its Persian notebook."""
    return re.sub(rf"(/blob/[^/)\s]+/){re.escape(page)}\)", rf"\g<1>{EDITION}/{page})", text)


def synced_notebook(page: str, root: Path = ROOT, accepted: dict[str, str] | None = None) -> dict:
    """The Persian notebook of ``page`` as it should be: the English notebook, with each unit's
    committed translation (``accepted``: new ones, for the current English text), or the English
    text, recorded as untranslated, where there is none."""
    english = _read_notebook(root / page)
    accepted = accepted or {}
    by_key = {unit.key: unit for unit in units(page, root)}
    notebook = copy.deepcopy(english)
    for cell in notebook["cells"]:
        record = {}
        for key, text in _cell_texts(cell).items():
            unit = by_key[key]
            if key in accepted:
                translated, recorded = accepted[key], sha(unit.english)
            elif unit.persian is not None:
                translated, recorded = unit.persian, unit.recorded
            else:
                translated, recorded = text, None
            record[_field(key)] = recorded
            if "/" in key:
                _set(cell["metadata"], CODE_FIELDS[_field(key)], translated)
            else:
                cell["source"] = _as_lines(translated)
        if record:
            cell["metadata"][META_KEY] = record
    notebook["metadata"][META_KEY] = {"language": EDITION, "english": page}
    return notebook


def synced_page(page: str, root: Path = ROOT) -> str:
    parts = []
    for unit in units(page, root):
        mark = unit.recorded if unit.persian is not None else "untranslated"
        body = unit.persian if unit.persian is not None else unit.english
        parts.append(f"% translation: english_sha256={mark}\n{body}")
    return "".join(parts)


def sync(root: Path = ROOT, *, check: bool = False) -> list[str]:
    """Bring every Persian page in line with its English page; return the pages that changed
    (with ``check``, the pages that would change, nothing written)."""
    changed = []
    for page in english_pages(root):
        target = persian_path(page, root)
        if page.endswith(".ipynb"):
            text = json.dumps(synced_notebook(page, root), indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        else:
            text = synced_page(page, root)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            changed.append(page)
            if not check:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    return changed


# --------------------------------------------------------------------------- status


def stale(root: Path = ROOT, pages: list[str] | None = None) -> list[str]:
    """One line per unit whose translation is missing or older than its English text."""
    lines = []
    for page in pages or english_pages(root):
        for unit in units(page, root):
            if unit.state != "ok":
                where = f"unit {unit.key}" if page.endswith(".ipynb") else f"section {unit.key}"
                lines.append(f"{EDITION}/{page}: {where} is {unit.state}: {unit.label!r}")
    return lines


def number_mismatches(unit: Unit) -> tuple[set[str], set[str]]:
    """Numbers the English unit writes that its translation does not, and the reverse."""
    english, translated = persian.numbers(unit.english), persian.numbers(unit.persian or "")
    return english - translated, translated - english


def lint(root: Path = ROOT, pages: list[str] | None = None) -> list[str]:
    """Typography problems (booktools.persian) in every translated unit."""
    lines = []
    for page in pages or english_pages(root):
        for unit in units(page, root):
            if unit.persian is not None:
                lines += [f"{EDITION}/{page} {unit.key}: {problem}" for problem in persian.problems(unit.persian)]
    return lines


def terms(root: Path = ROOT) -> dict[str, str]:
    """The glossary's English terms and their Persian (``fa/terms.toml``)."""
    import tomllib

    return tomllib.loads((root / EDITION / "terms.toml").read_text(encoding="utf-8"))["glossary"]


def variants(root: Path = ROOT) -> dict[str, str]:
    """Forms the translation does not use, and the form it uses instead (``fa/terms.toml``)."""
    import tomllib

    return tomllib.loads((root / EDITION / "terms.toml").read_text(encoding="utf-8")).get("variants", {})


def with_preferred_terms(text: str, root: Path = ROOT) -> str:
    """``text`` with each variant of ``fa/terms.toml`` replaced by the form the translation uses."""
    for variant, preferred in sorted(variants(root).items(), key=lambda item: -len(item[0])):
        text = _variant_pattern(variant).sub(preferred, text)
    return text


def _variant_pattern(variant: str) -> re.Pattern:
    """``variant``, also where a line break falls between its words."""
    return re.compile(r"\s+".join(map(re.escape, variant.split(" "))))


def term_problems(root: Path = ROOT, pages: list[str] | None = None) -> list[str]:
    """Where a Persian page strays from the term list: its English page uses a glossary term and
    the Persian page never writes that term's Persian, or never gives the English in parentheses."""
    lines = []
    for page in pages or english_pages(root):
        if page.endswith("glossary.md"):
            continue
        found = units(page, root)
        english = "\n".join(unit.english for unit in found)
        translated = "\n".join(unit.persian or "" for unit in found)
        for variant, preferred in variants(root).items():
            if _variant_pattern(variant).search(translated):
                lines.append(f"{EDITION}/{page}: writes {variant!r}; the edition writes {preferred!r}")
        for term, persian_term in terms(root).items():
            if not re.search(rf"(?<![\w-]){re.escape(term)}(?:s|es)?(?![\w-])", english, re.I):
                continue
            if persian_term not in translated:
                lines.append(f"{EDITION}/{page}: the English uses {term!r}; the Persian never writes {persian_term!r}")
            elif persian_term != term and not re.search(rf"\(\s*{re.escape(term)}", translated, re.I):
                lines.append(f"{EDITION}/{page}: {persian_term!r} never gives the English in parentheses, "
                             f"'{persian_term} ({term.lower()})'")
    return lines


def fix_typography(root: Path = ROOT) -> list[str]:
    """Apply :func:`booktools.persian.fix` and the preferred terms to every translated unit, keeping
    what each records (after a change to the rules or the terms); return the pages that changed."""
    changed = []
    for page in english_pages(root):
        found = [unit for unit in units(page, root) if unit.persian is not None]
        fixed = {unit.key: persian.fix(with_preferred_terms(unit.persian, root)) for unit in found}
        if all(fixed[unit.key] == unit.persian for unit in found):
            continue
        changed.append(page)
        target = persian_path(page, root)
        if page.endswith(".ipynb"):
            notebook = _read_notebook(target)
            for cell in notebook["cells"]:
                for key in _cell_texts(cell):
                    if key in fixed:
                        if "/" in key:
                            _set(cell["metadata"], CODE_FIELDS[_field(key)], fixed[key])
                        else:
                            cell["source"] = _as_lines(fixed[key])
            write_notebook(notebook, target)
        else:
            text = target.read_text(encoding="utf-8")
            for unit in found:
                text = text.replace(unit.persian, fixed[unit.key], 1)
            target.write_text(text, encoding="utf-8")
    return changed


# --------------------------------------------------------------------------- work files

_WORK_UNIT = re.compile(r"^#{8} unit (?P<key>\S+) · english (?P<sha>[0-9a-f]{16}) · \w+\n", re.M)
_ENGLISH_LINE, _PERSIAN_LINE = "-------- english (leave as it is)\n", "-------- persian\n"


def export(page: str, root: Path = ROOT, *, everything: bool = False) -> str:
    """A work file for ``page``: every stale or untranslated unit (``everything``: every unit)."""
    header = (f"<!-- work file: {page} -> {EDITION}/{page}. Write the Persian of each unit under its\n"
              f"     '-------- persian' line (a stale unit shows its old translation there); keep the\n"
              f"     other lines. Then: python -m booktools.translation import THIS_FILE -->\n")
    parts = [header, f"page: {page}\n"]
    for unit in units(page, root):
        if unit.state == "ok" and not everything:
            continue
        english = unit.english.rstrip("\n") + "\n"
        persian_text = (unit.persian or "").rstrip("\n") + "\n"
        parts.append(f"\n######## unit {unit.key} · english {sha(unit.english)} · {unit.state}\n"
                     f"{_ENGLISH_LINE}{english}{_PERSIAN_LINE}{persian_text}")
    return "".join(parts)


def _parse_work(text: str) -> tuple[str, dict[str, tuple[str, str]]]:
    page = re.search(r"^page: (\S+)$", text, re.M)
    if page is None:
        raise SystemExit("not a work file: no 'page:' line (make one with `export`)")
    found = {}
    marks = list(_WORK_UNIT.finditer(text))
    for mark, following in zip(marks, marks[1:] + [None]):
        body = text[mark.end():following.start() if following else len(text)]
        if _PERSIAN_LINE not in body:
            raise SystemExit(f"unit {mark.group('key')}: no '{_PERSIAN_LINE.strip()}' line")
        translated = body.split(_PERSIAN_LINE, 1)[1]
        if following is not None:
            translated = translated[:-1] if translated.endswith("\n\n") else translated
        found[mark.group("key")] = (mark.group("sha"), translated)
    return page.group(1), found


def import_work(text: str, root: Path = ROOT) -> list[str]:
    """Write a work file's translations into the Persian page; return the problems that stopped it
    (nothing is written unless every unit is well formed)."""
    page, found = _parse_work(text)
    current = {unit.key: unit for unit in units(page, root)}
    problems, accepted = [], {}
    for key, (english_sha, translated) in found.items():
        unit = current.get(key)
        if unit is None:
            problems.append(f"unit {key}: the English page has no such unit (export again)")
            continue
        if english_sha != sha(unit.english):
            problems.append(f"unit {key}: the English text changed since this file was exported (export again)")
            continue
        translated = translated.strip("\n") + "\n" if page.endswith(".md") else translated.strip("\n")
        if not translated.strip():
            continue  # left empty: still untranslated
        translated = persian.fix(with_preferred_terms(_colab_fa(translated, page), root))
        if not persian.has_persian(translated) and _needs_words(unit):
            problems.append(f"unit {key}: the translation has no Persian words")
            continue
        missing, extra = number_mismatches(Unit(key, unit.english, translated, None))
        if missing or extra:
            problems.append(f"unit {key} ({unit.label!r}): numbers differ from the English: "
                            f"missing {sorted(missing)}, not in the English {sorted(extra)}")
            continue
        if persian.maths(translated) != persian.maths(unit.english):
            problems.append(f"unit {key} ({unit.label!r}): formulas differ from the English: "
                            f"{sorted(persian.maths(translated) ^ persian.maths(unit.english))}")
            continue
        accepted[key] = translated
    if problems:
        return problems
    _write(page, accepted, root)
    return []


def _needs_words(unit: Unit) -> bool:
    """Whether an English unit has prose to translate (not only code, maths or a link)."""
    return any(prose and re.search(r"[A-Za-z]{3,}", piece) for prose, piece in persian.segments(unit.english))


def _write(page: str, accepted: dict[str, str], root: Path) -> None:
    target = persian_path(page, root)
    if page.endswith(".ipynb"):
        write_notebook(synced_notebook(page, root, accepted), target)
    else:
        parts = []
        for unit in units(page, root):
            if unit.key in accepted:
                parts.append(f"% translation: english_sha256={sha(unit.english)}\n{accepted[unit.key]}")
            elif unit.persian is not None:
                parts.append(f"% translation: english_sha256={unit.recorded}\n{unit.persian}")
            else:
                parts.append(f"% translation: english_sha256=untranslated\n{unit.english}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("".join(parts), encoding="utf-8")


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Keep the Persian edition (fa/) in step with the English.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("status", help="list stale and untranslated units")
    sync_parser = commands.add_parser("sync", help="copy code, outputs and structure from the English")
    sync_parser.add_argument("--check", action="store_true")
    export_parser = commands.add_parser("export", help="write a work file for a page")
    export_parser.add_argument("page")
    export_parser.add_argument("-o", "--output", type=Path)
    export_parser.add_argument("--all", action="store_true", help="every unit, not only those to do")
    import_parser = commands.add_parser("import", help="write a work file's Persian back")
    import_parser.add_argument("file", type=Path)
    lint_parser = commands.add_parser("lint", help="Persian typography and the term list")
    lint_parser.add_argument("page", nargs="?", help="one English page (default: every page)")
    commands.add_parser("fix", help="apply the typography rules to every translation")
    args = parser.parse_args(argv)
    if args.command == "status":
        lines = stale()
        print("\n".join(lines) if lines else "every unit of the Persian edition is up to date")
        return 1 if lines else 0
    if args.command == "sync":
        changed = sync(check=args.check)
        verb = "would change" if args.check else "synced"
        print("\n".join(f"{verb}: {EDITION}/{page}" for page in changed) or "nothing to sync")
        return 1 if args.check and changed else 0
    if args.command == "export":
        page = args.page.removeprefix("./")
        text = export(page, everything=args.all)
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    if args.command == "import":
        problems = import_work(args.file.read_text(encoding="utf-8"))
        if problems:
            print("nothing written:\n" + "\n".join(problems), file=sys.stderr)
            return 1
        print(f"written; {len(stale())} units left to translate in the whole edition")
        return 0
    if args.command == "fix":
        print("\n".join(f"fixed: {EDITION}/{page}" for page in fix_typography()) or "nothing to fix")
        return 0
    pages = [args.page.removeprefix("./")] if args.page else None
    lines = lint(pages=pages) + term_problems(pages=pages)
    print("\n".join(lines) if lines else "the Persian typography and terms follow every rule")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())

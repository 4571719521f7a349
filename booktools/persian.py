"""Persian typography by rule, for the Persian edition (``fa/``).

One rule for each thing a Persian text gets wrong most often, applied to prose
only: code (fenced and inline), maths, MyST roles and directives' options, link
targets, HTML tags and MyST comments keep their characters as written.

- **Letters**: the Persian ``ی`` and ``ک``, never the Arabic ``ي`` and ``ك``.
- **Digits**: Persian digits in Persian prose (``۰``–``۹``), with ``٫`` as the
  decimal separator, ``٬`` between thousands and ``٪`` for per cent; Latin
  digits in code, maths, runs of Latin text (``Conv1D(16, kernel 3)``,
  ``Keras 3``), Latin names (``3a``, ``5e-4``) and the numbers of a numbered
  list (Markdown reads no other; the stylesheet shows them in Persian).
  :func:`numbers` reads the numbers back, so the tests compare a translation's
  numbers with its English unit's.
- **Punctuation**: ``،`` ``؛`` ``؟`` instead of ``,`` ``;`` ``?``.
- **Zero-width non-joiner** (ZWNJ, U+200C) where Persian joins a word's parts
  without a space: the verb prefix ``می``/``نمی`` (``می‌شود``), the plural
  ``ها``, the comparative ``تر``/``ترین``, and ``ای``/``ام``/``اند``… after a
  word ending in ``ه`` (``شبکه‌ای``, ``شده‌اند``); no ZWNJ beside a space or
  doubled.
- **Direction**, for what a right-to-left line would lay out backwards: an
  exponent, a signed number or a plain-text expression in Persian digits
  (``۱۰⁻⁴``, ``−۰٫۷``, ``۱ + ۲×۳ = ۷``) goes in a left-to-right isolate
  (U+2066 … U+2069); a number right after Latin text gets a right-to-left mark
  (U+200F; Unicode's rule W7 laid ``CNN ۱-بعدی`` out backwards); ``×`` replaces
  the middle dot between digits (``·`` looks like ``۰``); an arrow between
  Persian terms points left, one that continues a Latin chain right; ``1-D`` is
  ``یک‌بعدی``.

:func:`fix` applies every rule; :func:`problems` lists what :func:`fix` would
change, which is what the tests and ``python -m booktools.translation lint``
report.
"""

from __future__ import annotations

import re

ZWNJ = "\u200c"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
DECIMAL, THOUSANDS, PERCENT = "٫", "٬", "٪"
_TO_PERSIAN = str.maketrans("0123456789", PERSIAN_DIGITS)
_TO_LATIN = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS + DECIMAL + PERCENT, "0123456789" * 2 + ".%")
LETTER = "\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc\u06c0"
PERSIAN_LETTER = re.compile(f"[{LETTER}]")

# A run of Latin text (``Conv1D(16, kernel 3) → Dense(5)``, ``Keras 3``): it reads left to right as a
# whole, so its digits and commas are Latin (a Persian digit typed into one is turned back).
_LATIN_RUN = (r"(?<![\w\u200c])[A-Za-z][A-Za-z0-9_ ().,×→=+\-/:'\[\]%۰-۹٫٬٪،]*"
              r"[A-Za-z0-9)\]%]")
_IS_LATIN_RUN = re.compile(_LATIN_RUN)
_LATIN_NAME = re.compile(r"[0-9]+[A-Za-z][A-Za-z0-9]*|\d+(?:\.\d+)?[eE][-+]?\d+"  # 3a, 2D, 5e-4
                         r"|[ \t]*[0-9۰-۹]+[.)]")  # a list's number
_RUN_TO_LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٫٬٪،", "0123456789.,%,")

# What keeps its characters as written, in the order the scanner tries them.
_PROTECTED = re.compile(
    r"(?ms)"
    r"^[ \t]*:[\w-]+:.*?$"  # a directive's option line
    r"|^%.*?$"  # a MyST comment
    r"|^\([\w:-]+\)=[ \t]*$"  # a label
    r"|\$\$.+?\$\$"  # display maths
    r"|(?<!\\)\$(?:[^$\n]|\n(?!\n))+?\$"  # inline maths (it may run over a line break)
    r"|(?<![\w.])\d+(?:\.\d+)?[eE][-+]?\d+(?![\w.])"  # a number in scientific notation (5e-4)
    r"|(?<![\w.])[0-9]+[A-Za-z][A-Za-z0-9]*(?![\w])"  # digits that begin a Latin name (3a, 1x1, 2D)
    r"|\{[\w:-]+\}`[^`]*`"  # a role with its target
    r"|`+[^`\n]+?`+"  # inline code
    r"|\]\([^)\s]*\)"  # a link's target
    r"|<!--[ \t]*card:|-->"  # a card line's comment marks (its text is prose: the overview shows it)
    r"|<[^>\n]+>"  # an HTML tag or autolink
    r"|https?://\S+"  # a bare address
    rf"|{_LATIN_RUN}"  # a run of Latin text
    r"|(?<![\w\u200c])[A-Za-z]\b"  # a single Latin letter
)
# Fences, line by line: a code block (``` or ```python) keeps every character; a directive
# (```{name} or :::{name}) keeps its first line but for an admonition's or dropdown's title, and its
# content is prose; a bare fence closes the innermost open block.
_FENCE_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<rest>.*)$")
_TITLED = re.compile(r"^[ \t]*(?:`{3,}|:{3,})\{(?:admonition|dropdown)\}")

_ROLE_TEXT = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<text>[^`<]*?)(?P<target>\s*<[^>`]*>)?`")


_LIST_NUMBER = re.compile(r"[ \t]*([0-9۰-۹]+)[.)](?=[ \t])")
_LIST_LINE = re.compile(r"[ \t]+\S|[ \t]*(?:[-*+]|[0-9۰-۹]+[.)])[ \t]")


def _starts_a_list_item(item: re.Match, previous: str) -> bool:
    """Whether a line that begins with a number and a full stop is a list item to Markdown: after a
    blank line or another item (or an item's indented continuation), or numbered 1 (which alone may
    interrupt a paragraph). Otherwise it is a wrapped line of a paragraph ("… به\n64. این …")."""
    return (not previous.strip() or bool(_LIST_LINE.match(previous))
            or item.group(1).translate(_TO_LATIN) == "1")


def segments(text: str) -> list[tuple[bool, str]]:
    """``text`` as ``(is_prose, piece)`` pairs that join back to ``text``.

    A role's displayed text (``{term}`متن <Target>```) is prose; its role name
    and target are not.
    """
    pieces: list[tuple[bool, str]] = []
    open_fences: list[tuple[str, bool]] = []  # (fence, is code)
    prose: list[str] = []

    def flush():
        if prose:
            pieces.extend(_inline_segments("".join(prose)))
            prose.clear()

    previous = ""
    for line in text.splitlines(keepends=True):
        item = _LIST_NUMBER.match(line)
        if item and not (bool(open_fences) and open_fences[-1][1]) and _starts_a_list_item(item, previous):
            # a numbered list's number: Latin digits, the only ones Markdown reads there
            flush()
            pieces.append((False, item.group(0)))
            prose.append(line[item.end():])
            previous = line
            continue
        previous = line
        fence = _FENCE_LINE.match(line.rstrip("\n"))
        in_code = bool(open_fences) and open_fences[-1][1]
        if in_code:
            pieces.append((False, line))
            if fence and fence.group("fence") == open_fences[-1][0] and not fence.group("rest").strip():
                open_fences.pop()
            continue
        if fence is None:
            prose.append(line)
            continue
        flush()
        rest = fence.group("rest").strip()
        if not rest and open_fences and open_fences[-1][0] == fence.group("fence"):
            open_fences.pop()
            pieces.append((False, line))
        elif rest.startswith("{"):
            open_fences.append((fence.group("fence"), False))
            titled = _TITLED.match(line)
            if titled:
                pieces.append((False, line[:titled.end()]))
                pieces.extend(_inline_segments(line[titled.end():]))
            else:
                pieces.append((False, line))
        elif fence.group("fence")[0] in "`~":
            open_fences.append((fence.group("fence"), True))
            pieces.append((False, line))
        else:
            prose.append(line)
    flush()
    return pieces


def _balanced(run: str) -> str:
    """``run`` cut before the first ``)`` it did not open: ``label smoothing) 0.1`` is
    ``label smoothing``, so the English in a Persian parenthesis does not take the number after it."""
    depth = 0
    for index, char in enumerate(run):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return run[:index].rstrip()
    return run


def _inline_segments(text: str) -> list[tuple[bool, str]]:
    pieces: list[tuple[bool, str]] = []
    position = 0
    while (match := _PROTECTED.search(text, position)) is not None:
        if match.start() > position:
            pieces.append((True, text[position:match.start()]))
        found, end = match.group(0), match.end()
        role = _ROLE_TEXT.fullmatch(found)
        if _IS_LATIN_RUN.fullmatch(found) and _balanced(found) != found and _balanced(found):
            found = _balanced(found)
            end = match.start() + len(found)
            pieces.append((False, found))
        elif role and role.group("role") in {"term", "doc", "ref", "numref"} and role.group("target"):
            start = match.start() + role.start("text")
            pieces.append((False, text[match.start():start]))
            pieces.append((True, role.group("text")))
            pieces.append((False, text[start + len(role.group("text")):match.end()]))
        else:
            pieces.append((False, found))
        position = end
    if position < len(text):
        pieces.append((True, text[position:]))
    return pieces


def _persian_number(match: re.Match) -> str:
    number = match.group(0)
    number = re.sub(r"(?<=\d),(?=\d{3}\b)", THOUSANDS, number)
    number = re.sub(r"(?<=\d)\.(?=\d)", DECIMAL, number)
    return number.translate(_TO_PERSIAN)


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_PREFIX = re.compile(rf"(?<![{LETTER}{ZWNJ}])(ن?می) +(?=[{LETTER}])")
_SUFFIX_ANY = re.compile(rf"(?<=[{LETTER}]) +(ها|های|هایی|هایی|هایم|هایش|هایشان|هایمان|ترین|تر|تری)(?![{LETTER}{ZWNJ}])")
_SUFFIX_AFTER_HE = re.compile(rf"(?<=[{LETTER}]ه) +(ای|ام|اند|اید|ایم)(?![{LETTER}{ZWNJ}])")


DIMENSIONS = {"۱": "یک‌بعدی", "۲": "دوبعدی", "۳": "سه‌بعدی"}
LRI, PDI = "\u2066", "\u2069"
_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺"
_TERM = rf"(?:[۰-۹][۰-۹٫٬]*[{_SUP}]*(?:∇[²³]?)?|∇[²³]?)"
# An expression a Persian line would lay out backwards: a term with an exponent (۱۰⁻⁴, ۵×۱۰⁻⁴, ∇²),
# a signed number (−۰٫۷, ±۳), or terms joined by operators (۱ + ۲×(۱ + ۲) = ۱۵, ۲۸×۲۸×۱). Wrapped in
# a left-to-right isolate (U+2066 … U+2069), it reads as it does in maths; a per cent sign stays out.
_EXPRESSION = re.compile(
    rf"(?<![\w{LRI}])"
    rf"(?:[−\-+±]\u200f?(?=[۰-۹∇]))?\(?{_TERM}\)?"
    rf"(?:[ \t]*[=+−×/][ \t]*[−\-]?\(*{_TERM}\)*)*"
    rf"(?![\w{PDI}])")


def _isolate_expressions(text: str) -> str:
    def wrap(match: re.Match) -> str:
        found, before, after = match.group(0), "", ""
        while found.count(")") > found.count("(") and found.endswith(")"):
            found, after = found[:-1], ")" + after
        while found.count("(") > found.count(")") and found.startswith("("):
            found, before = found[1:], before + "("
        signed = found[:1] in ("−", "-", "+", "±")
        operators = re.search(r"[=+−×/]", found[1:] if signed else found)
        exponent = re.search(f"[{_SUP}]|∇", found)
        if not (signed or operators or exponent) or found.count("(") != found.count(")"):
            return match.group(0)
        return before + LRI + found.replace("\u200f", "") + PDI + after

    # what an earlier pass isolated stays as it is
    parts = re.split(f"({LRI}[^{PDI}]*{PDI})", text)
    return "".join(part if part.startswith(LRI) else _EXPRESSION.sub(wrap, part) for part in parts)


RLM = "\u200f"
_LEFT_LETTERS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u03ff"  # not × and ÷
_STRONG_LEFT = re.compile(f"[{_LEFT_LETTERS}]")
_STRONG_RIGHT = re.compile(f"[{LETTER}\u0621-\u06ef\u06fa-\u06ff{RLM}]")
_BLOCK_START = re.compile(r"\n\s*\n|\n[ \t]*(?:[-*+]|\d+[.)]|#+)[ \t]|\|")


def fix_prose(text: str) -> str:
    """Every rule of this module applied to a piece of prose (of a text written in Persian)."""
    text = text.replace("ي", "ی").replace("ك", "ک").replace("ى", "ی")
    text = text.translate(str.maketrans(ARABIC_DIGITS, PERSIAN_DIGITS))
    text = _NUMBER.sub(_persian_number, text)
    text = re.sub(f"(?<=[{PERSIAN_DIGITS}]) ?%", PERCENT, text)
    text = re.sub(r",(?=\s|$)", "،", text)
    text = re.sub(r";(?=\s|$)", "؛", text)
    text = re.sub(r"\?(?=\s|$|[)*_»])", "؟", text)
    text = re.sub(r"(?<=[۰-۹])([ \t]*)·([ \t]*)(?=[۰-۹(])", r"\1×\2", text)  # a product: × (· looks like ۰)
    text = re.sub(r"(?<=[۰-۹])x(?=[۰-۹])", "×", text)  # ۲x۲ is ۲×۲
    text = re.sub(r"(?<=\S) · (?=\S)", " — ", text)  # a separator between words
    text = re.sub(r"(?<![\w\u200c])([۱۲۳])-بعدی", lambda m: DIMENSIONS[m.group(1)], text)
    text = _isolate_expressions(text)
    text = _PREFIX.sub(lambda m: m.group(1) + ZWNJ, text)
    text = _SUFFIX_ANY.sub(lambda m: ZWNJ + m.group(1), text)
    text = _SUFFIX_AFTER_HE.sub(lambda m: ZWNJ + m.group(1), text)
    text = re.sub(f"{ZWNJ}+", ZWNJ, text)
    text = re.sub(f" +{ZWNJ}|{ZWNJ} +", " ", text)
    return text


def fix(text: str) -> str:
    """``text`` with every rule applied to its prose; code, maths and targets untouched.

    A text with no Persian letter in its prose (a cell that is all code or maths) is left as it is.
    """
    pieces = segments(text)
    if not any(prose and has_persian(piece) for prose, piece in pieces):
        return text
    fixed = [(prose, fix_prose(piece) if prose
              else piece.translate(_RUN_TO_LATIN) if _IS_LATIN_RUN.fullmatch(piece) or _LATIN_NAME.fullmatch(piece)
              else piece) for prose, piece in pieces]
    return _mark_numbers_after_latin(_point_arrows(fixed))


def _point_arrows(pieces: list[tuple[bool, str]]) -> list[tuple[bool, str]]:
    """An arrow in prose between two Persian terms points left (←: a chain read right to left); one
    that touches Latin text on either side points right (→), as in the Latin chain it continues
    (``MaxPool1D(2) →`` at the end of a line, ``Conv1D(64, 5)`` on the next)."""
    text = "".join(piece for _, piece in pieces)
    out, position = [], 0
    for prose, piece in pieces:
        chars = list(piece)
        if prose:
            for index, char in enumerate(chars):
                if char in "→←":
                    at = position + index
                    before = text[:at].rstrip()
                    while True:  # past closing brackets and a term's English gloss, «ادغام (pooling))»
                        gloss = re.search(r"\([A-Za-z][A-Za-z .'-]*\)$", before)
                        if gloss:
                            before = before[:gloss.start()].rstrip()
                        elif before[-1:] in (")", "]"):
                            before = before[:-1].rstrip()
                        else:
                            break
                    left = before[-1:]
                    right = text[at + 1:].lstrip(" \t\n([")[:1]
                    latin = any(c and c.isascii() and (c.isalnum() or c in "`$") for c in (left, right))
                    chars[index] = "→" if latin else "←"
        out.append((prose, "".join(chars)))
        position += len(piece)
    return out


def _mark_numbers_after_latin(pieces: list[tuple[bool, str]]) -> str:
    """The pieces joined, with a right-to-left mark before each Persian number in prose whose last
    strong letter is Latin or Greek (in the same paragraph, list item or table cell).

    Unicode's bidirectional algorithm lays such a number out with the Latin text before it (rule
    W7): «CNN ۱-بعدی» came out «۱ CNN-بعدی», and «η = ۰٫۱، ۱» left to right. Code and maths are
    isolated by the stylesheet and do not count; a run of Latin text does.
    """
    out, last = [], None
    for prose, piece in pieces:
        if not prose and not _IS_LATIN_RUN.fullmatch(piece):
            out.append(piece)
            continue
        if not prose:
            out.append(piece)
            last = "L"
            continue
        result, position = [], 0
        for match in re.finditer(f"{LRI}[^{PDI}]*{PDI}|[۰-۹]+|[{_LEFT_LETTERS}]|" + _BLOCK_START.pattern
                                 + f"|[{LETTER}\u0621-\u06ef\u06fa-\u06ff{RLM}]", piece):
            found = match.group(0)
            if found[0] == LRI:
                last = None  # an isolate is neutral to the text around it
            elif found[0] in PERSIAN_DIGITS:
                if last == "L" and piece[max(0, match.start() - 1):match.start()] != RLM:
                    result.append(piece[position:match.start()] + RLM)
                    position = match.start()
                last = "R"
            elif _STRONG_LEFT.fullmatch(found):
                last = "L"
            elif _STRONG_RIGHT.fullmatch(found):
                last = "R"
            else:
                last = None
        result.append(piece[position:])
        out.append("".join(result))
    return "".join(out)


def problems(text: str) -> list[str]:
    """What :func:`fix` would change in ``text``, one line each (empty when it follows the rules)."""
    fixed = fix(text)
    return [f"{before.strip()[:80]!r} -> {after.strip()[:80]!r}"
            for before, after in zip(text.splitlines(), fixed.splitlines()) if before != after]


_MATHS = re.compile(r"\$\$.+?\$\$|(?<!\\)\$(?:[^$\n]|\n(?!\n))+?\$", re.S)


def maths(text: str) -> set[str]:
    """The formulas ``text`` writes (``$...$`` and ``$$...$$``, not in code), whitespace squeezed."""
    text = re.sub(r"(?ms)^(`{3,}|~{3,})[^{\n]*\n.*?^\1[ \t]*$|`+[^`\n]+?`+", "", text)
    return {" ".join(found.split()) for found in _MATHS.findall(text)}


def latin_digits(text: str) -> str:
    """``text`` with Persian (and Arabic) digits, ``٫`` and ``٪`` written the Latin way and ``٬`` dropped."""
    return text.translate(_TO_LATIN).replace(THOUSANDS, "")


def numbers(text: str) -> set[str]:
    """The numbers ``text`` writes, in Latin digits, thousands separators dropped (``2,400`` is ``2400``)."""
    plain = re.sub(r"(?<=\d),(?=\d{3}\b)", "", latin_digits(text))
    plain = re.sub(r"(?<![\w-])[123]-?(?:D(?![\w-])|بعدی)", "", plain)  # 1-D, 2D: «یک‌بعدی», «دوبعدی»
    return set(re.findall(r"\d+(?:\.\d+)?", plain))


def has_persian(text: str) -> bool:
    return bool(PERSIAN_LETTER.search(text))

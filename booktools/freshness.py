"""Which source a notebook's stored outputs come from, and whether they still do.

A notebook's outputs depend on its code cells and on the ``dlbook`` code they
run. :func:`source_record` fingerprints both: :func:`code_hash` of the code
cells, and :func:`dlbook_fingerprint` of every ``dlbook`` module the cells
import, followed through those modules' own imports. ``make execute`` stores
that record with the outputs (``booktools.execute``); the tests and the
landing page call :func:`stale_because` to see whether it still matches.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any, Iterable, Mapping

import dlbook
from booktools.links import PIP_SOURCE

TIMING_KEYS = ("wall_time_s", "hardware", "date", "code_sha256", "dlbook_sha256")
PACKAGE = "dlbook"
PACKAGE_DIR = Path(dlbook.__file__).resolve().parent


def _what_runs(source: str) -> str:
    """The code of a cell as Python runs it: its syntax tree (IPython magics translated first),
    without comments, line breaks, indentation or quote style, and docstrings compared word by
    word (a formatter re-indents them, a line-length limit re-wraps them; outputs never show a
    notebook's docstrings); a cell that does not parse, as written (trailing whitespace aside)."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return "\n".join(line.rstrip() for line in source.strip().splitlines())
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                first.value.value = " ".join(first.value.value.split())
    return ast.dump(tree)


def code_hash(code_sources: Iterable[str]) -> str:
    """SHA-256 of what a notebook's code cells run (:func:`_what_runs`), insensitive to the setup
    cell's pip source (:data:`PIP_SOURCE`): reformatting a cell (``black``) or editing a comment
    does not change what its outputs come from."""
    digest = hashlib.sha256()
    for source in code_sources:
        source = PIP_SOURCE.sub('"<pip source>"', source)
        digest.update(_what_runs(source).encode("utf-8"))
        digest.update(b"\x1e")  # record separator between cells
    return digest.hexdigest()


def _code_sources(notebook: Mapping[str, Any]) -> list[str]:
    return ["".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for cell in notebook["cells"] if cell["cell_type"] == "code"]


def notebook_code_hash(notebook: Mapping[str, Any]) -> str:
    """:func:`code_hash` of the code cells of a notebook (an nbformat dict)."""
    return code_hash(_code_sources(notebook))


def _module_file(module: str, package_dir: Path) -> Path | None:
    """The source file of ``module`` (``dlbook`` or ``dlbook.x.y``) under ``package_dir``, if any."""
    parts = module.split(".")[1:]
    base = package_dir.joinpath(*parts)
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imported_modules(tree: ast.AST, package: str | None = None) -> set[str]:
    """The ``dlbook`` modules that the imports anywhere in ``tree`` may load.

    ``import dlbook.a.b`` loads ``dlbook``, ``dlbook.a`` and ``dlbook.a.b``;
    ``from dlbook import x`` loads ``dlbook`` and, if ``x`` is a module,
    ``dlbook.x``. Imports inside functions count too: they run when the
    function is called. ``package`` is the package ``tree`` belongs to, for
    relative imports.
    """
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                if not package:
                    continue
                base = importlib.util.resolve_name("." * node.level + base, package)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    found = set()
    for name in names:
        parts = name.split(".")
        if parts[0] == PACKAGE:
            found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return found


def dlbook_dependencies(code_sources: Iterable[str], package_dir: Path = PACKAGE_DIR) -> list[str]:
    """The ``dlbook`` modules that code importing as ``code_sources`` does runs, sorted.

    Starts from the imports in the code and follows each module's own imports
    (transitively); names that are not modules of the package (a function
    imported with ``from dlbook.x import f``) are dropped.
    """
    pending: set[str] = set()
    for source in code_sources:
        try:
            pending |= _imported_modules(ast.parse(source))
        except SyntaxError:  # IPython magics; such a cell imports nothing the parser could see
            continue
    seen: set[str] = set()
    while pending:
        module = pending.pop()
        path = _module_file(module, package_dir)
        if module in seen or path is None:
            continue
        seen.add(module)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        pending |= _imported_modules(ast.parse(path.read_text(encoding="utf-8")), package) - seen
    return sorted(seen)


def source_hash(path: Path) -> str:
    """SHA-256 of a source file as written (comments and docstrings count: a page may show them),
    insensitive to trailing whitespace and line endings."""
    text = path.read_text(encoding="utf-8")
    return hashlib.sha256("\n".join(line.rstrip() for line in text.strip().splitlines()).encode("utf-8")).hexdigest()


BUDGETS_MODULE, BUDGETS_NAME = "dlbook.profiles", "_BUDGETS"


def _string_constants(code_sources: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for source in code_sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        found.update(node.value for node in ast.walk(tree)
                     if isinstance(node, ast.Constant) and isinstance(node.value, str))
    return found


def budgets_hash(path: Path, code_sources: Iterable[str], profile: str | None = None) -> str:
    """:func:`source_hash` of ``dlbook/profiles.py`` as far as one notebook's outputs depend on it.

    The per-notebook budgets (the ``_BUDGETS`` literal) count only for the
    notebooks whose code names them (``profile.budget("brain-tumor-classifier")``):
    changing one chapter's epochs must not make every other chapter's outputs
    stale. With ``profile``, only that profile's budgets count: a run in ``cpu``
    does not depend on the ``quick`` budget, so CI's budgets can shrink without
    making the stored outputs stale. The rest of the file counts in full.
    """
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    lines = text.splitlines()
    for node in tree.body:
        targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
        if any(isinstance(t, ast.Name) and t.id == BUDGETS_NAME for t in targets):
            budgets = ast.literal_eval(node.value)
            named = _string_constants(code_sources)
            own = {name: {nb: repr(sorted(b.items())) for nb, b in sorted(per_nb.items()) if nb in named}
                   for name, per_nb in sorted(budgets.items()) if profile is None or name == profile}
            rest = lines[:node.lineno - 1] + [json.dumps(own, sort_keys=True)] + lines[node.end_lineno:]
            text = "\n".join(rest)
            break
    return hashlib.sha256("\n".join(line.rstrip() for line in text.strip().splitlines()).encode("utf-8")).hexdigest()


def dlbook_fingerprint(notebook: Mapping[str, Any], package_dir: Path = PACKAGE_DIR,
                       profile: str | None = None) -> dict[str, Any]:
    """What of ``dlbook`` a notebook's outputs depend on: ``{"dlbook_sha256", "dlbook_modules"}``.

    ``dlbook_modules`` maps each module the notebook's code runs
    (:func:`dlbook_dependencies`) to :func:`source_hash` of its file
    (for ``dlbook.profiles``, :func:`budgets_hash`: only this notebook's own
    budget counts, in ``profile`` only when one is named); ``dlbook_sha256``
    hashes that mapping, so it changes exactly when one of those files does,
    or when the notebook starts using another module.
    """
    code = _code_sources(notebook)
    modules = {module: (budgets_hash(_module_file(module, package_dir), code, profile) if module == BUDGETS_MODULE
                        else source_hash(_module_file(module, package_dir)))
               for module in dlbook_dependencies(code, package_dir)}
    combined = hashlib.sha256(json.dumps(modules, sort_keys=True).encode("utf-8")).hexdigest()
    return {"dlbook_sha256": combined, "dlbook_modules": modules}


def source_record(notebook: Mapping[str, Any], package_dir: Path = PACKAGE_DIR,
                  profile: str | None = None) -> dict[str, Any]:
    """What a run in ``profile`` took its outputs from: the code cells' hash and the
    :func:`dlbook_fingerprint` (every profile's budget counts when ``profile`` is None)."""
    return {"code_sha256": notebook_code_hash(notebook), **dlbook_fingerprint(notebook, package_dir, profile)}


def stale_because(recorded: Mapping[str, Any], notebook: Mapping[str, Any],
                  package_dir: Path = PACKAGE_DIR, profile: str | None = None) -> list[str]:
    """Why outputs (or a timing) ``recorded`` for ``notebook`` no longer come from its current source.

    Empty when the code cells and every ``dlbook`` module the notebook runs
    are as they were when ``recorded`` was made. The run's profile is
    ``profile``, else the record's own ``"profile"`` (a provenance record
    names it; a timing is stored under its profile's name, so pass that).
    """
    current = source_record(notebook, package_dir, profile or recorded.get("profile"))
    reasons = []
    if recorded.get("code_sha256") != current["code_sha256"]:
        reasons.append("its code cells changed")
    if recorded.get("dlbook_sha256") != current["dlbook_sha256"]:
        before, now = recorded.get("dlbook_modules"), current["dlbook_modules"]
        if before is None:
            reasons.append("no record of the dlbook source it ran" if "dlbook_sha256" not in recorded
                           else "the dlbook source it runs changed")
        else:
            changed = sorted(m for m in before.keys() | now.keys() if before.get(m) != now.get(m))
            reasons.append("dlbook source changed: " + ", ".join(changed))
    return reasons


def timing_of(record: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a provenance record that says how long a run took, where, when and on which code."""
    return {key: record.get(key) for key in TIMING_KEYS}

"""Checking a student's answer to an exercise, with a hint instead of the answer.

Each chapter's exercises (``notebooks/exercises/``) end a stub cell with

    check("parameter-counts.1", answer)

which prints whether ``answer`` is right and, when it is not, a hint about
*what* is wrong (the sign, the order of magnitude, the number of axes, a
transposed or flipped array, a known slip such as forgetting the biases),
never the expected value. The expected values live in
:mod:`dlbook.exercise_key`, encoded so that reading the package source does
not give them away (it is not encryption: a determined reader can decode it,
and the worked solutions are on the page anyway, folded).

:func:`verdict` is the same check as a value, for tests.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import numpy as np

__all__ = ["Verdict", "check", "verdict", "encode_key", "decode_key"]

_SALT = b"dlbook exercises: a hint, not the answer"
NOT_ANSWERED = "not answered yet: replace `...` with your answer and run the cell again."


def _keystream(length: int) -> bytes:
    blocks = (hashlib.sha256(_SALT + i.to_bytes(4, "big")).digest() for i in range(length // 32 + 1))
    return b"".join(blocks)[:length]


def encode_key(specs: Mapping[str, Mapping[str, Any]]) -> str:
    """The exercises' specifications as the text :mod:`dlbook.exercise_key` stores."""
    packed = zlib.compress(json.dumps(specs, sort_keys=True).encode("utf-8"), 9)
    return base64.b64encode(bytes(a ^ b for a, b in zip(packed, _keystream(len(packed))))).decode("ascii")


def decode_key(text: str) -> dict[str, dict[str, Any]]:
    """The inverse of :func:`encode_key`."""
    packed = base64.b64decode("".join(text.split()))
    return json.loads(zlib.decompress(bytes(a ^ b for a, b in zip(packed, _keystream(len(packed))))))


@lru_cache(maxsize=1)
def _specs() -> dict[str, dict[str, Any]]:
    from dlbook.exercise_key import KEY

    return decode_key(KEY)


@dataclass(frozen=True)
class Verdict:
    """Whether an answer is right, and what to print about it."""

    exercise: str
    correct: bool
    answered: bool
    hint: str = ""

    @property
    def message(self) -> str:
        if self.correct:
            return f"✓ Exercise {self.exercise}: correct."
        if not self.answered:
            return f"… Exercise {self.exercise}: {NOT_ANSWERED}"
        return f"✗ Exercise {self.exercise}: not yet. {self.hint}".rstrip()

    def __bool__(self) -> bool:
        return self.correct


def _spec(exercise: str, specs: Mapping[str, Mapping[str, Any]] | None = None) -> Mapping[str, Any]:
    specs = _specs() if specs is None else specs
    try:
        return specs[exercise]
    except KeyError:
        chapter = exercise.split(".")[0]
        known = sorted(name for name in specs if name.split(".")[0] == chapter)
        raise KeyError(f"No exercise {exercise!r}; this chapter's are: {', '.join(known) or 'none'}. "
                       "Check the name in the check(...) call.") from None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _as_number(answer: Any) -> float | None:
    """``answer`` as a float if it is one number (a Python or NumPy scalar, or a one-element array)."""
    if _is_number(answer):
        return float(answer)
    if hasattr(answer, "numpy") and not isinstance(answer, np.ndarray):  # a tensor
        answer = np.asarray(answer.numpy())
    if isinstance(answer, np.ndarray) and answer.size == 1 and np.issubdtype(answer.dtype, np.number):
        return float(answer.reshape(()))
    return None


def _close(answer: float, expected: float, spec: Mapping[str, Any]) -> bool:
    return math.isclose(answer, expected, rel_tol=spec.get("rtol", 1e-9), abs_tol=spec.get("atol", 0.0))


def _with_hint(text: str, spec: Mapping[str, Any]) -> str:
    extra = spec.get("hint")
    return f"{text} {extra}" if extra else text


def _mistake(answer: Any, spec: Mapping[str, Any]) -> str | None:
    """The hint of a known wrong answer that ``answer`` equals, if any."""
    for mistake in spec.get("mistakes", ()):
        wrong = mistake["value"]
        if isinstance(wrong, str):
            if isinstance(answer, str) and answer.strip().lower() == wrong.lower():
                return mistake["hint"]
            continue
        try:
            candidate = np.asarray(answer, dtype=float)
        except (TypeError, ValueError):
            continue
        wrong = np.asarray(wrong, dtype=float)
        rtol, atol = mistake.get("rtol", spec.get("rtol", 1e-9)), mistake.get("atol", spec.get("atol", 0.0))
        if candidate.shape == wrong.shape and np.allclose(candidate, wrong, rtol=rtol, atol=atol):
            return mistake["hint"]
    return None


def _number(answer: Any, spec: Mapping[str, Any]) -> tuple[bool, str]:
    value = _as_number(answer)
    if value is None:
        return False, f"The answer is one number; yours is {type(answer).__name__}."
    if not math.isfinite(value):
        return False, "The answer is a finite number."
    expected = float(spec["value"])
    if _close(value, expected, spec):
        return True, ""
    if spec.get("integer") and value != round(value):
        return False, _with_hint("The answer is a whole number.", spec)
    if expected != 0 and _close(-value, expected, spec):
        return False, _with_hint("The right size with the wrong sign.", spec)
    if value == 0 or expected == 0:
        return False, _with_hint("Not zero." if value == 0 else "Too large." if value > 0 else "Too small.", spec)
    if (value > 0) != (expected > 0):
        return False, _with_hint("The sign is wrong, and so is the size.", spec)
    ratio = abs(value / expected)
    powers = round(math.log10(ratio))
    if abs(powers) >= 1:
        size = "large" if powers > 0 else "small"
        return False, _with_hint(f"About {10 ** abs(powers):,} times too {size}: a unit, a factor or a "
                                 "whole term is off.", spec)
    if abs(ratio - 1) < 0.1:
        return False, _with_hint("Close, but outside the tolerance: look for a small term or an "
                                 "off-by-one.", spec)
    return False, _with_hint("Too large." if abs(value) > abs(expected) else "Too small.", spec)


def _interval(answer: Any, spec: Mapping[str, Any]) -> tuple[bool, str]:
    value = _as_number(answer)
    if value is None:
        return False, f"The answer is one number; yours is {type(answer).__name__}."
    low, high = spec["value"]
    if low <= value <= high:
        return True, ""
    return False, _with_hint("Too low for what this experiment gives." if value < low
                             else "Too high for what this experiment gives.", spec)


def _shape(answer: Any, spec: Mapping[str, Any]) -> tuple[bool, str]:
    if hasattr(answer, "as_list"):  # a TensorShape
        answer = answer.as_list()
    if not isinstance(answer, (tuple, list)) or not all(_is_number(n) or n is None for n in answer):
        return False, "A shape is a tuple of whole numbers, such as (32, 32, 3)."
    expected = list(spec["value"])
    answer = [None if n is None else int(n) for n in answer]
    if answer == expected:
        return True, ""
    if len(answer) != len(expected):
        more = "more" if len(answer) > len(expected) else "fewer"
        return False, _with_hint(f"Your shape has {more} axes than the answer (is the batch axis, or the "
                                 "channel axis, where it should be?).", spec)
    wrong = [i for i, (a, e) in enumerate(zip(answer, expected)) if a != e]
    if sorted(answer, key=str) == sorted(expected, key=str):
        return False, _with_hint("The right sizes in the wrong order.", spec)
    where = ", ".join(str(i) for i in wrong)
    return False, _with_hint(f"Axis {where} (counting from 0) {'is' if len(wrong) == 1 else 'are'} wrong.", spec)


def _array(answer: Any, spec: Mapping[str, Any]) -> tuple[bool, str]:
    if hasattr(answer, "numpy") and not isinstance(answer, np.ndarray):
        answer = answer.numpy()
    try:
        value = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return False, "The answer is an array of numbers (a NumPy array or nested lists)."
    expected = np.asarray(spec["value"], dtype=float)
    rtol, atol = spec.get("rtol", 1e-7), spec.get("atol", 1e-9)
    if value.shape != expected.shape:
        if value.size == expected.size:
            return False, _with_hint(f"The right number of entries in the wrong shape {value.shape}.", spec)
        return False, _with_hint(f"The shape {value.shape} is not the answer's.", spec)

    def same(candidate):
        return candidate.shape == expected.shape and np.allclose(candidate, expected, rtol=rtol, atol=atol)

    if same(value):
        return True, ""
    if same(-value):
        return False, _with_hint("Every entry has the wrong sign.", spec)
    if value.ndim == 2 and same(value.T):
        return False, _with_hint("Transposed: rows and columns are swapped.", spec)
    if value.ndim >= 2 and same(np.flip(value, axis=(0, 1))):
        return False, _with_hint("Turned by 180°: the array is flipped in both directions.", spec)
    nonzero = np.abs(expected) > atol
    if nonzero.any() and np.all(np.abs(value[~nonzero]) <= atol):
        ratios = value[nonzero] / expected[nonzero]
        if np.allclose(ratios, ratios[0], rtol=1e-6) and not np.isclose(ratios[0], 1):
            return False, _with_hint("The right pattern with a constant factor off.", spec)
    wrong = int((~np.isclose(value, expected, rtol=rtol, atol=atol)).sum())
    verb = "is" if wrong == 1 else "are"
    return False, _with_hint(f"{wrong} of {expected.size} entries {verb} wrong.", spec)


def _choice(answer: Any, spec: Mapping[str, Any]) -> tuple[bool, str]:
    options = sorted(set(spec.get("options", {})) | {spec["value"]})
    if not isinstance(answer, str) or answer.strip().lower() not in options:
        return False, f"Answer with one of {', '.join(repr(o) for o in options)}."
    answer = answer.strip().lower()
    if answer == spec["value"]:
        return True, ""
    return False, spec["options"][answer]


_KINDS = {"number": _number, "interval": _interval, "shape": _shape, "array": _array, "choice": _choice}


def verdict(exercise: str, answer: Any, *, specs: Mapping[str, Mapping[str, Any]] | None = None) -> Verdict:
    """Whether ``answer`` answers ``exercise`` ("chapter.n"), with a hint when it does not."""
    spec = _spec(exercise, specs)
    if answer is Ellipsis or answer is None:
        return Verdict(exercise, False, False)
    hint = _mistake(answer, spec)
    if hint is not None:
        return Verdict(exercise, False, True, hint)
    correct, hint = _KINDS[spec["kind"]](answer, spec)
    return Verdict(exercise, correct, True, hint)


def check(exercise: str, answer: Any) -> None:
    """Print whether ``answer`` answers ``exercise`` and, if not, a hint (never the answer)."""
    print(verdict(exercise, answer).message)

"""IAM glob matching: ``*`` (any run, possibly empty) and ``?`` (one character).

Every other character is literal: there is no regex and no backslash escape. A match is
anchored to the whole string. Matchers are compiled once into plain callables with fast paths
for the common shapes (exact text, ``*``, ``prefix*``), because the evaluator calls them on
every decision.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

Matcher = Callable[[str], bool]


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def glob_regex(parts: Iterable[tuple[str, bool]]) -> str:
    """Regex source for a pattern given as ``(text, wildcards_active)`` pieces.

    Pieces with ``wildcards_active`` false are matched literally even if they contain ``*`` or
    ``?`` (that is how substituted policy variables and ``${*}`` escapes behave).
    """
    out: list[str] = []
    for text, active in parts:
        if not active:
            out.append(re.escape(text))
            continue
        for char in text:
            if char == "*":
                out.append(".*")
            elif char == "?":
                out.append(".")
            else:
                out.append(re.escape(char))
    return "".join(out)


def compile_glob(pattern: str) -> Matcher:
    """Compile a case-sensitive glob into a matcher over whole strings.

    Shapes with one run of literal text around ``*`` (``text``, ``text*``, ``*text``,
    ``*text*``) become string methods; anything else a regular expression.
    """
    if pattern == "*":
        return _always
    if not has_wildcard(pattern):
        return pattern.__eq__
    body = pattern[:-1]
    if pattern.endswith("*") and not has_wildcard(body):
        return lambda value: value.startswith(body)
    tail = pattern[1:]
    if pattern.startswith("*") and not has_wildcard(tail):
        return lambda value: value.endswith(tail)
    middle = pattern[1:-1]
    if len(pattern) > 1 and pattern[0] == pattern[-1] == "*" and not has_wildcard(middle):
        return lambda value: middle in value
    regex = re.compile(glob_regex([(pattern, True)]), re.DOTALL)
    return lambda value: regex.fullmatch(value) is not None


def compile_pieces(pieces: Sequence[tuple[str, bool]]) -> Matcher:
    """Compile a glob given as ``(text, wildcards_active)`` pieces (see :func:`glob_regex`)."""
    if all(active for _, active in pieces):
        return compile_glob("".join(text for text, _ in pieces))
    regex = re.compile(glob_regex(pieces), re.DOTALL)
    return lambda value: regex.fullmatch(value) is not None


def compile_glob_set(patterns: Iterable[str]) -> Matcher:
    """One matcher true when any of ``patterns`` matches (OR), with literal patterns in a set."""
    literals: set[str] = set()
    wild: list[str] = []
    for pattern in patterns:
        if pattern == "*":
            return _always
        if has_wildcard(pattern):
            wild.append(pattern)
        else:
            literals.add(pattern)
    frozen = frozenset(literals)
    if not wild:
        return frozen.__contains__
    if len(wild) == 1:
        single = compile_glob(wild[0])
        if not frozen:
            return single
        return lambda value: value in frozen or single(value)
    regex = re.compile("|".join(f"(?:{glob_regex([(p, True)])})" for p in wild), re.DOTALL)
    if not frozen:
        return lambda value: regex.fullmatch(value) is not None
    return lambda value: value in frozen or regex.fullmatch(value) is not None


def _always(_value: str) -> bool:
    return True

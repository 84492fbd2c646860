"""Scanning a Handlebars source into literal text runs and tags (each tag with its tokens).

Text between tags is literal. ``\\{{`` escapes a tag: the text from ``{{`` up to the next tag
(or escaped tag) is literal and the backslash is dropped; ``\\\\{{`` is a literal backslash
followed by a real tag. Inside a tag the tokens are those of Handlebars.js: names (any run of
characters other than whitespace and ``!"#%&'()*+,./;<=>@[\\]^`{|}~``), ``[literal segments]``,
``.``/``/`` separators, ``..``, ``@``, quoted strings, numbers, ``true``/``false``/``null``/
``undefined``, parentheses, ``=`` and ``as |block params|``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from openses.domain.templates.errors import TemplateSyntaxError


class TagKind(Enum):
    MUSTACHE = "mustache"  # {{x}} and {{&x}}
    TRIPLE = "triple"  # {{{x}}}
    BLOCK = "block"  # {{#x}}
    INLINE = "inline"  # {{#*inline "name"}}
    INVERSE_SECTION = "inverse-section"  # {{^x}}
    ELSE = "else"  # {{else}} and {{^}}
    ELSE_CHAIN = "else-chain"  # {{else if x}}
    CLOSE = "close"  # {{/x}}
    PARTIAL = "partial"  # {{> name}}
    COMMENT = "comment"  # {{! x }} and {{!-- x --}}


class TokenKind(Enum):
    ID = "name"
    SEP = "'.'"
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    NULL = "null"
    UNDEFINED = "undefined"
    DATA = "'@'"
    OPEN_SEXPR = "'('"
    CLOSE_SEXPR = "')'"
    EQUALS = "'='"
    OPEN_BLOCK_PARAMS = "'as |'"
    CLOSE_BLOCK_PARAMS = "'|'"


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str  # names without their brackets, strings without quotes and escapes
    offset: int
    bracketed: bool = False


@dataclass(frozen=True, slots=True)
class Tag:
    kind: TagKind
    tokens: tuple[Token, ...]
    strip_before: bool  # {{~
    strip_after: bool  # ~}}
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    start: int


_WHITESPACE = re.compile(r"\s+")
_LITERAL_END = r"(?=[~}\s)]|\Z)"
_KEYWORD = re.compile(r"(?:true|false|null|undefined)" + _LITERAL_END)
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?" + _LITERAL_END)
_LONE_DOT = re.compile(r"\.(?=[=~}\s/.)|]|\Z)")
_NAME = re.compile(r'[^\s!"#%-,./;->@\[-^`{-~]+')
_SEGMENT = re.compile(r"\[((?:\\\]|[^\]])*)\]")
_SEGMENT_ESCAPE = re.compile(r"\\([\\\]])")
_DOUBLE_QUOTED = re.compile(r'"((?:\\"|[^"])*)"')
_SINGLE_QUOTED = re.compile(r"'((?:\\'|[^'])*)'")
_BLOCK_PARAMS = re.compile(r"as\s+\|")
_ELSE = re.compile(r"\s*else\s*(~?)\}\}")
_ELSE_CHAIN = re.compile(r"\s*else\s+")
_BARE_INVERSE = re.compile(r"\^\s*(~?)\}\}")
_LONG_COMMENT_END = re.compile(r"--(~?)\}\}")
_KEYWORD_KINDS = {
    "true": TokenKind.BOOLEAN,
    "false": TokenKind.BOOLEAN,
    "null": TokenKind.NULL,
    "undefined": TokenKind.UNDEFINED,
}
_PUNCTUATION = {
    "(": TokenKind.OPEN_SEXPR,
    ")": TokenKind.CLOSE_SEXPR,
    "=": TokenKind.EQUALS,
    "|": TokenKind.CLOSE_BLOCK_PARAMS,
    "@": TokenKind.DATA,
}
_OPENERS = (
    ("{", TagKind.TRIPLE),
    ("&", TagKind.MUSTACHE),
    ("#*", TagKind.INLINE),
    ("#", TagKind.BLOCK),
    ("/", TagKind.CLOSE),
    ("^", TagKind.INVERSE_SECTION),
    (">", TagKind.PARTIAL),
)
_UNSUPPORTED_OPENERS = (
    ("{{{{", "raw blocks ({{{{raw}}}}) are not supported"),
    ("#>", "partial blocks ({{#> name}}) are not supported"),
    ("*", "decorators other than {{#*inline}} are not supported"),
)


def scan(source: str) -> list[Text | Tag]:
    items: list[Text | Tag] = []
    position, length = 0, len(source)
    while position < length:
        opening = source.find("{{", position)
        if opening < 0:
            items.append(Text(source[position:], position))
            break
        text = source[position:opening]
        if text.endswith("\\") and not text.endswith("\\\\"):
            if len(text) > 1:
                items.append(Text(text[:-1], position))
            position = _escaped_end(source, opening)
            items.append(Text(source[opening:position], opening))
            continue
        if text.endswith("\\\\"):
            text = text[:-1]
        if text:
            items.append(Text(text, position))
        tag = _scan_tag(source, opening)
        items.append(tag)
        position = tag.end
    return items


def _escaped_end(source: str, opening: int) -> int:
    """Where the literal text of an escaped ``\\{{`` ends: before the next tag or escape."""
    following = source.find("{{", opening + 2)
    if following < 0:
        return len(source)
    end = following
    for back in (1, 2):
        start = following - back
        if start >= opening + 2 and source[start:following] == "\\" * back:
            end = start
    return end


def _error(reason: str, source: str, offset: int) -> TemplateSyntaxError:
    return TemplateSyntaxError(reason, source=source, offset=offset)


def _scan_tag(source: str, start: int) -> Tag:
    if source.startswith("{{{{", start):
        raise _error(_UNSUPPORTED_OPENERS[0][1], source, start)
    cursor = start + 2
    strip_before = source.startswith("~", cursor)
    cursor += strip_before
    if source.startswith("!", cursor):
        return _scan_comment(source, start, cursor, strip_before)
    for pattern in (_BARE_INVERSE, _ELSE):
        bare = pattern.match(source, cursor)
        if bare:
            return Tag(TagKind.ELSE, (), strip_before, bare.group(1) == "~", start, bare.end())
    for prefix, reason in _UNSUPPORTED_OPENERS[1:]:
        if source.startswith(prefix, cursor):
            raise _error(reason, source, start)
    kind = TagKind.MUSTACHE
    for prefix, opener_kind in _OPENERS:
        if source.startswith(prefix, cursor):
            kind, cursor = opener_kind, cursor + len(prefix)
            break
    else:
        chain = _ELSE_CHAIN.match(source, cursor)
        if chain:
            kind, cursor = TagKind.ELSE_CHAIN, chain.end()
    tokens, strip_after, end = _tokens(source, cursor, start, triple=kind is TagKind.TRIPLE)
    return Tag(kind, tokens, strip_before, strip_after, start, end)


def _scan_comment(source: str, start: int, cursor: int, strip_before: bool) -> Tag:
    if source.startswith("!--", cursor):
        end = _LONG_COMMENT_END.search(source, cursor + 3)
        if end is None:
            raise _error("this {{!-- comment --}} is never closed", source, start)
        return Tag(TagKind.COMMENT, (), strip_before, end.group(1) == "~", start, end.end())
    close = source.find("}}", cursor + 1)
    if close < 0:
        raise _error("this {{! comment }} is never closed", source, start)
    strip_after = close - 1 > cursor and source[close - 1] == "~"
    return Tag(TagKind.COMMENT, (), strip_before, strip_after, start, close + 2)


def _close(source: str, at: int, *, triple: bool) -> tuple[bool, int] | None:
    """``(strip_after, end)`` when the tag closes at ``at``."""
    if source.startswith(("}}}}", "}~}}}") if triple else ("}}}", "}~}}"), at):
        raise _error("this tag is closed with one '}' too many", source, at)
    closers = (("}~}}", True), ("}}}", False)) if triple else (("~}}", True), ("}}", False))
    for closer, strip in closers:
        if source.startswith(closer, at):
            return strip, at + len(closer)
    if triple and source.startswith(("}}", "~}}"), at):
        raise _error("a tag opened with '{{{' must close with '}}}'", source, at)
    return None


def _tokens(
    source: str, cursor: int, start: int, *, triple: bool
) -> tuple[tuple[Token, ...], bool, int]:
    tokens: list[Token] = []
    while True:
        space = _WHITESPACE.match(source, cursor)
        if space:
            cursor = space.end()
        if cursor >= len(source):
            raise _error("this tag is never closed with '}}'", source, start)
        closed = _close(source, cursor, triple=triple)
        if closed is not None:
            return tuple(tokens), closed[0], closed[1]
        token, cursor = _token(source, cursor)
        tokens.append(token)


def _token(source: str, at: int) -> tuple[Token, int]:
    """The token at ``at`` and where it ends."""
    char = source[at]
    if char in _PUNCTUATION:
        return Token(_PUNCTUATION[char], char, at), at + 1
    if char in "\"'":
        quoted = (_DOUBLE_QUOTED if char == '"' else _SINGLE_QUOTED).match(source, at)
        if quoted is None:
            raise _error("this string is never closed", source, at)
        text = quoted.group(1).replace("\\" + char, char)
        return Token(TokenKind.STRING, text, at), quoted.end()
    block_params = _BLOCK_PARAMS.match(source, at)
    if block_params:
        return Token(TokenKind.OPEN_BLOCK_PARAMS, "as |", at), block_params.end()
    for pattern, kind in ((_KEYWORD, None), (_NUMBER, TokenKind.NUMBER)):
        literal = pattern.match(source, at)
        if literal:
            text = literal.group()
            return Token(kind or _KEYWORD_KINDS[text], text, at), literal.end()
    if source.startswith("..", at):
        return Token(TokenKind.ID, "..", at), at + 2
    if _LONE_DOT.match(source, at):
        return Token(TokenKind.ID, ".", at), at + 1
    if char in "./":
        return Token(TokenKind.SEP, char, at), at + 1
    if char == "[":
        segment = _SEGMENT.match(source, at)
        if segment is None:
            raise _error("this '[' segment is never closed with ']'", source, at)
        text = _SEGMENT_ESCAPE.sub(r"\1", segment.group(1))
        return Token(TokenKind.ID, text, at, bracketed=True), segment.end()
    name = _NAME.match(source, at)
    if name:
        return Token(TokenKind.ID, name.group(), at), name.end()
    raise _error(f"unexpected {char!r} in a tag", source, at)

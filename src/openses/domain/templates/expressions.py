"""Reading the tokens of one tag: names, paths, literals, subexpressions, hash and block params.

Paths follow Handlebars.js: ``this``, ``.`` and ``..`` may only lead a path (``../../name``,
``./name``, ``this.name``); a ``[bracketed]`` segment is always a plain key; a path whose first
name is a block param in scope refers to it. A literal at the head of a tag names a key
(``{{"first name"}}`` reads the key ``first name``), as in Handlebars.js.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openses.domain.templates.errors import TemplateSyntaxError
from openses.domain.templates.lexer import Tag, Token, TokenKind
from openses.domain.templates.nodes import (
    BlockKind,
    Call,
    CallKind,
    Expr,
    Literal,
    PathExpr,
    SubExpr,
)
from openses.domain.templates.values import UNDEFINED

_MAX_SUBEXPRESSIONS = 20
_BLOCK_HELPERS = {
    "if": BlockKind.IF,
    "unless": BlockKind.UNLESS,
    "each": BlockKind.EACH,
    "with": BlockKind.WITH,
}
_SCOPED = re.compile(r"^\.|this\b")
_LITERAL_TOKENS = {TokenKind.STRING, TokenKind.NUMBER, TokenKind.BOOLEAN, TokenKind.NULL}
_LITERAL_TOKENS |= {TokenKind.UNDEFINED}


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


@dataclass(slots=True)
class Arguments:
    params: tuple[Expr, ...]
    hash: tuple[tuple[str, Expr], ...]
    block_params: tuple[str, ...]


class Expressions:
    """Reads the tokens of one tag."""

    def __init__(self, source: str, tag: Tag, scope: list[tuple[str, ...]]) -> None:
        self.source = source
        self.tag = tag
        self.tokens = tag.tokens
        self.position = 0
        self.scope = scope
        self.nesting = 0

    def error(self, reason: str, token: Token | None = None) -> TemplateSyntaxError:
        offset = token.offset if token is not None else self.tag.start
        return TemplateSyntaxError(reason, source=self.source, offset=offset)

    def peek(self, ahead: int = 0) -> Token | None:
        at = self.position + ahead
        return self.tokens[at] if at < len(self.tokens) else None

    def take(self, what: str) -> Token:
        token = self.peek()
        if token is None:
            raise self.error(f"expected {what} before the end of the tag")
        self.position += 1
        return token

    def finish(self) -> None:
        token = self.peek()
        if token is not None:
            raise self.error(f"unexpected {token.kind.value} {token.text!r}", token)

    def head(self) -> PathExpr:
        """The first expression of a tag: a path, or a literal naming a key (``{{"a b"}}``)."""
        token = self.peek()
        if token is None:
            raise self.error("expected a name in this tag")
        if token.kind in _LITERAL_TOKENS:
            self.position += 1
            return PathExpr(token.text, (token.text,), 0, False, False, None, token.offset)
        if token.kind in (TokenKind.ID, TokenKind.DATA):
            return self.path()
        raise self.error(f"expected a name, found {token.kind.value}", token)

    def path(self) -> PathExpr:
        first = self.take("a name")
        data = first.kind is TokenKind.DATA
        name = self.take("a name after '@'") if data else first
        if name.kind is not TokenKind.ID:
            raise self.error(f"expected a name, found {name.kind.value}", name)
        segments = [("", name)]
        while (separator := self.peek()) is not None and separator.kind is TokenKind.SEP:
            self.position += 1
            segment = self.take(f"a name after {separator.text!r}")
            if segment.kind is not TokenKind.ID:
                raise self.error(f"expected a name after {separator.text!r}", segment)
            segments.append((separator.text, segment))
        original, depth = "@" if data else "", 0
        parts: list[str] = []
        for separator_text, token in segments:
            original += separator_text + token.text
            if not token.bracketed and token.text in (".", "..", "this"):
                if parts:
                    raise self.error(f"invalid path {original!r}: {token.text!r} can only lead")
                depth += token.text == ".."
            else:
                parts.append(token.text)
        if data and not parts:
            raise self.error(f"invalid data reference {original!r}", first)
        scoped = not data and _SCOPED.search(original) is not None
        block_param = None
        if not data and not depth and not scoped:
            block_param = next(
                (
                    (i, frame.index(parts[0]))
                    for i, frame in enumerate(self.scope)
                    if parts[0] in frame
                ),
                None,
            )
        return PathExpr(original, tuple(parts), depth, data, scoped, block_param, first.offset)

    def operand(self) -> Expr:
        token = self.take("an argument")
        kind = token.kind
        if kind is TokenKind.OPEN_SEXPR:
            return self.subexpression(token)
        if kind is TokenKind.STRING:
            return Literal(token.text, token.offset)
        if kind is TokenKind.NUMBER:
            return Literal(_number(token.text), token.offset)
        if kind is TokenKind.BOOLEAN:
            return Literal(token.text == "true", token.offset)
        if kind in (TokenKind.NULL, TokenKind.UNDEFINED):
            return Literal(None if kind is TokenKind.NULL else UNDEFINED, token.offset)
        if kind in (TokenKind.ID, TokenKind.DATA):
            self.position -= 1
            return self.path()
        raise self.error(f"unexpected {kind.value} {token.text!r}", token)

    def subexpression(self, opening: Token) -> SubExpr:
        self.nesting += 1
        if self.nesting > _MAX_SUBEXPRESSIONS:
            raise self.error("subexpressions nested too deeply", opening)
        head = self.head()
        arguments = self.arguments(block_params_allowed=False)
        closing = self.take("')'")
        if closing.kind is not TokenKind.CLOSE_SEXPR:
            raise self.error(f"expected ')', found {closing.kind.value}", closing)
        self.nesting -= 1
        kind = call_kind(head, arguments, self, where="in a subexpression")
        return SubExpr(Call(head, arguments.params, arguments.hash, kind))

    def arguments(self, *, block_params_allowed: bool) -> Arguments:
        params: list[Expr] = []
        while (token := self.peek()) is not None and not self._at_hash_or_end(token):
            params.append(self.operand())
        pairs: list[tuple[str, Expr]] = []
        while (token := self.peek()) is not None and self._at_hash_pair(token):
            self.position += 2
            pairs.append((token.text, self.operand()))
        block_params: list[str] = []
        token = self.peek()
        if token is not None and token.kind is TokenKind.OPEN_BLOCK_PARAMS:
            if not block_params_allowed:
                raise self.error("block params (as |name|) only go on block tags", token)
            self.position += 1
            while (name := self.peek()) is not None and name.kind is TokenKind.ID:
                block_params.append(name.text)
                self.position += 1
            closing = self.take("'|'")
            if closing.kind is not TokenKind.CLOSE_BLOCK_PARAMS or not block_params:
                raise self.error("block params must be names between 'as |' and '|'", closing)
        return Arguments(tuple(params), tuple(pairs), tuple(block_params))

    def _at_hash_pair(self, token: Token) -> bool:
        following = self.peek(1)
        return (
            token.kind is TokenKind.ID
            and following is not None
            and following.kind is (TokenKind.EQUALS)
        )

    def _at_hash_or_end(self, token: Token) -> bool:
        ends = (TokenKind.CLOSE_SEXPR, TokenKind.OPEN_BLOCK_PARAMS)
        return token.kind in ends or self._at_hash_pair(token)


def call_kind(head: PathExpr, arguments: Arguments, reader: Expressions, *, where: str) -> CallKind:
    name = head.simple_name
    if name in _BLOCK_HELPERS:
        raise reader.error(
            f"'{name}' is a block helper and cannot be used {where}: write {{{{#{name} ...}}}}",
            None,
        )
    if name == "lookup":
        if len(arguments.params) != 2:
            raise reader.error("'lookup' needs exactly two arguments: {{lookup object key}}")
        return CallKind.LOOKUP
    if name == "log":
        return CallKind.LOG
    return CallKind.UNKNOWN if arguments.params or arguments.hash else CallKind.VALUE


def block_kind(head: PathExpr, arguments: Arguments, reader: Expressions) -> BlockKind:
    name = head.simple_name
    if name in _BLOCK_HELPERS:
        if len(arguments.params) != 1:
            raise reader.error(f"{{{{#{name}}}}} needs exactly one argument")
        return _BLOCK_HELPERS[name]
    if name in ("lookup", "log"):
        raise reader.error(f"'{name}' cannot be used as a block")
    return BlockKind.UNKNOWN if arguments.params or arguments.hash else BlockKind.SECTION

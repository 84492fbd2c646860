"""Parsing a template part into a ``Program``: tags into expressions, blocks into a tree.

The built-in helpers are the only helpers (SES registers no others): ``if``, ``unless``,
``each`` and ``with`` as blocks with exactly one argument, ``lookup`` with two, ``log``. A name
with arguments that is none of these parses, and fails when rendered, as SES fails it.
Everything that can never render (an unclosed or mismatched block, a helper used the wrong way,
a partial no ``{{#*inline}}`` defines) is a syntax error here, so CreateTemplate can refuse it.
"""

from __future__ import annotations

from dataclasses import dataclass

from openses.domain.templates.errors import TemplateSyntaxError
from openses.domain.templates.expressions import Arguments, Expressions, block_kind, call_kind
from openses.domain.templates.lexer import Tag, TagKind, Text, TokenKind, scan
from openses.domain.templates.nodes import (
    NO_STRIP,
    Block,
    BlockKind,
    Call,
    CallKind,
    Comment,
    Content,
    Literal,
    Mustache,
    Partial,
    PathExpr,
    Program,
    Strip,
)
from openses.domain.templates.whitespace import apply_whitespace_control

MAX_NESTING = 100  # blocks inside blocks; deeper templates are refused, not crashed on


def parse(source: str) -> Program:
    return _Parser(source).parse()


def _strip(tag: Tag) -> Strip:
    return Strip(before=tag.strip_before, after=tag.strip_after)


@dataclass(slots=True)
class _Open:
    """A block being parsed."""

    tag: Tag
    name: str
    block: Block
    container: Program
    first: Program
    second: Program | None = None
    else_strip: Strip = NO_STRIP
    chain_depth: int = 0  # 0 for a block, n for the n-th {{else x}} of a chain

    @property
    def current(self) -> Program:
        return self.first if self.second is None else self.second


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.root = Program()
        self.stack: list[_Open] = []

    def error(self, reason: str, offset: int) -> TemplateSyntaxError:
        return TemplateSyntaxError(reason, source=self.source, offset=offset)

    @property
    def current(self) -> Program:
        return self.stack[-1].current if self.stack else self.root

    def scope(self) -> list[tuple[str, ...]]:
        """Block params in scope, innermost first (a partial body starts a new scope)."""
        frames: list[tuple[str, ...]] = []
        for frame in reversed(self.stack):
            if frame.current.block_params:
                frames.append(frame.current.block_params)
            if frame.block.kind is BlockKind.INLINE:
                break
        return frames

    def reader(self, tag: Tag) -> Expressions:
        return Expressions(self.source, tag, self.scope())

    def parse(self) -> Program:
        for item in scan(self.source):
            if isinstance(item, Text):
                self.current.body.append(Content(item.text, item.text))
            else:
                self.tag(item)
        for frame in reversed(self.stack):
            if not frame.chain_depth:
                raise self.error(f"{{{{#{frame.name}}}}} is never closed", frame.tag.start)
        apply_whitespace_control(self.root)
        self.resolve_partials(self.root, ())
        return self.root

    def tag(self, tag: Tag) -> None:
        kind = tag.kind
        if kind is TagKind.COMMENT:
            self.current.body.append(Comment(_strip(tag)))
        elif kind in (TagKind.MUSTACHE, TagKind.TRIPLE):
            reader = self.reader(tag)
            head = reader.head()
            arguments = reader.arguments(block_params_allowed=False)
            reader.finish()
            kind_of_call = call_kind(head, arguments, reader, where="outside a block")
            call = Call(head, arguments.params, arguments.hash, kind_of_call)
            self.current.body.append(Mustache(call, _strip(tag)))
        elif kind is TagKind.PARTIAL:
            self.partial(tag)
        elif kind in (TagKind.BLOCK, TagKind.INVERSE_SECTION, TagKind.INLINE):
            self.open_block(tag)
        elif kind is TagKind.ELSE:
            self.open_else(tag).second = Program()
        elif kind is TagKind.ELSE_CHAIN:
            self.else_chain(tag)
        else:
            self.close(tag)

    def partial(self, tag: Tag) -> None:
        reader = self.reader(tag)
        token = reader.peek()
        if token is not None and token.kind is TokenKind.OPEN_SEXPR:
            raise reader.error("dynamic partials ({{> (expression)}}) are not supported", token)
        if token is not None and token.kind in (TokenKind.STRING, TokenKind.NUMBER):
            reader.position += 1
            name = token.text
        else:
            name = reader.path().original
        arguments = reader.arguments(block_params_allowed=False)
        reader.finish()
        if len(arguments.params) > 1:
            raise self.error("a partial takes at most one context argument", tag.start)
        context = arguments.params[0] if arguments.params else None
        partial = Partial(name, context, arguments.hash, _strip(tag), tag.start)
        self.current.body.append(partial)

    def open_block(self, tag: Tag) -> None:
        if len(self.stack) >= MAX_NESTING:
            raise self.error(f"blocks are nested more than {MAX_NESTING} deep", tag.start)
        reader = self.reader(tag)
        head = reader.head()
        inline = tag.kind is TagKind.INLINE
        arguments = reader.arguments(block_params_allowed=not inline)
        reader.finish()
        partial_name = ""
        if inline:
            kind = BlockKind.INLINE
            partial_name = self.inline_name(tag, head, arguments)
        else:
            kind = block_kind(head, arguments, reader)
        block = Block(kind, Call(head, arguments.params, arguments.hash, CallKind.VALUE))
        block.partial_name = partial_name
        container = self.current
        container.body.append(block)
        first = Program(block_params=arguments.block_params)
        self.stack.append(_Open(tag, head.original, block, container, first))

    def inline_name(self, tag: Tag, head: PathExpr, arguments: Arguments) -> str:
        if head.simple_name != "inline":
            raise self.error("decorators other than {{#*inline}} are not supported", tag.start)
        name = arguments.params[0] if len(arguments.params) == 1 else None
        if not isinstance(name, Literal) or not isinstance(name.value, str) or arguments.hash:
            raise self.error(
                '{{#*inline}} needs the partial name in quotes: {{#*inline "name"}}', tag.start
            )
        return name.value

    def open_else(self, tag: Tag) -> _Open:
        if not self.stack:
            raise self.error("{{else}} outside any block", tag.start)
        frame = self.stack[-1]
        if frame.block.kind is BlockKind.INLINE:
            raise self.error("an {{#*inline}} block cannot have an {{else}}", tag.start)
        if frame.second is not None:
            raise self.error("this block already has an {{else}}", tag.start)
        frame.else_strip = _strip(tag)
        return frame

    def else_chain(self, tag: Tag) -> None:
        frame = self.open_else(tag)
        if frame.tag.kind is TagKind.INVERSE_SECTION:
            raise self.error("an inverted {{^...}} block cannot have {{else ...}}", tag.start)
        chained = Program(chained=True)
        frame.second = chained
        reader = self.reader(tag)
        head = reader.head()
        arguments = reader.arguments(block_params_allowed=True)
        reader.finish()
        kind = block_kind(head, arguments, reader)
        link = Block(kind, Call(head, arguments.params, arguments.hash, CallKind.VALUE))
        chained.body.append(link)
        first = Program(block_params=arguments.block_params)
        self.stack.append(
            _Open(
                tag,
                frame.name,
                link,
                chained,
                first,
                None,
                Strip(before=False, after=False),
                frame.chain_depth + 1,
            )
        )

    def close(self, tag: Tag) -> None:
        reader = self.reader(tag)
        name = reader.head().original
        reader.finish()
        links: list[_Open] = []
        while self.stack and self.stack[-1].chain_depth:
            links.append(self.stack.pop())
        if not self.stack:
            raise self.error(f"{{{{/{name}}}}} closes no open block", tag.start)
        frame = self.stack.pop()
        if frame.name != name:
            opened = TemplateSyntaxError("", source=self.source, offset=frame.tag.start)
            raise self.error(
                f"{{{{/{name}}}}} does not close {{{{#{frame.name}}}}} "
                f"(opened at line {opened.line}, column {opened.column})",
                tag.start,
            )
        close_strip = _strip(tag)
        for link in links:  # Handlebars.js gives the first link the final close's trimming
            self.finish(link, close_strip if link.chain_depth == 1 else _strip(link.tag))
        self.finish(frame, close_strip)

    @staticmethod
    def finish(frame: _Open, close_strip: Strip) -> None:
        block = frame.block
        block.open_strip = _strip(frame.tag)
        block.inverse_strip = frame.else_strip
        block.close_strip = close_strip
        if frame.tag.kind is TagKind.INVERSE_SECTION:
            block.program, block.inverse = frame.second, frame.first
        else:
            block.program, block.inverse = frame.first, frame.second
        if block.kind is BlockKind.INLINE:
            frame.container.partials[block.partial_name] = frame.first

    def resolve_partials(self, program: Program, outer: tuple[Program, ...]) -> None:
        """Point each ``{{> name}}`` at the nearest enclosing ``{{#*inline "name"}}``."""
        scopes = (program, *outer)
        for node in program.body:
            if isinstance(node, Partial):
                node.target = next(
                    (s.partials[node.name] for s in scopes if node.name in s.partials), None
                )
                if node.target is None:
                    raise self.error(f"the partial '{node.name}' is not defined", node.offset)
            elif isinstance(node, Block):
                for nested in (node.program, node.inverse):
                    if nested is not None:
                        self.resolve_partials(nested, scopes)

"""The parsed form of a template part.

Expressions are frozen values. Statement nodes are mutable only while a part is compiled (the
whitespace-control pass trims ``Content`` and sets partial indents; partial references are
resolved to their inline definitions); a compiled part never changes afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class CallKind(Enum):
    VALUE = "value"  # {{path}}: the value itself
    LOOKUP = "lookup"  # {{lookup obj key}}
    LOG = "log"  # {{log ...}}: renders nothing
    UNKNOWN = "unknown"  # a helper SES does not have: fails when rendered


class BlockKind(Enum):
    IF = "if"
    UNLESS = "unless"
    EACH = "each"
    WITH = "with"
    SECTION = "section"  # {{#path}}: Mustache-style section (blockHelperMissing)
    UNKNOWN = "unknown"  # {{#helper args}} for a helper SES does not have
    INLINE = "inline"  # {{#*inline "name"}}: defines a partial, renders nothing


@dataclass(frozen=True, slots=True)
class PathExpr:
    original: str  # as written, without brackets: "contact.firstName", "../name", "@index"
    parts: tuple[str, ...]  # the keys to follow, without this/./..
    depth: int  # how many ../
    data: bool  # an @data reference
    scoped: bool  # starts with this, ./ or ../ (never a helper or block param)
    block_param: tuple[int, int] | None  # (frame, index) when the head names a block param
    offset: int

    @property
    def simple_name(self) -> str | None:
        """The name when this could be a helper: one plain segment, nothing else."""
        plain = not (self.data or self.depth or self.scoped or self.block_param)
        return self.parts[0] if plain and len(self.parts) == 1 else None


@dataclass(frozen=True, slots=True)
class Literal:
    value: object  # str, int, float, bool, None or UNDEFINED
    offset: int


@dataclass(frozen=True, slots=True)
class SubExpr:
    call: Call


Expr = PathExpr | Literal | SubExpr


@dataclass(frozen=True, slots=True)
class Call:
    head: PathExpr
    params: tuple[Expr, ...]
    hash: tuple[tuple[str, Expr], ...]
    kind: CallKind


@dataclass(frozen=True, slots=True)
class Strip:
    before: bool  # {{~ : trim whitespace before the tag
    after: bool  # ~}} : trim whitespace after the tag


NO_STRIP = Strip(before=False, after=False)


@dataclass(slots=True)
class Content:
    original: str
    value: str
    left_stripped: bool = False
    right_stripped: bool = False


@dataclass(slots=True)
class Comment:
    strip: Strip


@dataclass(slots=True)
class Mustache:
    call: Call
    strip: Strip


@dataclass(slots=True)
class Partial:
    name: str
    context: Expr | None
    hash: tuple[tuple[str, Expr], ...]
    strip: Strip
    offset: int
    indent: str = ""
    target: Program | None = None


@dataclass(slots=True)
class Block:
    kind: BlockKind
    call: Call
    program: Program | None = None
    inverse: Program | None = None
    open_strip: Strip = NO_STRIP
    inverse_strip: Strip = NO_STRIP
    close_strip: Strip = NO_STRIP
    partial_name: str = ""  # for INLINE


Node = Content | Comment | Mustache | Partial | Block


@dataclass(slots=True)
class Program:
    body: list[Node] = field(default_factory=list)
    block_params: tuple[str, ...] = ()
    chained: bool = False  # the inverse of {{else if}}: holds the chained block only
    partials: dict[str, Program] = field(default_factory=dict)

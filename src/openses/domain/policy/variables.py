"""Policy variables (``${key}``, ``${key, 'default'}``) and the escapes ``${*}`` ``${?}`` ``${$}``.

Only 2012-10-17 policies substitute; under 2008-10-17 (or no Version) the text is literal. A
template is parsed once into pieces; resolving it against a context gives ``(text, wildcards
active)`` pieces, where substituted text never acts as a wildcard, or ``None`` when a variable
is unresolved (its key absent or multivalued and no default given).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openses.domain.policy.context import Context

Piece = tuple[str, bool]

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_WITH_DEFAULT = re.compile(r"(?P<key>[^,]*), '(?P<default>[^']*)'")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True, slots=True)
class Variable:
    key: str  # lower-cased
    default: str | None


@dataclass(frozen=True, slots=True)
class Template:
    """A condition value or resource component, split into literal text and variables."""

    source: str
    pieces: tuple[Piece | Variable, ...]

    @property
    def has_variables(self) -> bool:
        return any(isinstance(piece, Variable) for piece in self.pieces)

    def static_pieces(self) -> tuple[Piece, ...]:
        """The pieces of a template without variables (escapes already literal)."""
        assert not self.has_variables
        return tuple(piece for piece in self.pieces if not isinstance(piece, Variable))

    def resolve(self, context: Context) -> tuple[Piece, ...] | None:
        out: list[Piece] = []
        for piece in self.pieces:
            if not isinstance(piece, Variable):
                out.append(piece)
                continue
            value = context.get(piece.key)
            if isinstance(value, str):
                out.append((value, False))
            elif piece.default is not None:
                out.append((piece.default, False))
            else:
                return None
        return tuple(out)

    def resolve_text(self, context: Context) -> str | None:
        pieces = self.resolve(context)
        return None if pieces is None else "".join(text for text, _ in pieces)


def parse_template(source: str, *, substitute: bool) -> Template:
    """Split ``source`` into pieces; with ``substitute`` false everything is literal policy text."""
    if not substitute or "${" not in source:
        return Template(source, ((source, True),) if source else ())
    pieces: list[Piece | Variable] = []
    position = 0
    for match in _VARIABLE.finditer(source):
        if match.start() > position:
            pieces.append((source[position : match.start()], True))
        body = match.group(1)
        if body in _ESCAPES:
            pieces.append((_ESCAPES[body], False))
        else:
            with_default = _WITH_DEFAULT.fullmatch(body)
            if with_default:
                pieces.append(
                    Variable(with_default["key"].strip().lower(), with_default["default"])
                )
            else:
                pieces.append(Variable(body.strip().lower(), None))
        position = match.end()
    if position < len(source):
        pieces.append((source[position:], True))
    return Template(source, tuple(pieces))

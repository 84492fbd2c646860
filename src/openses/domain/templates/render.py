"""Rendering a parsed part against JSON data, with Handlebars.js semantics and no escaping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from openses.domain.templates.errors import MissingVariable, RenderError, TemplateSyntaxError
from openses.domain.templates.nodes import (
    Block,
    BlockKind,
    Call,
    CallKind,
    Content,
    Expr,
    Literal,
    Mustache,
    Partial,
    PathExpr,
    Program,
    SubExpr,
)
from openses.domain.templates.parser import parse
from openses.domain.templates.values import (
    UNDEFINED,
    get_property,
    is_empty,
    same_context,
    to_text,
    truthy,
)

UNSUBSCRIBE_PLACEHOLDER = "amazonSESUnsubscribeUrl"  # SES fills it in after rendering
MAX_PARTIAL_DEPTH = 64


@dataclass(frozen=True, slots=True)
class _Frame:
    """An ``@data`` frame: ``@root`` everywhere, ``@index``/``@key``/... inside ``#each``."""

    values: Mapping[str, object]
    parent: _Frame | None

    def child(self, **values: object) -> _Frame:
        return _Frame({**self.values, **values}, self)


@dataclass(frozen=True, slots=True)
class _Scope:
    context: object
    depths: tuple[object, ...]  # depths[0] is the context, depths[n] what n levels of ``../`` reach
    frame: _Frame
    block_params: tuple[tuple[object, ...], ...]  # innermost first
    partial_depth: int = 0

    def enter(self, context: object) -> _Scope:
        depths = self.depths if same_context(context, self.depths[0]) else (context, *self.depths)
        return replace(self, context=context, depths=depths)


class _Renderer:
    def __init__(self, *, strict: bool, part: str | None) -> None:
        self.strict = strict
        self.part = part

    def missing(self, name: str) -> MissingVariable:
        return MissingVariable(name, part=self.part)

    def program(
        self,
        program: Program | None,
        scope: _Scope,
        out: list[str],
        block_values: tuple[object, ...] = (),
    ) -> None:
        if program is None:
            return
        if program.block_params:
            scope = replace(scope, block_params=(block_values, *scope.block_params))
        for node in program.body:
            if isinstance(node, Content):
                out.append(node.value)
            elif isinstance(node, Mustache):
                self.mustache(node, scope, out)
            elif isinstance(node, Block):
                self.block(node, scope, out)
            elif isinstance(node, Partial):
                self.partial(node, scope, out)

    def path(self, path: PathExpr, scope: _Scope) -> object:
        parts = path.parts
        if path.data:
            frame: _Frame | None = scope.frame
            for _ in range(path.depth):
                frame = frame.parent if frame is not None else None
            value = frame.values.get(parts[0], UNDEFINED) if frame is not None else UNDEFINED
            parts = parts[1:]
        elif path.block_param is not None:
            level, index = path.block_param
            values = scope.block_params[level] if level < len(scope.block_params) else ()
            value = values[index] if index < len(values) else UNDEFINED
            parts = parts[1:]
        else:
            depths = scope.depths
            value = depths[path.depth] if path.depth < len(depths) else UNDEFINED
        for part in parts:
            value = get_property(value, part)
            if value is UNDEFINED:
                break
        return value

    def value(self, expression: Expr, scope: _Scope) -> object:
        if isinstance(expression, Literal):
            return expression.value
        if isinstance(expression, SubExpr):
            return self.call(expression.call, scope)
        return self.path(expression, scope)

    def call(self, call: Call, scope: _Scope) -> object:
        kind = call.kind
        if kind is CallKind.VALUE:
            return self.path(call.head, scope)
        if kind is CallKind.LOOKUP:
            target = self.value(call.params[0], scope)
            if not truthy(target):
                return target
            key = self.value(call.params[1], scope)
            return get_property(target, key if isinstance(key, str) else to_text(key))
        if kind is CallKind.LOG:
            return UNDEFINED
        raise self.missing(call.head.original)  # a helper SES does not have

    def mustache(self, node: Mustache, scope: _Scope, out: list[str]) -> None:
        call = node.call
        value = self.call(call, scope)
        if value is not None and value is not UNDEFINED:
            out.append(to_text(value))
            return
        head = call.head
        if call.kind is not CallKind.VALUE or not head.parts:
            return  # {{this}} of null, {{log}}, a lookup that found nothing
        if head.simple_name == UNSUBSCRIBE_PLACEHOLDER:
            out.append("{{" + UNSUBSCRIBE_PLACEHOLDER + "}}")
        elif self.strict:
            raise self.missing(head.original)

    def block(self, block: Block, scope: _Scope, out: list[str]) -> None:
        kind = block.kind
        if kind is BlockKind.INLINE:
            return
        if kind is BlockKind.UNKNOWN:
            raise self.missing(block.call.head.original)
        if kind is BlockKind.SECTION:
            self.section(block, scope, out)
            return
        subject = self.value(block.call.params[0], scope)
        if kind is BlockKind.EACH:
            self.each(block, subject, scope, out)
        elif kind is BlockKind.WITH:
            if is_empty(subject):
                self.program(block.inverse, scope, out)
            else:
                self.program(block.program, scope.enter(subject), out, (subject,))
        else:
            hash_values = dict(block.call.hash)
            include_zero = "includeZero" in hash_values and truthy(
                self.value(hash_values["includeZero"], scope)
            )
            passed = not ((not include_zero and not truthy(subject)) or is_empty(subject))
            if kind is BlockKind.UNLESS:
                passed = not passed
            self.program(block.program if passed else block.inverse, scope, out)

    def section(self, block: Block, scope: _Scope, out: list[str]) -> None:
        """``{{#name}}``: true renders once, falsy or [] renders the inverse, a list iterates,
        anything else (0 and "" included) becomes the context, as Handlebars' blockHelperMissing.
        """
        head = block.call.head
        subject = self.path(head, scope)
        if subject is UNDEFINED and self.strict and head.parts:
            raise self.missing(head.original)
        if subject is True:
            self.program(block.program, scope, out)
        elif subject is False or subject is None or subject is UNDEFINED:
            self.program(block.inverse, scope, out)
        elif isinstance(subject, list | tuple):
            self.each(block, subject, scope, out)
        else:
            self.program(block.program, scope.enter(subject), out)

    def each(self, block: Block, subject: object, scope: _Scope, out: list[str]) -> None:
        entries: list[tuple[object, object]]
        if isinstance(subject, list | tuple):
            entries = list(enumerate(subject))
        elif isinstance(subject, Mapping):
            entries = list(subject.items())
        else:
            entries = []  # strings, numbers and the like do not iterate
        if not entries:
            self.program(block.inverse, scope, out)
            return
        last = len(entries) - 1
        for index, (key, item) in enumerate(entries):
            frame = scope.frame.child(key=key, index=index, first=index == 0, last=index == last)
            inner = replace(scope.enter(item), frame=frame)
            self.program(block.program, inner, out, (item, key))

    def partial(self, node: Partial, scope: _Scope, out: list[str]) -> None:
        if scope.partial_depth >= MAX_PARTIAL_DEPTH:
            raise RenderError(
                f"partials nested more than {MAX_PARTIAL_DEPTH} deep (does '{node.name}' "
                "call itself without end?)",
                part=self.part,
            )
        context = scope.context if node.context is None else self.value(node.context, scope)
        if node.hash:
            base = dict(context) if isinstance(context, Mapping) else {}
            base.update((key, self.value(value, scope)) for key, value in node.hash)
            context = base
        # A partial starts afresh: ``../`` and block params stop at it; ``@data`` carries on.
        inner = _Scope(context, (context,), scope.frame, (), scope.partial_depth + 1)
        rendered: list[str] = []
        self.program(node.target, inner, rendered)
        text = "".join(rendered)
        if node.indent:
            lines = text.split("\n")
            last = len(lines) - 1
            text = "\n".join(
                line if (not line and i == last) else node.indent + line
                for i, line in enumerate(lines)
            )
        out.append(text)


class CompiledPart:
    """One template part (subject, text or HTML), parsed once and rendered any number of times.

    ``compile_part`` raises ``TemplateSyntaxError``; ``render`` raises ``MissingVariable`` (in
    strict mode, or for a helper SES does not have) or ``RenderError``.
    """

    __slots__ = ("_program", "part", "source")

    def __init__(self, source: str, *, part: str | None = None) -> None:
        self.source = source
        self.part = part
        try:
            self._program = parse(source)
        except TemplateSyntaxError as error:
            raise (error.in_part(part) if part else error) from None

    def __repr__(self) -> str:
        return f"CompiledPart({self.source!r}, part={self.part!r})"

    def render(self, data: Mapping[str, object], *, strict: bool) -> str:
        scope = _Scope(data, (data,), _Frame({"root": data}, None), ())
        out: list[str] = []
        try:
            _Renderer(strict=strict, part=self.part).program(self._program, scope, out)
        except RecursionError:
            raise RenderError(
                "the template and data are nested too deeply to render", part=self.part
            ) from None
        return "".join(out)

    def unsupported_construct(self) -> str | None:
        """The first tag that is more than a simple substitution (``{{name}}``, ``{{a.b}}``)."""
        return _first_complex(self._program)


def _first_complex(program: Program) -> str | None:
    for node in program.body:
        if isinstance(node, Content):
            continue
        if isinstance(node, Block):
            return "{{#" + node.call.head.original + "}}"
        if isinstance(node, Partial):
            return "{{> " + node.name + "}}"
        if not isinstance(node, Mustache):
            continue
        call = node.call
        head = call.head
        if call.kind is not CallKind.VALUE or head.data or head.depth:
            return "{{" + head.original + " ...}}" if call.params else "{{" + head.original + "}}"
    return None


def compile_part(source: str, *, part: str | None = None) -> CompiledPart:
    return CompiledPart(source, part=part)

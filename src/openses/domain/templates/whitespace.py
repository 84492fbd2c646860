"""Handlebars whitespace control: ``~`` trimming and standalone-line removal.

``{{~`` trims all whitespace before a tag and ``~}}`` all whitespace after it. A block tag,
``{{else}}``, comment or partial alone on its line ("standalone") disappears together with its
line's indentation and line break, so that templates can be indented freely; a standalone
partial indents every line of its output by the indentation it had. The rules (including which
neighbouring text counts) follow Handlebars.js, so templates render the same as on SES.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openses.domain.templates.nodes import Block, Comment, Content, Mustache, Node, Partial, Program

_PREVIOUS_LINE_ENDS = re.compile(r"\r?\n\s*?\Z")
_PREVIOUS_LINE_ENDS_OR_START = re.compile(r"(?:\A|\r?\n)\s*?\Z")
_NEXT_LINE_STARTS = re.compile(r"\A\s*?\r?\n")
_NEXT_LINE_STARTS_OR_END = re.compile(r"\A\s*?(?:\r?\n|\Z)")
_LEADING_SPACE = re.compile(r"\A\s+")
_TRAILING_SPACE = re.compile(r"\s+\Z")
_FIRST_LINE_BREAK = re.compile(r"\A[ \t]*\r?\n?")
_TRAILING_INDENT = re.compile(r"[ \t]+\Z")


@dataclass(frozen=True, slots=True)
class _Flags:
    before: bool = False
    after: bool = False
    open_standalone: bool = False
    close_standalone: bool = False
    inline_standalone: bool = False


def apply_whitespace_control(root: Program) -> None:
    _program(root, is_root=True)
    _prune(root)


def _program(program: Program, *, is_root: bool) -> None:
    body = program.body
    for index, node in enumerate(body):
        flags = _flags(node)
        if flags is None:
            continue
        after_line_break = _previous_is_line_end(body, index, is_root=is_root)
        before_line_break = _next_is_line_start(body, index, is_root=is_root)
        if flags.after:
            _omit_right(body, index, every=True)
        if flags.before:
            _omit_left(body, index, every=True)
        if flags.inline_standalone and after_line_break and before_line_break:
            _omit_right(body, index)
            if _omit_left(body, index) and isinstance(node, Partial):
                previous = body[index - 1]
                assert isinstance(previous, Content)
                indent = _TRAILING_INDENT.search(previous.original)
                node.indent = indent.group() if indent else ""
        if flags.open_standalone and after_line_break:
            assert isinstance(node, Block)
            _omit_right(_first_program(node).body, None)
            _omit_left(body, index)
        if flags.close_standalone and before_line_break:
            assert isinstance(node, Block)
            _omit_right(body, index)
            _omit_left(_last_program(node).body, None)


def _first_program(block: Block) -> Program:
    program = block.program if block.program is not None else block.inverse
    assert program is not None
    return program


def _last_program(block: Block) -> Program:
    program = block.inverse if block.inverse is not None else block.program
    assert program is not None
    return program


def _flags(node: Node) -> _Flags | None:
    if isinstance(node, Content):
        return None
    if isinstance(node, Mustache):
        return _Flags(before=node.strip.before, after=node.strip.after)
    if isinstance(node, Comment | Partial):
        return _Flags(before=node.strip.before, after=node.strip.after, inline_standalone=True)
    return _block_flags(node)


def _block_flags(block: Block) -> _Flags:
    for nested in (block.program, block.inverse):
        if nested is not None:
            _program(nested, is_root=False)
    program = _first_program(block)
    inverse = block.inverse if block.program is not None else None
    first_inverse = last_inverse = inverse
    if inverse is not None and inverse.chained:
        link = inverse.body[0]
        assert isinstance(link, Block)
        first_inverse = _first_program(link)
        while last_inverse is not None and last_inverse.chained:  # as Handlebars.js walks it
            link = last_inverse.body[-1]
            assert isinstance(link, Block)
            last_inverse = link.program
    flags = _Flags(
        before=block.open_strip.before,
        after=block.close_strip.after,
        open_standalone=_next_is_line_start(program.body, None, is_root=False),
        close_standalone=_previous_is_line_end(
            (program if first_inverse is None else first_inverse).body, None, is_root=False
        ),
    )
    if block.open_strip.after:
        _omit_right(program.body, None, every=True)
    if first_inverse is not None and last_inverse is not None:
        if block.inverse_strip.before:
            _omit_left(program.body, None, every=True)
        if block.inverse_strip.after:
            _omit_right(first_inverse.body, None, every=True)
        if block.close_strip.before:
            _omit_left(last_inverse.body, None, every=True)
        if _previous_is_line_end(program.body, None, is_root=False) and _next_is_line_start(
            first_inverse.body, None, is_root=False
        ):  # a standalone {{else}}
            _omit_left(program.body, None)
            _omit_right(first_inverse.body, None)
    elif block.close_strip.before:
        _omit_left(program.body, None, every=True)
    return flags


def _previous_is_line_end(body: list[Node], index: int | None, *, is_root: bool) -> bool:
    at = len(body) if index is None else index
    if at < 1:
        return is_root
    previous = body[at - 1]
    if not isinstance(previous, Content):
        return False
    pattern = _PREVIOUS_LINE_ENDS if at >= 2 or not is_root else _PREVIOUS_LINE_ENDS_OR_START
    return pattern.search(previous.original) is not None


def _next_is_line_start(body: list[Node], index: int | None, *, is_root: bool) -> bool:
    at = -1 if index is None else index
    if at + 1 >= len(body):
        return is_root
    following = body[at + 1]
    if not isinstance(following, Content):
        return False
    pattern = _NEXT_LINE_STARTS if at + 2 < len(body) or not is_root else _NEXT_LINE_STARTS_OR_END
    return pattern.match(following.original) is not None


def _omit_right(body: list[Node], index: int | None, *, every: bool = False) -> None:
    """Trim the start of the text after ``index`` (the first text when ``index`` is None)."""
    at = 0 if index is None else index + 1
    if at >= len(body):
        return
    text = body[at]
    if not isinstance(text, Content) or (not every and text.right_stripped):
        return
    before = text.value
    text.value = (_LEADING_SPACE if every else _FIRST_LINE_BREAK).sub("", before, count=1)
    text.right_stripped = text.value != before


def _omit_left(body: list[Node], index: int | None, *, every: bool = False) -> bool:
    """Trim the end of the text before ``index`` (the last text when ``index`` is None)."""
    at = len(body) - 1 if index is None else index - 1
    if at < 0:
        return False
    text = body[at]
    if not isinstance(text, Content) or (not every and text.left_stripped):
        return False
    before = text.value
    text.value = (_TRAILING_SPACE if every else _TRAILING_INDENT).sub("", before, count=1)
    text.left_stripped = text.value != before
    return text.left_stripped


def _prune(program: Program) -> None:
    """Drop what renders nothing (emptied text and comments) once trimming is done."""
    program.body = [
        node
        for node in program.body
        if not (isinstance(node, Comment) or (isinstance(node, Content) and not node.value))
    ]
    for node in program.body:
        if isinstance(node, Block):
            for nested in (node.program, node.inverse):
                if nested is not None:
                    _prune(nested)

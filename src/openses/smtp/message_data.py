"""The message after ``DATA``: read in blocks, judged line by line exactly as aiosmtpd judges it.

aiosmtpd reads the message one ``readuntil`` per line; this module reads it in a few large
blocks and gives the same answer:

* the message ends at the first line (lines end with CRLF) that is a lone ``.``; nothing after
  that line is read, so a pipelined next command stays in the stream;
* a line of more than 1001 bytes with its CRLF is :attr:`DataProblem.LINE_TOO_LONG`, the whole
  received size (the final ``.`` line excluded) over the limit is :attr:`DataProblem.TOO_MUCH`;
  the first in line order decides, and within one line the size goes first unless the line
  is longer than aiosmtpd's stream limit (1003 bytes), which it refuses before counting it;
* otherwise the bytes are the lines as received, each line's leading ``.`` removed (RFC 5321
  §4.5.2).

After a problem the rest of the message is read to its end and dropped, so memory stays
bounded by the size limit, as in aiosmtpd.
"""

from __future__ import annotations

import asyncio
import enum
from typing import Final

LINE_LIMIT: Final = 1001  # aiosmtpd's SMTP.line_length_limit: RFC 5321 §4.5.3.1.6 plus a dot
_STREAM_LIMIT: Final = LINE_LIMIT + 2  # longer lines overflow aiosmtpd's StreamReader
_CRLF: Final = b"\r\n"
_LONE_DOT: Final = b".\r"  # a line start, then this, then "\n": the end of the message
_LONE_DOT_LINE: Final = b"\n.\r\n"  # after a CR: the end of the message


class DataProblem(enum.Enum):
    LINE_TOO_LONG = "line too long"
    TOO_MUCH = "too much data"


class _Lines:
    """The received bytes, split and checked into lines as they arrive."""

    def __init__(self, size_limit: int | None) -> None:
        self.size_limit = size_limit
        self.kept: list[bytes] = []  # whole lines, while there is no problem
        self.partial = b""  # the start of a line whose CRLF has not come yet
        self.counted = 0  # bytes of the whole lines
        self.problem: DataProblem | None = None
        self.received = 0  # bytes received
        self.last = b""  # the last byte received

    def feed(self, received: bytes) -> None:
        if not received:
            return
        self.received += len(received)
        self.last = received[-1:]
        if self.problem is not None:
            return
        data = self.partial + received if self.partial else received
        end = data.rfind(_CRLF) + 2
        if end >= 2:
            whole = data[:end]
            self.partial = data[end:]
            counted = self.counted + len(whole)
            limit = self.size_limit
            if (limit and counted > limit) or (
                len(whole) > LINE_LIMIT and max(map(len, whole.split(_CRLF))) + 2 > LINE_LIMIT
            ):
                self._fail(self._first_problem(whole))
                return
            self.counted = counted
            self.kept.append(whole)
        else:
            self.partial = data
        if len(self.partial) > _STREAM_LIMIT:  # this line will be longer than 1003 bytes
            self._fail(DataProblem.LINE_TOO_LONG)

    def _first_problem(self, whole: bytes) -> DataProblem:
        counted, limit = self.counted, self.size_limit
        for line in whole.split(_CRLF)[:-1]:
            length = len(line) + 2
            if length > _STREAM_LIMIT:
                return DataProblem.LINE_TOO_LONG
            counted += length
            if limit and counted > limit:
                return DataProblem.TOO_MUCH
            if length > LINE_LIMIT:
                return DataProblem.LINE_TOO_LONG
        raise AssertionError("no problem in lines that have one")  # pragma: no cover

    def _fail(self, problem: DataProblem) -> None:
        self.problem = problem
        self.kept.clear()
        self.partial = b""

    def message(self) -> bytes:
        """The lines received, each without its leading dot (only when there is no problem)."""
        assert self.problem is None
        assert not self.partial
        data = b"".join(self.kept)
        if b"\r\n." in data:
            data = data.replace(b"\r\n.", b"\r\n")
        return data[1:] if data.startswith(b".") else data


async def _read_through(reader: asyncio.StreamReader, separator: bytes, lines: _Lines) -> bytes:
    """Up to and including ``separator``; when that is further than the reader's limit, what
    comes before goes to ``lines`` (the returned bytes are then not the first read)."""
    while True:
        try:
            return await reader.readuntil(separator)
        except asyncio.LimitOverrunError as error:
            lines.feed(await reader.read(error.consumed))


async def read_message(reader: asyncio.StreamReader, size_limit: int | None) -> bytes | DataProblem:
    """Read one message through its final ``.`` line: its bytes, or what is wrong with it."""
    lines = _Lines(size_limit)
    at_line_start = True
    while True:
        if at_line_start:
            # The final line can start here: read to this line's first CR and look.
            received = lines.received
            chunk = await _read_through(reader, b"\r", lines)
            if chunk == _LONE_DOT and lines.received == received:
                following = await reader.readexactly(1)
                if following == b"\n":
                    break
                chunk += following
            lines.feed(chunk)
            at_line_start = False
            continue
        # Not at a line start and just after a CR (or later): the final line is the first
        # "\n.\r\n" whose "\n" follows a CR.
        chunk = await _read_through(reader, _LONE_DOT_LINE, lines)
        before_newline = chunk[-5:-4] if len(chunk) >= 5 else lines.last
        if before_newline == b"\r":
            lines.feed(chunk[:-3])
            break
        lines.feed(chunk)  # a bare LF, then ".": part of a line, which ends here
        at_line_start = True
    if lines.problem is not None:
        return lines.problem
    return lines.message()

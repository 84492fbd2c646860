"""DATA read in blocks (openses.smtp.message_data) answers exactly as aiosmtpd's line loop.

Every input is played to OpenSES's session and to the same session reading DATA with aiosmtpd's
own ``SMTP.smtp_DATA`` (the pinned aiosmtpd 1.4.6), fed in several chunkings; the replies and
the submitted bytes must be identical.
"""

from __future__ import annotations

import itertools

import pytest
from aiosmtpd.smtp import SMTP
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openses.smtp import message_data
from openses.smtp.session import SesSmtp
from tests.unit.smtp.support import (
    AiosmtpdData,
    Conversation,
    FakeTransport,
    RecordingBackend,
    make_session,
)

ENVELOPE = b"MAIL FROM:<sender@example.com>\r\nRCPT TO:<rcpt@example.net>\r\n"
LIMIT = 10 * 1024 * 1024


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


async def play(
    kind: type[SesSmtp], chunks: list[bytes], max_message_size: int
) -> tuple[bytes, list[tuple[str, tuple[str, ...], bytes]]]:
    backend = RecordingBackend()
    session = make_session(kind, backend=backend, max_message_size=max_message_size)
    conversation = await Conversation.logged_in(session)
    try:
        replies = await conversation.send(ENVELOPE + b"DATA\r\n", *chunks, b"NOOP\r\n")
    finally:
        await conversation.close()
    return replies, backend.submissions


async def assert_same(data: bytes, max_message_size: int = LIMIT, *sizes: int) -> bytes:
    """Same answers for ``data`` after DATA, whole and in chunks; OpenSES's replies."""
    expected = await play(AiosmtpdData, [data], max_message_size)
    for size in (len(data) or 1, *sizes):
        chunks = chunked(data, size)
        assert await play(AiosmtpdData, chunks, max_message_size) == expected, size
        assert await play(SesSmtp, chunks, max_message_size) == expected, size
    return expected[0]


def long_line(length: int, fill: bytes = b"x") -> bytes:
    """One line of ``length`` bytes, its CRLF included."""
    return fill * (length - 2) + b"\r\n"


SMALL_CHUNKS = (1, 2, 3, 5, 7, 64)
BIG_CHUNKS = (3, 64, 1000, 1003, 1004, 4096)

CASES: list[tuple[str, bytes]] = [
    ("empty message", b".\r\n"),
    ("one line", b"Subject: hi\r\n\r\nhello\r\n.\r\n"),
    ("dot-stuffed lines", b"..\r\n...\r\n.x\r\n..x\r\n.\r\n"),
    ("first line dot-stuffed", b".hidden\r\nrest\r\n.\r\n"),
    ("lines ending in a dot", b"One.\r\nTwo.\r\nThree..\r\n.\r\n"),
    ("empty lines", b"\r\n\r\n\r\n.\r\n"),
    ("empty line then end", b"\r\n.\r\n"),
    ("bare LF before a dot line", b"a\n.\r\n.\r\n"),
    ("bare LF dot at the start", b"\n.\r\n.\r\n"),
    ("bare LF dot, more lines", b"a\n.\r\nb\r\n.\r\n"),
    ("bare CR before a dot", b"a\r.\r\n.\r\n"),
    ("dot CR at a line start", b".\r.\r\n.\r\n"),
    ("dot CR CR LF", b".\r\r\n.\r\n"),
    ("dot CR then text", b".\rx\r\n.\r\n"),
    ("dot CR, dot CR LF", b".\r.\r\n.\r\n"),
    ("CR CR LF", b"\r\r\n.\r\n"),
    ("CR then end", b"x\r\r\n.\r\n"),
    ("lone CRs and LFs", b"\r\r\r\n\n\n\r\n\n\r\r\n.\r\n"),
    ("dot space", b". \r\n .\r\n.\r\n"),
    ("8-bit and NUL", b"caf\xc3\xa9 \x00\xff\r\n.\r\n"),
    ("end marker inside a line", b"a\r\n.x\r\n.\r\n"),
    ("no CRLF before dot mid-line", b"abc.\r\n.\r\n"),
    ("pipelined next command", b"a\r\n.\r\nNOOP\r\n"),
    (
        "pipelined next transaction",
        b"a\r\n.\r\n" + ENVELOPE + b"DATA\r\n..b\r\n.\r\n",
    ),
    ("a dot line then garbage commands", b"a\r\n.\r\nhello there\r\n\r\n"),
]


@pytest.mark.parametrize(("name", "data"), CASES, ids=[name for name, _ in CASES])
async def test_short_messages(name: str, data: bytes) -> None:
    await assert_same(data, LIMIT, *SMALL_CHUNKS)


LINE_LENGTHS = [1000, 1001, 1002, 1003, 1004, 1005, 1006, 2005, 2006, 2007, 3000, 70_000]


@pytest.mark.parametrize("length", LINE_LENGTHS)
async def test_long_lines(length: int) -> None:
    body = b"first\r\n" + long_line(length) + b"last\r\n.\r\n"
    sizes = BIG_CHUNKS if length < 10_000 else BIG_CHUNKS[1:]  # 3-byte chunks: slow, no news
    replies = await assert_same(body, LIMIT, *sizes)
    assert replies.endswith(b"250 OK\r\n")
    assert (b"500 Line too long" in replies) == (length > 1001)


@pytest.mark.parametrize("length", [1001, 1002, 1003, 1004, 5000])
async def test_long_first_line_and_dot_after_it(length: int) -> None:
    # the ".\r\n" after a long line's bytes is the end of that line, not of the message
    body = b"y" * (length - 3) + b".\r\n" + b".\r\n"
    await assert_same(body, LIMIT, *BIG_CHUNKS)
    body = b"." * (length - 2) + b"\r\n.\r\n"
    await assert_same(body, LIMIT, *BIG_CHUNKS)


@pytest.mark.parametrize(
    "chunks",
    [
        [b"y" * 2000, b".\r\n.\r\n"],  # a line start for aiosmtpd? no: the line goes on
        [b"y" * 2000, b".\r", b"\n.\r\n"],
        [b"y" * 1100, b"y" * 900, b".\r\nNOOP\r\n"],
        [b"a\r\n", b"y" * 3000, b"\n.\r\n.\r\n"],
        [b"a\r\n", b"y" * 3000, b"\r", b"\n.\r\n"],
    ],
)
async def test_chunks_ending_where_a_long_line_overflows(chunks: list[bytes]) -> None:
    expected = await play(AiosmtpdData, chunks, LIMIT)
    assert await play(SesSmtp, chunks, LIMIT) == expected


@pytest.mark.parametrize("length", [1002, 1003, 1004, 1005])
@pytest.mark.parametrize("slack", [-1, 0, 1])
async def test_size_limit_and_long_line_on_the_same_line(length: int, slack: int) -> None:
    # the size limit is crossed by the long line itself: which reply wins depends on whether
    # aiosmtpd's stream limit refused the line before counting it
    body = long_line(10) + long_line(length) + long_line(10) + b".\r\n"
    await assert_same(body, 10 + length + slack, *BIG_CHUNKS)


@pytest.mark.parametrize("limit", [1, 9, 10, 11, 19, 20, 21, 29, 30, 31, 2000])
async def test_size_limit(limit: int) -> None:
    body = long_line(10) * 3 + b".\r\n"
    await assert_same(body, limit, *SMALL_CHUNKS)


async def test_size_limit_before_a_long_line() -> None:
    body = long_line(100) * 3 + long_line(3000) + b".\r\n"
    replies = await assert_same(body, 250, *BIG_CHUNKS)
    assert b"552 Message is too long." in replies


async def test_a_long_line_before_the_size_limit() -> None:
    body = long_line(1500) + long_line(100) * 30 + b".\r\n"
    replies = await assert_same(body, 2000, *BIG_CHUNKS)
    assert b"500 Line too long" in replies


async def test_a_large_message() -> None:
    line = b"The quick brown fox jumps over the lazy dog, again and again and again.\r\n"
    body = b"Subject: big\r\n\r\n" + line * 20_000 + b".leading dot\r\n" + b".\r\n"
    replies = await assert_same(body, LIMIT, 4096, 65_536)
    assert replies.endswith(b"250 OK\r\n")


async def test_size_limit_is_what_aiosmtpd_counts() -> None:
    # the received bytes count (before unstuffing), the final dot line does not
    body = b"..12345\r\n.\r\n"
    assert b"552" in await assert_same(body, len(body) - 4)
    assert b"250 Ok" in await assert_same(body, len(body) - 3)


def test_line_limits_are_aiosmtpd_s() -> None:
    assert SMTP.line_length_limit == message_data.LINE_LIMIT


PIECES = [
    b".",
    b"\r",
    b"\n",
    b"\r\n",
    b"a",
    b"..",
    b".\r\n",
    b"\r\n.",
    b"\n.\r\n",
    b"\r\n.\r\n",
    b"\xff",
    b"x" * 500,
    b"y" * 997,
    b"z" * 1001,
]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    pieces=st.lists(st.sampled_from(PIECES), max_size=40),
    cuts=st.lists(st.integers(min_value=0, max_value=50_000), max_size=8),
    limit=st.sampled_from([LIMIT, 0, 5, 600, 1003, 1500, 2500]),
)
async def test_any_input(pieces: list[bytes], cuts: list[int], limit: int) -> None:
    data = b"".join(pieces) + b"\r\n.\r\n"
    points = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    chunks = [data[start:end] for start, end in itertools.pairwise(points)]
    expected = await play(AiosmtpdData, chunks, limit)
    assert await play(SesSmtp, chunks, limit) == expected


async def transcript(kind: type[SesSmtp], *lines: bytes, log_in: bool = True) -> bytes:
    session = make_session(kind)
    if log_in:
        conversation = await Conversation.logged_in(session)
    else:
        conversation = Conversation(session, FakeTransport())
        session.connection_made(conversation.transport)
    try:
        return await conversation.send(*lines)
    finally:
        await conversation.close()


@pytest.mark.parametrize(
    ("log_in", "lines"),
    [
        (True, [b"DATA\r\n"]),
        (True, [b"MAIL FROM:<sender@example.com>\r\n", b"DATA\r\n"]),
        (True, [ENVELOPE, b"DATA now\r\n", b"DATA\r\n", b"x\r\n.\r\n"]),
        (True, [ENVELOPE, b"DATA \r\n", b"x\r\n.\r\n"]),
        (False, [b"DATA\r\n"]),
        (False, [b"EHLO client.test\r\n", b"DATA\r\n"]),
        (False, [b"EHLO client.test\r\n", ENVELOPE, b"DATA\r\n"]),
    ],
)
async def test_data_command_checks(log_in: bool, lines: list[bytes]) -> None:
    expected = await transcript(AiosmtpdData, *lines, log_in=log_in)
    assert await transcript(SesSmtp, *lines, log_in=log_in) == expected

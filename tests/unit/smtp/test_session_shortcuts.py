"""The small per-command shortcuts of SesSmtp, pinned to what they stand for."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from openses.smtp import replies
from openses.smtp.session import SesSmtp, peer_ip
from tests.unit.smtp.support import Conversation, RecordingBackend, make_session


def test_only_5xx_replies_are_reworded() -> None:
    # SesSmtp._ses_reword returns anything else untouched without looking it up
    reworded = [
        *replies.AIOSMTPD_REWRITES,
        replies.AIOSMTPD_MALFORMED_ADDRESS,
        replies.AIOSMTPD_MAIL_SYNTAX_PREFIX,
        replies.AIOSMTPD_RCPT_SYNTAX_PREFIX,
    ]
    assert all(status.startswith("5") for status in reworded)


async def test_aiosmtpd_timer_is_armed_once_and_out_of_reach() -> None:
    session = make_session()
    conversation = await Conversation.logged_in(session)
    try:
        handle = session._timeout_handle
        assert handle is not None
        assert handle.when() - asyncio.get_running_loop().time() > 365 * 24 * 3600
        await conversation.send(b"NOOP\r\n", b"RSET\r\n", b"NOOP\r\n")
        assert session._timeout_handle is handle
        assert not handle.cancelled()
    finally:
        await conversation.close()
    assert handle.cancelled()


@pytest.mark.parametrize(
    "peer",
    [("192.0.2.7", 40000), ("::ffff:192.0.2.7", 1, 0, 0), ("fe80::1%eth0", 1, 0, 2), None, "x"],
)
async def test_source_ip_is_peer_ip_of_the_current_peer(peer: Any) -> None:
    session: SesSmtp = make_session()
    conversation = await Conversation.logged_in(session)
    try:
        assert session.source_ip == "192.0.2.7"
        assert session.session is not None
        session.session.peer = peer  # as a STARTTLS upgrade sets it again
        assert session.source_ip == peer_ip(peer)
        assert session.source_ip == peer_ip(peer)
    finally:
        await conversation.close()


async def test_submission_carries_the_source_ip() -> None:
    backend = RecordingBackend()
    session = make_session(backend=backend)
    conversation = await Conversation.logged_in(session)
    try:
        await conversation.send(
            b"MAIL FROM:<sender@example.com>\r\nRCPT TO:<rcpt@example.net>\r\nDATA\r\n",
            b"Subject: x\r\n\r\nhi\r\n.\r\n",
        )
    finally:
        await conversation.close()
    assert [call.source_ip for call in backend.calls] == ["192.0.2.7"]

"""SesSmtp's path parsing (a fast path for plain paths) answers exactly as aiosmtpd's parser.

The reference is aiosmtpd 1.4.6's own ``SMTP._getaddr`` (the RFC 5322 parser of the standard
library), called on the same session.
"""

from __future__ import annotations

import pytest
from aiosmtpd.smtp import SMTP
from hypothesis import given, settings
from hypothesis import strategies as st

from openses.smtp.addresses import plain_path
from openses.smtp.session import SesSmtp
from tests.unit.smtp.support import make_session


@pytest.fixture
async def session() -> SesSmtp:
    return make_session()


def answers(session: SesSmtp, argument: str) -> object:
    try:
        return session._getaddr(argument)
    except Exception as error:  # the parser's own failures must match too
        return type(error)


def reference(session: SesSmtp, argument: str) -> object:
    try:
        return SMTP._getaddr(session, argument)
    except Exception as error:
        return type(error)


PLAIN = [
    "<app@bench.example>",
    "app@bench.example",
    "<success@simulator.amazonses.com> SIZE=1536",
    "<a@b> SIZE=10 BODY=8BITMIME",
    "<a@b>\tSIZE=10",
    "<a@b>   SIZE=10  ",
    "<a@b>SIZE=10",
    "<a@b>x",
    "<a@b>>",
    "<a@b><c@d>",
    "<a@b>,",
    "<a@b>\n",
    "<a@b> \u3000SIZE=1",
    "a@b SIZE=10",
    "a@b\tSIZE=10",
    "a@b  ",
    "<first.last+tag@sub.example.co.uk>",
    "<!#$%&'*+/=^_`{|}~-?@example.com>",
    "<a.b.c@d.e.f>",
    "<UPPER@EXAMPLE.COM>",
    "<a@b-c>",
    "<a@-b->",
    "<a@123>",
    "<a@b.c> ,x",
]
NOT_PLAIN = [
    "",
    " ",
    "<>",
    "<> SIZE=10",
    "<",
    ">",
    "<a@b",
    "<a@b >",
    "< a@b>",
    "<a @b>",
    "<a@ b>",
    "<a@b> (comment) SIZE=1",
    "<a@b>(comment)",
    "<a@b> @c",
    "<a@b> .c",
    "a@b (comment) SIZE=1",
    "a@b(comment)",
    "a@b @c",
    "a@b .c",
    "a@b.",
    "a@b..c",
    "a.@b",
    ".a@b",
    "a..b@c",
    "<a.@b>",
    "<a@b.>",
    "<.a@b>",
    "<a..b@c>",
    '<"quoted local"@example.com>',
    '"quoted"@example.com',
    '<"a\\"b"@example.com>',
    "<@route.example:a@b>",
    "<@r1,@r2:a@b>",
    "<a@[192.0.2.1]>",
    "<a@[IPv6:2001:db8::1]>",
    "a@[192.0.2.1]",
    "<a@b@c>",
    "a@b@c",
    "<a>",
    "a",
    "<@b>",
    "@b",
    "<a@>",
    "a@",
    "<=?utf-8?q?a?=@example.com>",
    "=?utf-8?q?a?=@example.com",
    "<a@=?utf-8?q?b?=>",
    "<a=?x?=@b>",
    "<caf\u00e9@example.com>",
    "<a@exampl\u00e9.com>",
    "caf\u00e9@example.com",
    "<a\x7f@b>",
    "<a\x00@b>",
    "a\x01@b",
    "a@b\x01",
    "<a\\@b>",
    "<a(b)@c>",
    "<a@b(c)>",
    "<a,b@c>",
    "a,b@c",
    "<a;b@c>",
    "a@b,c",
    "a@b>",
    "a@b<",
    "a@b\n",
    "a@b\r\n",
    "<a@b>\r\nx",
    "  <a@b>",
    "\t<a@b>",
    "<<a@b>>",
]


@pytest.mark.parametrize("argument", PLAIN)
async def test_plain_paths_take_the_fast_path(session: SesSmtp, argument: str) -> None:
    assert plain_path(argument) is not None
    assert answers(session, argument) == reference(session, argument)


@pytest.mark.parametrize("argument", NOT_PLAIN)
async def test_other_paths_go_to_the_parser(session: SesSmtp, argument: str) -> None:
    assert answers(session, argument) == reference(session, argument)


@pytest.mark.parametrize("argument", PLAIN + NOT_PLAIN)
@pytest.mark.parametrize("limit", [1, 3, 64])
async def test_local_part_limit_applies_alike(session: SesSmtp, argument: str, limit: int) -> None:
    session.local_part_limit = limit
    assert answers(session, argument) == reference(session, argument)


ALPHABET = 'ab.@<> \t()"[]=?\\:,;-+_\x7f\u00e9\u3000\n\r1'


@settings(max_examples=3000, deadline=None)
@given(
    prefix=st.sampled_from(["", "<a@b>", "a@b", "<x.y@z.w>", "x.y@z.w", "<a@b> ", "a@b "]),
    text=st.text(alphabet=ALPHABET, max_size=16),
)
async def test_any_argument(prefix: str, text: str) -> None:
    session = make_session()
    argument = prefix + text
    assert answers(session, argument) == reference(session, argument)

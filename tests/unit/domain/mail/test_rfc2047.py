"""RFC 2047 encoded-words: lenient decoding, strict encoding."""

from __future__ import annotations

import pytest

from openses.domain.mail import decode_words, encode_words
from openses.domain.mail.rfc2047 import needs_encoding


@pytest.mark.parametrize(
    ("text", "decoded"),
    [
        ("plain text", "plain text"),
        ("", ""),
        ("=?UTF-8?B?SMOpbGxv?=", "Héllo"),
        ("=?UTF-8?Q?H=C3=A9llo_w=C3=B6rld?=", "Héllo wörld"),
        ("=?ISO-8859-1?Q?Andr=E9?=", "André"),
        ("=?iso-8859-1?B?QW5kcuk=?=", "André"),
        ("Re: =?UTF-8?Q?caf=C3=A9?= time", "Re: café time"),
        ("=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab"),
        ("=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=", "ab"),
        ("=?UTF-8?Q?a?= x =?UTF-8?Q?b?=", "a x b"),
        ("=?UTF-8?Q?a?= =?ISO-8859-1?Q?=E9?=", "aé"),
        ("=?UTF-8?B?5pe=?= =?UTF-8?B?pQ==?=", "日"),  # one character split over two words
        ("=?UTF-8?B?SMOpbGxv?", "=?UTF-8?B?SMOpbGxv?"),  # not an encoded-word
        ("=?nope?Q?abc?= =?UTF-8?Q?d?=", "=?nope?Q?abc?= d"),
        ("=?UTF-8?B?!!!?=", "=?UTF-8?B?!!!?="),  # undecodable base64 stays as written
        ("=?UTF-8?Q?=FF?=", "\ufffd"),  # invalid bytes are replaced
        ("=?UTF-8*fr?Q?Bonjour?=", "Bonjour"),  # RFC 2231 language tag
        # Codecs that are no charsets stay as written (they used to raise: a 500 on a send).
        ("=?hex?Q?41?= <a@example.com>", "=?hex?Q?41?= <a@example.com>"),
        ("=?base64?Q?x?= =?UTF-8?Q?d?=", "=?base64?Q?x?= d"),
        ("=?rot13?Q?x?=", "=?rot13?Q?x?="),
        ("=?zlib?B?eJwrSS0uAQAEXQHB?=", "=?zlib?B?eJwrSS0uAQAEXQHB?="),
        ("=?idna?Q?x?=", "=?idna?Q?x?="),  # a text codec that cannot replace errors
    ],
)
def test_decode_words(text: str, decoded: str) -> None:
    assert decode_words(text) == decoded


@pytest.mark.parametrize(
    ("text", "charset", "words"),
    [
        ("Zoë", "UTF-8", ["=?UTF-8?Q?Zo=C3=AB?="]),
        ("a b,c", "UTF-8", ["=?UTF-8?Q?a_b=2Cc?="]),
        ("日本語", "UTF-8", ["=?UTF-8?B?5pel5pys6Kqe?="]),
        ("André", "ISO-8859-1", ["=?ISO-8859-1?Q?Andr=E9?="]),
        ("", "UTF-8", ["=?UTF-8?Q??="]),
    ],
)
def test_encode_words(text: str, charset: str, words: list[str]) -> None:
    assert encode_words(text, charset) == words


@pytest.mark.parametrize(
    "text",
    ["é" * 200, "x" * 300 + "é", "日本語のテキスト" * 30, "😀 emoji " * 40],
)
def test_encoded_words_are_short_and_round_trip(text: str) -> None:
    words = encode_words(text)
    assert all(len(word) <= 75 for word in words)
    assert decode_words(" ".join(words)) == text


def test_encode_words_errors() -> None:
    with pytest.raises(LookupError):
        encode_words("x", "no-such-charset")
    with pytest.raises(UnicodeEncodeError):
        encode_words("€", "ISO-8859-1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", False),
        ("tab\tok", False),
        ("", False),
        ("é", True),
        ("a\nb", True),
        ("\x7f", True),
    ],
)
def test_needs_encoding(text: str, expected: bool) -> None:
    assert needs_encoding(text) is expected

"""RFC 2047 encoded-words: decoding header text for display, encoding non-ASCII for headers.

SES documents that header text must be 7-bit ASCII and that non-ASCII subjects and display
names travel as encoded-words (``=?charset?B|Q?text?=``); it decodes them for the
``ses:FromDisplayName`` condition key (spec A8). Where SES is silent we are lenient on input and
strict on output: decoding accepts encoded-words anywhere (also inside quoted strings, as mail
clients do), joins adjacent words of the same charset before decoding their bytes (so a
multi-byte character split across two words survives), drops the whitespace between adjacent
encoded-words (RFC 2047 section 6.2), tolerates missing base64 padding, replaces undecodable
bytes, and leaves a word whose charset is unknown exactly as written. Encoding produces words of
at most 75 characters that never split a character, chooses Q when fewer than half of the
characters are non-ASCII and B otherwise, and in Q uses only the characters RFC 2047 allows in
a phrase, so the same words serve a Subject and a display name.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re

MAX_WORD = 75  # RFC 2047 section 2: an encoded-word is at most 75 characters long

_WORD = re.compile(r"=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=")
_Q_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")


def _codec(charset: str) -> codecs.CodecInfo | None:
    """The codec for a MIME charset label (an RFC 2231 ``*language`` suffix is ignored)."""
    try:
        codec = codecs.lookup(charset.split("*", 1)[0])
    except LookupError:
        return None
    # Bytes-to-bytes codecs (hex, base64, zlib, rot13) are no charsets: bytes.decode refuses
    # them, and CPython marks them so (the same flag bytes.decode reads).
    return codec if getattr(codec, "_is_text_encoding", True) else None


def _word_bytes(encoding: str, text: str) -> bytes | None:
    if encoding in "Bb":
        try:
            return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except (binascii.Error, ValueError):
            return None
    return binascii.a2b_qp(text.encode("ascii", "replace"), header=True)


def decode_words(text: str) -> str:
    """``text`` with every decodable encoded-word replaced by the characters it stands for."""
    if "=?" not in text:
        return text  # no encoded-word can start anywhere
    out: list[str] = []
    pending: list[tuple[str, bytes, str]] = []  # (charset, bytes, raw) of adjacent words
    position = 0

    def flush() -> None:
        if not pending:
            return
        charset = pending[0][0]
        codec = _codec(charset)
        data = b"".join(chunk for _, chunk, _ in pending)
        try:
            if codec is None:
                raise LookupError(charset)
            out.append(data.decode(codec.name, "replace"))
        except (LookupError, UnicodeError):  # e.g. idna, which takes no "replace": left as is
            out.append("".join(raw for _, _, raw in pending))
        pending.clear()

    for match in _WORD.finditer(text):
        gap = text[position : match.start()]
        charset, encoding, encoded = match.groups()
        data = _word_bytes(encoding, encoded)
        position = match.end()
        if data is None or _codec(charset) is None:
            flush()
            out.append(gap + match.group(0))
            continue
        adjacent = pending and not gap.strip(" \t\r\n")
        if adjacent and pending[0][0].lower() == charset.lower():
            pending.append((charset, data, match.group(0)))
            continue
        flush()
        if not adjacent:
            out.append(gap)
        pending.append((charset, data, match.group(0)))
    flush()
    out.append(text[position:])
    return "".join(out)


def needs_encoding(text: str) -> bool:
    """True unless ``text`` is printable ASCII, spaces and tabs only."""
    return any(not (" " <= ch <= "~" or ch == "\t") for ch in text)


def _q(data: bytes) -> str:
    return "".join(
        "_" if byte == 0x20 else chr(byte) if byte in _Q_SAFE else f"={byte:02X}" for byte in data
    )


def _b(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def encode_words(text: str, charset: str = "UTF-8") -> list[str]:
    """``text`` as encoded-words in ``charset``, each at most 75 characters.

    Raises ``LookupError`` for an unknown charset and ``UnicodeEncodeError`` when ``text``
    cannot be written in it. The words are to be separated by folding white space.
    """
    codec = codecs.lookup(charset)
    non_ascii = sum(1 for ch in text if ord(ch) > 0x7E or ord(ch) < 0x20)
    encoding, encoder = ("Q", _q) if 2 * non_ascii < len(text) or not text else ("B", _b)
    overhead = len(f"=?{charset}?{encoding}??=")
    words: list[str] = []
    chunk = ""
    for ch in text:
        candidate = chunk + ch
        size = overhead + len(encoder(codec.encode(candidate)[0]))
        if chunk and size > MAX_WORD:
            words.append(chunk)
            chunk = ch
        else:
            chunk = candidate
    if chunk or not words:
        words.append(chunk)
    return [f"=?{charset}?{encoding}?{encoder(codec.encode(w)[0])}?=" for w in words]

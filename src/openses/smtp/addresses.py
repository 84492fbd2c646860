"""Syntax of envelope addresses (``MAIL FROM`` / ``RCPT TO``).

SES has no SMTPUTF8: addresses are 7-bit ASCII, domains may be Punycode, local parts may not be
internationalised (spec §6.1). Decisions where SES is silent:

* the local part is a dot-atom or a quoted string, at most 64 characters (RFC 5321 §4.5.3.1.1),
  with no whitespace or control characters even when quoted (SES refuses those: "Local address
  contains control or whitespace", OBS);
* the domain is a host name of LDH labels, at most 253 characters; address literals
  (``user@[192.0.2.1]``) are refused, since no SES identity or delivery target can be one;
* the null reverse path ``MAIL FROM:<>`` is refused: SES needs a sender to attribute and to
  send feedback to;
* the whole address is at most 254 characters (the RFC 5321 path limit less the brackets).

:func:`plain_path` reads the usual ``MAIL``/``RCPT`` argument (``<local@domain>`` or
``local@domain``, dot-atoms only, then ESMTP parameters) without the RFC 5322 parser aiosmtpd
uses; it answers exactly as that parser does, and declines (None) everything else, which then
goes to aiosmtpd's parser.
"""

from __future__ import annotations

import re
from typing import Final

MAX_ADDRESS: Final = 254
MAX_LOCAL_PART: Final = 64
MAX_DOMAIN: Final = 253

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_QUOTED = re.compile(r'"(?:[\x21\x23-\x5b\x5d-\x7e]|\\[\x21-\x7e])+"')
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
# A path the RFC 5322 parser reads as plainly as it is written: dot-atom "@" dot-atom, in angle
# brackets (group 1) or bare (group 2, up to a space, a tab or the end).
_PLAIN_PATH = re.compile(
    rf"<({_ATOM}(?:\.{_ATOM})*@{_ATOM}(?:\.{_ATOM})*)>"
    rf"|({_ATOM}(?:\.{_ATOM})*@{_ATOM}(?:\.{_ATOM})*)(?=[ \t]|\Z)"
)


def is_valid_address(address: str) -> bool:
    """Whether ``address`` (an addr-spec, no brackets) is one SES would take on the envelope."""
    if not address.isascii() or len(address) > MAX_ADDRESS:
        return False
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return False
    if len(local) > MAX_LOCAL_PART or len(domain) > MAX_DOMAIN:
        return False
    if not (_DOT_ATOM.fullmatch(local) or _QUOTED.fullmatch(local)):
        return False
    return _DOMAIN.fullmatch(domain) is not None


def plain_path(argument: str) -> tuple[str, str] | None:
    """``(address, parameters)`` of a plain ``MAIL``/``RCPT`` path, as aiosmtpd's parser gives them.

    ``argument`` follows ``FROM:``/``TO:``. None when the path is not plain: an empty, quoted,
    source-routed, commented or literal path, an RFC 2047 encoded word, or anything not ASCII.
    """
    match = _PLAIN_PATH.match(argument)
    if match is None:
        return None
    address = match.group(1) or match.group(2)
    if "=?" in address:  # the parser would try to decode an encoded word
        return None
    rest = argument[match.end() :]
    if rest[:1] in (" ", "\t"):  # the parser skips all white space after the path
        rest = rest.lstrip()
    if rest[:1] in ("(", "@", "."):  # a comment, or more of the domain: for the parser
        return None
    return address, rest


def address_text(argument: str | None, keyword: str) -> str:
    """The address part of a ``MAIL``/``RCPT`` argument as the client wrote it, for replies.

    ``keyword`` is ``FROM:`` or ``TO:``; the ESMTP parameters after the address are dropped.
    """
    text = (argument or "").strip()
    if text[: len(keyword)].upper() == keyword:
        text = text[len(keyword) :].strip()
    if text.startswith("<"):
        end = text.find(">")
        return text if end < 0 else text[: end + 1]
    return text.split(" ", 1)[0]

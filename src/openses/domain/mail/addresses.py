"""Mailboxes and address lists as SES reads them: ``Name <local@domain>`` and friends.

SES accepts only 7-bit ASCII addresses (no SMTPUTF8): a non-ASCII local part is invalid and a
non-ASCII display name must be an RFC 2047 encoded-word; its error messages for bad addresses
(``Missing final '@domain'``, ``Missing local name``, ``Missing domain``, ``Local address
contains illegal character``, ``Domain contains illegal character``, all ``InvalidParameterValue``)
are reproduced as the ``reason`` of ``InvalidAddress``; other reasons follow the same style.
Addresses are kept exactly as submitted (spec A21: no case folding), minus comments and folding
white space. Decisions where SES is silent: a Unicode domain is converted label by label to
Punycode with the standard library's IDNA 2003 codec (only non-ASCII labels change, so an ASCII
domain keeps its case; IDNA 2003 maps ``ß`` to ``ss`` where IDNA 2008 would not); exactly one
``@`` is allowed, so a quoted local part may not contain one; domains must be LDH labels of
1-63 characters without a leading or trailing hyphen, at most 253 characters, and domain
literals (``[192.0.2.1]``) are refused; a single-label domain is accepted as RFC 5322 allows.
The display name is RFC 2047-decoded, taken from the first comment when a bare address has no
phrase (``a@example.com (Ann)``), and ``None`` when absent or empty (spec A8). Address lists
accept groups (``undisclosed-recipients:;`` contributes no mailbox), comments, folding and
empty list elements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openses.domain.mail.rfc2047 import decode_words, encode_words, needs_encoding


class InvalidAddress(ValueError):
    """An address SES would refuse; ``str()`` is the reason, SES's ``InvalidParameterValue``."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(reason)
        self.address = address
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Mailbox:
    address: str  # local@domain, as submitted (domain in Punycode when given in Unicode)
    display_name: str | None = None  # decoded; None when absent

    @property
    def local_part(self) -> str:
        return self.address.rpartition("@")[0]

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


# ------------------------------------------------------------------------------ tokens

_SPECIALS = '()<>[]:;@\\,."'
_ATEXT = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")
_LDH_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "atom", "quoted", "comment", "ws", "literal" or a special character
    text: str  # atom text, unescaped quoted/comment content, or the special itself
    raw: str  # as written


def _tokens(text: str, original: str) -> list[_Token]:
    """``text`` (unfolded, free of control characters) as tokens; errors name ``original``."""
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t":
            j = i
            while j < n and text[j] in " \t":
                j += 1
            tokens.append(_Token("ws", " ", text[i:j]))
            i = j
        elif ch == '"':
            content, i = _delimited(text, original, i, '"', "Missing '\"'")
            tokens.append(_Token("quoted", _unescape(content), content))
        elif ch == "(":
            content, i = _delimited(text, original, i, ")", "Missing ')'")
            tokens.append(_Token("comment", _unescape(content), content))
        elif ch == "[":
            end = text.find("]", i)
            if end < 0:
                raise InvalidAddress(original, "Missing ']'")
            tokens.append(_Token("literal", text[i : end + 1], text[i : end + 1]))
            i = end + 1
        elif ch == ")":
            raise InvalidAddress(original, "Missing '('")
        elif ch in "]\\":
            raise InvalidAddress(original, f"Illegal character in address: '{ch}'")
        elif ch in _SPECIALS:
            tokens.append(_Token(ch, ch, ch))
            i += 1
        else:
            j = i
            while j < n and text[j] not in _SPECIALS and text[j] not in " \t":
                j += 1
            tokens.append(_Token("atom", text[i:j], text[i:j]))
            i = j
    return tokens


def _delimited(text: str, original: str, start: int, closing: str, missing: str) -> tuple[str, int]:
    """The raw content of the quoted string or (nestable) comment opening at ``start``."""
    opening = text[start]
    depth, i = 1, start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == closing:
            depth -= 1
            if depth == 0 or opening == closing:
                return text[start + 1 : i], i + 1
        elif ch == opening:
            depth += 1
        i += 1
    raise InvalidAddress(original, missing)


def _unescape(content: str) -> str:
    return re.sub(r"\\(.)", r"\1", content, flags=re.DOTALL)


# ------------------------------------------------------------------------------ parser


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        unfolded = re.sub(r"\r?\n(?=[ \t])", "", text)
        if any((ord(ch) < 0x20 and ch != "\t") or ord(ch) == 0x7F for ch in unfolded):
            raise InvalidAddress(text, "Address contains control character")
        self.tokens = _tokens(unfolded, text)
        self.pos = 0

    def fail(self, reason: str) -> InvalidAddress:
        return InvalidAddress(self.text, reason)

    def skip_cfws(self) -> list[_Token]:
        skipped: list[_Token] = []
        while self.pos < len(self.tokens) and self.tokens[self.pos].kind in ("ws", "comment"):
            skipped.append(self.tokens[self.pos])
            self.pos += 1
        return skipped

    def peek(self) -> str | None:
        """The kind of the next significant token (``None`` at the end)."""
        self.skip_cfws()
        return self.tokens[self.pos].kind if self.pos < len(self.tokens) else None

    def address_list(self) -> list[Mailbox]:
        mailboxes: list[Mailbox] = []
        while (kind := self.peek()) is not None:
            if kind == ",":
                self.pos += 1
                continue
            mailboxes.extend(self.address(groups="allow"))
            kind = self.peek()
            if kind is not None and kind != ",":
                raise self.fail(self.unexpected(kind))
        return mailboxes

    def unexpected(self, kind: str) -> str:
        if kind == ";":
            return "Illegal semicolon, not in group"
        return f"Expected ',' between addresses, got '{self.tokens[self.pos].raw}'"

    def address(self, *, groups: str) -> list[Mailbox]:
        """One mailbox, or the members of one group (``groups``: allow, nested or single)."""
        start = self.pos
        while self.pos < len(self.tokens) and self.tokens[self.pos].kind in _PHRASE_KINDS:
            self.pos += 1
        phrase = self.tokens[start : self.pos]
        kind = self.tokens[self.pos].kind if self.pos < len(self.tokens) else None
        if kind == "<":
            return [self.angle_addr(phrase)]
        if kind == "@":
            self.pos = start
            return [self.bare_addr_spec()]
        if kind == ":":
            if groups == "nested":
                raise self.fail("Nested group")
            if groups == "single":
                raise self.fail("Expected a single address, not a group")
            self.pos += 1
            return self.group_members()
        if kind == ">":
            raise self.fail("Missing '<'")
        if kind == ";" and groups != "nested":
            raise self.fail("Illegal semicolon, not in group")
        if not any(t.kind in ("atom", "quoted") for t in phrase):
            raise self.fail("Missing local name")
        raise self.fail("Missing final '@domain'")

    def group_members(self) -> list[Mailbox]:
        members: list[Mailbox] = []
        while (kind := self.peek()) != ";":
            if kind is None:
                raise self.fail("Missing ';'")
            if kind == ",":
                self.pos += 1
                continue
            members.extend(self.address(groups="nested"))
            if self.peek() not in (",", ";"):
                raise self.fail("Missing ';'")
        self.pos += 1
        return members

    def angle_addr(self, phrase: list[_Token]) -> Mailbox:
        self.pos += 1  # "<"
        if self.peek() == "@":
            raise self.fail("Illegal route-addr")
        address = self.addr_spec(stop=(">", "<"))
        if self.peek() != ">":
            raise self.fail("Missing '>'")
        self.pos += 1
        return Mailbox(address, _display_name(phrase))

    def bare_addr_spec(self) -> Mailbox:
        address = self.addr_spec(stop=(",", ";", ">", "<", "comment"))
        comments = [t for t in self.skip_cfws() if t.kind == "comment"]
        name = decode_words(comments[0].text).strip() if comments else ""
        return Mailbox(address, name or None)

    def addr_spec(self, stop: tuple[str, ...]) -> str:
        local_start = self.pos
        while self.pos < len(self.tokens) and self.tokens[self.pos].kind in _PHRASE_KINDS:
            self.pos += 1
        local = self.tokens[local_start : self.pos]
        if self.pos >= len(self.tokens) or self.tokens[self.pos].kind != "@":
            if not any(t.kind in ("atom", "quoted") for t in local):
                raise self.fail("Missing local name")
            raise self.fail("Missing final '@domain'")
        self.pos += 1
        domain_start = self.pos
        while self.pos < len(self.tokens) and self.tokens[self.pos].kind not in stop:
            if self.tokens[self.pos].kind == "@":
                raise self.fail("Domain contains illegal character")
            self.pos += 1
        domain = self.tokens[domain_start : self.pos]
        return f"{_local_part(self.text, local)}@{_domain(self.text, domain)}"


_PHRASE_KINDS = ("atom", "quoted", "ws", "comment", ".")
_WORD_KINDS = ("atom", "quoted", "literal")


def _words(tokens: list[_Token]) -> list[_Token]:
    """Significant tokens, with a ``ws`` token wherever white space separates two words."""
    out: list[_Token] = []
    gap = False
    for token in tokens:
        if token.kind in ("ws", "comment"):
            gap = True
            continue
        if gap and out and token.kind in _WORD_KINDS and out[-1].kind in _WORD_KINDS:
            out.append(_Token("ws", " ", " "))
        out.append(token)
        gap = False
    return out


def _local_part(text: str, tokens: list[_Token]) -> str:
    words = _words(tokens)
    if not words:
        raise InvalidAddress(text, "Missing local name")
    parts: list[str] = []
    for token in words:
        if token.kind == "ws":
            raise InvalidAddress(text, "Local address contains control or whitespace")
        if token.kind == "quoted":
            if "@" in token.text or needs_encoding(token.text) or "\t" in token.text:
                raise InvalidAddress(text, "Local address contains illegal character")
            parts.append(f'"{token.raw}"')
        elif token.kind == "atom" and not _ATEXT.fullmatch(token.text):
            raise InvalidAddress(text, "Local address contains illegal character")
        else:
            parts.append(token.text)
    local = "".join(parts)
    if local.startswith("."):
        raise InvalidAddress(text, "Local address starts with dot")
    if local.endswith("."):
        raise InvalidAddress(text, "Local address ends with dot")
    if ".." in local:
        raise InvalidAddress(text, "Local address contains dot-dot")
    return local


def _domain(text: str, tokens: list[_Token]) -> str:
    words = _words(tokens)
    if not words:
        raise InvalidAddress(text, "Missing domain")
    parts: list[str] = []
    for token in words:
        if token.kind == "ws":
            raise InvalidAddress(text, "Domain contains control or whitespace")
        if token.kind == "literal":
            raise InvalidAddress(text, "Domain literals are not supported")
        if token.kind not in ("atom", "."):
            raise InvalidAddress(text, "Domain contains illegal character")
        parts.append(token.text)
    return _check_domain(text, "".join(parts))


def _check_domain(text: str, domain: str) -> str:
    if domain.startswith("."):
        raise InvalidAddress(text, "Domain starts with dot")
    if domain.endswith("."):
        raise InvalidAddress(text, "Domain ends with dot")
    if ".." in domain:
        raise InvalidAddress(text, "Domain contains dot-dot")
    labels = [_ascii_label(text, label) for label in domain.split(".")]
    for label in labels:
        if len(label) > 63:
            raise InvalidAddress(text, "Domain label too long")
        if label.startswith("-"):
            raise InvalidAddress(text, "Domain label starts with hyphen")
        if label.endswith("-"):
            raise InvalidAddress(text, "Domain label ends with hyphen")
        if not _LDH_LABEL.fullmatch(label):
            raise InvalidAddress(text, "Domain contains illegal character")
    ascii_domain = ".".join(labels)
    if len(ascii_domain) > 253:
        raise InvalidAddress(text, "Domain too long")
    return ascii_domain


def _ascii_label(text: str, label: str) -> str:
    if label.isascii():
        return label
    try:
        return label.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidAddress(text, "Domain contains illegal character") from None


def _display_name(tokens: list[_Token]) -> str | None:
    pieces: list[str] = []
    gap = False
    for token in tokens:
        if token.kind in ("ws", "comment"):
            gap = True
            continue
        if gap and pieces:
            pieces.append(" ")
        pieces.append(token.text)
        gap = False
    name = decode_words("".join(pieces)).strip()
    return name or None


# ------------------------------------------------------------------------------ public API


def parse_mailbox(text: str) -> Mailbox:
    """Exactly one mailbox (``Source``, ``FromEmailAddress``, a ``From:`` with one author)."""
    parser = _Parser(text)
    if parser.peek() is None:
        raise parser.fail("Missing local name")
    mailboxes = parser.address(groups="single")
    if parser.peek() is not None:
        raise parser.fail("Expected a single address")
    return mailboxes[0]


def parse_address_list(text: str) -> list[Mailbox]:
    """The mailboxes of a To/Cc/Bcc/Reply-To/From value, group members included, in order."""
    return _Parser(text).address_list()


def parse_addresses(values: list[str]) -> list[Mailbox]:
    """The mailboxes of several header values (all ``To:`` fields, say), in order."""
    return [mailbox for value in values for mailbox in parse_address_list(value)]


# ------------------------------------------------------------------------------ output

_PLAIN_PHRASE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?: [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


def mailbox_words(mailbox: Mailbox) -> list[str]:
    """``mailbox`` as header text split where it may be folded (7-bit ASCII only)."""
    address = f"<{mailbox.address}>"
    name = mailbox.display_name
    if not name:
        return [mailbox.address]
    if needs_encoding(name) or "=?" in name:  # quoted, "=?" could read as an encoded-word
        return [*encode_words(name), address]
    if _PLAIN_PHRASE.fullmatch(name):
        return [*name.split(" "), address]
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return [f'"{quoted}"', address]


def format_mailbox(mailbox: Mailbox) -> str:
    """``mailbox`` as 7-bit header text: ``Name <addr>``, quoted or RFC 2047-encoded as needed."""
    return " ".join(mailbox_words(mailbox))

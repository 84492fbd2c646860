"""SMTP replies and enhanced status codes as values: parsed, never trusted to be well formed.

An SMTP reply (RFC 5321 section 4.2) is a three-digit code and text, possibly over several lines
(``250-first``, ``250 last``). An enhanced status code (RFC 3463) is ``class.subject.detail``,
class 2 (success), 4 (persistent transient failure) or 5 (permanent failure); RFC 2034 puts it
at the start of the reply text (``550 5.1.1 user unknown``), and it is also a DSN's ``Status:``
field (RFC 3464 section 2.3.4). Real servers are loose: some put the code later in the text
(``... (5.1.1)``), some repeat it on every line, some disagree with the reply code
(``554 4.4.7``). We read the leading code whatever its class, and a code further in only when
its class agrees with the reply code, so an IP address such as ``5.5.5.5`` is never one.

SES renders a reply in one line: ``smtpResponse`` is ``250 2.6.0 Message received`` and a
``diagnosticCode`` is ``smtp; 550 5.1.1 user unknown``; the lines of a multi-line reply are
joined with the literal ``<CRLF>`` (seen in SES's own expiry bounces:
``452-4.2.2 The recipient's inbox is out of storage space. Please direct the<CRLF>452-4.2.2
recipient to<CRLF>452 4.2.2  https://...``). ``SmtpReply.wire`` does the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LEADING = re.compile(r"\s*([245])\.(\d{1,3})\.(\d{1,3})(?=$|[\s,;:)\]>]|\.(?!\d))")
_ANYWHERE = re.compile(r"(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?![\w-]|\.\d)")
_STATUS = re.compile(r"([245])\.(\d{1,3})\.(\d{1,3})")
_REPLY_LINE = re.compile(r"([2-5]\d\d)(?:([ -])(.*))?")
LINE_JOIN = "<CRLF>"


@dataclass(frozen=True, slots=True, order=True)
class EnhancedStatus:
    """``class.subject.detail`` (RFC 3463 section 2); ``str()`` gives the dotted form."""

    klass: int
    subject: int
    detail: int

    def __str__(self) -> str:
        return f"{self.klass}.{self.subject}.{self.detail}"

    @classmethod
    def parse(cls, text: str) -> EnhancedStatus | None:
        """Exactly one status code, surrounding white space allowed; ``None`` otherwise."""
        match = _STATUS.fullmatch(text.strip())
        return None if match is None else cls._of(match)

    @classmethod
    def find(cls, text: str) -> EnhancedStatus | None:
        """The first status code in ``text`` (a DSN ``Status:`` may carry a comment)."""
        match = _LEADING.match(text) or _ANYWHERE.search(text)
        return None if match is None else cls._of(match)

    @classmethod
    def default_for(cls, code: int) -> EnhancedStatus:
        """``2.0.0``, ``4.0.0`` or ``5.0.0``: the class a reply code implies (RFC 3463); an
        intermediate 3xx where a final reply was due is ``4.5.0``, a protocol problem."""
        klass = code // 100
        return cls(klass, 0, 0) if klass in (2, 4, 5) else cls(4, 5, 0)

    @classmethod
    def _of(cls, match: re.Match[str]) -> EnhancedStatus:
        return cls(int(match.group(1)), int(match.group(2)), int(match.group(3)))

    @property
    def subject_detail(self) -> tuple[int, int]:
        return (self.subject, self.detail)


def status_in_reply_text(code: int | None, text: str) -> EnhancedStatus | None:
    """The enhanced status of a reply whose text (after the code) is ``text``.

    The leading one counts whatever its class; one further in only if it agrees with ``code``.
    """
    match = _LEADING.match(text)
    if match is not None:
        return EnhancedStatus._of(match)
    for found in _ANYWHERE.finditer(text):
        status = EnhancedStatus._of(found)
        if code is None or status.klass == code // 100:
            return status
    return None


@dataclass(frozen=True, slots=True)
class SmtpReply:
    """A reply code and the text of each line (what follows ``code`` and ``-``/space)."""

    code: int
    lines: tuple[str, ...] = ("",)

    def __post_init__(self) -> None:
        if not 200 <= self.code <= 599:
            raise ValueError(f"not an SMTP reply code: {self.code}")
        if not self.lines:
            object.__setattr__(self, "lines", ("",))

    @classmethod
    def of(cls, code: int, message: str) -> SmtpReply:
        """From a client library's (code, message): the message's lines without codes."""
        lines = [line.rstrip() for line in re.split(r"\r\n|\r|\n", message)]
        while len(lines) > 1 and not lines[-1]:
            lines.pop()
        return cls(code, tuple(lines))

    @property
    def enhanced(self) -> EnhancedStatus | None:
        return status_in_reply_text(self.code, self.lines[0])

    @property
    def status(self) -> EnhancedStatus:
        """The enhanced status, or the one the reply code's class implies."""
        return self.enhanced or EnhancedStatus.default_for(self.code)

    @property
    def text(self) -> str:
        """All lines' text joined with a space (for matching, not for display)."""
        return " ".join(line.strip() for line in self.lines).strip()

    @property
    def wire(self) -> str:
        """One line as SES shows it: ``550 5.1.1 user unknown``; lines joined by ``<CRLF>``."""
        rendered: list[str] = []
        last = len(self.lines) - 1
        for index, line in enumerate(self.lines):
            separator = " " if index == last else "-"
            rendered.append(f"{self.code}{separator}{line}" if line else str(self.code))
        return LINE_JOIN.join(rendered)

    @property
    def diagnostic_code(self) -> str:
        """A DSN ``Diagnostic-Code`` value (RFC 3464 section 2.3.6): ``smtp; <wire>``."""
        return f"smtp; {self.wire}"

    @property
    def is_success(self) -> bool:
        return 200 <= self.code < 300

    @property
    def is_transient(self) -> bool:
        return 400 <= self.code < 500

    @property
    def is_permanent(self) -> bool:
        return 500 <= self.code < 600


def parse_reply(raw: str) -> SmtpReply | None:
    """A complete reply as received (``550-...\\r\\n550 ...``), or ``None`` if malformed.

    Every line must start with the same code; a line ending in CRLF or LF, a trailing line
    ending, and ``<CRLF>``-joined text (as SES writes it) are accepted.
    """
    text = raw.replace(LINE_JOIN, "\n")
    pieces = re.split(r"\r\n|\r|\n", text.strip("\r\n"))
    code: str | None = None
    lines: list[str] = []
    for index, piece in enumerate(pieces):
        match = _REPLY_LINE.fullmatch(piece.rstrip(" \t"))
        if match is None or (code is not None and match.group(1) != code):
            return None
        code = match.group(1)
        if match.group(2) == " " and index != len(pieces) - 1:
            return None  # a final line before the end
        lines.append((match.group(3) or "").rstrip())
    if code is None:
        return None
    return SmtpReply(int(code), tuple(lines))

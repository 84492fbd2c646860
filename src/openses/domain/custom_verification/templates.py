"""Custom verification email templates as SES keeps them, and the rules a template must follow.

SES (developer guide, "Using custom verification email templates" and its FAQ; the API
references of CreateCustomVerificationEmailTemplate in v1 and v2):

- at most 50 templates per account (OpenSES counts per account and region, as it keeps them);
- ``TemplateContent`` under 10 MB, HTML limited to an allow-list
  (:mod:`~openses.domain.custom_verification.html_rules`), no comments:
  ``CustomVerificationEmailInvalidContent`` (v1) / ``BadRequestException`` (v2);
- ``FromEmailAddress`` takes no display name, and must be a verified address of the account or
  an address on one of its verified domains (checked by the service, against the store).

Where SES is silent OpenSES decides (``docs/decisions/0014-custom-verification-emails.md``):
names follow the email templates' rule (the v1 models share the ``TemplateName`` shape: 1 to 64
letters, digits, ``_`` and ``-``); the subject is one header line (no line breaks); the
redirection URLs are absolute ``http``/``https`` URLs of at most 2048 characters without
spaces or control characters, because they become a ``Location`` header. v2 ``Tags`` are
resource tags, kept apart from the template (:mod:`openses.domain.tags`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from openses.domain.custom_verification.html_rules import html_problem
from openses.domain.mail.addresses import InvalidAddress, parse_mailbox
from openses.domain.templates import template_name_problem

#: Custom verification email templates per account (and region).
MAX_TEMPLATES: Final = 50
#: ``TemplateContent`` must be smaller than this (UTF-8 bytes).
CONTENT_LIMIT_BYTES: Final = 10 * 1024 * 1024
URL_MAX_LENGTH: Final = 2048
ADDRESS_MAX_LENGTH: Final = 320


@dataclass(frozen=True, slots=True)
class CustomVerificationTemplate:
    name: str
    from_address: str  # a bare address: local@domain
    subject: str
    content: str  # HTML (or text) the verification link and a notice are added to
    success_url: str
    failure_url: str


@dataclass(frozen=True, slots=True)
class TemplateChanges:
    """What an update gives (v1 UpdateCustomVerificationEmailTemplate may give any subset);
    ``None`` keeps the template's value."""

    from_address: str | None = None
    subject: str | None = None
    content: str | None = None
    success_url: str | None = None
    failure_url: str | None = None

    def applied_to(self, template: CustomVerificationTemplate) -> CustomVerificationTemplate:
        return CustomVerificationTemplate(
            name=template.name,
            from_address=_kept(self.from_address, template.from_address),
            subject=_kept(self.subject, template.subject),
            content=_kept(self.content, template.content),
            success_url=_kept(self.success_url, template.success_url),
            failure_url=_kept(self.failure_url, template.failure_url),
        )


def _kept(given: str | None, current: str) -> str:
    return current if given is None else given


class RefusalKind(enum.Enum):
    CONTENT = "content"  # CustomVerificationEmailInvalidContent
    PARAMETER = "parameter"  # InvalidParameterValue


@dataclass(frozen=True, slots=True)
class Refusal:
    kind: RefusalKind
    message: str


def template_refusal(template: CustomVerificationTemplate) -> Refusal | None:
    """Why SES would refuse ``template`` (the first reason), or None. Whether its sender is a
    verified identity is not a property of the template: the service checks it."""
    problem = (
        template_name_problem(template.name)
        or sender_problem(template.from_address)
        or subject_problem(template.subject)
        or url_problem("SuccessRedirectionURL", template.success_url)
        or url_problem("FailureRedirectionURL", template.failure_url)
    )
    if problem is not None:
        return Refusal(RefusalKind.PARAMETER, problem)
    problem = content_problem(template.content)
    if problem is not None:
        return Refusal(RefusalKind.CONTENT, problem)
    return None


def sender_problem(address: str) -> str | None:
    """``FromEmailAddress`` must be one bare address (no display name, no angle brackets)."""
    if len(address) > ADDRESS_MAX_LENGTH:
        return f"Invalid FromEmailAddress: it may be at most {ADDRESS_MAX_LENGTH} characters long."
    try:
        mailbox = parse_mailbox(address)
    except InvalidAddress as error:
        return f"Invalid FromEmailAddress <{address}>: {error.reason}."
    if mailbox.display_name is not None or mailbox.address != address.strip():
        return (
            f"Invalid FromEmailAddress <{address}>: custom verification emails take a bare "
            "address (local@domain), without a display name."
        )
    return None


def subject_problem(subject: str) -> str | None:
    if any(character in subject for character in "\r\n\x00"):
        return "TemplateSubject must be one line: it may not contain line breaks or NUL."
    if not _is_text(subject):
        return "TemplateSubject is not valid Unicode text."
    return None


def url_problem(member: str, url: str) -> str | None:
    """The redirection URLs: absolute http(s) URLs that can be a ``Location`` header."""
    refused = f"{member} <{url}> is not valid: "
    if len(url) > URL_MAX_LENGTH:
        return refused + f"it may be at most {URL_MAX_LENGTH} characters long."
    if any(ord(character) <= 0x20 or ord(character) == 0x7F for character in url):
        return refused + "it may not contain spaces or control characters."
    try:
        parts = urlsplit(url)
    except ValueError:
        return refused + "it is not a URL."
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return refused + "it must be an absolute http:// or https:// URL."
    return None


def content_problem(content: str) -> str | None:
    if not _is_text(content):
        return "TemplateContent is not valid Unicode text."
    size = len(content.encode("utf-8"))
    if size >= CONTENT_LIMIT_BYTES:
        return (
            f"TemplateContent is {size} bytes; it must be smaller than {CONTENT_LIMIT_BYTES} "
            "bytes (10 MB)."
        )
    if "\x00" in content:
        return "TemplateContent may not contain NUL characters."
    return html_problem(content)


def _is_text(text: str) -> bool:
    """Whether ``text`` encodes to UTF-8 (no lone surrogates, which JSON can carry)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

"""From what a channel received to one :class:`~openses.domain.sending.Submission`.

Two shapes of request exist: a *raw* message (v1 SendRawEmail, v2 SendEmail with
``Content.Raw``, SMTP) and a *simple* one the service composes (v1 SendEmail, v2 SendEmail with
``Content.Simple``, and every templated send once rendered). Both end here, so the address
roles, the ARN defaulting and the checks on addresses, recipients and size are the same
whichever API or protocol carried the message.

ARNs (spec §2.1 to §2.3, A4, A22): a parameter beats the matching ``X-SES-*-ARN`` header; only the
first occurrence of a header counts; the From and Return-Path ARNs default to the source ARN.
The control headers are removed from the stored message; no other byte of the client's message
is changed.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openses.domain.arn import IdentityArn, InvalidArn
from openses.domain.configuration_sets import (
    InvalidMessageTags,
    message_tags_problem,
    parse_message_tags_header,
)
from openses.domain.mail import (
    CONTROL_HEADERS,
    InvalidAddress,
    Mailbox,
    RawMessage,
    control_arns,
    parse_mailbox,
    raw_recipients,
)
from openses.domain.sending import MAX_RECIPIENTS, Address, Role, RoleUse, Submission
from openses.services.configuration_sets import checked_name
from openses.services.errors import (
    InvalidParameter,
    MessageRejected,
    MessageTooLarge,
)


@dataclass(frozen=True, slots=True)
class Arns:
    """The identity ARNs a request passed as parameters (None where absent)."""

    source: str | None = None
    from_: str | None = None
    return_path: str | None = None


def raw_submission(
    data: bytes,
    *,
    actions: tuple[str, ...],
    api_version: str,
    size_limit: int,
    source: str | None = None,
    destinations: Sequence[str] | None = None,
    arns: Arns = Arns(),
    configuration_set: str | None = None,
    tags: Sequence[tuple[str, str]] = (),
) -> Submission:
    """A raw message: the source is ``source`` (parameter or ``MAIL FROM``), else ``From:``.

    The configuration set and message tags come from the parameters, else from the
    ``X-SES-CONFIGURATION-SET`` / ``X-SES-MESSAGE-TAGS`` headers (tags are never joined).
    """
    if len(data) > size_limit:
        raise MessageTooLarge(f"Message length is more than {size_limit} bytes long.")
    try:
        message = RawMessage.parse(data)
    except ValueError as error:
        raise MessageRejected(str(error)) from None
    control = control_arns(message)
    named_set = check_configuration_set(configuration_set or control.configuration_set)
    message_tags = checked_tags(tags) if tags else header_tags(control.message_tags)
    from_header = message.first("From")
    if from_header is None:
        raise MessageRejected("Missing required header 'From'.")
    from_address = _role_address(from_header, "From")
    return_path_header = message.first("Return-Path")
    source_address = _role_address(source, "Source") if source else from_address
    feedback_address = (
        source_address
        if source
        else (
            _role_address(return_path_header, "Return-Path") if return_path_header else from_address
        )
    )
    if destinations is None:
        try:
            recipients = [box.address for box in raw_recipients(message)]
        except InvalidAddress as error:
            raise InvalidParameter(f"Illegal address: {error}") from None
    else:
        recipients = [_role_address(r, "Destinations").address for r in destinations]
    source_arn = _arn(arns.source or control.source_arn)
    stored = message.dropping(CONTROL_HEADERS)
    return Submission(
        actions=actions,
        api_version=api_version,
        source=RoleUse(Role.SOURCE, source_address, source_arn),
        from_=RoleUse(Role.FROM, from_address, _arn(arns.from_ or control.from_arn) or source_arn),
        feedback=RoleUse(
            Role.FEEDBACK,
            feedback_address,
            _arn(arns.return_path or control.return_path_arn) or source_arn,
        ),
        recipients=_checked_recipients(recipients),
        message=stored.data,
        parsed=stored,
        subject=message.subject() or "",
        configuration_set=named_set,
        tags=message_tags,
    )


def simple_submission(
    message: bytes,
    *,
    actions: tuple[str, ...],
    api_version: str,
    size_limit: int,
    source: str,
    recipients: Sequence[str],
    subject: str,
    return_path: str | None = None,
    arns: Arns = Arns(),
    configuration_set: str | None = None,
    tags: Sequence[tuple[str, str]] = (),
    rendering_error: str | None = None,
    template_name: str | None = None,
) -> Submission:
    """A message the service composed from parameters: From is the source.

    A templated send that failed to render passes ``rendering_error`` (and no message).
    """
    if len(message) > size_limit:
        raise MessageTooLarge(f"Message length is more than {size_limit} bytes long.")
    named_set = check_configuration_set(configuration_set)
    message_tags = checked_tags(tags)
    source_address = _role_address(source, "Source")
    feedback_address = _role_address(return_path, "ReturnPath") if return_path else source_address
    source_arn = _arn(arns.source)
    return Submission(
        actions=actions,
        api_version=api_version,
        source=RoleUse(Role.SOURCE, source_address, source_arn),
        from_=RoleUse(Role.FROM, source_address, _arn(arns.from_) or source_arn),
        feedback=RoleUse(Role.FEEDBACK, feedback_address, _arn(arns.return_path) or source_arn),
        recipients=_checked_recipients(
            [_role_address(r, "Destination").address for r in recipients]
        ),
        message=message,
        subject=subject,
        configuration_set=named_set,
        tags=message_tags,
        rendering_error=rendering_error,
        template_name=template_name,
    )


# ---- configuration sets and message tags


def check_configuration_set(name: str | None) -> str | None:
    """The configuration set a send names (None for none or an empty name), once the name is
    well formed; whether it exists in the sending account is checked by the decision."""
    return checked_name(name) if name else None


def message_tags(entries: Sequence[Mapping[str, str]] | None) -> tuple[tuple[str, str], ...]:
    """A ``Tags`` / ``EmailTags`` parameter (``[{"Name": …, "Value": …}]``) as pairs."""
    return tuple((entry["Name"], entry["Value"]) for entry in entries or ())


def checked_tags(tags: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    problem = message_tags_problem(tags)
    if problem is not None:
        raise InvalidParameter(problem)
    return tuple(tags)


def header_tags(value: str | None) -> tuple[tuple[str, str], ...]:
    """The tags of an ``X-SES-MESSAGE-TAGS`` header (its first occurrence), checked."""
    if value is None:
        return ()
    try:
        return parse_message_tags_header(value)
    except InvalidMessageTags as error:
        raise InvalidParameter(str(error)) from None


def mailbox(text: str, what: str) -> Mailbox:
    """``text`` parsed as one mailbox, or ``InvalidParameterValue`` naming ``what``."""
    return _mailbox(text, what)


#: Parsed mailboxes, memoized: the same senders come back on every send, and a Mailbox is
#: immutable (text that fails is parsed, and refused, again each time).
_parsed_mailbox = functools.lru_cache(maxsize=8192)(parse_mailbox)


def _mailbox(text: str, what: str) -> Mailbox:
    try:
        return _parsed_mailbox(text)
    except InvalidAddress as error:
        raise InvalidParameter(f"Illegal address in {what}: {error}") from None


def _address(box: Mailbox) -> Address:
    given = f"{box.display_name} <{box.address}>" if box.display_name else box.address
    return Address(box.address, box.display_name, given)


@functools.lru_cache(maxsize=8192)
def _parsed_address(text: str) -> Address:
    """The :class:`Address` of one mailbox's text, memoized like :data:`_parsed_mailbox`."""
    return _address(_parsed_mailbox(text))


def _role_address(text: str, what: str) -> Address:
    """``_address(_mailbox(text, what))``, memoized."""
    try:
        return _parsed_address(text)
    except InvalidAddress as error:
        raise InvalidParameter(f"Illegal address in {what}: {error}") from None


#: Parsed identity ARNs, memoized: an IdentityArn is immutable, and the same few ARNs come
#: back on every send (text that fails is parsed, and refused, again each time).
_parsed_arn = functools.lru_cache(maxsize=4096)(IdentityArn.parse)


def _arn(text: str | None) -> IdentityArn | None:
    if text is None:
        return None
    try:
        return _parsed_arn(text.strip())
    except InvalidArn as error:
        raise InvalidParameter(str(error)) from None


def _checked_recipients(recipients: list[str]) -> tuple[str, ...]:
    if not recipients:
        raise InvalidParameter("The message has no recipients; give at least one destination.")
    if len(recipients) > MAX_RECIPIENTS:
        raise InvalidParameter(f"Recipient count exceeds {MAX_RECIPIENTS}.")
    return tuple(recipients)

"""Turning a stored message into what goes on the wire: envelope sender, headers, signatures.

Done at delivery time, not at acceptance, so that the identity's settings at the moment the
message leaves apply (a key rotated or DKIM switched off in between is honoured), and so that
the cost of signing is the worker's, not the caller's:

- ``Bcc`` and any SES control header still present are cut (``STRIPPED_BEFORE_DELIVERY``);
- the envelope sender is the per-message return path ``<MessageId>@<MAIL FROM domain>`` —
  the identity's custom MAIL FROM domain when it has a verified one, else the operator's bounce
  domain — so a bounce names the message it is about;
- with the operator's service signature configured (``--service-dkim-domain``), a message
  sent by an account gets ``Feedback-ID`` for its sending account (unless the client wrote its
  own), and every message gets the service's DKIM signature too, as SES adds its
  ``d=amazonses.com`` one (:mod:`openses.domain.dkim.service`);
- the message is DKIM-signed as the governing identity (the owner's, for a delegate's send) is
  set up to sign, after the headers above are final; the service's signature comes after the
  identity's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from openses.domain.dkim import SigningKey, sign
from openses.domain.dkim.service import FEEDBACK_ID_FIELD, ServiceSignature
from openses.domain.feedback.return_path import return_path
from openses.domain.mail import STRIPPED_BEFORE_DELIVERY, MalformedMessage, RawMessage
from openses.services.errors import MailFromDomainNotVerified
from openses.services.feedback_settings import mail_from_for_send
from openses.services.ports import Store

#: (owner account, region, From address) -> the owner's DKIM keys for it
#: (:meth:`openses.services.dkim.DkimService.signing_keys`).
KeysFor = Callable[[str, str, str], Awaitable[Sequence[SigningKey]]]
#: (owner account, region, From address) -> the custom MAIL FROM domain, if one is in use.
MailFromFor = Callable[[str, str, str], Awaitable[str | None]]


_Settings = tuple[str | None, Sequence[SigningKey]]  # (MAIL FROM domain, DKIM keys)


@dataclass(frozen=True, slots=True)
class Outgoing:
    mail_from: str
    data: bytes


class OutgoingMessages:
    """Builds :class:`Outgoing` for a message (see the module docstring)."""

    def __init__(
        self,
        *,
        bounce_domain: str,
        keys_for: KeysFor | None = None,
        mail_from_domain: MailFromFor | None = None,
        service: ServiceSignature | None = None,
    ) -> None:
        self.bounce_domain = bounce_domain
        self.keys_for = keys_for
        self.mail_from_domain = mail_from_domain
        self.service = service
        self._service_keys: tuple[SigningKey, ...] = () if service is None else (service.key,)

    async def prepare(
        self,
        *,
        message_id: str,
        raw: bytes,
        owner_account: str | None,
        region: str,
        now: datetime,
        generated: bool = False,
        settings: dict[tuple[str, str, str], _Settings] | None = None,
        sending_account: str | None = None,
    ) -> Outgoing:
        """``generated`` marks mail OpenSES writes itself about other mail (forwarded
        feedback): it goes with the null sender ``<>``, so that it can never bounce back.
        ``settings`` memoizes the identity settings looked up, for a batch of messages.
        ``sending_account`` is the account the message was sent by (its ``Feedback-ID``)."""
        if generated:
            return Outgoing("", self._service_signed(_delivered_form(raw), now))
        try:
            parsed = RawMessage.parse(raw)
        except MalformedMessage:
            return Outgoing(self.return_path(message_id, None), raw)
        data = self._with_feedback_id(parsed, region, sending_account)
        from_address = _from_address(parsed)
        domain: str | None = None
        keys: Sequence[SigningKey] = ()
        if owner_account is not None and from_address is not None:
            memo = {} if settings is None else settings
            key = (owner_account, region, from_address)
            found = memo.get(key)
            if found is None:
                found = memo[key] = await self._settings(owner_account, region, from_address)
            domain, keys = found
        keys = (*keys, *self._service_keys)
        if keys:
            data = sign(data, keys, now)
        return Outgoing(self.return_path(message_id, domain), data)

    def _with_feedback_id(
        self, parsed: RawMessage, region: str, sending_account: str | None
    ) -> bytes:
        """The message as it leaves: control headers and ``Bcc`` cut, and with the service
        signature on, ``Feedback-ID`` for the sending account unless the client set one."""
        if self.service is None or sending_account is None or parsed.has(FEEDBACK_ID_FIELD):
            return parsed.without(STRIPPED_BEFORE_DELIVERY)
        try:
            cut = parsed.dropping(STRIPPED_BEFORE_DELIVERY)
        except MalformedMessage:  # nothing but stripped fields: left as it is
            return parsed.without(STRIPPED_BEFORE_DELIVERY)
        value = self.service.feedback_id(region, sending_account)
        return cut.with_fields({FEEDBACK_ID_FIELD: value})

    def _service_signed(self, data: bytes, now: datetime) -> bytes:
        return sign(data, self._service_keys, now) if self._service_keys else data

    async def _settings(self, owner: str, region: str, from_address: str) -> _Settings:
        domain = None
        if self.mail_from_domain is not None:
            domain = await self.mail_from_domain(owner, region, from_address)
        keys: Sequence[SigningKey] = ()
        if self.keys_for is not None:
            keys = await self.keys_for(owner, region, from_address)
        return domain, keys

    def return_path(self, message_id: str, mail_from_domain: str | None) -> str:
        return return_path(message_id, mail_from_domain or self.bounce_domain)


def _delivered_form(raw: bytes) -> bytes:
    try:
        return RawMessage.parse(raw).without(STRIPPED_BEFORE_DELIVERY)
    except MalformedMessage:
        return raw


def _from_address(parsed: RawMessage) -> str | None:
    try:
        mailboxes = parsed.mailboxes("From")
    except ValueError:
        return None
    return mailboxes[0].address if mailboxes else None


def owner_account(source_arn: str | None) -> str | None:
    """The account of an identity ARN (``arn:aws:ses:<region>:<account>:identity/<name>``)."""
    if source_arn is None:
        return None
    parts = source_arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4] else None


def mail_from_of(store: Store) -> MailFromFor:
    """The MAIL FROM domain in use for an owner's From address, read when the message leaves.

    A setup that stopped working since the message was accepted falls back to the default
    domain here (acceptance is where ``RejectMessage`` refuses)."""

    async def lookup(owner: str, region: str, from_address: str) -> str | None:
        async with store.transaction(read_only=True) as tx:
            try:
                return await mail_from_for_send(tx, owner, region, from_address)
            except MailFromDomainNotVerified:
                return None

    return lookup

"""Custom verification email templates and SendCustomVerificationEmail, as SES runs them.

A platform verifies its customers' addresses with its own branded email: a template (per
account and region) names the sender, subject, HTML content and where the recipient lands
after following the link. Sending one starts (or restarts) the proof of the address as an email
identity of the caller, exactly as VerifyEmailIdentity does, but the email is built from the
template (:mod:`openses.domain.custom_verification`) and sent from the template's
``FromEmailAddress``; following its link redirects to the template's success or failure URL.

What SES documents and OpenSES enforces (``docs/decisions/0014-custom-verification-emails.md``):

- the sender must be a verified identity of the caller (the address, or a domain covering it)
  when the template is created or updated with it, and again when an email is sent;
- sending needs production access (``ProductionAccessNotGranted`` in the sandbox), an account
  and region whose sending is enabled, the configuration set it names, if any, and, where the
  sender's identity has a custom MAIL FROM set to reject, that domain verified;
- the email is a message the account sends: it is charged to the daily quota and the send rate
  like any send, stored in the outbox as a ``verification`` message and delivered like any
  other, DKIM-signed as the sender's identity is set up to sign;
- where the link leads is stored with the link when the email is sent, so editing or deleting
  the template afterwards does not change a link already sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from openses.domain.authorization import access_denied_message
from openses.domain.custom_verification import (
    MAX_TEMPLATES,
    CustomVerificationTemplate,
    RefusalKind,
    TemplateChanges,
    custom_verification_message,
    template_refusal,
)
from openses.domain.identities import Identity, covering_identities
from openses.domain.messages import message_id
from openses.domain.outbox import CapturedMessage, MessageKind
from openses.domain.tags import ResourceType, Tag, TaggedResource
from openses.services.accepted import record_accepted
from openses.services.account_state import refuse_if_paused
from openses.services.allowance import charge
from openses.services.configuration_sets import configuration_set_for_send
from openses.services.custom_verification_port import (
    StoredCustomVerificationTemplate,
    VerificationLink,
)
from openses.services.errors import (
    AccessDenied,
    CustomVerificationTemplateAlreadyExists,
    CustomVerificationTemplateNotFound,
    FromEmailAddressNotVerified,
    InvalidCustomVerificationContent,
    InvalidParameter,
    LimitExceeded,
    ProductionAccessNotGranted,
    ServiceError,
    VerificationSenderNotVerified,
)
from openses.services.feedback_settings import governed_mail_from
from openses.services.identities import (
    IdentitiesService,
    email_identity_name,
    start_email_proof,
)
from openses.services.ports import Conflict, Store, Tx
from openses.services.principals import Call
from openses.services.tags import checked_tags

#: How long a sent link keeps leading to the template's pages (then the plain page answers).
LINK_MEMORY = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Redirect:
    """Where following a custom verification link leads, and whether it verified."""

    location: str
    verified: bool


class CustomVerificationService:
    def __init__(
        self,
        store: Store,
        identities: IdentitiesService,
        new_unique: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self.store = store
        self.identities = identities
        self.new_unique = new_unique

    # ------------------------------------------------------------------ templates

    async def create(
        self, call: Call, template: CustomVerificationTemplate, tags: Sequence[Tag] = ()
    ) -> None:
        """Create the template with its resource ``tags`` (v2), in one transaction."""
        _check(template)
        checked_tags(tags)
        async with self.store.transaction() as tx:
            await _verified_sender(tx, call, template.from_address, at_send=False)
            count = await tx.count_custom_verification_templates(call.account_id, call.region)
            if count >= MAX_TEMPLATES:
                raise LimitExceeded(
                    f"Maximum number of custom verification email templates ({MAX_TEMPLATES}) "
                    "exceeded."
                )
            stored = StoredCustomVerificationTemplate(template, call.now)
            try:
                await tx.insert_custom_verification_template(call.account_id, call.region, stored)
            except Conflict:
                raise CustomVerificationTemplateAlreadyExists(
                    f"Custom verification email template {template.name} already exists."
                ) from None
            await tx.put_resource_tags(call.account_id, call.region, _tagged(template.name), tags)

    async def update(self, call: Call, name: str, changes: TemplateChanges) -> None:
        async with self.store.transaction() as tx:
            current = await _existing(tx, call, name)
            updated = changes.applied_to(current.template)
            _check(updated)
            if changes.from_address is not None:
                await _verified_sender(tx, call, updated.from_address, at_send=False)
            await tx.update_custom_verification_template(call.account_id, call.region, updated)

    async def get(self, call: Call, name: str) -> StoredCustomVerificationTemplate:
        async with self.store.transaction(read_only=True) as tx:
            return await _existing(tx, call, name)

    async def list(self, call: Call) -> list[StoredCustomVerificationTemplate]:
        async with self.store.transaction(read_only=True) as tx:
            return await tx.list_custom_verification_templates(call.account_id, call.region)

    async def delete(self, call: Call, name: str, *, must_exist: bool) -> None:
        async with self.store.transaction() as tx:
            deleted = await tx.delete_custom_verification_template(
                call.account_id, call.region, name
            )
            await tx.delete_resource_tags(call.account_id, call.region, _tagged(name))
        if must_exist and not deleted:
            raise _missing(name)

    # ----------------------------------------------------------------------- send

    async def send(
        self, call: Call, address: str, template_name: str, configuration_set: str | None
    ) -> str:
        """Start the proof of ``address`` and send it the template's email; its MessageId."""
        name = email_identity_name(address)
        async with self.store.transaction() as tx:
            template = (await _existing(tx, call, template_name)).template
            await configuration_set_for_send(tx, call, configuration_set)
            account = await tx.get_account(call.account_id)
            if account is None:  # the key outlived its account
                raise AccessDenied(
                    access_denied_message(
                        call.principal.arn, "ses:SendCustomVerificationEmail", "*"
                    )
                )
            region_sending = await tx.get_region_sending(call.account_id, call.region)
            refuse_if_paused(account, region_sending is not False)
            if not account.production:
                raise ProductionAccessNotGranted(
                    "Production access is required to send custom verification emails: this "
                    f"account is in the sandbox in region {call.region}."
                )
            sender = await _verified_sender(tx, call, template.from_address, at_send=True)
            # The sender's identity governs its MAIL FROM (refused while a rejecting setup waits).
            await governed_mail_from(tx, call.account_id, call.region, sender.name)
            identity = await start_email_proof(tx, call, name)
            message = self._message(call, template, identity, sender, configuration_set)
            await charge(tx, call, account, message.recipients)
            await tx.delete_verification_links_before(call.now - LINK_MEMORY)
            await tx.put_verification_link(
                VerificationLink(
                    token=identity.token,
                    account_id=call.account_id,
                    region=call.region,
                    address=name,
                    template_name=template.name,
                    success_url=template.success_url,
                    failure_url=template.failure_url,
                    created_at=call.now,
                )
            )
            await tx.insert_message(message)
            await record_accepted(tx, message, self.new_unique)
        return message.message_id

    def _message(
        self,
        call: Call,
        template: CustomVerificationTemplate,
        identity: Identity,
        sender: Identity,
        configuration_set: str | None,
    ) -> CapturedMessage:
        unique = message_id(call.now, self.new_unique())
        link = f"{self.identities.public_url}/_openses/verify?token={identity.token}"
        raw = custom_verification_message(
            template=template,
            address=identity.name,
            link=link,
            message_id_value=unique,
            region=call.region,
            now=call.now,
        )
        return CapturedMessage(
            message_id=unique,
            kind=MessageKind.VERIFICATION,
            region=call.region,
            account_id=call.account_id,
            created_at=call.now,
            source=template.from_address,
            recipients=(identity.name,),
            subject=template.subject,
            raw=raw,
            caller_arn=call.principal.arn,
            source_arn=f"arn:aws:ses:{call.region}:{call.account_id}:identity/{sender.name}",
            source_ip=call.source_ip,
            configuration_set=configuration_set,
            template_name=template.name,
        )

    # ---------------------------------------------------------------------- links

    async def follow(self, token: str, now: datetime) -> Redirect | None:
        """Following a link: verify as :meth:`IdentitiesService.confirm_link` does, and say
        where the link sent by a custom verification email leads (None for any other link).
        A link that no longer verifies (expired, superseded by a newer email, its identity
        deleted) leads to the failure page, unless its address is verified anyway."""
        async with self.store.transaction(read_only=True) as tx:
            link = await tx.get_verification_link(token)
        if link is None:
            return None
        try:
            verified = (await self.identities.confirm_link(token, now)).verified
        except ServiceError:
            verified = await self._verified_anyway(link, now)
        return Redirect(link.success_url if verified else link.failure_url, verified)

    async def _verified_anyway(self, link: VerificationLink, now: datetime) -> bool:
        async with self.store.transaction(read_only=True) as tx:
            identity = await tx.get_identity(link.account_id, link.region, link.address)
        return identity is not None and identity.as_of(now).verified


def _check(template: CustomVerificationTemplate) -> None:
    refusal = template_refusal(template)
    if refusal is None:
        return
    if refusal.kind is RefusalKind.CONTENT:
        raise InvalidCustomVerificationContent(refusal.message)
    raise InvalidParameter(refusal.message)


async def _existing(tx: Tx, call: Call, name: str) -> StoredCustomVerificationTemplate:
    stored = await tx.get_custom_verification_template(call.account_id, call.region, name)
    if stored is None:
        raise _missing(name)
    return stored


async def _verified_sender(tx: Tx, call: Call, address: str, *, at_send: bool) -> Identity:
    """The caller's most specific verified identity covering ``address`` (the address itself,
    its plus-label-free form, its domain or a parent domain); refused when there is none."""
    names = covering_identities(address)
    found = {i.name: i for i in await tx.get_identities(call.account_id, call.region, names)}
    for name in names:
        identity = found.get(name)
        if identity is not None and identity.as_of(call.now).verified:
            return identity
    message = (
        f"The sender address {address} is not verified in region {call.region}: verify the "
        "address or its domain before using it for custom verification emails."
    )
    if at_send:
        raise VerificationSenderNotVerified(message)
    raise FromEmailAddressNotVerified(message)


def _tagged(name: str) -> TaggedResource:
    return TaggedResource(ResourceType.CUSTOM_VERIFICATION_EMAIL_TEMPLATE, name)


def _missing(name: str) -> CustomVerificationTemplateNotFound:
    return CustomVerificationTemplateNotFound(
        f"Custom verification email template {name} does not exist."
    )

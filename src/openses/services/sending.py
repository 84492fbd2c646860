"""Accepting a send: the one decision every channel (v1, v2, SMTP) goes through.

:meth:`SendingService.accept` takes a normalized :class:`~openses.domain.sending.Submission`
and applies SES's checks in SES's order (spec §2.6):

1. the sending account is not paused (operator) and sending is enabled in the region;
2. each address role is resolved: with an identity ARN, the owner's identity must exist and be
   verified in the endpoint's region and cover the address (``MessageRejected`` /
   ``InvalidParameterValue``); without one, a verified identity of the caller's own account in
   the region must cover it (``MessageRejected``);
3. authorization: the caller's own IAM permissions for each action on each identity used, then
   the governing identity's sending-authorization policies for every ARN (``AccessDenied``);
4. sandbox: if the sending account or the owner of any identity used is in the sandbox, every
   recipient must be covered by a verified identity of the sending account or be a simulator
   address (decision A13);
5. quota and rate of the *sending* account: the daily quota (rolling 24 hours, recipients) and
   the send-rate bucket, checked and charged in the same transaction that stores the message,
   so concurrent sends (and, on PostgreSQL, other processes) cannot overdraw them;
6. the message gets its SES Message-ID and Date, and is stored with who sent it, as whom and
   under which statements; only then is the MessageId returned.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from openses.domain.accounts import Account
from openses.domain.authorization import (
    Authorization,
    OwnerIdentity,
    Verdict,
    access_denied_message,
    alignment_message,
    authorize_use,
    sending_context,
)
from openses.domain.feedback_settings import governing_identity
from openses.domain.identities import Identity, covering_identities, normalize_identity
from openses.domain.messages import message_id
from openses.domain.policy import Context, Policy, PolicyKind, PolicySet, compile_policy
from openses.domain.sending import (
    V2_MAX_MESSAGE_BYTES,
    Address,
    Submission,
    is_simulator,
    not_verified_message,
)
from openses.services.accepted import captured_message, own_identity, record_accepted
from openses.services.account_state import refuse_if_paused
from openses.services.accounts import AccountsService
from openses.services.allowance import charge
from openses.services.configuration_sets import configuration_set_for_send
from openses.services.errors import (
    AccessDenied,
    InvalidParameter,
    MailFromDomainNotVerified,
    MessageRejected,
)
from openses.services.feedback_settings import governed_mail_from
from openses.services.outcomes import EventPublisher
from openses.services.ports import Store, Tx
from openses.services.principals import Call, PrincipalKind
from openses.services.send_requests import raw_submission

_COMPILED_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class Accepted:
    message_id: str
    authorizations: tuple[Authorization, ...]


@dataclass(frozen=True, slots=True)
class _Reads:
    """Everything the decision reads, from one read-only transaction."""

    account: Account
    region_enabled: bool
    own: dict[str, Identity]  # the caller's identities (region of the call) by name
    owners: dict[str, Account | None]  # owner accounts of the ARNs used
    owned: dict[tuple[str, str], dict[str, OwnerIdentity]]  # (account, region) -> identities
    mail_from_refusal: MailFromDomainNotVerified | None  # the From identity's MAIL FROM says so
    default_configuration_set: str | None  # the From identity's, for a send that names none


@dataclass(frozen=True, slots=True)
class _Resolved:
    authorizations: tuple[Authorization, ...]
    denial: str | None  # the access-denied sentence of the first refused ARN and action


class SendingService:
    def __init__(
        self,
        store: Store,
        accounts: AccountsService,
        new_unique: Callable[[], str] = lambda: str(uuid.uuid4()),
        publisher: EventPublisher | None = None,
    ) -> None:
        self.store = store
        self.accounts = accounts
        self.new_unique = new_unique
        self.publisher = publisher  # the Send event to configuration sets' destinations
        self._compiled: dict[tuple[str, str], Policy] = {}

    async def accept(self, call: Call, submission: Submission) -> Accepted:
        reads = await self._read(call, submission)
        if reads.default_configuration_set is not None:
            submission = replace(submission, configuration_set=reads.default_configuration_set)
        refuse_if_paused(reads.account, reads.region_enabled)
        resolved = self._resolve(call, submission, reads)
        authorizations = resolved.authorizations
        await self._check_permissions(call, submission, reads, authorizations)
        if resolved.denial is not None:
            raise AccessDenied(resolved.denial)
        _check_sandbox(call, submission, reads)
        if reads.mail_from_refusal is not None:
            raise reads.mail_from_refusal
        accepted_id = await self._charge_and_store(call, submission, reads, authorizations)
        return Accepted(accepted_id, authorizations)

    async def submit_smtp(
        self, call: Call, mail_from: str, recipients: Sequence[str], data: bytes
    ) -> str:
        """An SMTP submission: ``MAIL FROM`` is the source, ``RCPT TO`` the recipients; it is
        authorized as ``ses:SendRawEmail`` with ``ses:ApiVersion`` "2" (spec §1.4)."""
        submission = raw_submission(
            data,
            actions=("ses:SendRawEmail",),
            api_version="2",
            size_limit=V2_MAX_MESSAGE_BYTES,
            source=mail_from,
            destinations=recipients,
        )
        return (await self.accept(call, submission)).message_id

    # --------------------------------------------------------------------- reads

    async def _read(self, call: Call, submission: Submission) -> _Reads:
        own_names: set[str] = set()
        wanted: dict[tuple[str, str], set[str]] = {}
        covering: dict[str, list[str]] = {}  # the roles' addresses are mostly one address
        for use in submission.roles:
            address = use.address.address
            covers = covering.get(address)
            if covers is None:
                covers = covering[address] = covering_identities(address)
            if use.arn is None:
                own_names.update(covers)
            else:
                key = (use.arn.account, use.arn.region)
                wanted.setdefault(key, {normalize_identity(use.arn.identity)}).update(covers)
        own_names.update(n for r in submission.recipients for n in covering_identities(r))
        async with self.store.transaction(read_only=True) as tx:
            account = await tx.get_account(call.account_id)
            if account is None:  # the key outlived its account: nothing may be sent
                raise AccessDenied(
                    access_denied_message(call.principal.arn, submission.action, "*")
                )
            region_enabled = await tx.get_region_sending(call.account_id, call.region)
            own = {
                i.name: i.as_of(call.now)
                for i in await tx.get_identities(call.account_id, call.region, sorted(own_names))
            }
            # The set named on the send is the sending account's own (A20), else the From
            # identity's default for the account's own sends; refused if missing or paused.
            default_set = None
            if submission.configuration_set is None and submission.from_.arn is None:
                default_set = _default_set(own, covering[submission.from_.address.address])
            await configuration_set_for_send(tx, call, submission.configuration_set or default_set)
            owners: dict[str, Account | None] = {}
            owned: dict[tuple[str, str], dict[str, OwnerIdentity]] = {}
            for (owner, region), names in wanted.items():
                if owner not in owners:
                    owners[owner] = await tx.get_account(owner)
                owned[(owner, region)] = await self._owner_identities(tx, owner, region, names)
            refusal = await _mail_from_refusal(tx, call, submission, own, owned)
        return _Reads(
            account, region_enabled is not False, own, owners, owned, refusal, default_set
        )

    async def _owner_identities(
        self, tx: Tx, owner: str, region: str, names: set[str]
    ) -> dict[str, OwnerIdentity]:
        found: dict[str, OwnerIdentity] = {}
        for identity in await tx.get_identities(owner, region, sorted(names)):
            policies = await tx.list_identity_policies(owner, region, identity.name)
            found[identity.name] = OwnerIdentity(
                identity.name,
                identity.verified,
                PolicySet(self._compile(p.name, p.document) for p in policies),
            )
        return found

    def _compile(self, name: str, document: str) -> Policy:
        key = (name, document)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = compile_policy(document, name, PolicyKind.RESOURCE)
            if len(self._compiled) >= _COMPILED_LIMIT:
                self._compiled.clear()
            self._compiled[key] = compiled
        return compiled

    # ---------------------------------------------------------- resolve and decide

    def _resolve(self, call: Call, submission: Submission, reads: _Reads) -> _Resolved:
        """Step 2 (every role resolved), with each ARN's policy decision already made for
        every action checked; the first refusal is kept for step 3."""
        unverified: list[Address] = []
        misaligned: list[str] = []
        authorizations: dict[tuple[str, str], Authorization] = {}
        denial: str | None = None
        context = _context(call, submission)
        for use in submission.roles:
            if use.arn is None:
                if not _own_covers(reads.own, use.address.address):
                    unverified.append(use.address)
                continue
            key = (use.address.address, str(use.arn))
            if key in authorizations:
                continue
            for action in submission.actions:
                decided = authorize_use(
                    caller=call.principal.caller,
                    action=action,
                    region=call.region,
                    address=use.address.address,
                    arn=use.arn,
                    owner_identities=reads.owned.get((use.arn.account, use.arn.region), {}),
                    context=context,
                )
                authorizations[key] = decided
                if decided.verdict is Verdict.ACCESS_DENIED:
                    if denial is None:
                        resource = decided.governing or decided.arn
                        denial = access_denied_message(call.principal.arn, action, resource)
                    break
            if decided.verdict is Verdict.NOT_VERIFIED:
                unverified.append(use.address)
            elif decided.verdict is Verdict.NOT_ALIGNED:
                misaligned.append(alignment_message(use.address.address, use.arn))
        if misaligned:
            raise InvalidParameter(misaligned[0])
        if unverified:
            raise MessageRejected(not_verified_message(call.region, unverified))
        return _Resolved(tuple(authorizations.values()), denial)

    async def _check_permissions(
        self,
        call: Call,
        submission: Submission,
        reads: _Reads,
        authorizations: Sequence[Authorization],
    ) -> None:
        """The caller's own IAM policies must allow each action on each identity used: the
        identity an ARN names, or else the caller's own identity that covers the address."""
        if call.principal.kind is PrincipalKind.ROOT:
            return
        resources = [str(a.arn) for a in authorizations]
        for use in submission.roles:
            if use.arn is None:
                name = own_identity(reads.own, use.address.address)
                resources.append(f"arn:aws:ses:{call.region}:{call.account_id}:identity/{name}")
        for action in submission.actions:
            for resource in dict.fromkeys(resources):
                if call.principal.kind is PrincipalKind.SERVICE:
                    continue  # a service principal's authority comes from resource policies
                try:
                    await self.accounts.authorize(call, action, resource)
                except AccessDenied:
                    raise AccessDenied(
                        access_denied_message(call.principal.arn, action, resource)
                    ) from None

    # ------------------------------------------------------------ charge and store

    async def _charge_and_store(
        self,
        call: Call,
        submission: Submission,
        reads: _Reads,
        authorizations: Sequence[Authorization],
    ) -> str:
        accepted_id = message_id(call.now, self.new_unique())
        # Built before the write transaction, which waits its turn for the store's connection
        # and holds it (on SQLite) while it runs: work done outside it overlaps other writes.
        message = captured_message(call, submission, accepted_id, authorizations, reads.own)
        async with self.store.transaction() as tx:
            if submission.rendering_error is None:
                await charge(tx, call, reads.account, submission.recipients)
            # else accepted and recorded, but never sent: neither quota nor rate is charged.
            await tx.insert_message(message)
            await record_accepted(tx, message, self.new_unique, self.publisher)
        return accepted_id


# ------------------------------------------------------------------------ helpers


def _default_set(own: dict[str, Identity], covering: list[str]) -> str | None:
    """The default configuration set of the most specific verified identity of the caller's
    that covers the From address and has one (an address's over its domain's)."""
    for name in covering:
        identity = own.get(name)
        if identity is not None and identity.verified and identity.default_configuration_set:
            return identity.default_configuration_set
    return None


async def _mail_from_refusal(
    tx: Tx,
    call: Call,
    submission: Submission,
    own: dict[str, Identity],
    owned: dict[tuple[str, str], dict[str, OwnerIdentity]],
) -> MailFromDomainNotVerified | None:
    """The refusal a custom MAIL FROM setup with ``RejectMessage`` gives while it is not
    verified (§6.7); the From identity's owner's setting governs, as for DKIM. The identities
    covering the From address were read already: the caller's (``own``), or those of the
    From ARN's owner (``owned``)."""
    arn = submission.from_.arn
    if arn is None:
        owner, verified = call.account_id, {n for n, i in own.items() if i.verified}
    elif arn.region == call.region:
        owner = arn.account
        verified = {n for n, i in owned.get((owner, arn.region), {}).items() if i.verified}
    else:
        return None  # an identity of another region: refused as not verified, before this
    governing = governing_identity(submission.from_.address.address, verified)
    try:
        await governed_mail_from(tx, owner, call.region, governing)
    except MailFromDomainNotVerified as refusal:
        return refusal
    return None


def _check_sandbox(call: Call, submission: Submission, reads: _Reads) -> None:
    sandboxed = not reads.account.production or any(
        owner is not None and not owner.production for owner in reads.owners.values()
    )
    if not sandboxed:
        return
    refused = [
        Address(r)
        for r in submission.recipients
        if not is_simulator(r) and not _own_covers(reads.own, r)
    ]
    if refused:
        raise MessageRejected(not_verified_message(call.region, refused))


def _own_covers(own: dict[str, Identity], address: str) -> bool:
    return any(
        (identity := own.get(name)) is not None and identity.verified
        for name in covering_identities(address)
    )


def _context(call: Call, submission: Submission) -> Context:
    principal = call.principal
    return sending_context(
        principal.caller,
        now=call.now,
        api_version=submission.api_version,
        from_address=submission.from_.address.address,
        from_display_name=submission.from_.address.display_name,
        recipients=submission.recipients,
        feedback_address=submission.feedback.address.address,
        source_ip=call.source_ip,
        secure_transport=call.secure_transport,
        user_agent=call.user_agent,
        extra=principal.condition_keys(),
    )

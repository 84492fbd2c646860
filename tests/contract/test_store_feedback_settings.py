"""The storage contract: identity feedback settings, MAIL FROM setups, the suppression list.

Also the read side the delivery path uses (``effective_feedback`` and ``effective_mail_from``
over a real store), since those are queries of the store more than rules.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from openses.domain.feedback_settings import (
    DEFAULT_FEEDBACK_SETTINGS,
    DEFAULT_SUPPRESSED_REASONS,
    BehaviorOnMxFailure,
    IdentityFeedbackSettings,
    MailFromSettings,
    MailFromStatus,
    Suppression,
    SuppressionReason,
)
from openses.domain.identities import VerificationStatus
from openses.services.errors import MailFromDomainNotVerified
from openses.services.feedback_settings import (
    effective_feedback,
    effective_feedback_settings,
    effective_mail_from,
    mail_from_for_send,
)
from openses.services.ports import Store
from tests.contract.records import (
    ACCOUNT,
    OTHER_ACCOUNT,
    OTHER_REGION,
    REGION,
    account,
    address,
    at,
    domain,
)

TOPIC = "arn:aws:sns:us-east-1:888888888888:delegate-feedback"
BOUNCE, COMPLAINT = SuppressionReason


async def _world(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_account(account(OTHER_ACCOUNT))
        await tx.put_identity(domain("example.com", status=VerificationStatus.SUCCESS))
        await tx.put_identity(address("news@example.com"))
        await tx.put_identity(domain("pending.example"))
        await tx.put_identity(domain("example.com", region=OTHER_REGION))


def _mail_from(identity: str = "example.com", **changes: object) -> MailFromSettings:
    base = MailFromSettings(
        ACCOUNT,
        REGION,
        identity,
        "mail.example.com",
        BehaviorOnMxFailure.REJECT_MESSAGE,
        MailFromStatus.PENDING,
        at(0.001),
        None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# ------------------------------------------------------------ notification settings


async def test_feedback_settings_round_trip_per_identity(store: Store) -> None:
    await _world(store)
    settings = IdentityFeedbackSettings(TOPIC, None, TOPIC, False, True, False, True)
    async with store.transaction() as tx:
        assert await tx.get_feedback_settings(ACCOUNT, REGION, "example.com") is None
        await tx.put_feedback_settings(ACCOUNT, REGION, "example.com", settings)
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_feedback_settings(ACCOUNT, REGION, "example.com") == settings
        assert await tx.get_feedback_settings(ACCOUNT, OTHER_REGION, "example.com") is None
        assert await tx.get_feedback_settings(ACCOUNT, REGION, "news@example.com") is None
    async with store.transaction() as tx:
        await tx.put_feedback_settings(ACCOUNT, REGION, "example.com", DEFAULT_FEEDBACK_SETTINGS)
    async with store.transaction(read_only=True) as tx:
        assert (
            await tx.get_feedback_settings(ACCOUNT, REGION, "example.com")
            == DEFAULT_FEEDBACK_SETTINGS
        )


async def test_settings_go_with_their_identity(store: Store) -> None:
    await _world(store)
    async with store.transaction() as tx:
        await tx.put_feedback_settings(
            ACCOUNT, REGION, "example.com", IdentityFeedbackSettings(bounce_topic=TOPIC)
        )
        await tx.put_mail_from(_mail_from())
        assert await tx.delete_identity(ACCOUNT, REGION, "example.com")
    async with store.transaction() as tx:
        await tx.put_identity(domain("example.com"))  # made again: starts with nothing
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_feedback_settings(ACCOUNT, REGION, "example.com") is None
        assert await tx.get_mail_from(ACCOUNT, REGION, "example.com") is None


async def test_effective_feedback_is_the_most_specific_verified_identitys(store: Store) -> None:
    await _world(store)
    domain_settings = IdentityFeedbackSettings(bounce_topic=TOPIC)
    async with store.transaction() as tx:
        await tx.put_feedback_settings(ACCOUNT, REGION, "example.com", domain_settings)
        await tx.put_feedback_settings(
            ACCOUNT, REGION, "pending.example", IdentityFeedbackSettings(bounce_topic=TOPIC)
        )
    async with store.transaction(read_only=True) as tx:
        other = await effective_feedback(tx, ACCOUNT, REGION, "Sales@Mail.Example.com")
        assert (other.identity, other.settings) == ("example.com", domain_settings)
        # a verified address identity keeps its own (default) settings
        own = await effective_feedback(tx, ACCOUNT, REGION, "news+eu@example.com")
        assert (own.identity, own.settings) == ("news@example.com", DEFAULT_FEEDBACK_SETTINGS)
        # a pending domain governs nothing
        pending = await effective_feedback(tx, ACCOUNT, REGION, "a@pending.example")
        assert (pending.identity, pending.settings) == (None, DEFAULT_FEEDBACK_SETTINGS)
        # another account's view: its own identities only
        assert (
            await effective_feedback_settings(tx, OTHER_ACCOUNT, REGION, "a@example.com")
            == DEFAULT_FEEDBACK_SETTINGS
        )


# ------------------------------------------------------------------------ MAIL FROM


async def test_mail_from_round_trips(store: Store) -> None:
    await _world(store)
    pending = _mail_from()
    checked = replace(pending, status=MailFromStatus.SUCCESS, checked_at=at(60))
    off = replace(pending, domain=None, status=None, window_started_at=None)
    async with store.transaction() as tx:
        assert await tx.get_mail_from(ACCOUNT, REGION, "example.com") is None
        await tx.put_mail_from(pending)
    async with store.transaction() as tx:
        assert await tx.get_mail_from(ACCOUNT, REGION, "example.com") == pending
        await tx.put_mail_from(checked)
    async with store.transaction() as tx:
        assert await tx.get_mail_from(ACCOUNT, REGION, "example.com") == checked
        await tx.put_mail_from(off)
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_mail_from(ACCOUNT, REGION, "example.com") == off
        assert await tx.get_mail_from(ACCOUNT, OTHER_REGION, "example.com") is None


async def test_mail_from_due_lists_what_to_look_up_least_recent_first(store: Store) -> None:
    await _world(store)
    async with store.transaction() as tx:
        await tx.put_identity(domain("a.example", status=VerificationStatus.SUCCESS))
        await tx.put_identity(domain("b.example", status=VerificationStatus.SUCCESS))
        await tx.put_mail_from(_mail_from("example.com", checked_at=at(30)))
        await tx.put_mail_from(
            _mail_from("news@example.com", status=MailFromStatus.TEMPORARY_FAILURE)
        )
        await tx.put_mail_from(
            _mail_from("a.example", domain="m.a.example", status=MailFromStatus.SUCCESS,
                       checked_at=at(10))
        )  # fmt: skip
        await tx.put_mail_from(
            _mail_from("b.example", domain="m.b.example", status=MailFromStatus.SUCCESS,
                       checked_at=at(100))
        )  # fmt: skip
        await tx.put_mail_from(_mail_from("pending.example", status=MailFromStatus.FAILED))
    async with store.transaction(read_only=True) as tx:
        due = await tx.mail_from_due(at(50), 10)
        assert [s.identity for s in due] == ["news@example.com", "a.example", "example.com"]
        assert [s.identity for s in await tx.mail_from_due(at(50), 1)] == ["news@example.com"]
        assert await tx.mail_from_due(at(50), 0) == []
        everything = await tx.mail_from_due(at(1000), 10)
        assert [s.identity for s in everything][-1] == "b.example"


async def test_effective_mail_from_and_the_send_decision(store: Store) -> None:
    await _world(store)
    async with store.transaction() as tx:
        await tx.put_mail_from(_mail_from())
    async with store.transaction() as tx:
        assert await effective_mail_from(tx, ACCOUNT, REGION, "news@example.com") is None
        found = await effective_mail_from(tx, ACCOUNT, REGION, "other@example.com")
        assert found == _mail_from()
        with pytest.raises(MailFromDomainNotVerified, match=r"mail\.example\.com"):
            await mail_from_for_send(tx, ACCOUNT, REGION, "other@example.com")
        await tx.put_mail_from(_mail_from(status=MailFromStatus.SUCCESS))
        assert (
            await mail_from_for_send(tx, ACCOUNT, REGION, "other@example.com") == "mail.example.com"
        )
        assert await mail_from_for_send(tx, ACCOUNT, REGION, "news@example.com") is None
        assert await mail_from_for_send(tx, OTHER_ACCOUNT, REGION, "x@example.com") is None


# ---------------------------------------------------------------------- suppression


def _entry(email: str, reason: SuppressionReason, seconds: float, **changes: object) -> Suppression:
    entry = Suppression(ACCOUNT, REGION, email, reason, at(seconds))
    return replace(entry, **changes)  # type: ignore[arg-type]


async def test_suppression_round_trips_and_keeps_the_newest(store: Store) -> None:
    await _world(store)
    first = _entry("Reader@example.com", BOUNCE, 10, message_id="m-1", feedback_id="f-1")
    async with store.transaction() as tx:
        await tx.put_suppression(first)
    async with store.transaction() as tx:
        assert await tx.get_suppression(ACCOUNT, REGION, "Reader@example.com") == first
        assert await tx.get_suppression(ACCOUNT, REGION, "reader@example.com") is None
        assert await tx.get_suppression(ACCOUNT, OTHER_REGION, "Reader@example.com") is None
        await tx.put_suppression(_entry("Reader@example.com", COMPLAINT, 5))  # older: ignored
    async with store.transaction() as tx:
        assert await tx.get_suppression(ACCOUNT, REGION, "Reader@example.com") == first
        newer = _entry("Reader@example.com", COMPLAINT, 20)
        await tx.put_suppression(newer)
    async with store.transaction() as tx:
        assert await tx.get_suppression(ACCOUNT, REGION, "Reader@example.com") == newer
        assert await tx.delete_suppression(ACCOUNT, REGION, "Reader@example.com")
        assert not await tx.delete_suppression(ACCOUNT, REGION, "Reader@example.com")
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_suppression(ACCOUNT, REGION, "Reader@example.com") is None


async def test_suppressed_matches_addresses_ignoring_case(store: Store) -> None:
    await _world(store)
    async with store.transaction() as tx:
        await tx.put_suppression(_entry("Reader@example.com", BOUNCE, 10))
        await tx.put_suppression(_entry("reader@example.com", COMPLAINT, 20))
        await tx.put_suppression(_entry("gone@example.com", BOUNCE, 10))
        await tx.put_suppression(replace(_entry("x@example.com", BOUNCE, 1), region=OTHER_REGION))
    async with store.transaction(read_only=True) as tx:
        found = await tx.suppressed(
            ACCOUNT, REGION, ["READER@EXAMPLE.COM", "gone@Example.com", "x@example.com", "new@x.y"]
        )
        assert set(found) == {"READER@EXAMPLE.COM", "gone@Example.com"}
        assert found["READER@EXAMPLE.COM"].reason is COMPLAINT  # the newest spelling
        assert found["gone@Example.com"].email_address == "gone@example.com"
        assert await tx.suppressed(ACCOUNT, REGION, []) == {}
        assert await tx.suppressed(OTHER_ACCOUNT, REGION, ["gone@example.com"]) == {}


async def test_list_suppressions_filters_orders_and_continues(store: Store) -> None:
    await _world(store)
    entries = [
        _entry("c@example.com", BOUNCE, 10),
        _entry("a@example.com", COMPLAINT, 20),
        _entry("b@example.com", BOUNCE, 20),
        _entry("d@example.com", BOUNCE, 30),
    ]
    async with store.transaction() as tx:
        for entry in entries:
            await tx.put_suppression(entry)
    async with store.transaction(read_only=True) as tx:
        listed = await tx.list_suppressions(ACCOUNT, REGION)
        assert [e.email_address[0] for e in listed] == ["c", "a", "b", "d"]
        assert listed[0] == entries[0]
        bounces = await tx.list_suppressions(ACCOUNT, REGION, reasons={BOUNCE})
        assert [e.email_address[0] for e in bounces] == ["c", "b", "d"]
        window = await tx.list_suppressions(ACCOUNT, REGION, start=at(20), end=at(20))
        assert [e.email_address[0] for e in window] == ["a", "b"]
        first = await tx.list_suppressions(ACCOUNT, REGION, limit=2)
        rest = await tx.list_suppressions(
            ACCOUNT, REGION, after=(first[-1].last_update_time, first[-1].email_address)
        )
        assert [e.email_address[0] for e in first + rest] == ["c", "a", "b", "d"]
        assert await tx.list_suppressions(OTHER_ACCOUNT, REGION) == []


async def test_suppression_reasons_default_to_both_and_can_be_emptied(store: Store) -> None:
    await _world(store)
    async with store.transaction() as tx:
        assert await tx.get_suppression_reasons(ACCOUNT, REGION) == DEFAULT_SUPPRESSED_REASONS
        await tx.set_suppression_reasons(ACCOUNT, REGION, {COMPLAINT})
        await tx.set_suppression_reasons(ACCOUNT, OTHER_REGION, set())
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_suppression_reasons(ACCOUNT, REGION) == {COMPLAINT}
        assert await tx.get_suppression_reasons(ACCOUNT, OTHER_REGION) == frozenset()
        assert await tx.get_suppression_reasons(OTHER_ACCOUNT, REGION) == {BOUNCE, COMPLAINT}

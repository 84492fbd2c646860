"""The storage contract, part 3: the capture outbox, its filters, and the sending counters."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from openses.domain.outbox import MessageFilter, MessageKind
from openses.domain.quota import Allowance, QuotaWindow, minute_ms
from openses.domain.sending import RateBucket
from openses.services.ports import Store
from openses.storage.store import SqlStore
from tests.contract.records import (
    ACCOUNT,
    OTHER_ACCOUNT,
    OTHER_REGION,
    REGION,
    T0,
    at,
    identity_arn,
    message,
)

#: Every byte value, NULs in a row, and enough of it to be more than a page.
RAW = bytes(range(256)) * 4096 + b"\x00\x00\r\n.\r\n"


async def test_message_round_trip_with_every_field(store: Store) -> None:
    full = message(
        "0100018e-ünï-0001",
        created_at=at(0.123),
        source="Sénder <sender@bücher.example>",
        recipients=("a@example.net", "Ölaf@example.net", 'quoted"@example.net', "%_\\@x.net"),
        identity_arns=(identity_arn("bücher.example"), identity_arn("sender@bücher.example")),
        raw=RAW,
        subject="Grüße ✓ \t and \\ and ' and \" and \u2028",
        caller_arn=f"arn:aws:iam::{ACCOUNT}:user/alice",
        governing_arns=(identity_arn("bücher.example"),),
        statements=(
            {"Sid": "Allow", "Effect": "Allow", "Principal": {"AWS": ["a", "b"]}, "n": 1.5},
            {"Sid": "Ünï", "Condition": None, "flag": True},
        ),
    )
    minimal = message(
        "m-minimal",
        kind=MessageKind.VERIFICATION,
        recipients=(),
        raw=b"",
        subject="",
    )
    async with store.transaction() as tx:
        await tx.insert_message(full)
        await tx.insert_message(minimal)
    async with store.transaction() as tx:
        assert await tx.get_message(full.message_id) == full
        stored = await tx.get_message(full.message_id)
        assert stored is not None
        assert stored.raw == RAW
        assert await tx.get_message("m-minimal") == minimal
        assert await tx.get_message("missing") is None


async def test_text_with_nul_is_refused_alike_on_both_backends(store: Store) -> None:
    # PostgreSQL text cannot hold U+0000; the store refuses it on SQLite too, before writing.
    with pytest.raises(ValueError, match="NUL"):
        async with store.transaction() as tx:
            await tx.insert_message(message("m-1", subject="a\x00b"))
    async with store.transaction() as tx:  # inside JSON lists it is escaped, so it is fine
        await tx.insert_message(message("m-2", recipients=("a\x00b@x.net",)))
        stored = await tx.get_message("m-2")
        assert stored is not None
        assert stored.recipients == ("a\x00b@x.net",)
        assert await tx.get_message("m-1") is None


async def test_list_messages_newest_first_with_limit(store: Store) -> None:
    async with store.transaction() as tx:
        for index in range(5):
            await tx.insert_message(message(f"m-{index}", created_at=at(index)))
        await tx.insert_message(message("m-tie-a", created_at=at(4)))
    async with store.transaction() as tx:
        listed = await tx.list_messages(MessageFilter())
        assert [m.message_id for m in listed] == ["m-tie-a", "m-4", "m-3", "m-2", "m-1", "m-0"]
        limited = await tx.list_messages(MessageFilter(limit=2))
        assert [m.message_id for m in limited] == ["m-tie-a", "m-4"]
        assert await tx.list_messages(MessageFilter(limit=0)) == []


async def test_list_messages_scalar_filters(store: Store) -> None:
    rows = [
        message("plain", created_at=at(0)),
        message("other-account", created_at=at(1), account_id=OTHER_ACCOUNT),
        message("other-region", created_at=at(2), region=OTHER_REGION),
        message("other-source", created_at=at(3), source="Sender@example.com"),
        message("verification", created_at=at(4), kind=MessageKind.VERIFICATION),
    ]
    async with store.transaction() as tx:
        for row in rows:
            await tx.insert_message(row)

    async def ids(where: MessageFilter) -> set[str]:
        async with store.transaction() as tx:
            return {m.message_id for m in await tx.list_messages(where)}

    everything = {row.message_id for row in rows}
    assert await ids(MessageFilter(account_id=OTHER_ACCOUNT)) == {"other-account"}
    assert await ids(MessageFilter(account_id=ACCOUNT)) == everything - {"other-account"}
    assert await ids(MessageFilter(region=OTHER_REGION)) == {"other-region"}
    assert await ids(MessageFilter(source="Sender@example.com")) == {"other-source"}
    assert await ids(MessageFilter(kind=MessageKind.VERIFICATION)) == {"verification"}
    assert await ids(MessageFilter(kind=MessageKind.SEND)) == everything - {"verification"}
    assert await ids(MessageFilter(account_id=ACCOUNT, region=REGION, kind=MessageKind.SEND)) == {
        "plain",
        "other-source",
    }


async def test_list_messages_by_recipient_and_identity_match_whole_elements(store: Store) -> None:
    arn = identity_arn("example.com")
    async with store.transaction() as tx:
        await tx.insert_message(
            message("exact", recipients=("x@example.net", "bob@example.net"), identity_arns=(arn,))
        )
        await tx.insert_message(
            message(
                "near-misses",
                created_at=at(1),
                recipients=("Bob@example.net", "bob@example.net.evil", '"bob@example.net'),
                identity_arns=(arn + ".evil", "x" + arn),
            )
        )
        await tx.insert_message(
            message("specials", created_at=at(2), recipients=("%_\\@x.net", 'q"@x.net'))
        )
    async with store.transaction() as tx:

        async def ids(where: MessageFilter) -> list[str]:
            return [m.message_id for m in await tx.list_messages(where)]

        assert await ids(MessageFilter(recipient="bob@example.net")) == ["exact"]
        assert await ids(MessageFilter(recipient="Bob@example.net")) == ["near-misses"]
        assert await ids(MessageFilter(recipient='"bob@example.net')) == ["near-misses"]
        assert await ids(MessageFilter(recipient="%_\\@x.net")) == ["specials"]
        assert await ids(MessageFilter(recipient='q"@x.net')) == ["specials"]
        assert await ids(MessageFilter(recipient="%")) == []
        assert await ids(MessageFilter(recipient="example.net")) == []
        assert await ids(MessageFilter(identity_arn=arn)) == ["exact"]
        assert await ids(MessageFilter(identity_arn=arn, recipient="x@example.net")) == ["exact"]
        assert await ids(MessageFilter(identity_arn=arn, recipient="Bob@example.net")) == []
        assert await ids(MessageFilter(identity_arn=arn, account_id=OTHER_ACCOUNT)) == []


async def test_list_messages_finds_matches_behind_many_near_misses(store: Store) -> None:
    # '"b@x.net' is stored as "\"b@x.net", which contains "b@x.net" as text but is another
    # address: the store must look past a whole page of such rows to the real matches.
    async with store.transaction() as tx:
        await tx.insert_message(message("real-old", created_at=at(0), recipients=("b@x.net",)))
        await tx.insert_message(message("real", created_at=at(1), recipients=("b@x.net",)))
        for index in range(450):
            await tx.insert_message(
                message(f"miss-{index:03}", created_at=at(10 + index), recipients=('"b@x.net',))
            )
    async with store.transaction() as tx:
        found = await tx.list_messages(MessageFilter(recipient="b@x.net", limit=1))
        assert [m.message_id for m in found] == ["real"]
        found = await tx.list_messages(MessageFilter(recipient="b@x.net"))
        assert [m.message_id for m in found] == ["real", "real-old"]
        found = await tx.list_messages(MessageFilter(recipient='"b@x.net', limit=3))
        assert [m.message_id for m in found] == ["miss-449", "miss-448", "miss-447"]


async def test_delete_messages_counts_and_empties(store: Store) -> None:
    async with store.transaction() as tx:
        assert await tx.delete_messages() == 0
        for index in range(3):
            await tx.insert_message(message(f"m-{index}"))
    async with store.transaction() as tx:
        assert await tx.delete_messages() == 3
    async with store.transaction() as tx:
        assert await tx.list_messages(MessageFilter()) == []


async def test_recipients_sent_since_reads_the_ledger_by_minute(store: Store) -> None:
    async with store.transaction() as tx:
        assert await tx.recipients_sent_since(ACCOUNT, REGION, T0) == 0
        await tx.add_send_counts(ACCOUNT, REGION, at(-60), delivery_attempts=9, quota_recipients=9)
        await tx.add_send_counts(ACCOUNT, REGION, T0, delivery_attempts=2, quota_recipients=2)
        # Same minute: added up. Simulator recipients are attempts but not quota.
        await tx.add_send_counts(ACCOUNT, REGION, at(59.9), delivery_attempts=3, quota_recipients=1)
        await tx.add_send_counts(ACCOUNT, REGION, at(3600), delivery_attempts=1, quota_recipients=1)
        await tx.add_send_counts(OTHER_ACCOUNT, REGION, T0, delivery_attempts=1, quota_recipients=1)
        await tx.add_send_counts(ACCOUNT, OTHER_REGION, T0, delivery_attempts=1, quota_recipients=1)
    async with store.transaction(read_only=True) as tx:
        assert await tx.recipients_sent_since(ACCOUNT, REGION, T0) == 4
        # ``since`` inside a minute counts that whole minute (the ledger's resolution).
        assert await tx.recipients_sent_since(ACCOUNT, REGION, at(30)) == 4
        assert await tx.recipients_sent_since(ACCOUNT, REGION, at(-1)) == 13
        assert await tx.recipients_sent_since(ACCOUNT, REGION, at(3660)) == 0
        assert await tx.recipients_sent_since(OTHER_ACCOUNT, REGION, T0) == 1
        assert await tx.recipients_sent_since(ACCOUNT, OTHER_REGION, T0) == 1


async def test_clearing_the_outbox_leaves_the_ledger(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.insert_message(message("m1", created_at=T0))
        await tx.add_send_counts(ACCOUNT, REGION, T0, delivery_attempts=1, quota_recipients=1)
        assert await tx.delete_messages() == 1
        assert await tx.recipients_sent_since(ACCOUNT, REGION, T0) == 1


async def test_send_buckets(store: Store) -> None:
    quarter = 15 * 60
    # T0 is 12:00:00 UTC, on a quarter-hour boundary of the epoch.
    counts = [
        (at(-60), 4, 1, 0, 0),  # before ``since``: left out
        (at(0), 1, 0, 0, 0),
        (at(quarter - 1), 2, 1, 1, 0),
        (at(quarter), 3, 0, 0, 1),
        (at(3 * quarter + 59), 1, 0, 0, 0),  # q2 stays empty and is left out
    ]
    async with store.transaction() as tx:
        for moment, sent, bounces, complaints, rejects in counts:
            await tx.add_send_counts(
                ACCOUNT,
                REGION,
                moment,
                delivery_attempts=sent,
                quota_recipients=sent,
                bounces=bounces,
                complaints=complaints,
                rejects=rejects,
            )
        await tx.add_send_counts(ACCOUNT, OTHER_REGION, at(1), delivery_attempts=5)
    async with store.transaction(read_only=True) as tx:
        buckets = await tx.send_buckets(ACCOUNT, REGION, T0, quarter)
        assert buckets == [
            (T0, 3, 1, 1, 0),
            (at(quarter), 3, 0, 0, 1),
            (at(3 * quarter), 1, 0, 0, 0),
        ]
        # A ``since`` inside a bucket counts only the minutes from it on.
        assert await tx.send_buckets(ACCOUNT, REGION, at(60), quarter) == [
            (T0, 2, 1, 1, 0),
            (at(quarter), 3, 0, 0, 1),
            (at(3 * quarter), 1, 0, 0, 0),
        ]
        hours = await tx.send_buckets(ACCOUNT, REGION, at(-3600), 3600)
        assert hours == [(T0 - timedelta(hours=1), 4, 1, 0, 0), (T0, 7, 1, 1, 1)]
        assert await tx.send_buckets(OTHER_ACCOUNT, REGION, T0, quarter) == []
        with pytest.raises(ValueError, match="whole minutes"):
            await tx.send_buckets(ACCOUNT, REGION, T0, 0)
        with pytest.raises(ValueError, match="whole minutes"):
            await tx.send_buckets(ACCOUNT, REGION, T0, 90)


async def test_allowance_is_created_once_and_saved(store: Store) -> None:
    full = RateBucket(14.0, 1_000)
    async with store.transaction() as tx:
        assert await tx.lock_allowance(ACCOUNT, REGION, full) == Allowance(full, None)
        saved = Allowance(RateBucket(-2.5, 2_000), QuotaWindow(1_200_000, 7))
        await tx.save_allowance(ACCOUNT, REGION, saved)
    async with store.transaction() as tx:
        # An existing allowance is returned as saved; ``initial`` only fills a missing one.
        assert await tx.lock_allowance(ACCOUNT, REGION, full) == saved
        assert await tx.lock_allowance(ACCOUNT, OTHER_REGION, full) == Allowance(full, None)
        await tx.save_allowance(ACCOUNT, REGION, Allowance(RateBucket(1.0, 3_000), None))
    async with store.transaction() as tx:
        assert (await tx.lock_allowance(ACCOUNT, REGION, full)).window is None


async def test_quota_recipients_between_reads_whole_minutes(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.add_send_counts(ACCOUNT, REGION, at(-60), quota_recipients=9)
        await tx.add_send_counts(ACCOUNT, REGION, T0, delivery_attempts=3, quota_recipients=2)
        await tx.add_send_counts(ACCOUNT, REGION, at(60), quota_recipients=4)
        await tx.add_send_counts(OTHER_ACCOUNT, REGION, T0, quota_recipients=1)
    t0 = minute_ms(T0)
    async with store.transaction(read_only=True) as tx:
        assert await tx.quota_recipients_between(ACCOUNT, REGION, t0 - 60_000, t0) == 9
        assert await tx.quota_recipients_between(ACCOUNT, REGION, t0, t0 + 60_000) == 2
        assert await tx.quota_recipients_between(ACCOUNT, REGION, t0 - 60_000, t0 + 120_000) == 15
        assert await tx.quota_recipients_between(ACCOUNT, REGION, t0, t0) == 0
        assert await tx.quota_recipients_between(ACCOUNT, OTHER_REGION, t0, t0 + 60_000) == 0


async def test_concurrent_rate_takes_never_lose_an_update(store: Store) -> None:
    """Twenty concurrent read-modify-write transactions on one bucket: none is lost."""

    async def take() -> None:
        async with store.transaction() as tx:
            bucket = (await tx.lock_allowance(ACCOUNT, REGION, RateBucket(100.0, 0))).bucket
            await tx.save_allowance(ACCOUNT, REGION, Allowance(RateBucket(bucket.tokens - 1, 0)))

    await asyncio.gather(*(take() for _ in range(20)))
    async with store.transaction() as tx:
        final = await tx.lock_allowance(ACCOUNT, REGION, RateBucket(0.0, 0))
    assert final.bucket == RateBucket(80.0, 0)


async def test_rate_takes_from_several_processes_share_one_bucket(
    store: Store, store_url: str
) -> None:
    """This store and two more, each on its own thread and event loop (as other processes or
    machines would be), take from one bucket at once: every take is serialized on the bucket
    row and none is lost."""

    async def take(on: Store) -> None:
        async with on.transaction() as tx:
            bucket = (await tx.lock_allowance(ACCOUNT, REGION, RateBucket(100.0, 0))).bucket
            await asyncio.sleep(0)  # let other transactions of this loop run in between
            await tx.save_allowance(ACCOUNT, REGION, Allowance(RateBucket(bucket.tokens - 1, 0)))

    def another_process() -> None:
        async def main() -> None:
            other = SqlStore(store_url)
            try:
                await asyncio.gather(*(take(other) for _ in range(10)))
            finally:
                await other.close()

        asyncio.run(main())

    await asyncio.gather(
        *(take(store) for _ in range(10)),
        asyncio.to_thread(another_process),
        asyncio.to_thread(another_process),
    )
    async with store.transaction() as tx:
        final = await tx.lock_allowance(ACCOUNT, REGION, RateBucket(0.0, 0))
    assert final.bucket == RateBucket(70.0, 0)

"""Configuration sets of the calling account in the call's region, and their event destinations.

A set is always the caller's own: a delegate names its own set on a delegated send (spec §3
feedback channel 1, A20), so the send path looks the name up in the *sending* account
(:func:`configuration_set_for_send`) and never in the identity owner's. An identity's default
set (:meth:`ConfigurationSetsService.set_identity_default`) is used by the account's own sends
from it that name no set, never by a delegate's. Event destinations
publish to Amazon SNS only; other destination types are refused by name
(:func:`~openses.domain.configuration_sets.destination_problem`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace

from openses.domain.configuration_sets import (
    MAX_CONFIGURATION_SETS,
    MAX_EVENT_DESTINATIONS,
    ConfigurationSet,
    DestinationKind,
    EventDestination,
    configuration_set_name_problem,
    destination_problem,
    event_destination_name_problem,
)
from openses.domain.tags import ResourceType, Tag, TaggedResource
from openses.services.errors import (
    ConfigurationSetAlreadyExists,
    ConfigurationSetNotFound,
    ConfigurationSetSendingPaused,
    EventDestinationAlreadyExists,
    EventDestinationNotFound,
    InvalidCloudWatchDestination,
    InvalidConfigurationSet,
    InvalidEventDestination,
    InvalidFirehoseDestination,
    InvalidParameter,
    InvalidSnsDestination,
    LimitExceeded,
    NotFound,
)
from openses.services.identities import own_identity_name
from openses.services.ports import Conflict, Store, Tx
from openses.services.principals import Call
from openses.services.tags import checked_tags

_DESTINATION_ERRORS: dict[DestinationKind | None, type[InvalidEventDestination]] = {
    DestinationKind.SNS: InvalidSnsDestination,
    DestinationKind.CLOUDWATCH: InvalidCloudWatchDestination,
    DestinationKind.KINESIS_FIREHOSE: InvalidFirehoseDestination,
}


class ConfigurationSetsService:
    def __init__(self, store: Store) -> None:
        self.store = store

    # ------------------------------------------------------------------------- sets

    async def create(
        self, call: Call, configuration_set: ConfigurationSet, tags: Sequence[Tag] = ()
    ) -> None:
        """Create the set with its resource ``tags`` (v2), in one transaction."""
        problem = configuration_set_name_problem(configuration_set.name)
        if problem is not None:
            raise InvalidConfigurationSet(problem)
        checked_tags(tags)
        async with self.store.transaction() as tx:
            if await tx.count_configuration_sets(call.account_id, call.region) >= (
                MAX_CONFIGURATION_SETS
            ):
                raise LimitExceeded(
                    f"Maximum number of configuration sets ({MAX_CONFIGURATION_SETS}) exceeded."
                )
            try:
                await tx.insert_configuration_set(
                    call.account_id, call.region, configuration_set, call.now
                )
            except Conflict:
                raise ConfigurationSetAlreadyExists(
                    f"Configuration set <{configuration_set.name}> already exists."
                ) from None
            await tx.put_resource_tags(
                call.account_id, call.region, _tagged(configuration_set.name), tags
            )

    async def get(self, call: Call, name: str) -> ConfigurationSet:
        checked_name(name)
        async with self.store.transaction(read_only=True) as tx:
            return await _existing(tx, call, name)

    async def names(self, call: Call) -> list[str]:
        async with self.store.transaction(read_only=True) as tx:
            return await tx.list_configuration_set_names(call.account_id, call.region)

    async def set_identity_default(
        self, call: Call, identity_name: str, set_name: str | None
    ) -> None:
        """Make ``set_name`` (None: no set) the default set of the caller's identity: the set
        the account's own sends from it use when they name none (never a delegate's: A20)."""
        normalized = own_identity_name(call, identity_name)
        async with self.store.transaction() as tx:
            identity = await tx.get_identity(call.account_id, call.region, normalized)
            if identity is None:
                raise NotFound(f"Email identity {identity_name} does not exist.")
            if set_name is not None:
                await existing_configuration_set(tx, call, set_name)
            await tx.put_identity(replace(identity, default_configuration_set=set_name))

    async def delete(self, call: Call, name: str) -> None:
        checked_name(name)
        async with self.store.transaction() as tx:
            if not await tx.delete_configuration_set(call.account_id, call.region, name):
                raise _missing(name)
            await tx.delete_resource_tags(call.account_id, call.region, _tagged(name))
            await tx.clear_default_configuration_set(call.account_id, call.region, name)

    async def change(
        self, call: Call, name: str, change: Callable[[ConfigurationSet], ConfigurationSet]
    ) -> ConfigurationSet:
        """Apply ``change`` to the set's settings (read, changed and written in one
        transaction); the set as changed."""
        checked_name(name)
        async with self.store.transaction() as tx:
            changed = change(await _existing(tx, call, name))
            await tx.update_configuration_set(call.account_id, call.region, changed)
        return changed

    # ----------------------------------------------------------------- destinations

    async def add_destination(
        self,
        call: Call,
        set_name: str,
        destination: EventDestination,
        kinds: Collection[DestinationKind],
    ) -> None:
        """``kinds``: the destination types the request gave (exactly one must be SNS)."""
        checked_name(set_name)
        _check_destination(call, destination, kinds)
        async with self.store.transaction() as tx:
            existing = await _existing(tx, call, set_name)
            if existing.event_destination(destination.name) is not None:
                raise _destination_exists(set_name, destination.name)
            if len(existing.event_destinations) >= MAX_EVENT_DESTINATIONS:
                raise LimitExceeded(
                    f"Maximum number of event destinations ({MAX_EVENT_DESTINATIONS}) for "
                    f"configuration set <{set_name}> exceeded."
                )
            try:
                await tx.insert_event_destination(
                    call.account_id, call.region, set_name, destination
                )
            except Conflict:
                raise _destination_exists(set_name, destination.name) from None

    async def replace_destination(
        self,
        call: Call,
        set_name: str,
        destination: EventDestination,
        kinds: Collection[DestinationKind],
    ) -> None:
        checked_name(set_name)
        _check_destination(call, destination, kinds)
        async with self.store.transaction() as tx:
            await _existing(tx, call, set_name)
            if not await tx.update_event_destination(
                call.account_id, call.region, set_name, destination
            ):
                raise _destination_missing(set_name, destination.name)

    async def delete_destination(self, call: Call, set_name: str, name: str) -> None:
        checked_name(set_name)
        problem = event_destination_name_problem(name)
        if problem is not None:
            raise InvalidParameter(problem)
        async with self.store.transaction() as tx:
            await _existing(tx, call, set_name)
            if not await tx.delete_event_destination(call.account_id, call.region, set_name, name):
                raise _destination_missing(set_name, name)

    # ----------------------------------------------------------------------- sends

    async def require_for_send(self, call: Call, name: str | None) -> None:
        """What :func:`configuration_set_for_send` checks, in a transaction of its own (for
        bulk sends, which refuse the whole call before sending anything)."""
        if name is None:
            return
        async with self.store.transaction(read_only=True) as tx:
            await configuration_set_for_send(tx, call, name)


async def configuration_set_for_send(
    tx: Tx, call: Call, name: str | None
) -> ConfigurationSet | None:
    """The set a send names, from the *sending* account and region: refused when the name is
    malformed (``InvalidParameterValue``), the set does not exist
    (``ConfigurationSetDoesNotExist`` / ``NotFoundException``) or its sending is disabled
    (``ConfigurationSetSendingPausedException`` / ``SendingPausedException``)."""
    if name is None:
        return None
    checked_name(name)
    found = await tx.get_configuration_set(call.account_id, call.region, name)
    if found is None:
        raise _missing(name)
    if not found.sending_enabled:
        raise ConfigurationSetSendingPaused(f"Sending is paused for configuration set <{name}>.")
    return found


def checked_name(name: str) -> str:
    """``name`` if it can name a configuration set, else ``InvalidParameterValue``."""
    problem = configuration_set_name_problem(name)
    if problem is not None:
        raise InvalidParameter(problem)
    return name


async def existing_configuration_set(tx: Tx, call: Call, name: str) -> ConfigurationSet:
    """The caller's set ``name``: ``InvalidParameterValue`` for a malformed name,
    ``ConfigurationSetDoesNotExist`` / ``NotFoundException`` when there is none."""
    return await _existing(tx, call, checked_name(name))


async def _existing(tx: Tx, call: Call, name: str) -> ConfigurationSet:
    found = await tx.get_configuration_set(call.account_id, call.region, name)
    if found is None:
        raise _missing(name)
    return found


def _check_destination(
    call: Call, destination: EventDestination, kinds: Collection[DestinationKind]
) -> None:
    problem = destination_problem(
        destination.name,
        kinds,
        destination.matching_types,
        destination.sns_topic_arn,
        call.region,
    )
    if problem is not None:
        raise _DESTINATION_ERRORS.get(problem.kind, InvalidEventDestination)(problem.message)


def _tagged(name: str) -> TaggedResource:
    return TaggedResource(ResourceType.CONFIGURATION_SET, name)


def _missing(name: str) -> ConfigurationSetNotFound:
    return ConfigurationSetNotFound(f"Configuration set <{name}> does not exist.")


def _destination_exists(set_name: str, name: str) -> EventDestinationAlreadyExists:
    return EventDestinationAlreadyExists(
        f"Event destination <{name}> already exists in configuration set <{set_name}>."
    )


def _destination_missing(set_name: str, name: str) -> EventDestinationNotFound:
    return EventDestinationNotFound(
        f"Event destination <{name}> does not exist in configuration set <{set_name}>."
    )

"""Resource tags of the caller's own resources in the call's region (SES v2 TagResource,
UntagResource, ListTagsForResource, and the ``Tags`` of the Create operations).

A resource is named by its ARN. It must be the caller's, in the call's region (another
account's or region's ARN is a ``BadRequestException``, like a malformed one), and it must
exist (``NotFoundException``; resource types OpenSES does not have never exist). Creates store
their tags in the transaction that creates the resource, deletes remove them in the one that
deletes it (see the identity, configuration set and template services).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from openses.domain.identities import normalize_identity
from openses.domain.tags import (
    InvalidResourceArn,
    ResourceType,
    Tag,
    TaggedResource,
    Tags,
    count_problem,
    keys_problem,
    parse_resource_arn,
    tagged,
    tags_problem,
)
from openses.services.errors import InvalidParameter, NotFound
from openses.services.ports import Store, Tx
from openses.services.principals import Call

_Lookup = Callable[[Tx, str, str, str], Awaitable[object | None]]

#: How to find each resource type in the store, and how its absence is worded.
_RESOURCES: Mapping[ResourceType, tuple[_Lookup, str]] = {
    ResourceType.IDENTITY: (
        lambda tx, account, region, name: tx.get_identity(account, region, name),
        "Email identity {name} does not exist.",
    ),
    ResourceType.CONFIGURATION_SET: (
        lambda tx, account, region, name: tx.get_configuration_set(account, region, name),
        "Configuration set <{name}> does not exist.",
    ),
    ResourceType.TEMPLATE: (
        lambda tx, account, region, name: tx.get_template(account, region, name),
        "Template {name} does not exist.",
    ),
    ResourceType.CUSTOM_VERIFICATION_EMAIL_TEMPLATE: (
        lambda tx, account, region, name: tx.get_custom_verification_template(
            account, region, name
        ),
        "Custom verification email template {name} does not exist.",
    ),
}


def own_resource(account_id: str, region: str, arn: str) -> TaggedResource:
    """The caller's resource ``arn`` names: ``InvalidParameter`` for a malformed ARN or one of
    another account, region or partition; ``NotFound`` for a type OpenSES does not have."""
    try:
        parsed = parse_resource_arn(arn)
    except InvalidResourceArn as error:
        raise InvalidParameter(str(error)) from None
    if parsed.account != account_id:
        raise InvalidParameter(
            f"Invalid ARN {arn}: it names a resource of account {parsed.account}; tags are "
            "managed by the account that owns the resource."
        )
    if parsed.partition != "aws":
        raise InvalidParameter(f"Invalid ARN {arn}: OpenSES's resources are in partition aws.")
    if parsed.region != region:
        raise InvalidParameter(
            f"Invalid ARN {arn}: it names a resource in region {parsed.region}; this endpoint "
            f"manages region {region}."
        )
    kind = parsed.resource_type
    if kind is None:
        raise NotFound(f"Resource {arn} does not exist: OpenSES has no {parsed.type} resources.")
    name = normalize_identity(parsed.name) if kind is ResourceType.IDENTITY else parsed.name
    return TaggedResource(kind, name)


def checked_tags(tags: Sequence[Tag]) -> Tags:
    """``tags`` a Create operation gives, or ``InvalidParameter`` saying why SES refuses them."""
    problem = tags_problem(tags)
    if problem is not None:
        raise InvalidParameter(problem)
    return tuple(tags)


async def _require(tx: Tx, call: Call, resource: TaggedResource) -> None:
    lookup, missing = _RESOURCES[resource.type]
    if await lookup(tx, call.account_id, call.region, resource.name) is None:
        raise NotFound(missing.format(name=resource.name))


class TagsService:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def tags_of(self, call: Call, resource: TaggedResource) -> Tags:
        """The resource's tags, oldest key first; ``NotFound`` if there is no such resource."""
        async with self.store.transaction(read_only=True) as tx:
            await _require(tx, call, resource)
            return await tx.list_resource_tags(call.account_id, call.region, resource)

    async def tag(self, call: Call, resource: TaggedResource, tags: Sequence[Tag]) -> None:
        """Add ``tags``: new keys after the resource's others, existing keys get new values."""
        checked_tags(tags)
        async with self.store.transaction() as tx:
            await _require(tx, call, resource)
            existing = await tx.list_resource_tags(call.account_id, call.region, resource)
            problem = count_problem(len(tagged(existing, tags)))
            if problem is not None:
                raise InvalidParameter(problem)
            await tx.put_resource_tags(call.account_id, call.region, resource, tags)

    async def untag(self, call: Call, resource: TaggedResource, keys: Sequence[str]) -> None:
        """Remove the tags of ``keys``; keys the resource does not have are ignored."""
        problem = keys_problem(keys) if keys else "TagKeys must name at least one tag key."
        if problem is not None:
            raise InvalidParameter(problem)
        async with self.store.transaction() as tx:
            await _require(tx, call, resource)
            await tx.delete_resource_tags(call.account_id, call.region, resource, set(keys))

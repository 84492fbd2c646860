"""SESv2 resource tags: TagResource, UntagResource and ListTagsForResource as a mixin of the v2
handler class, and what the Create and Get operations of taggable resources share.

Each operation is authorized against the resource's ARN (the caller's own, as
:func:`~openses.services.tags.own_resource` reads it; identities by their normalized name), with
the operation's action (``ses:TagResource``, ``ses:UntagResource``, ``ses:ListTagsForResource``).
A Create that gives ``Tags`` also needs ``ses:TagResource`` on the new resource's ARN, as the
Service Authorization Reference lists for SES v2's Create operations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openses.api.context import RequestContext
from openses.api.handlers.common import Services, authorized, call_of
from openses.domain.tags import Tag, TaggedResource, Tags, resource_arn
from openses.services.principals import Call
from openses.services.tags import own_resource

Params = dict[str, Any]
Result = dict[str, Any]


def given_tags(params: Params) -> Tags:
    """The ``Tags`` member of a request (``[{"Key": …, "Value": …}]``) as pairs, in order."""
    entries: Sequence[Mapping[str, str]] = params.get("Tags") or ()
    return tuple((entry["Key"], entry["Value"]) for entry in entries)


def tag_list(tags: Iterable[Tag]) -> list[dict[str, str]]:
    """Tags as the v2 ``TagList`` shape."""
    return [{"Key": key, "Value": value} for key, value in tags]


async def may_tag_new(
    services: Services, ctx: RequestContext, resource: TaggedResource, tags: Tags
) -> None:
    """A Create that gives ``tags`` needs ``ses:TagResource`` on the new resource too."""
    if tags:
        arn = resource_arn(ctx.region, ctx.principal.account_id, resource)
        await services.accounts.authorize(call_of(ctx), "ses:TagResource", arn)


async def listed_tags(
    services: Services, call: Call, resource: TaggedResource
) -> list[dict[str, str]]:
    """The ``Tags`` member of a Get operation's answer."""
    return tag_list(await services.tags.tags_of(call, resource))


class TagsV2:
    services: Services

    async def _target(self, ctx: RequestContext, arn: str) -> tuple[Call, TaggedResource]:
        resource = own_resource(ctx.principal.account_id, ctx.region, arn)
        own_arn = resource_arn(ctx.region, ctx.principal.account_id, resource)
        return await authorized(self.services, ctx, f"ses:{ctx.operation}", own_arn), resource

    async def list_tags_for_resource(self, ctx: RequestContext, params: Params) -> Result:
        call, resource = await self._target(ctx, params["ResourceArn"])
        return {"Tags": await listed_tags(self.services, call, resource)}

    async def tag_resource(self, ctx: RequestContext, params: Params) -> Result:
        call, resource = await self._target(ctx, params["ResourceArn"])
        await self.services.tags.tag(call, resource, given_tags(params))
        return {}

    async def untag_resource(self, ctx: RequestContext, params: Params) -> Result:
        call, resource = await self._target(ctx, params["ResourceArn"])
        await self.services.tags.untag(call, resource, list(params.get("TagKeys") or ()))
        return {}

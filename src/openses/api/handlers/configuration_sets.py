"""Configuration-set operations of SES v1 and SESv2, as mixins of the two handler classes.

Every operation is authorized against the set's ARN
(``arn:aws:ses:<region>:<account>:configuration-set/<name>``; ``*`` for the list operations)
and works on the caller's own sets in the call's region. What OpenSES does not implement is
refused by name, never accepted and dropped: event destinations other than Amazon SNS
(``InvalidCloudWatchDestination`` / ``InvalidFirehoseDestination`` in v1,
``BadRequestException`` in v2), and in v2 tracking, VDM, archiving and message-security
options, dedicated IP pools (``SendingPoolName``), tenant suppression scope and suppression
validation options. Open and click tracking have no operations here at all.

Decision where SES is silent: v2 ``PutConfigurationSetSuppressionOptions`` without
``SuppressedReasons`` removes the set's override (the account's suppression list applies
again); with a list, even an empty one, the list overrides the account's.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from openses.api.context import RequestContext
from openses.api.handlers.common import Services, authorized, page
from openses.api.handlers.tags import given_tags, listed_tags, may_tag_new
from openses.domain.configuration_sets import (
    ConfigurationSet,
    DestinationKind,
    EventDestination,
    EventType,
    TlsPolicy,
    configuration_set_arn,
)
from openses.domain.feedback_settings import SuppressionReason
from openses.domain.tags import ResourceType, TaggedResource
from openses.services.errors import InvalidParameter
from openses.services.principals import Call

Params = dict[str, Any]
Result = dict[str, Any]
#: Names per page of the list operations (v1 documents at most 1,000 per call).
_PAGE = 1000

_V1_KINDS = (
    ("SNSDestination", DestinationKind.SNS),
    ("CloudWatchDestination", DestinationKind.CLOUDWATCH),
    ("KinesisFirehoseDestination", DestinationKind.KINESIS_FIREHOSE),
)
_V2_KINDS = (
    ("SnsDestination", DestinationKind.SNS),
    ("CloudWatchDestination", DestinationKind.CLOUDWATCH),
    ("KinesisFirehoseDestination", DestinationKind.KINESIS_FIREHOSE),
    ("EventBridgeDestination", DestinationKind.EVENTBRIDGE),
    ("PinpointDestination", DestinationKind.PINPOINT),
)
_V2_NOT_SUPPORTED = ("TrackingOptions", "VdmOptions", "ArchivingOptions", "MessageSecurityOptions")


async def _call(services: Services, ctx: RequestContext, name: str | None = None) -> Call:
    """The call, once the caller's own policies allow the operation on the set (or ``*``)."""
    resource = "*"
    if name is not None:
        resource = configuration_set_arn(ctx.region, ctx.principal.account_id, name)
    return await authorized(services, ctx, f"ses:{ctx.operation}", resource)


def _ordered_types(types: frozenset[EventType]) -> list[EventType]:
    return [kind for kind in EventType if kind in types]


def _kinds(spec: Params, members: tuple[tuple[str, DestinationKind], ...]) -> list[DestinationKind]:
    return [kind for member, kind in members if spec.get(member) is not None]


def _refuse(unsupported: list[str]) -> None:
    if unsupported:
        raise InvalidParameter(f"{', '.join(unsupported)} is not supported by OpenSES.")


# ---------------------------------------------------------------------------------- v1


class _BothApis:
    """The operations v1 and v2 spell and answer alike."""

    services: Services

    async def delete_configuration_set(self, ctx: RequestContext, params: Params) -> Result:
        name = params["ConfigurationSetName"]
        await self.services.configuration_sets.delete(await _call(self.services, ctx, name), name)
        return {}

    async def delete_configuration_set_event_destination(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        name = params["ConfigurationSetName"]
        call = await _call(self.services, ctx, name)
        await self.services.configuration_sets.delete_destination(
            call, name, params["EventDestinationName"]
        )
        return {}


class ConfigurationSetsV1(_BothApis):
    """SES v1 (Query) configuration-set operations."""

    async def create_configuration_set(self, ctx: RequestContext, params: Params) -> Result:
        name = params["ConfigurationSet"]["Name"]
        call = await _call(self.services, ctx, name)
        await self.services.configuration_sets.create(call, ConfigurationSet(name))
        return {}

    async def describe_configuration_set(self, ctx: RequestContext, params: Params) -> Result:
        name = params["ConfigurationSetName"]
        call = await _call(self.services, ctx, name)
        found = await self.services.configuration_sets.get(call, name)
        wanted = set(params.get("ConfigurationSetAttributeNames") or ())
        result: Result = {"ConfigurationSet": {"Name": found.name}}
        if "eventDestinations" in wanted:
            result["EventDestinations"] = [_v1_destination(d) for d in found.event_destinations]
        if "deliveryOptions" in wanted:
            result["DeliveryOptions"] = {"TlsPolicy": found.tls_policy.v1_name}
        if "reputationOptions" in wanted:
            reputation: Result = {
                "SendingEnabled": found.sending_enabled,
                "ReputationMetricsEnabled": found.reputation_metrics_enabled,
            }
            if found.last_fresh_start is not None:
                reputation["LastFreshStart"] = found.last_fresh_start
            result["ReputationOptions"] = reputation
        # "trackingOptions": OpenSES has no open/click tracking, so a set never has any.
        return result

    async def list_configuration_sets(self, ctx: RequestContext, params: Params) -> Result:
        names = await self.services.configuration_sets.names(await _call(self.services, ctx))
        size = min(params.get("MaxItems") or _PAGE, _PAGE)
        chunk, token = page(names, params.get("NextToken"), size)
        return {
            "ConfigurationSets": [{"Name": n} for n in chunk],
            **({"NextToken": token} if token else {}),
        }

    async def create_configuration_set_event_destination(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        name = params["ConfigurationSetName"]
        destination, kinds = _v1_definition(params["EventDestination"])
        call = await _call(self.services, ctx, name)
        await self.services.configuration_sets.add_destination(call, name, destination, kinds)
        return {}

    async def update_configuration_set_event_destination(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        name = params["ConfigurationSetName"]
        destination, kinds = _v1_definition(params["EventDestination"])
        call = await _call(self.services, ctx, name)
        await self.services.configuration_sets.replace_destination(call, name, destination, kinds)
        return {}

    async def update_configuration_set_sending_enabled(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        enabled = bool(params["Enabled"])
        await _change(self, ctx, params, sending_enabled=enabled)
        return {}

    async def update_configuration_set_reputation_metrics_enabled(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        enabled = bool(params["Enabled"])
        await _change(self, ctx, params, reputation_metrics_enabled=enabled)
        return {}

    async def put_configuration_set_delivery_options(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        policy = (params.get("DeliveryOptions") or {}).get("TlsPolicy")
        tls = TlsPolicy.OPTIONAL if policy is None else TlsPolicy.from_v1(policy)
        await _change(self, ctx, params, tls_policy=tls)
        return {}


def _v1_definition(spec: Params) -> tuple[EventDestination, list[DestinationKind]]:
    types = frozenset(EventType.from_v1(t) for t in spec.get("MatchingEventTypes") or ())
    topic = (spec.get("SNSDestination") or {}).get("TopicARN")
    destination = EventDestination(spec["Name"], bool(spec.get("Enabled", False)), types, topic)
    return destination, _kinds(spec, _V1_KINDS)


def _v1_destination(destination: EventDestination) -> Result:
    shown: Result = {
        "Name": destination.name,
        "Enabled": destination.enabled,
        "MatchingEventTypes": [t.v1_name for t in _ordered_types(destination.matching_types)],
    }
    if destination.sns_topic_arn is not None:
        shown["SNSDestination"] = {"TopicARN": destination.sns_topic_arn}
    return shown


async def _change(
    handler: ConfigurationSetsV1 | ConfigurationSetsV2,
    ctx: RequestContext,
    params: Params,
    **changes: Any,
) -> None:
    """Set some settings of the set ``params["ConfigurationSetName"]``."""
    name = params["ConfigurationSetName"]
    call = await _call(handler.services, ctx, name)
    await handler.services.configuration_sets.change(
        call, name, lambda found: dataclasses.replace(found, **changes)
    )


# ---------------------------------------------------------------------------------- v2


class ConfigurationSetsV2(_BothApis):
    """SESv2 (REST-JSON) configuration-set operations."""

    async def create_configuration_set(self, ctx: RequestContext, params: Params) -> Result:
        name = params["ConfigurationSetName"]
        delivery = params.get("DeliveryOptions") or {}
        reputation = params.get("ReputationOptions") or {}
        suppression = params.get("SuppressionOptions")
        _refuse([member for member in _V2_NOT_SUPPORTED if params.get(member) is not None])
        _refuse_delivery(delivery)
        configuration_set = ConfigurationSet(
            name=name,
            sending_enabled=bool((params.get("SendingOptions") or {}).get("SendingEnabled", True)),
            reputation_metrics_enabled=bool(reputation.get("ReputationMetricsEnabled", False)),
            last_fresh_start=reputation.get("LastFreshStart"),
            tls_policy=TlsPolicy(delivery.get("TlsPolicy") or TlsPolicy.OPTIONAL.value),
            max_delivery_seconds=delivery.get("MaxDeliverySeconds"),
            suppressed_reasons=None if suppression is None else _reasons(suppression),
        )
        call = await _call(self.services, ctx, name)
        tags = given_tags(params)
        await may_tag_new(self.services, ctx, _tagged(name), tags)
        await self.services.configuration_sets.create(call, configuration_set, tags)
        return {}

    async def get_configuration_set(self, ctx: RequestContext, params: Params) -> Result:
        name = params["ConfigurationSetName"]
        call = await _call(self.services, ctx, name)
        found = await self.services.configuration_sets.get(call, name)
        delivery: Result = {"TlsPolicy": found.tls_policy.value}
        if found.max_delivery_seconds is not None:
            delivery["MaxDeliverySeconds"] = found.max_delivery_seconds
        reputation: Result = {"ReputationMetricsEnabled": found.reputation_metrics_enabled}
        if found.last_fresh_start is not None:
            reputation["LastFreshStart"] = found.last_fresh_start
        result: Result = {
            "ConfigurationSetName": found.name,
            "DeliveryOptions": delivery,
            "ReputationOptions": reputation,
            "SendingOptions": {"SendingEnabled": found.sending_enabled},
            "Tags": await listed_tags(self.services, call, _tagged(name)),
        }
        if found.suppressed_reasons is not None:
            result["SuppressionOptions"] = {
                "SuppressedReasons": [
                    r.value for r in SuppressionReason if r in found.suppressed_reasons
                ]
            }
        return result

    async def list_configuration_sets(self, ctx: RequestContext, params: Params) -> Result:
        _refuse(["Filter"] if params.get("Filter") else [])
        names = await self.services.configuration_sets.names(await _call(self.services, ctx))
        size = min(params.get("PageSize") or _PAGE, _PAGE)
        chunk, token = page(names, params.get("NextToken"), size)
        return {"ConfigurationSets": chunk, **({"NextToken": token} if token else {})}

    async def create_configuration_set_event_destination(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        name = params["ConfigurationSetName"]
        destination, kinds = _v2_definition(params["EventDestinationName"], params)
        call = await _call(self.services, ctx, name)
        await self.services.configuration_sets.add_destination(call, name, destination, kinds)
        return {}

    async def get_configuration_set_event_destinations(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        name = params["ConfigurationSetName"]
        call = await _call(self.services, ctx, name)
        found = await self.services.configuration_sets.get(call, name)
        return {"EventDestinations": [_v2_destination(d) for d in found.event_destinations]}

    async def update_configuration_set_event_destination(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        name = params["ConfigurationSetName"]
        destination, kinds = _v2_definition(params["EventDestinationName"], params)
        call = await _call(self.services, ctx, name)
        await self.services.configuration_sets.replace_destination(call, name, destination, kinds)
        return {}

    async def put_configuration_set_sending_options(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        await _change(self, ctx, params, sending_enabled=bool(params.get("SendingEnabled")))
        return {}

    async def put_configuration_set_reputation_options(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        enabled = bool(params.get("ReputationMetricsEnabled"))
        await _change(self, ctx, params, reputation_metrics_enabled=enabled)
        return {}

    async def put_configuration_set_suppression_options(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        reasons = _reasons(params)  # the members sit at the top level here
        override = None if params.get("SuppressedReasons") is None else reasons
        await _change(self, ctx, params, suppressed_reasons=override)
        return {}

    async def put_configuration_set_delivery_options(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        _refuse_delivery(params)
        await _change(
            self,
            ctx,
            params,
            tls_policy=TlsPolicy(params.get("TlsPolicy") or TlsPolicy.OPTIONAL.value),
            max_delivery_seconds=params.get("MaxDeliverySeconds"),
        )
        return {}


def _refuse_delivery(delivery: Params) -> None:
    _refuse(["SendingPoolName"] if delivery.get("SendingPoolName") else [])


def _reasons(suppression: Params) -> frozenset[SuppressionReason]:
    """``SuppressedReasons``, once the suppression members OpenSES lacks are refused."""
    unsupported = []
    if suppression.get("SuppressionScope") == "TENANT":
        unsupported.append("SuppressionScope TENANT")
    if suppression.get("ValidationOptions") is not None:
        unsupported.append("ValidationOptions")
    _refuse(unsupported)
    return frozenset(SuppressionReason(r) for r in suppression.get("SuppressedReasons") or ())


def _v2_definition(name: str, params: Params) -> tuple[EventDestination, list[DestinationKind]]:
    spec = params.get("EventDestination") or {}
    types = frozenset(EventType(t) for t in spec.get("MatchingEventTypes") or ())
    topic = (spec.get("SnsDestination") or {}).get("TopicArn")
    destination = EventDestination(name, bool(spec.get("Enabled", False)), types, topic)
    return destination, _kinds(spec, _V2_KINDS)


def _v2_destination(destination: EventDestination) -> Result:
    shown: Result = {
        "Name": destination.name,
        "Enabled": destination.enabled,
        "MatchingEventTypes": [t.value for t in _ordered_types(destination.matching_types)],
    }
    if destination.sns_topic_arn is not None:
        shown["SnsDestination"] = {"TopicArn": destination.sns_topic_arn}
    return shown


def _tagged(name: str) -> TaggedResource:
    return TaggedResource(ResourceType.CONFIGURATION_SET, name)

"""Identity notification settings, custom MAIL FROM and the suppression list, over both APIs.

Mixins of :class:`~openses.api.handlers.ses_v1.SesV1Handlers` and
:class:`~openses.api.handlers.ses_v2.SesV2Handlers`; the two ``*_fields`` helpers give the
parts of v2 GetEmailIdentity and GetAccount that these settings own.
"""

from __future__ import annotations

from typing import Any

from openses.api.context import RequestContext
from openses.api.handlers.common import Services, ses_call
from openses.domain.feedback_settings import (
    BehaviorOnMxFailure,
    IdentityFeedbackSettings,
    MailFromSettings,
    NotificationType,
    Suppression,
    SuppressionReason,
)
from openses.services.errors import InvalidParameter
from openses.services.feedback_settings import Api
from openses.services.principals import Call

Params = dict[str, Any]
Result = dict[str, Any]

_V2_BEHAVIOR = {
    BehaviorOnMxFailure.USE_DEFAULT_VALUE: "USE_DEFAULT_VALUE",
    BehaviorOnMxFailure.REJECT_MESSAGE: "REJECT_MESSAGE",
}
_V2_STATUS = {
    "Pending": "PENDING",
    "Success": "SUCCESS",
    "Failed": "FAILED",
    "TemporaryFailure": "TEMPORARY_FAILURE",
}


class FeedbackSettingsV1Handlers:
    services: Services

    async def set_identity_notification_topic(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["Identity"])
        await self.services.feedback_settings.set_topic(
            call,
            params["Identity"],
            NotificationType(params["NotificationType"]),
            params.get("SnsTopic") or None,
        )
        return {}

    async def set_identity_headers_in_notifications_enabled(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        call = await ses_call(self.services, ctx, params["Identity"])
        await self.services.feedback_settings.set_headers(
            call,
            params["Identity"],
            NotificationType(params["NotificationType"]),
            bool(params["Enabled"]),
        )
        return {}

    async def set_identity_feedback_forwarding_enabled(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        call = await ses_call(self.services, ctx, params["Identity"])
        await self.services.feedback_settings.set_forwarding(
            call, params["Identity"], bool(params["ForwardingEnabled"]), Api.V1
        )
        return {}

    async def get_identity_notification_attributes(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        call = await ses_call(self.services, ctx)
        found = await self.services.feedback_settings.notification_attributes(
            call, params["Identities"]
        )
        return {"NotificationAttributes": {name: _v1_notifications(s) for name, s in found.items()}}

    async def set_identity_mail_from_domain(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["Identity"])
        behavior = BehaviorOnMxFailure(params.get("BehaviorOnMXFailure") or "UseDefaultValue")
        await self.services.feedback_settings.set_mail_from(
            call, params["Identity"], params.get("MailFromDomain") or None, behavior, Api.V1
        )
        return {}

    async def get_identity_mail_from_domain_attributes(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        call = await ses_call(self.services, ctx)
        found = await self.services.feedback_settings.mail_from_attributes(
            call, params["Identities"]
        )
        return {"MailFromDomainAttributes": {name: _v1_mail_from(s) for name, s in found.items()}}


class FeedbackSettingsV2Handlers:
    services: Services

    # --------------------------------------------------------------- identity settings

    async def put_email_identity_feedback_attributes(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        call = await ses_call(self.services, ctx, params["EmailIdentity"])
        await self.services.feedback_settings.set_forwarding(
            call, params["EmailIdentity"], bool(params.get("EmailForwardingEnabled")), Api.V2
        )
        return {}

    async def put_email_identity_mail_from_attributes(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        call = await ses_call(self.services, ctx, params["EmailIdentity"])
        named = params.get("BehaviorOnMxFailure") or "USE_DEFAULT_VALUE"
        behavior = next(b for b, text in _V2_BEHAVIOR.items() if text == named)
        await self.services.feedback_settings.set_mail_from(
            call, params["EmailIdentity"], params.get("MailFromDomain") or None, behavior, Api.V2
        )
        return {}

    # ---------------------------------------------------------------- suppression list

    async def put_suppressed_destination(self, ctx: RequestContext, params: Params) -> Result:
        _no_tenants(params)
        call = await ses_call(self.services, ctx)
        await self.services.suppression.put(
            call, params["EmailAddress"], SuppressionReason(params["Reason"])
        )
        return {}

    async def get_suppressed_destination(self, ctx: RequestContext, params: Params) -> Result:
        _no_tenants(params)
        call = await ses_call(self.services, ctx)
        entry = await self.services.suppression.get(call, params["EmailAddress"])
        result = _summary(entry)
        attributes = {"MessageId": entry.message_id, "FeedbackId": entry.feedback_id}
        if any(attributes.values()):
            result["Attributes"] = {k: v for k, v in attributes.items() if v is not None}
        return {"SuppressedDestination": result}

    async def list_suppressed_destinations(self, ctx: RequestContext, params: Params) -> Result:
        _no_tenants(params)
        call = await ses_call(self.services, ctx)
        page = await self.services.suppression.list(
            call,
            reasons={SuppressionReason(r) for r in params.get("Reasons") or ()},
            start=params.get("StartDate"),
            end=params.get("EndDate"),
            token=params.get("NextToken"),
            page_size=params.get("PageSize"),
        )
        result: Result = {"SuppressedDestinationSummaries": [_summary(e) for e in page.entries]}
        if page.next_token is not None:
            result["NextToken"] = page.next_token
        return result

    async def delete_suppressed_destination(self, ctx: RequestContext, params: Params) -> Result:
        _no_tenants(params)
        call = await ses_call(self.services, ctx)
        await self.services.suppression.delete(call, params["EmailAddress"])
        return {}

    async def put_account_suppression_attributes(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        if params.get("ValidationAttributes"):
            raise InvalidParameter(
                "ValidationAttributes (auto validation) is not supported by OpenSES."
            )
        call = await ses_call(self.services, ctx)
        reasons = {SuppressionReason(r) for r in params.get("SuppressedReasons") or ()}
        await self.services.suppression.set_reasons(call, reasons)
        return {}


async def identity_feedback_fields(services: Services, call: Call, name: str) -> Result:
    """``FeedbackForwardingStatus`` and ``MailFromAttributes`` of v2 GetEmailIdentity."""
    settings, mail_from = await services.feedback_settings.of_identity(call, name)
    attributes: Result = {"BehaviorOnMxFailure": _V2_BEHAVIOR[mail_from.behavior]}
    if mail_from.domain is not None and mail_from.status is not None:
        attributes["MailFromDomain"] = mail_from.domain
        attributes["MailFromDomainStatus"] = _V2_STATUS[mail_from.status.value]
    return {
        "FeedbackForwardingStatus": settings.forwarding_enabled,
        "MailFromAttributes": attributes,
    }


async def suppression_fields(services: Services, call: Call) -> Result:
    """``SuppressionAttributes`` of v2 GetAccount."""
    reasons = await services.suppression.reasons(call)
    return {"SuppressionAttributes": {"SuppressedReasons": sorted(r.value for r in reasons)}}


def _v1_notifications(settings: IdentityFeedbackSettings) -> Result:
    topics = {
        "BounceTopic": settings.bounce_topic,
        "ComplaintTopic": settings.complaint_topic,
        "DeliveryTopic": settings.delivery_topic,
    }
    return {
        **{key: arn for key, arn in topics.items() if arn is not None},
        "ForwardingEnabled": settings.forwarding_enabled,
        "HeadersInBounceNotificationsEnabled": settings.headers_in_bounce,
        "HeadersInComplaintNotificationsEnabled": settings.headers_in_complaint,
        "HeadersInDeliveryNotificationsEnabled": settings.headers_in_delivery,
    }


def _v1_mail_from(settings: MailFromSettings) -> Result:
    result: Result = {"BehaviorOnMXFailure": settings.behavior.value}
    if settings.domain is not None and settings.status is not None:
        result["MailFromDomain"] = settings.domain
        result["MailFromDomainStatus"] = settings.status.value
    return result


def _summary(entry: Suppression) -> Result:
    return {
        "EmailAddress": entry.email_address,
        "Reason": entry.reason.value,
        "LastUpdateTime": entry.last_update_time,
    }


def _no_tenants(params: Params) -> None:
    if params.get("TenantName"):
        raise InvalidParameter("Tenants are not supported by OpenSES.")

"""Templated and bulk sends of SES v1 and v2: render per destination, then the one decision.

A template is the caller's own (named, or by ``TemplateArn``; v2 may also inline it). Each
destination's data is the default data merged with its replacement data; the template is
rendered strictly and composed into a message. Data that does not render makes that
destination a *rendering failure*: accepted with a MessageId, recorded, never delivered
(SES's documented behaviour).

Bulk results: each destination gets a status in the API's own vocabulary. An authorization
refusal or a paused account on the *first* destination fails the whole call (nothing was sent
yet, and the error shapes of both operations include them); later ones are per-destination
``Failed`` results, so a partly sent batch is reported as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openses.api.context import RequestContext
from openses.api.handlers.common import Services, call_of
from openses.api.handlers.sends import (
    compose,
    recipients_of,
    refuse_unsupported_v2,
)
from openses.domain.configuration_sets import merged_tags
from openses.domain.sending import MAX_BULK_DESTINATIONS, V1_MAX_MESSAGE_BYTES, V2_MAX_MESSAGE_BYTES
from openses.domain.templates import CompiledTemplate, EmailTemplate, merge_template_data
from openses.services.errors import (
    AccessDenied,
    ConfigurationSetNotFound,
    ConfigurationSetSendingPaused,
    InvalidParameter,
    MessageRejected,
    SendingPaused,
    ServiceError,
    TemplateNotFound,
    Throttled,
)
from openses.services.send_requests import (
    Arns,
    check_configuration_set,
    checked_tags,
    message_tags,
    simple_submission,
)
from openses.services.templates import parse_data, render

Params = dict[str, Any]
Result = dict[str, Any]

_V1_STATUS: dict[type[ServiceError], str] = {
    MessageRejected: "MessageRejected",
    ConfigurationSetNotFound: "ConfigurationSetDoesNotExist",
    ConfigurationSetSendingPaused: "ConfigurationSetSendingPaused",
    TemplateNotFound: "TemplateDoesNotExist",
    SendingPaused: "AccountSendingPaused",
    InvalidParameter: "InvalidParameterValue",
}
_V2_STATUS: dict[type[ServiceError], str] = {
    MessageRejected: "MESSAGE_REJECTED",
    ConfigurationSetNotFound: "CONFIGURATION_SET_NOT_FOUND",
    ConfigurationSetSendingPaused: "CONFIGURATION_SET_SENDING_PAUSED",
    TemplateNotFound: "TEMPLATE_NOT_FOUND",
    SendingPaused: "ACCOUNT_SENDING_PAUSED",
    InvalidParameter: "INVALID_PARAMETER",
}


def _template_name(name: str | None, arn: str | None) -> str:
    if name:
        return name
    if arn:
        _, marker, named = arn.rpartition(":template/")
        if marker and named:
            return named
        raise InvalidParameter(f"Invalid template ARN {arn}.")
    raise InvalidParameter("A template name or template ARN is required.")


async def _stored(services: Services, ctx: RequestContext, name: str) -> CompiledTemplate:
    stored = await services.templates.get(call_of(ctx), name)
    return services.templates.compiled(stored.template)


async def _send_one(
    services: Services,
    ctx: RequestContext,
    compiled: CompiledTemplate,
    data: Mapping[str, object],
    *,
    api_version: str,
    actions: tuple[str, ...],
    source: str,
    destination: Params,
    reply_to: list[str],
    return_path: str | None,
    arns: Arns,
    headers: list[Params] | None = None,
    configuration_set: str | None = None,
    tags: tuple[tuple[str, str], ...] = (),
) -> str:
    rendering = render(compiled, data)
    message = b""
    subject = compiled.subject.source if compiled.subject is not None else ""
    if rendering.rendered is not None:
        parts = rendering.rendered
        subject = parts.subject or ""
        body = {
            name: {"Data": value, "Charset": "UTF-8"}
            for name, value in (("Text", parts.text), ("Html", parts.html))
            if value is not None
        }
        message = compose(
            ctx,
            source=source,
            destination=destination,
            reply_to=reply_to,
            subject={"Data": subject, "Charset": "UTF-8"},
            body=body,
            headers=headers,
        )
    submission = simple_submission(
        message,
        actions=actions,
        api_version=api_version,
        size_limit=V1_MAX_MESSAGE_BYTES if api_version == "1" else V2_MAX_MESSAGE_BYTES,
        source=source,
        recipients=recipients_of(destination),
        subject=subject,
        return_path=return_path,
        arns=arns,
        configuration_set=configuration_set,
        tags=tags,
        rendering_error=rendering.error,
        template_name=compiled.name,
    )
    accepted = await services.sending.accept(call_of(ctx), submission)
    return accepted.message_id


# ------------------------------------------------------------------------------ v1


async def send_templated_email_v1(
    services: Services, ctx: RequestContext, params: Params
) -> Result:
    named_set = check_configuration_set(params.get("ConfigurationSetName"))
    tags = checked_tags(message_tags(params.get("Tags")))
    name = _template_name(params.get("Template"), params.get("TemplateArn"))
    compiled = await _stored(services, ctx, name)
    message_id = await _send_one(
        services,
        ctx,
        compiled,
        parse_data(params["TemplateData"]),
        api_version="1",
        actions=("ses:SendTemplatedEmail",),
        source=params["Source"],
        destination=params["Destination"],
        reply_to=params.get("ReplyToAddresses", []),
        return_path=params.get("ReturnPath"),
        arns=Arns(params.get("SourceArn"), None, params.get("ReturnPathArn")),
        configuration_set=named_set,
        tags=tags,
    )
    return {"MessageId": message_id}


async def send_bulk_templated_email_v1(
    services: Services, ctx: RequestContext, params: Params
) -> Result:
    named_set = check_configuration_set(params.get("ConfigurationSetName"))
    default_tags = checked_tags(message_tags(params.get("DefaultTags")))
    await services.configuration_sets.require_for_send(call_of(ctx), named_set)
    destinations = params["Destinations"]
    _check_bulk_size(destinations)
    name = _template_name(params.get("Template"), params.get("TemplateArn"))
    compiled = await _stored(services, ctx, name)
    defaults = parse_data(params["DefaultTemplateData"])
    statuses: list[Result] = []
    for index, entry in enumerate(destinations):
        replacement = entry.get("ReplacementTemplateData")
        try:
            data = merge_template_data(defaults, parse_data(replacement) if replacement else {})
            message_id = await _send_one(
                services,
                ctx,
                compiled,
                data,
                api_version="1",
                actions=("ses:SendBulkTemplatedEmail",),
                source=params["Source"],
                destination=entry["Destination"],
                reply_to=params.get("ReplyToAddresses", []),
                return_path=params.get("ReturnPath"),
                arns=Arns(params.get("SourceArn"), None, params.get("ReturnPathArn")),
                configuration_set=named_set,
                tags=merged_tags(default_tags, message_tags(entry.get("ReplacementTags"))),
            )
        except ServiceError as error:
            statuses.append(_failed(error, index, _V1_STATUS, v1=True))
            continue
        statuses.append({"Status": "Success", "MessageId": message_id})
    return {"Status": statuses}


# ------------------------------------------------------------------------------ v2


async def compiled_v2(
    services: Services, ctx: RequestContext, template: Params
) -> CompiledTemplate:
    """A v2 ``Template``: stored (by name or ARN) or inline ``TemplateContent``."""
    content = template.get("TemplateContent")
    if content:
        if template.get("TemplateName") or template.get("TemplateArn"):
            raise InvalidParameter("Give either a template name or ARN, or TemplateContent.")
        inline = EmailTemplate(
            "inline", content.get("Subject"), content.get("Text"), content.get("Html")
        )
        return services.templates.compiled(inline, inline=True)
    name = _template_name(template.get("TemplateName"), template.get("TemplateArn"))
    return await _stored(services, ctx, name)


async def send_template_content_v2(
    services: Services, ctx: RequestContext, params: Params, template: Params
) -> str:
    """v2 SendEmail with ``Content.Template`` (authorized as ``ses:SendTemplatedEmail``)."""
    refuse_unsupported_v2(params)
    named_set = check_configuration_set(params.get("ConfigurationSetName"))
    tags = checked_tags(message_tags(params.get("EmailTags")))
    if not params.get("FromEmailAddress"):
        raise InvalidParameter("FromEmailAddress is required for Template content.")
    compiled = await compiled_v2(services, ctx, template)
    from_arn = params.get("FromEmailAddressIdentityArn")
    return await _send_one(
        services,
        ctx,
        compiled,
        parse_data(template.get("TemplateData") or "{}"),
        api_version="2",
        actions=("ses:SendTemplatedEmail",),
        source=params["FromEmailAddress"],
        destination=params.get("Destination") or {},
        reply_to=params.get("ReplyToAddresses", []),
        return_path=params.get("FeedbackForwardingEmailAddress"),
        arns=Arns(from_arn, from_arn, params.get("FeedbackForwardingEmailAddressIdentityArn")),
        headers=template.get("Headers"),
        configuration_set=named_set,
        tags=tags,
    )


async def send_bulk_email_v2(services: Services, ctx: RequestContext, params: Params) -> Result:
    refuse_unsupported_v2(params)
    named_set = check_configuration_set(params.get("ConfigurationSetName"))
    default_tags = checked_tags(message_tags(params.get("DefaultEmailTags")))
    if not params.get("FromEmailAddress"):
        raise InvalidParameter("FromEmailAddress is required for SendBulkEmail.")
    await services.configuration_sets.require_for_send(call_of(ctx), named_set)
    entries = params["BulkEmailEntries"]
    _check_bulk_size(entries)
    template = params["DefaultContent"].get("Template") or {}
    compiled = await compiled_v2(services, ctx, template)
    defaults = parse_data(template.get("TemplateData") or "{}")
    default_headers = {h["Name"].lower(): h for h in template.get("Headers") or []}
    from_arn = params.get("FromEmailAddressIdentityArn")
    results: list[Result] = []
    for index, entry in enumerate(entries):
        replacement = (
            (entry.get("ReplacementEmailContent") or {}).get("ReplacementTemplate") or {}
        ).get("ReplacementTemplateData")
        headers = dict(default_headers)
        headers.update({h["Name"].lower(): h for h in entry.get("ReplacementHeaders") or []})
        try:
            data = merge_template_data(defaults, parse_data(replacement) if replacement else {})
            message_id = await _send_one(
                services,
                ctx,
                compiled,
                data,
                api_version="2",
                # Decision A5: bulk is authorized as both actions.
                actions=("ses:SendBulkEmail", "ses:SendBulkTemplatedEmail"),
                source=params["FromEmailAddress"],
                destination=entry["Destination"],
                reply_to=params.get("ReplyToAddresses", []),
                return_path=params.get("FeedbackForwardingEmailAddress"),
                arns=Arns(
                    from_arn, from_arn, params.get("FeedbackForwardingEmailAddressIdentityArn")
                ),
                headers=list(headers.values()),
                configuration_set=named_set,
                tags=merged_tags(default_tags, message_tags(entry.get("ReplacementTags"))),
            )
        except ServiceError as error:
            results.append(_failed(error, index, _V2_STATUS, v1=False))
            continue
        results.append({"Status": "SUCCESS", "MessageId": message_id})
    return {"BulkEmailEntryResults": results}


def _check_bulk_size(entries: list[Params]) -> None:
    if len(entries) > MAX_BULK_DESTINATIONS:
        raise InvalidParameter(
            f"Too many destinations: {len(entries)}; at most {MAX_BULK_DESTINATIONS} per call."
        )


def _failed(
    error: ServiceError, index: int, table: Mapping[type[ServiceError], str], *, v1: bool
) -> Result:
    if index == 0 and isinstance(error, AccessDenied | SendingPaused):
        raise error
    if isinstance(error, Throttled):
        if v1:
            status = "AccountDailyQuotaExceeded" if error.daily else "AccountThrottled"
        else:
            status = "ACCOUNT_DAILY_QUOTA_EXCEEDED" if error.daily else "ACCOUNT_THROTTLED"
    else:
        status = next(
            (table[kind] for kind in type(error).__mro__ if kind in table),
            "Failed" if v1 else "FAILED",
        )
    return {"Status": status, "Error": error.message}

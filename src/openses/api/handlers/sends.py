"""The send operations of SES v1 and v2: parameters to one submission, then the one decision.

Each operation maps its parameters onto :mod:`openses.services.send_requests` (raw or
composed message, ARNs, the IAM action and ``ses:ApiVersion`` of spec §1.4 / A5) and hands the
submission to :meth:`SendingService.accept`, which decides and stores. The caller's own IAM
permissions are checked there, per identity used, so these handlers do not pre-authorize.
"""

from __future__ import annotations

from typing import Any

from openses.api.context import RequestContext
from openses.api.handlers.common import Services, call_of
from openses.domain.mail import ComposeError, Content, compose_simple
from openses.domain.sending import V1_MAX_MESSAGE_BYTES, V2_MAX_MESSAGE_BYTES
from openses.services.errors import InvalidParameter
from openses.services.send_requests import (
    Arns,
    mailbox,
    message_tags,
    raw_submission,
    simple_submission,
)

Params = dict[str, Any]
Result = dict[str, Any]
#: Stands in for the Message-ID until the message is accepted and gets its own.
_PENDING_ID = "<pending@openses.invalid>"


#: v2 send members OpenSES does not implement yet: refused by name, never silently dropped.
_V2_NOT_YET = ("ListManagementOptions", "EndpointId", "TenantName", "ConfigurationOverrides")


def refuse_unsupported_v2(params: Params) -> None:
    """A v2 send using a member OpenSES does not implement is refused, naming the member."""
    content = params.get("Content") or params.get("DefaultContent") or {}
    used = [name for name in _V2_NOT_YET if params.get(name)]
    used += [
        f"{kind}.Attachments"
        for kind in ("Simple", "Template")
        if (content.get(kind) or {}).get("Attachments")
    ]
    if used:
        raise InvalidParameter(f"{', '.join(used)} is not supported by OpenSES yet.")


def _content(part: Params | None) -> Content | None:
    if not part:
        return None
    return Content(part.get("Data", ""), part.get("Charset"))


def compose(
    ctx: RequestContext,
    *,
    source: str,
    destination: Params,
    reply_to: list[str],
    subject: Params | None,
    body: Params,
    headers: list[Params] | None = None,
) -> bytes:
    try:
        return compose_simple(
            source=mailbox(source, "Source"),
            subject=_content(subject) or Content(""),
            date=ctx.now,
            message_id=_PENDING_ID,
            to=[mailbox(a, "ToAddresses") for a in destination.get("ToAddresses", [])],
            cc=[mailbox(a, "CcAddresses") for a in destination.get("CcAddresses", [])],
            reply_to=[mailbox(a, "ReplyToAddresses") for a in reply_to],
            text=_content(body.get("Text")),
            html=_content(body.get("Html")),
            headers=[(h["Name"], h["Value"]) for h in headers or []],
        )
    except ComposeError as error:
        raise InvalidParameter(error.reason) from None


def recipients_of(destination: Params) -> list[str]:
    return [
        *destination.get("ToAddresses", []),
        *destination.get("CcAddresses", []),
        *destination.get("BccAddresses", []),
    ]


async def send_email_v1(services: Services, ctx: RequestContext, params: Params) -> Result:
    message = params["Message"]
    destination = params["Destination"]
    subject = message.get("Subject")
    composed = compose(
        ctx,
        source=params["Source"],
        destination=destination,
        reply_to=params.get("ReplyToAddresses", []),
        subject=subject,
        body=message.get("Body", {}),
    )
    submission = simple_submission(
        composed,
        actions=("ses:SendEmail",),
        api_version="1",
        size_limit=V1_MAX_MESSAGE_BYTES,
        source=params["Source"],
        recipients=recipients_of(destination),
        subject=(subject or {}).get("Data", ""),
        return_path=params.get("ReturnPath"),
        arns=Arns(params.get("SourceArn"), None, params.get("ReturnPathArn")),
        configuration_set=params.get("ConfigurationSetName"),
        tags=message_tags(params.get("Tags")),
    )
    accepted = await services.sending.accept(call_of(ctx), submission)
    return {"MessageId": accepted.message_id}


async def send_raw_email_v1(services: Services, ctx: RequestContext, params: Params) -> Result:
    submission = raw_submission(
        params["RawMessage"]["Data"],
        actions=("ses:SendRawEmail",),
        api_version="1",
        size_limit=V1_MAX_MESSAGE_BYTES,
        source=params.get("Source"),
        destinations=params.get("Destinations"),
        arns=Arns(params.get("SourceArn"), params.get("FromArn"), params.get("ReturnPathArn")),
        configuration_set=params.get("ConfigurationSetName"),
        tags=message_tags(params.get("Tags")),
    )
    accepted = await services.sending.accept(call_of(ctx), submission)
    return {"MessageId": accepted.message_id}


async def send_email_v2(services: Services, ctx: RequestContext, params: Params) -> Result:
    refuse_unsupported_v2(params)
    content = params["Content"]
    named_set = params.get("ConfigurationSetName")
    tags = message_tags(params.get("EmailTags"))
    from_arn = params.get("FromEmailAddressIdentityArn")
    feedback_arn = params.get("FeedbackForwardingEmailAddressIdentityArn")
    destination = params.get("Destination") or {}
    if "Raw" in content:
        submission = raw_submission(
            content["Raw"]["Data"],
            actions=("ses:SendRawEmail",),
            api_version="2",
            size_limit=V2_MAX_MESSAGE_BYTES,
            source=params.get("FromEmailAddress"),
            destinations=recipients_of(destination) or None,
            # The v2 From ARN covers source and From and overrides both headers (spec §2.2).
            arns=Arns(from_arn, from_arn, feedback_arn),
            configuration_set=named_set,
            tags=tags,
        )
    elif "Simple" in content:
        if not params.get("FromEmailAddress"):
            raise InvalidParameter("FromEmailAddress is required for Simple content.")
        simple = content["Simple"]
        source = params["FromEmailAddress"]
        composed = compose(
            ctx,
            source=source,
            destination=destination,
            reply_to=params.get("ReplyToAddresses", []),
            subject=simple.get("Subject"),
            body=simple.get("Body", {}),
            headers=simple.get("Headers"),
        )
        submission = simple_submission(
            composed,
            actions=("ses:SendEmail",),
            api_version="2",
            size_limit=V2_MAX_MESSAGE_BYTES,
            source=source,
            recipients=recipients_of(destination),
            subject=(simple.get("Subject") or {}).get("Data", ""),
            return_path=params.get("FeedbackForwardingEmailAddress"),
            arns=Arns(from_arn, from_arn, feedback_arn),
            configuration_set=named_set,
            tags=tags,
        )
    else:
        raise InvalidParameter("Content must be Simple, Raw or Template.")
    accepted = await services.sending.accept(call_of(ctx), submission)
    return {"MessageId": accepted.message_id}

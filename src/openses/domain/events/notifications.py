"""SES's JSON for what happened to a message: identity notifications and event records.

Two formats, as SES publishes them to SNS (notification-contents.md, notification-examples.md,
event-publishing-retrieving-sns-contents.md and -examples.md; field order as in current real
records where they differ from the older samples):

* **Identity notifications** (an identity's Bounce/Complaint/Delivery topics):
  ``notificationType`` and a ``mail`` object of ``timestamp``, ``source``, ``sourceArn``,
  ``sourceIp``, ``callerIdentity``, ``sendingAccountId``, ``messageId``, ``destination``, then
  ``headersTruncated``/``headers``/``commonHeaders`` only when the identity includes original
  headers for that type; no ``tags`` (SES publishes tags only through configuration sets).
  ``commonHeaders.messageId`` is the original message's own Message-ID, if it had one.
* **Event records** (a configuration set's SNS event destination): ``eventType`` and a
  ``mail`` object without ``sourceIp`` and ``callerIdentity`` but always with
  ``headersTruncated`` and ``tags``; ``headers``/``commonHeaders`` whenever there is a message
  (not for a rendering failure), with SES's message id as ``commonHeaders.messageId``. The
  ``tags`` map gives each name a list of values: ``ses:operation``, ``ses:configuration-set``,
  ``ses:source-ip``, ``ses:from-domain``, ``ses:caller-identity``, ``ses:outgoing-ip`` (after a
  delivery attempt), then the message's own tags in order.

Event object fields, in order: a bounce is ``feedbackId``, ``bounceType``, ``bounceSubType``,
``bouncedRecipients``, ``timestamp``, then ``remoteMtaIp`` and ``reportingMTA`` when known.
A complaint is ``feedbackId``, ``complaintSubType`` (null unless set),
``complainedRecipients``, ``timestamp``, then the feedback report's ``userAgent``,
``complaintFeedbackType`` and ``arrivalDate``. A delivery is ``timestamp``,
``processingTimeMillis``, ``recipients``, ``smtpResponse``, ``remoteMtaIp`` (identity
notifications only) and ``reportingMTA``. The ``eventType`` of a rendering failure is
``Rendering Failure`` (with the space, as documented and as SES sends it); its object is
``failure``.

:func:`to_json` writes the compact form SES sends: no spaces, non-ASCII as is, and -- for event
records only -- a final newline, as SES's event messages end.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from openses.domain.events.facts import (
    BounceEvent,
    ComplaintEvent,
    DeliveryDelayEvent,
    DeliveryEvent,
    Event,
    IdentityEvent,
    MailFacts,
    RejectEvent,
    RenderingFailureEvent,
    SendEvent,
    caller_identity,
    format_timestamp,
)
from openses.domain.events.headers import common_headers, from_domain, header_list, read_headers

#: The ``eventType`` (and ``notificationType``) of each event, and the key of its object.
EVENT_TYPES: dict[type[Event], tuple[str, str]] = {
    SendEvent: ("Send", "send"),
    RejectEvent: ("Reject", "reject"),
    DeliveryEvent: ("Delivery", "delivery"),
    BounceEvent: ("Bounce", "bounce"),
    ComplaintEvent: ("Complaint", "complaint"),
    DeliveryDelayEvent: ("DeliveryDelay", "deliveryDelay"),
    RenderingFailureEvent: ("Rendering Failure", "failure"),
}
#: The objects SES puts before ``mail`` rather than after it.
_LEADING = (BounceEvent, ComplaintEvent)


def identity_notification(
    event: IdentityEvent, mail: MailFacts, *, include_headers: bool
) -> dict[str, object]:
    """The notification an identity's Bounce, Complaint or Delivery topic receives."""
    if not isinstance(event, BounceEvent | ComplaintEvent | DeliveryEvent):
        raise TypeError(
            f"identity notifications report bounces, complaints and deliveries, "
            f"not {type(event).__name__}"
        )
    shown: dict[str, object] = {
        "timestamp": format_timestamp(mail.timestamp),
        "source": mail.source,
        "sourceArn": mail.source_arn,
        "sourceIp": mail.source_ip,
        "callerIdentity": caller_identity(mail.caller_arn),
        "sendingAccountId": mail.sending_account_id,
        "messageId": mail.message_id,
        "destination": list(mail.destination),
    }
    if include_headers:
        shown.update(_headers(mail, message_id=None))
    return _assemble("notificationType", event, event_object(event, identity=True), shown)


def event_record(event: Event, mail: MailFacts, *, configuration_set: str) -> dict[str, object]:
    """The record a configuration set's event destination receives.

    ``configuration_set`` is the set the event is published for; when ``mail`` names a set it
    must be the same one.
    """
    if mail.configuration_set is not None and mail.configuration_set != configuration_set:
        raise ValueError(
            f"the message was sent with configuration set {mail.configuration_set!r}, "
            f"not {configuration_set!r}"
        )
    shown: dict[str, object] = {
        "timestamp": format_timestamp(mail.timestamp),
        "source": mail.source,
        "sourceArn": mail.source_arn,
        "sendingAccountId": mail.sending_account_id,
        "messageId": mail.message_id,
        "destination": list(mail.destination),
    }
    if isinstance(event, RenderingFailureEvent):
        shown["headersTruncated"] = False
    else:
        shown.update(_headers(mail, message_id=mail.message_id))
    shown["tags"] = _tags(mail, configuration_set)
    return _assemble("eventType", event, event_object(event), shown)


def to_json(record: Mapping[str, object]) -> str:
    """``record`` as SES sends it: compact JSON, Unicode as is, event records newline-ended."""
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return text + "\n" if "eventType" in record else text


# ------------------------------------------------------------------------- the pieces


def _assemble(
    type_key: str, event: Event, body: dict[str, object], mail: dict[str, object]
) -> dict[str, object]:
    kind, key = EVENT_TYPES[type(event)]
    if isinstance(event, _LEADING):
        return {type_key: kind, key: body, "mail": mail}
    return {type_key: kind, "mail": mail, key: body}


def _headers(mail: MailFacts, *, message_id: str | None) -> dict[str, object]:
    if mail.headers is None:
        return {"headersTruncated": False}
    message = read_headers(mail.headers)
    headers, truncated = header_list(message)
    return {
        "headersTruncated": truncated,
        "headers": headers,
        "commonHeaders": common_headers(message, message_id=message_id),
    }


def _tags(mail: MailFacts, configuration_set: str) -> dict[str, list[str]]:
    message = read_headers(mail.headers) if mail.headers is not None else None
    tags: dict[str, list[str]] = {}
    if mail.operation is not None:
        tags["ses:operation"] = [mail.operation]
    tags["ses:configuration-set"] = [configuration_set]
    tags["ses:source-ip"] = [mail.source_ip]
    tags["ses:from-domain"] = [from_domain(message, mail.source)]
    tags["ses:caller-identity"] = [caller_identity(mail.caller_arn)]
    if mail.outgoing_ip is not None:
        tags["ses:outgoing-ip"] = [mail.outgoing_ip]
    for name, value in mail.tags:
        tags.setdefault(name, []).append(value)
    return tags


def event_object(event: Event, *, identity: bool = False) -> dict[str, object]:
    """The event's own object (``bounce``, ``delivery``, ``send``, ...) as an event record
    shows it, or as an identity notification does with ``identity`` (which adds a delivery's
    ``remoteMtaIp``); handy for storing what happened next to the message."""
    if isinstance(event, SendEvent):
        return {}
    if isinstance(event, RejectEvent):
        return {"reason": event.reason}
    if isinstance(event, DeliveryEvent):
        return _delivery(event, identity=identity)
    if isinstance(event, BounceEvent):
        return _bounce(event)
    if isinstance(event, ComplaintEvent):
        return _complaint(event)
    if isinstance(event, DeliveryDelayEvent):
        return _delivery_delay(event)
    return {"errorMessage": event.error_message, "templateName": event.template_name}


def _delivery(event: DeliveryEvent, *, identity: bool) -> dict[str, object]:
    body: dict[str, object] = {
        "timestamp": format_timestamp(event.timestamp),
        "processingTimeMillis": event.processing_time_ms,
        "recipients": list(event.recipients),
        "smtpResponse": event.smtp_response,
    }
    if identity and event.remote_mta_ip is not None:
        body["remoteMtaIp"] = event.remote_mta_ip
    body["reportingMTA"] = event.reporting_mta
    return body


def _bounce(event: BounceEvent) -> dict[str, object]:
    recipients = [
        {
            key: value
            for key, value in (
                ("emailAddress", recipient.email_address),
                ("action", recipient.action),
                ("status", recipient.status),
                ("diagnosticCode", recipient.diagnostic_code),
            )
            if value is not None
        }
        for recipient in event.recipients
    ]
    body: dict[str, object] = {
        "feedbackId": event.feedback_id,
        "bounceType": event.bounce_type,
        "bounceSubType": event.bounce_subtype,
        "bouncedRecipients": recipients,
        "timestamp": format_timestamp(event.timestamp),
    }
    if event.remote_mta_ip is not None:
        body["remoteMtaIp"] = event.remote_mta_ip
    if event.reporting_mta is not None:
        body["reportingMTA"] = event.reporting_mta
    return body


def _complaint(event: ComplaintEvent) -> dict[str, object]:
    body: dict[str, object] = {
        "feedbackId": event.feedback_id,
        "complaintSubType": event.complaint_subtype,
        "complainedRecipients": [{"emailAddress": address} for address in event.recipients],
        "timestamp": format_timestamp(event.timestamp),
    }
    if event.user_agent is not None:
        body["userAgent"] = event.user_agent
    if event.complaint_feedback_type is not None:
        body["complaintFeedbackType"] = event.complaint_feedback_type
    if event.arrival_date is not None:
        body["arrivalDate"] = format_timestamp(event.arrival_date)
    return body


def _delivery_delay(event: DeliveryDelayEvent) -> dict[str, object]:
    body: dict[str, object] = {
        "timestamp": format_timestamp(event.timestamp),
        "delayType": event.delay_type,
        "expirationTime": format_timestamp(event.expiration_time),
        "delayedRecipients": [
            {
                "emailAddress": recipient.email_address,
                "status": recipient.status,
                "diagnosticCode": recipient.diagnostic_code,
            }
            for recipient in event.recipients
        ],
    }
    if event.reporting_mta is not None:
        body["reportingMTA"] = event.reporting_mta
    return body

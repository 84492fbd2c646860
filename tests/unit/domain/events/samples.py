"""Expected SES JSON, shaped like the SES developer guide's samples, with our own values.

Each sample mirrors one documented example (notification-examples.md for identity
notifications, event-publishing-retrieving-sns-examples.md for event records): the same keys,
nesting and value types, in the order current SES records use, with a shop at
``shop.example.org`` (owned by account 888888888888) whose identity a delegate account
(123456789012) sends as. The builders below make the values that should render to them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from openses.domain.events import MailFacts

OWNER = "888888888888"
DELEGATE = "123456789012"
IDENTITY_ARN = f"arn:aws:ses:us-east-1:{OWNER}:identity/shop.example.org"
DELEGATE_CALLER = f"arn:aws:iam::{DELEGATE}:user/senders/mailer"
MESSAGE_ID = "0100018e0d5c1a46-7c41d2e0-55b3-4f0e-9a8b-3d2c1e0f9a7b-000000"
SENT_AT = datetime(2024, 3, 5, 9, 15, 2, 118000, tzinfo=UTC)

#: A message as the client submitted it (the shape of notification-examples.md's headers).
IDENTITY_HEADERS = (
    b'From: "Ana Lima" <ana@shop.example.org>\r\n'
    b'To: "Ben Ode" <ben@mail.example.net>, "Cy Park" <cy@mail.example.net>\r\n'
    b"Message-ID: <order-7731@shop.example.org>\r\n"
    b"Subject: Your order has shipped\r\n"
    b'Content-Type: text/plain; charset="UTF-8"\r\n'
    b"Content-Transfer-Encoding: base64\r\n"
    b"Date: Tue, 05 Mar 2024 09:15:00 +0000\r\n"
    b"\r\n"
    b"WW91ciBvcmRlciBoYXMgc2hpcHBlZC4=\r\n"
)

#: A message as the client submitted it (the shape of the event-publishing samples' headers).
EVENT_HEADERS = (
    b"From: Ana Lima <ana@shop.example.org>\r\n"
    b"To: ben@mail.example.net\r\n"
    b"Subject: Spring sale starts today\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="b1_spring"\r\n'
    b"X-SES-MESSAGE-TAGS: campaign=spring, audience=members\r\n"
    b"\r\n"
)


def identity_mail(*, headers: bytes | None = IDENTITY_HEADERS) -> MailFacts:
    return MailFacts(
        timestamp=SENT_AT,
        message_id=MESSAGE_ID,
        source="ana@shop.example.org",
        source_arn=IDENTITY_ARN,
        source_ip="203.0.113.40",
        caller_arn=DELEGATE_CALLER,
        sending_account_id=DELEGATE,
        destination=("ben@mail.example.net", "cy@mail.example.net", "dee@mail.example.net"),
        headers=headers,
    )


def event_mail(
    *,
    headers: bytes | None = EVENT_HEADERS,
    tags: tuple[tuple[str, str], ...] = (("campaign", "spring"), ("audience", "members")),
    outgoing_ip: str | None = None,
) -> MailFacts:
    return MailFacts(
        timestamp=SENT_AT,
        message_id=MESSAGE_ID,
        source="Ana Lima <ana@shop.example.org>",
        source_arn=IDENTITY_ARN,
        source_ip="203.0.113.40",
        caller_arn=DELEGATE_CALLER,
        sending_account_id=DELEGATE,
        destination=("ben@mail.example.net",),
        headers=headers,
        tags=tags,
        configuration_set="Storefront",
        outgoing_ip=outgoing_ip,
    )


_IDENTITY_MAIL = f"""{{
    "timestamp": "2024-03-05T09:15:02.118Z",
    "source": "ana@shop.example.org",
    "sourceArn": "{IDENTITY_ARN}",
    "sourceIp": "203.0.113.40",
    "callerIdentity": "mailer",
    "sendingAccountId": "{DELEGATE}",
    "messageId": "{MESSAGE_ID}",
    "destination": ["ben@mail.example.net", "cy@mail.example.net", "dee@mail.example.net"],
    "headersTruncated": false,
    "headers": [
        {{"name": "From", "value": "\\"Ana Lima\\" <ana@shop.example.org>"}},
        {{"name": "To",
          "value": "\\"Ben Ode\\" <ben@mail.example.net>, \\"Cy Park\\" <cy@mail.example.net>"}},
        {{"name": "Message-ID", "value": "<order-7731@shop.example.org>"}},
        {{"name": "Subject", "value": "Your order has shipped"}},
        {{"name": "Content-Type", "value": "text/plain; charset=\\"UTF-8\\""}},
        {{"name": "Content-Transfer-Encoding", "value": "base64"}},
        {{"name": "Date", "value": "Tue, 05 Mar 2024 09:15:00 +0000"}}
    ],
    "commonHeaders": {{
        "from": ["Ana Lima <ana@shop.example.org>"],
        "date": "Tue, 05 Mar 2024 09:15:00 +0000",
        "to": ["Ben Ode <ben@mail.example.net>", "Cy Park <cy@mail.example.net>"],
        "messageId": "<order-7731@shop.example.org>",
        "subject": "Your order has shipped"
    }}
}}"""

IDENTITY_BOUNCE_WITH_DSN = f"""{{
    "notificationType": "Bounce",
    "bounce": {{
        "feedbackId": "0100018e0d5c2b11-0f1e2d3c-4b5a-5968-8776-a5b4c3d2e1f0-000000",
        "bounceType": "Permanent",
        "bounceSubType": "General",
        "bouncedRecipients": [
            {{
                "emailAddress": "ben@mail.example.net",
                "action": "failed",
                "status": "5.1.1",
                "diagnosticCode": "smtp; 550 5.1.1 <ben@mail.example.net>... No such user"
            }}
        ],
        "timestamp": "2024-03-05T09:15:04.512Z",
        "remoteMtaIp": "198.51.100.25",
        "reportingMTA": "dns; mx.mail.example.net"
    }},
    "mail": {_IDENTITY_MAIL}
}}"""

IDENTITY_BOUNCE_WITHOUT_DSN = f"""{{
    "notificationType": "Bounce",
    "bounce": {{
        "feedbackId": "0100018e0d5c2b12-1a2b3c4d-5e6f-5a7b-8c9d-0e1f2a3b4c5d-000000",
        "bounceType": "Permanent",
        "bounceSubType": "General",
        "bouncedRecipients": [
            {{"emailAddress": "ben@mail.example.net"}},
            {{"emailAddress": "cy@mail.example.net"}}
        ],
        "timestamp": "2024-03-05T09:15:04.512Z",
        "remoteMtaIp": "198.51.100.25"
    }},
    "mail": {_IDENTITY_MAIL}
}}"""

IDENTITY_COMPLAINT_WITH_REPORT = f"""{{
    "notificationType": "Complaint",
    "complaint": {{
        "feedbackId": "0100018e0d6a0001-2b3c4d5e-6f70-5182-9384-a5b6c7d8e9f0-000000",
        "complaintSubType": null,
        "complainedRecipients": [{{"emailAddress": "cy@mail.example.net"}}],
        "timestamp": "2024-03-05T10:02:11.009Z",
        "userAgent": "ExampleNet Feedback Loop (V1.2)",
        "complaintFeedbackType": "abuse",
        "arrivalDate": "2024-03-05T10:01:58.000Z"
    }},
    "mail": {_IDENTITY_MAIL}
}}"""

IDENTITY_COMPLAINT_WITHOUT_REPORT = f"""{{
    "notificationType": "Complaint",
    "complaint": {{
        "feedbackId": "0100018e0d6a0002-3c4d5e6f-7081-5293-a4b5-c6d7e8f90a1b-000000",
        "complaintSubType": null,
        "complainedRecipients": [{{"emailAddress": "cy@mail.example.net"}}],
        "timestamp": "2024-03-05T10:02:11.009Z"
    }},
    "mail": {_IDENTITY_MAIL}
}}"""

IDENTITY_DELIVERY = f"""{{
    "notificationType": "Delivery",
    "mail": {_IDENTITY_MAIL},
    "delivery": {{
        "timestamp": "2024-03-05T09:15:03.004Z",
        "processingTimeMillis": 886,
        "recipients": ["ben@mail.example.net"],
        "smtpResponse": "250 2.0.0 Ok: queued as 4TqK1",
        "remoteMtaIp": "198.51.100.25",
        "reportingMTA": "out-1.openses.example"
    }}
}}"""

IDENTITY_DELIVERY_WITHOUT_HEADERS = f"""{{
    "notificationType": "Delivery",
    "mail": {{
        "timestamp": "2024-03-05T09:15:02.118Z",
        "source": "ana@shop.example.org",
        "sourceArn": "{IDENTITY_ARN}",
        "sourceIp": "203.0.113.40",
        "callerIdentity": "mailer",
        "sendingAccountId": "{DELEGATE}",
        "messageId": "{MESSAGE_ID}",
        "destination": ["ben@mail.example.net", "cy@mail.example.net", "dee@mail.example.net"]
    }},
    "delivery": {{
        "timestamp": "2024-03-05T09:15:03.004Z",
        "processingTimeMillis": 886,
        "recipients": ["ben@mail.example.net"],
        "smtpResponse": "250 2.0.0 Ok: queued as 4TqK1",
        "remoteMtaIp": "198.51.100.25",
        "reportingMTA": "out-1.openses.example"
    }}
}}"""


def _event_mail(tags: str, *, headers: bool = True) -> str:
    shown = """
    "headers": [
        {"name": "From", "value": "Ana Lima <ana@shop.example.org>"},
        {"name": "To", "value": "ben@mail.example.net"},
        {"name": "Subject", "value": "Spring sale starts today"},
        {"name": "MIME-Version", "value": "1.0"},
        {"name": "Content-Type", "value": "multipart/alternative; boundary=\\"b1_spring\\""},
        {"name": "X-SES-MESSAGE-TAGS", "value": "campaign=spring, audience=members"}
    ],
    "commonHeaders": {
        "from": ["Ana Lima <ana@shop.example.org>"],
        "to": ["ben@mail.example.net"],
        "messageId": "MESSAGE_ID",
        "subject": "Spring sale starts today"
    },""".replace("MESSAGE_ID", MESSAGE_ID)
    return f"""{{
    "timestamp": "2024-03-05T09:15:02.118Z",
    "source": "Ana Lima <ana@shop.example.org>",
    "sourceArn": "{IDENTITY_ARN}",
    "sendingAccountId": "{DELEGATE}",
    "messageId": "{MESSAGE_ID}",
    "destination": ["ben@mail.example.net"],
    "headersTruncated": false,{shown if headers else ""}
    "tags": {tags}
}}"""


_TAGS = """{
        "ses:configuration-set": ["Storefront"],
        "ses:source-ip": ["203.0.113.40"],
        "ses:from-domain": ["shop.example.org"],
        "ses:caller-identity": ["mailer"],
        "campaign": ["spring"],
        "audience": ["members"]
    }"""

_TAGS_AFTER_DELIVERY = """{
        "ses:configuration-set": ["Storefront"],
        "ses:source-ip": ["203.0.113.40"],
        "ses:from-domain": ["shop.example.org"],
        "ses:caller-identity": ["mailer"],
        "ses:outgoing-ip": ["192.0.2.77"],
        "campaign": ["spring"],
        "audience": ["members"]
    }"""

_TAGS_SET_ONLY = """{
        "ses:configuration-set": ["Storefront"],
        "ses:source-ip": ["203.0.113.40"],
        "ses:from-domain": ["shop.example.org"],
        "ses:caller-identity": ["mailer"]
    }"""

EVENT_BOUNCE = f"""{{
    "eventType": "Bounce",
    "bounce": {{
        "feedbackId": "0100018e0d5c2b13-4d5e6f70-8192-53a4-b5c6-d7e8f9a0b1c2-000000",
        "bounceType": "Permanent",
        "bounceSubType": "General",
        "bouncedRecipients": [
            {{
                "emailAddress": "ben@mail.example.net",
                "action": "failed",
                "status": "5.1.1",
                "diagnosticCode": "smtp; 550 5.1.1 user unknown"
            }}
        ],
        "timestamp": "2024-03-05T09:15:04.512Z",
        "reportingMTA": "dns; mx.mail.example.net"
    }},
    "mail": {_event_mail(_TAGS_AFTER_DELIVERY)}
}}"""

EVENT_COMPLAINT = f"""{{
    "eventType": "Complaint",
    "complaint": {{
        "feedbackId": "0100018e0d6a0003-5e6f7081-92a3-54b5-86d7-e8f9a0b1c2d3-000000",
        "complaintSubType": null,
        "complainedRecipients": [{{"emailAddress": "ben@mail.example.net"}}],
        "timestamp": "2024-03-05T10:02:11.009Z",
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64) ExampleMail/9.1",
        "complaintFeedbackType": "abuse",
        "arrivalDate": "2024-03-05T10:01:58.000Z"
    }},
    "mail": {_event_mail(_TAGS_AFTER_DELIVERY)}
}}"""

EVENT_DELIVERY = f"""{{
    "eventType": "Delivery",
    "mail": {_event_mail(_TAGS_AFTER_DELIVERY)},
    "delivery": {{
        "timestamp": "2024-03-05T09:15:03.004Z",
        "processingTimeMillis": 886,
        "recipients": ["ben@mail.example.net"],
        "smtpResponse": "250 2.6.0 Message received",
        "reportingMTA": "out-1.openses.example"
    }}
}}"""

EVENT_SEND = f"""{{
    "eventType": "Send",
    "mail": {_event_mail(_TAGS)},
    "send": {{}}
}}"""

EVENT_REJECT = f"""{{
    "eventType": "Reject",
    "mail": {_event_mail(_TAGS)},
    "reject": {{"reason": "Bad content"}}
}}"""

EVENT_RENDERING_FAILURE = f"""{{
    "eventType": "Rendering Failure",
    "mail": {_event_mail(_TAGS_SET_ONLY, headers=False)},
    "failure": {{
        "errorMessage": "Attribute 'firstName' is not present in the rendering data.",
        "templateName": "SpringSale"
    }}
}}"""

EVENT_DELIVERY_DELAY = f"""{{
    "eventType": "DeliveryDelay",
    "mail": {_event_mail(_TAGS_SET_ONLY, headers=False)},
    "deliveryDelay": {{
        "timestamp": "2024-03-05T09:25:02.311Z",
        "delayType": "TransientCommunicationFailure",
        "expirationTime": "2024-03-05T21:15:02.118Z",
        "delayedRecipients": [
            {{
                "emailAddress": "ben@mail.example.net",
                "status": "4.4.1",
                "diagnosticCode": "smtp; 421 4.4.1 Unable to connect to remote host"
            }}
        ]
    }}
}}"""

"""The inbox's page for one message: envelope, why it was allowed, history, content.

Rendered from plain values (no I/O here); every value is escaped (``api/inbox_html.py``). The
HTML part is never put into this page: an ``<iframe sandbox="">`` (no scripts, no same-origin,
no forms, no navigation of this page) loads it from its own route, which serves it under a
Content-Security-Policy that forbids scripts and every remote load (``api/inbox.py``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import quote

from openses.api.inbox_html import Child, Html, bullets, facts, join, link, page, table, tag
from openses.api.inbox_pages import message_url, recipients_text, sign_out_form, when
from openses.domain.mail.parts import Attachment, MessageParts
from openses.domain.message_events import RecordedEvent
from openses.domain.outbox import CapturedMessage
from openses.domain.queue import DeliveryJob


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


def _code_list(values: Sequence[str]) -> Child:
    return bullets(tag("code", value) for value in values)


def _statements(message: CapturedMessage) -> Html:
    rows = [
        [
            tag("code", str(s.get("identity", ""))),
            str(s.get("policy", "")),
            str(s.get("sid", "") or "(no Sid)"),
            str(s.get("effect", "")),
        ]
        for s in message.statements
    ]
    note: Child = None
    own = all(f":{message.account_id}:" in arn for arn in message.identity_arns)
    if not rows and message.identity_arns and own:
        note = tag(
            "p",
            "No statement was needed: the sending account used its own identities "
            "(an owner may send unless a policy of the identity explicitly denies it).",
            class_="muted",
        )
    headings = ["Identity", "Policy", "Sid", "Effect"]
    return join([table("Policy statements that allowed it", headings, rows), note])


def _attribution(message: CapturedMessage) -> Html:
    tags = table(
        "Message tags",
        ["Name", "Value"],
        [[name, value] for name, value in message.tags],
    )
    return join(
        [
            tag("h2", "Why it was allowed", id="attribution"),
            facts(
                [
                    ("Region", message.region),
                    ("Sending account", message.account_id),
                    ("Caller ARN", tag("code", message.caller_arn) if message.caller_arn else None),
                    ("Identity ARNs used", _code_list(message.identity_arns)),
                    ("Governing identities", _code_list(message.governing_arns)),
                    (
                        "Sent as (source ARN)",
                        tag("code", message.source_arn) if message.source_arn else None,
                    ),
                    ("Source IP", message.source_ip),
                    ("Configuration set", message.configuration_set),
                    ("Template", message.template_name),
                    ("Feedback forwarded to", message.feedback_address),
                    ("Rendering error", message.error),
                ]
            ),
            _statements(message),
            tags,
        ]
    )


def _history(events: Sequence[RecordedEvent], jobs: Sequence[DeliveryJob]) -> Html:
    event_rows = [
        [
            event.event_type,
            when(event.at),
            event.account_id,
            ", ".join(event.recipients),
            tag("pre", json.dumps(event.detail, indent=2, sort_keys=True, default=str))
            if event.detail
            else None,
        ]
        for event in events
    ]
    job_rows = [
        [
            job.domain,
            ", ".join(job.recipients),
            str(job.attempts),
            when(job.run_at),
            job.lease_owner or "—",
        ]
        for job in jobs
    ]
    return join(
        [
            tag("h2", "History", id="history"),
            table(
                "Events, oldest first",
                ["Event", "At", "Account", "Recipients", "Detail"],
                event_rows,
            ),
            table(
                "Deliveries still pending",
                ["Domain", "Recipients", "Attempts", "Next attempt", "Leased by"],
                job_rows,
            ),
        ]
    )


def _attachment_row(message_id: str, attachment: Attachment) -> list[Child]:
    name = attachment.filename or f"(unnamed part {attachment.index})"
    href = message_url(message_id, "attachments", str(attachment.index))
    return [
        name,
        attachment.content_type or "(unreadable)",
        size_text(attachment.size),
        link(href, "Download", download=""),
    ]


def _content(message: CapturedMessage, parts: MessageParts) -> Html:
    missing = "This message has no {} part.".format
    text_part: Child = (
        tag("pre", parts.text)
        if parts.text is not None
        else tag("p", missing("text/plain"), class_="muted")
    )
    html_part: Child = tag("p", missing("text/html"), class_="muted")
    if parts.html is not None:
        source = message_url(message.message_id, "html")
        html_part = join(
            [
                tag(
                    "iframe",
                    sandbox="",
                    src=source,
                    title="The message's HTML part (scripts and remote content blocked)",
                    referrerpolicy="no-referrer",
                ),
                tag("p", link(source, "Open the HTML part alone"), class_="muted"),
            ]
        )
    attachments = [_attachment_row(message.message_id, a) for a in parts.attachments]
    headers = table("Header fields", ["Name", "Value"], [list(field) for field in parts.headers])
    problems = bullets(parts.problems)
    return join(
        [
            tag("h2", "Header section", id="headers"),
            headers,
            tag("h2", "Text part", id="text"),
            text_part,
            tag("h2", "HTML part", id="html"),
            html_part,
            tag("h2", "Attachments", id="attachments"),
            table("Attachments", ["Name", "Type", "Size", ""], attachments),
            tag("h2", "Problems reading the message", id="problems") if problems else None,
            problems,
        ]
    )


def message_page(
    message: CapturedMessage,
    events: Sequence[RecordedEvent],
    jobs: Sequence[DeliveryJob],
    parts: MessageParts,
    *,
    signed_in: bool = False,
) -> str:
    identifier = quote(message.message_id, safe="")
    links = join(
        [
            link("/_openses/inbox", "← All messages"),
            link(message_url(message.message_id, "source"), "Message source"),
            link(f"/_openses/messages/{identifier}/raw", "Raw MIME"),
            link(f"/_openses/messages/{identifier}", "JSON record"),
            tag("span", "(these two: loopback or the bearer token)", class_="muted"),
        ],
        " · ",
    )
    envelope = facts(
        [
            ("Message ID", tag("code", message.message_id)),
            ("Kind", message.kind.value),
            ("Accepted at (UTC)", when(message.created_at)),
            ("Envelope sender", message.source),
            ("Recipients", recipients_text(message.recipients) if len(message.recipients) <= 3
             else bullets(message.recipients)),
        ]
    )  # fmt: skip
    return page(
        f"{message.subject or '(no subject)'} — OpenSES inbox",
        tag("p", links),
        tag("h1", message.subject or "(no subject)"),
        tag("h2", "Envelope", id="envelope"),
        envelope,
        _attribution(message),
        _history(events, jobs),
        _content(message, parts),
        sign_out_form() if signed_in else None,
    )

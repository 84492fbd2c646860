"""The inbox's list page and its access page, rendered from plain values (no I/O here).

Every value shown is escaped (``api/inbox_html.py``); the routes (``api/inbox.py``) fetch the
messages and hand them over.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode

from openses.api.inbox_html import Child, Html, join, link, page, table, tag, text
from openses.domain.message_events import RecordedEvent
from openses.domain.outbox import CapturedMessage, MessageKind
from openses.domain.queue import DeliveryJob

INBOX = "/_openses/inbox"
SESSION_FORM = "/_openses/inbox/session"
FILTERS = (
    ("account", "Sending account"),
    ("region", "Region"),
    ("identity", "Identity ARN"),
    ("sender", "Envelope sender"),
    ("recipient", "Recipient"),
)
SHOWN_RECIPIENTS = 3


@dataclass(frozen=True, slots=True)
class InboxRow:
    message: CapturedMessage
    from_header: str | None  # the message's From field, decoded
    state: str | None  # what happened to it (``delivery_state``)


@dataclass(frozen=True, slots=True)
class Listing:
    rows: Sequence[InboxRow]
    filters: Mapping[str, str]  # the filters given (name → value; ``kind`` too)
    page: int  # 1-based
    more: bool  # whether an older page exists
    problem: str | None = None  # why the filters could not be applied
    signed_in: bool = False  # the reader holds a session cookie (offer signing out)


def message_url(message_id: str, *rest: str) -> str:
    return "/".join([INBOX, quote(message_id, safe=""), *rest])


def when(moment: datetime) -> Html:
    return tag("time", moment.strftime("%Y-%m-%d %H:%M:%S"), datetime=moment.isoformat())


def delivery_state(events: Sequence[RecordedEvent], jobs: Sequence[DeliveryJob]) -> str | None:
    """What happened to a message in a few words: the kinds of events after its acceptance,
    in the order they first happened, and how many recipients are still pending."""
    outcomes = list(dict.fromkeys(e.event_type for e in events if e.event_type != "Send"))
    pending = sum(len(job.recipients) for job in jobs)
    if pending:
        outcomes.append(f"pending for {pending} recipient{'s' if pending != 1 else ''}")
    if not outcomes:
        return events[-1].event_type if events else None
    return ", ".join(outcomes)


def recipients_text(recipients: Sequence[str]) -> str:
    shown = ", ".join(recipients[:SHOWN_RECIPIENTS])
    rest = len(recipients) - SHOWN_RECIPIENTS
    return f"{shown} and {rest} more" if rest > 0 else shown


def _filter_form(filters: Mapping[str, str]) -> Html:
    fields = [
        tag(
            "label",
            label,
            tag("input", type="text", name=name, value=filters.get(name, ""), size="24"),
        )
        for name, label in FILTERS
    ]
    chosen = filters.get("kind", "")
    options = [tag("option", "any", value="", selected="" if not chosen else None)]
    options += [
        tag("option", kind.value, value=kind.value, selected="" if chosen == kind.value else None)
        for kind in MessageKind
    ]
    fields.append(tag("label", "Kind", tag("select", join(options), name="kind")))
    buttons = join([tag("button", "Filter", type="submit"), link(INBOX, "Clear")], " ")
    return tag(
        "form",
        join(fields),
        tag("div", buttons),
        method="get",
        action=INBOX,
        class_="filters",
        aria_label="Filter messages",
    )


def _row(row: InboxRow) -> list[Child]:
    message = row.message
    sender: Child = row.from_header or message.source
    if row.from_header and message.source not in row.from_header:
        sender = join([row.from_header, tag("div", f"envelope: {message.source}", class_="muted")])
    subject = message.subject or "(no subject)"
    return [
        when(message.created_at),
        sender,
        recipients_text(message.recipients),
        link(message_url(message.message_id), subject),
        message.account_id,
        message.kind.value,
        row.state or "—",
    ]


def _paging(listing: Listing) -> Html | None:
    def at(number: int) -> str:
        return f"{INBOX}?{urlencode({**listing.filters, 'page': str(number)})}"

    newer = link(at(listing.page - 1), "← Newer") if listing.page > 1 else None
    older = link(at(listing.page + 1), "Older →") if listing.more else None
    if newer is None and older is None:
        return None
    return tag("nav", newer, tag("span", f"page {listing.page}"), older, class_="paging")


def sign_out_form() -> Html:
    return tag(
        "form",
        tag("input", type="hidden", name="action", value="sign-out"),
        tag("button", "Sign out", type="submit"),
        method="post",
        action=SESSION_FORM,
    )


def list_page(listing: Listing) -> str:
    """The messages, newest first, with the filter form and the paging links."""
    rows = [_row(row) for row in listing.rows]
    headings = ["Time (UTC)", "From", "Recipients", "Subject", "Account", "Kind", "State"]
    problem = tag("p", listing.problem, class_="problem", role="alert") if listing.problem else None
    return page(
        "OpenSES inbox",
        tag("h1", "Captured messages"),
        _filter_form(listing.filters),
        problem,
        table("Messages, newest first", headings, rows),
        _paging(listing),
        sign_out_form() if listing.signed_in else None,
    )


def access_page(reason: str, *, can_sign_in: bool) -> str:
    """Why the inbox did not open, how to reach it, and (with an admin token) the sign-in form."""
    ways = tag(
        "ul",
        tag("li", "a browser on this machine (a loopback address), also through a tunnel such as ",
            tag("code", "ssh -L 8025:127.0.0.1:8025 server"), ";"),
        tag("li", "a program sending ", tag("code", "Authorization: Bearer <admin token>"), ";"),
        tag("li", "a browser signed in below with the admin token.") if can_sign_in else None,
    )  # fmt: skip
    if can_sign_in:
        form: Html = tag(
            "form",
            tag(
                "label",
                "Admin token ",
                tag("input", type="password", name="token", autocomplete="off", required=""),
            ),
            " ",
            tag("button", "Sign in", type="submit"),
            method="post",
            action=SESSION_FORM,
        )
    else:
        form = tag(
            "p",
            "This server has no admin token, so only loopback callers can open the inbox: start "
            "it with ",
            tag("code", "--admin-token"),
            " (or ",
            tag("code", "OPENSES_ADMIN_TOKEN"),
            ") to sign in from other machines.",
        )
    return page(
        "OpenSES inbox: not open to you",
        tag("h1", "The inbox is not open to you"),
        tag("p", reason, class_="problem", role="alert"),
        tag("p", "The inbox of captured mail answers:"),
        ways,
        form,
    )


def not_found_page(what: str) -> str:
    return page("OpenSES inbox: not found", tag("h1", "Not found"), tag("p", text(what)))

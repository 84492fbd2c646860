"""The inbox's HTML: hostile values everywhere come out as text, never as markup."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from openses.api.inbox_html import Html, facts, join, link, table, tag, text
from openses.api.inbox_message_page import message_page
from openses.api.inbox_pages import InboxRow, Listing, access_page, delivery_state, list_page
from openses.domain.mail.parts import read_parts
from openses.domain.message_events import RecordedEvent
from openses.domain.outbox import CapturedMessage, MessageKind
from openses.domain.queue import DeliveryJob

NOW = datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)
SCRIPT = "<script>alert(1)</script>"
QUOTES = "\" onmouseover=\"alert(2)' x='"


def hostile_message(**changes: object) -> CapturedMessage:
    values: dict[str, object] = {
        "message_id": "0100-<b>id</b>",
        "kind": MessageKind.SEND,
        "region": f"us-east-1{SCRIPT}",
        "account_id": f"111122223333{QUOTES}",
        "created_at": NOW,
        "source": f"app{SCRIPT}@example.com",
        "recipients": (f"to{SCRIPT}@example.net", f"{QUOTES}@example.net"),
        "subject": f"Subject {SCRIPT} {QUOTES}",
        "raw": (
            b"From: =?UTF-8?B?PHNjcmlwdD5hbGVydCgzKTwvc2NyaXB0Pg==?= <app@example.com>\r\n"
            b'X-Evil"><script>alert(7)</script>: <iframe src=//evil>\r\n'
            b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
            b"--b\r\nContent-Type: text/plain\r\n\r\nbody </pre><script>alert(4)</script>\r\n"
            b"--b\r\nContent-Type: text/html\r\n\r\n<script>alert(5)</script>\r\n"
            b'--b\r\nContent-Type: application/x-evil; name="x<svg onload=alert(6)>"\r\n'
            b'Content-Disposition: attachment; filename="x<svg onload=alert(6)>"\r\n\r\nxx\r\n'
            b"--b--\r\n"
        ),
        "caller_arn": f"arn:aws:iam::444455556666:user/{SCRIPT}",
        "identity_arns": (f"arn:aws:ses:us-east-1:111122223333:identity/{SCRIPT}",),
        "governing_arns": (f"arn:aws:ses:us-east-1:111122223333:identity/{QUOTES}",),
        "statements": (
            {
                "identity": SCRIPT,
                "policy": f"policy{QUOTES}",
                "sid": f"Sid{SCRIPT}",
                "effect": "Allow",
            },
        ),
        "source_ip": f"127.0.0.1{SCRIPT}",
        "configuration_set": f"set{SCRIPT}",
        "tags": ((f"tag{SCRIPT}", f"value{QUOTES}"),),
        "template_name": f"tmpl{SCRIPT}",
        "error": f"error{SCRIPT}",
    }
    values.update(changes)
    return CapturedMessage(**values)  # type: ignore[arg-type]


EVENT = RecordedEvent(
    event_id="e1",
    message_id="m",
    account_id="111122223333",
    region="us-east-1",
    event_type=f"Bounce{SCRIPT}",
    at=NOW,
    recipients=(f"r{SCRIPT}@example.net",),
    detail={"bounce": {"diagnosticCode": f"550 {SCRIPT} {QUOTES}"}},
)
JOB = DeliveryJob(
    job_id="j1",
    message_id="m",
    account_id="111122223333",
    region="us-east-1",
    domain=f"example{SCRIPT}.net",
    recipients=(f"x{SCRIPT}@example.net",),
    run_at=NOW,
    created_at=NOW,
    lease_owner=f"worker{SCRIPT}",
)


class Elements(HTMLParser):
    """Every element of a page with its attributes, as a browser's tokenizer would see them."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def assert_no_markup_injected(page: str) -> None:
    assert "<script" not in page.lower()
    elements = Elements(page).found
    tags = {name for name, _ in elements}
    assert not tags & {"script", "svg", "img", "object", "embed", "b", "i"}, tags
    attributes = {name for _, attrs in elements for name, _ in attrs}
    assert not {a for a in attributes if a.startswith("on") or a in {"x", "src=//evil"}}, attributes
    frames = [dict(attrs) for name, attrs in elements if name == "iframe"]
    assert all(frame.get("sandbox") == "" for frame in frames)
    assert all(str(frame.get("src")).startswith("/_openses/inbox/") for frame in frames)


def render_list() -> str:
    message = hostile_message()
    listing = Listing(
        rows=[InboxRow(message, f"Name {SCRIPT} <a@example.com>", f"Delivery{SCRIPT}")],
        filters={"account": QUOTES, "recipient": SCRIPT, "kind": "send"},
        page=2,
        more=True,
        problem=f"problem {SCRIPT}",
        signed_in=True,
    )
    return list_page(listing)


def render_message() -> str:
    message = hostile_message()
    return message_page(message, [EVENT], [JOB], read_parts(message.raw), signed_in=True)


@pytest.mark.parametrize(
    ("render", "shown"),
    [
        (render_list, "Subject &lt;script&gt;alert(1)&lt;/script&gt;"),
        (render_list, "Name &lt;script&gt;alert(1)&lt;/script&gt; &lt;a@example.com&gt;"),
        (render_list, 'value="&quot; onmouseover=&quot;alert(2)&#x27; x=&#x27;"'),
        (render_list, "problem &lt;script&gt;"),
        (render_list, "Delivery&lt;script&gt;"),
        (render_message, "Sid&lt;script&gt;alert(1)&lt;/script&gt;"),
        (render_message, "policy&quot; onmouseover=&quot;alert(2)"),
        (render_message, "arn:aws:iam::444455556666:user/&lt;script&gt;"),
        (
            render_message,
            "&quot;&lt;script&gt;alert(3)&lt;/script&gt;&quot; &lt;app@example.com&gt;",
        ),
        (render_message, "X-Evil&quot;&gt;&lt;script&gt;alert(7)"),
        (render_message, "&lt;iframe src=//evil&gt;"),
        (render_message, "body &lt;/pre&gt;&lt;script&gt;alert(4)"),
        (render_message, "&lt;svg onload=alert(6)&gt;"),
        (render_message, "550 &lt;script&gt;alert(1)&lt;/script&gt;"),
        (render_message, "tag&lt;script&gt;"),
        (render_message, "worker&lt;script&gt;"),
        (render_message, "error&lt;script&gt;"),
    ],
    ids=lambda value: getattr(value, "__name__", None) or str(value)[:40],
)
def test_hostile_values_are_shown_as_escaped_text(render, shown: str) -> None:
    page = render()
    assert shown in page
    assert_no_markup_injected(page)


def test_the_html_part_is_framed_sandboxed_not_inlined() -> None:
    page = render_message()
    frame = re.search(r"<iframe[^>]*>", page)
    assert frame is not None
    assert 'sandbox=""' in frame.group(0)
    assert 'src="/_openses/inbox/0100-%3Cb%3Eid%3C%2Fb%3E/html"' in frame.group(0)
    assert "alert(5)" not in page  # the HTML part's text never reaches the page


def test_the_message_page_links_its_routes_with_the_id_quoted() -> None:
    page = render_message()
    assert 'href="/_openses/messages/0100-%3Cb%3Eid%3C%2Fb%3E"' in page  # the JSON record
    assert 'href="/_openses/messages/0100-%3Cb%3Eid%3C%2Fb%3E/raw"' in page
    assert 'href="/_openses/inbox/0100-%3Cb%3Eid%3C%2Fb%3E/attachments/2"' in page


def test_the_list_page_pages_with_the_filters_kept() -> None:
    page = render_list()
    assert "page=1" in page
    assert "page=3" in page
    assert "recipient=%3Cscript%3E" in page
    assert '<option value="send" selected="">' in page
    assert 'action="/_openses/inbox/session"' in page  # signed in: the sign-out form


def test_an_owner_send_explains_why_no_statement_was_needed() -> None:
    message = hostile_message(
        account_id="111122223333",
        statements=(),
        identity_arns=("arn:aws:ses:us-east-1:111122223333:identity/example.com",),
    )
    page = message_page(message, [], [], read_parts(message.raw))
    assert "No statement was needed" in page


@pytest.mark.parametrize(
    ("can_sign_in", "present", "absent"),
    [
        (True, 'type="password" name="token"', "has no admin token"),
        (False, "has no admin token", 'name="token"'),
    ],
    ids=["token-configured", "no-token"],
)
def test_the_access_page(can_sign_in: bool, present: str, absent: str) -> None:
    page = access_page(f"refused {SCRIPT}", can_sign_in=can_sign_in)
    assert present in page
    assert absent not in page
    assert "refused &lt;script&gt;" in page
    assert_no_markup_injected(page)


@pytest.mark.parametrize(
    ("types", "pending", "state"),
    [
        ([], 0, None),
        (["Send"], 0, "Send"),
        (["Send", "Delivery"], 0, "Delivery"),
        (["Send", "Delivery", "Bounce", "Delivery"], 0, "Delivery, Bounce"),
        (["Send"], 2, "pending for 2 recipients"),
        (["Send", "DeliveryDelay"], 1, "DeliveryDelay, pending for 1 recipient"),
    ],
)
def test_delivery_state(types: list[str], pending: int, state: str | None) -> None:
    events = [
        RecordedEvent(f"e{i}", "m", "1", "us-east-1", kind, NOW, ("a@example.net",))
        for i, kind in enumerate(types)
    ]
    jobs = [
        DeliveryJob("j", "m", "1", "us-east-1", "example.net", ("a@x",) * pending, NOW, NOW)
    ] if pending else []  # fmt: skip
    assert delivery_state(events, jobs) == state


@pytest.mark.parametrize(
    ("built", "html"),
    [
        (tag("p", SCRIPT), "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        (tag("a", "x", href=QUOTES),
         '<a href="&quot; onmouseover=&quot;alert(2)&#x27; x=&#x27;">x</a>'),
        (tag("p", Html("<b>kept</b>"), "<i>escaped</i>"),
         "<p><b>kept</b>&lt;i&gt;escaped&lt;/i&gt;</p>"),
        (tag("input", name="n", value="v", required=""), '<input name="n" value="v" required="">'),
        (tag("td", "x", class_="c", aria_label="l", colspan=None),
         '<td class="c" aria-label="l">x</td>'),
        (join(["a", None, Html("<br>")], ", "), "a, <br>"),
        (link("/x?a=1&b=2", "go"), '<a href="/x?a=1&amp;b=2">go</a>'),
        (text(SCRIPT), "&lt;script&gt;alert(1)&lt;/script&gt;"),
        (facts([("t", None)]), "<dl><dt>t</dt><dd>—</dd></dl>"),
    ],
    ids=["text", "attribute", "html-passes", "void", "attribute-names", "join", "link", "text-fn",
         "facts-missing"],
)  # fmt: skip
def test_the_html_vocabulary(built: str, html: str) -> None:
    assert built == html


def test_an_empty_table_says_none() -> None:
    assert '<td colspan="2" class="muted">none</td>' in table("c", ["a", "b"], [])

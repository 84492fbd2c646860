"""The web inbox (``/_openses/inbox``) over real sends: listing, filters, why a message was
allowed, the sandboxed HTML part, attachments, escaping, and who may open it.

Requests from another machine cannot be made on loopback; those tests drive the same app over
httpx's ASGI transport with a non-loopback client address, on the server's own event loop.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Coroutine
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from openses.api.admin import admin_routes
from openses.services.outbox import OutboxService
from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running
from tests.wire.service.sending_world import World

_counter = itertools.count()
REMOTE = ("203.0.113.9", 50123)
HOSTILE_SUBJECT = '<script>alert("subject")</script> it\'s "quoted"'


@pytest.fixture
def world(openses: Running, dns: DnsTestServer) -> World:
    return World(openses, dns, f"inbox{next(_counter)}.example")


def inbox(world: World, path: str = "", **params: str) -> httpx.Response:
    return httpx.get(f"{world.openses.base_url}/_openses/inbox{path}", params=params)


def caller_arn(world: World) -> str:
    arn: str = world.openses.client("sts", world.delegate).get_caller_identity()["Arn"]
    return arn


def test_a_delegates_send_is_listed_filtered_and_explained(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id}, Sid="InboxDelegateSid")
    to = f"reader@{world.domain}"
    sent = world.send_email(
        world.delegate, source=f"app@{world.domain}", to=[to], SourceArn=world.arn()
    )
    listing = inbox(world, account=world.delegate.account_id)
    assert listing.status_code == 200
    assert listing.headers["content-type"] == "text/html; charset=utf-8"
    assert f'href="/_openses/inbox/{sent}"' in listing.text
    assert "pending for 1 recipient" in listing.text  # no worker runs here: still queued
    narrowing = {
        "account": (world.delegate.account_id, world.owner.account_id),
        "identity": (world.arn(), world.arn(f"other.{world.domain}")),
        "recipient": (to, f"nobody@{world.domain}"),
        "sender": (f"app@{world.domain}", f"other@{world.domain}"),
        "kind": ("send", "verification"),
        "region": ("us-east-1", "eu-west-1"),
    }
    for name, (matching, other) in narrowing.items():
        assert sent in inbox(world, **{name: matching}).text, name
        assert sent not in inbox(world, **{name: other}).text, name

    page = inbox(world, f"/{sent}")
    assert page.status_code == 200
    assert "InboxDelegateSid" in page.text
    assert caller_arn(world) in page.text
    assert world.arn() in page.text  # the identity used, and the governing identity
    assert ">delegate<" in page.text  # the policy's name
    assert f'href="/_openses/messages/{sent}"' in page.text  # the JSON record
    assert "Hi there." in page.text  # the text part
    assert inbox(world, "/no-such-message").status_code == 404


def test_sesv2_html_is_framed_sandboxed_and_served_under_a_strict_policy(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id}, Action=["ses:SendEmail"])
    to = f"html@{world.domain}"
    sent = world.sesv2(world.delegate).send_email(
        FromEmailAddress=f"app@{world.domain}",
        FromEmailAddressIdentityArn=world.arn(),
        Destination={"ToAddresses": [to]},
        Content={
            "Simple": {
                "Subject": {"Data": HOSTILE_SUBJECT},
                "Body": {
                    "Text": {"Data": "plain <b>text</b>"},
                    "Html": {
                        "Data": '<p>Hello</p><script>alert("body")</script>'
                        '<img src="http://tracker.example/pixel.gif">'
                    },
                },
            }
        },
    )["MessageId"]
    for response in (inbox(world, recipient=to), inbox(world, f"/{sent}")):
        assert response.status_code == 200
        assert "<script" not in response.text.lower()
        assert "&lt;script&gt;alert(&quot;subject&quot;)&lt;/script&gt;" in response.text
        assert "it&#x27;s &quot;quoted&quot;" in response.text
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "script-src" not in response.headers["content-security-policy"]
    page = inbox(world, f"/{sent}").text
    frame = re.search(r"<iframe[^>]*>", page)
    assert frame is not None
    assert 'sandbox=""' in frame.group(0)
    assert "allow-" not in frame.group(0)
    assert f'src="/_openses/inbox/{sent}/html"' in frame.group(0)
    assert "plain &lt;b&gt;text&lt;/b&gt;" in page

    part = inbox(world, f"/{sent}/html")
    assert part.status_code == 200
    assert part.headers["content-type"] == "text/html; charset=utf-8"
    assert part.headers["x-content-type-options"] == "nosniff"
    policy = [d.strip() for d in part.headers["content-security-policy"].split(";")]
    assert "default-src 'none'" in policy
    assert "img-src data:" in policy
    assert "sandbox" in policy
    assert not [d for d in policy if d.startswith("script-src")]
    assert "<p>Hello</p>" in part.text  # served as written: the policy keeps it inert


def test_a_raw_send_with_an_encoded_subject_and_an_attachment(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    message = EmailMessage()
    message["From"] = f"App <app@{world.domain}>"
    message["To"] = f"files@{world.domain}"
    message["Subject"] = "=?UTF-8?B?PHNjcmlwdD5hbGVydCgicmF3Iik8L3NjcmlwdD4=?="
    message["X-SES-SOURCE-ARN"] = world.arn()
    message.set_content("see the attachment")
    message.add_attachment(
        b"%PDF-1.4 hostile",
        maintype="application",
        subtype="pdf",
        filename='report"><img src=x onerror=alert(1)>.pdf',
    )
    data = message.as_bytes()
    sent = world.ses(world.delegate).send_raw_email(RawMessage={"Data": data})["MessageId"]
    page = inbox(world, f"/{sent}").text
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "&lt;script&gt;alert(&quot;raw&quot;)&lt;/script&gt;" in page  # decoded, escaped
    assert "report&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.pdf" in page
    assert "application/pdf" in page
    assert "16 bytes" in page
    download = inbox(world, f"/{sent}/attachments/1")
    assert download.status_code == 200
    assert download.content == b"%PDF-1.4 hostile"
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith("attachment; filename=")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert inbox(world, f"/{sent}/attachments/0").status_code == 404  # the text body
    source = inbox(world, f"/{sent}/source")
    assert source.headers["content-type"] == "text/plain; charset=utf-8"
    assert b"see the attachment" in source.content


def test_an_inline_image_shows_in_the_html_part(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    message = EmailMessage()
    message["From"] = f"App <app@{world.domain}>"
    message["To"] = f"images@{world.domain}"
    message["Subject"] = "logo"
    message["X-SES-SOURCE-ARN"] = world.arn()
    message.set_content("see the logo")
    message.add_alternative('<p><img src="cid:logo@app" alt="logo"></p>', subtype="html")
    html_part = message.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)
    html_part.add_related(b"\x89PNG\r\n\x1a\n-pixel", "image", "png", cid="<logo@app>")
    sent = world.ses(world.delegate).send_raw_email(RawMessage={"Data": message.as_bytes()})
    part = inbox(world, f"/{sent['MessageId']}/html")
    assert part.status_code == 200
    assert 'src="data:image/png;base64,iVBORw0KGgotcGl4ZWw="' in part.text
    assert "cid:" not in part.text


def test_a_loopback_request_naming_another_host_is_refused(world: World) -> None:
    url = f"{world.openses.base_url}/_openses/inbox"
    rebound = httpx.get(url, headers={"Host": "attacker.example"})
    assert rebound.status_code == 403
    assert "DNS rebinding" in rebound.text
    assert httpx.get(url, headers={"Host": "localhost"}).status_code == 200


def test_the_json_outbox_routes_have_the_same_host_guard(world: World) -> None:
    url = f"{world.openses.base_url}/_openses/messages"
    for method in ("GET", "DELETE"):
        rebound = httpx.request(method, url, headers={"Host": "attacker.example:8025"})
        assert rebound.status_code == 403, method
        assert "loopback callers" in rebound.json()["error"]
    assert httpx.get(url, headers={"Host": "localhost:8025"}).status_code == 200
    assert httpx.get(url, headers={"Host": "[::1]"}).status_code == 200


def run(openses: Running, work: Coroutine[Any, Any, Any]) -> Any:
    return openses.run(work)


def remote_client(app: Any, base_url: str = "http://inbox.example") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=REMOTE)
    return httpx.AsyncClient(transport=transport, base_url=base_url)


def test_another_machine_without_the_token_is_refused(openses: Running) -> None:
    async def fetch() -> tuple[httpx.Response, httpx.Response]:
        async with remote_client(openses.application.app) as client:
            return await client.get("/_openses/inbox"), await client.get("/_openses/messages")

    page, json_route = run(openses, fetch())
    assert page.status_code == 403
    assert "has no admin token" in page.text
    assert 'name="token"' not in page.text
    assert json_route.status_code == 403  # the JSON outbox answers by the same rule


def token_app(openses: Running) -> Starlette:
    """The ``/_openses`` routes as ``--admin-token inbox-token`` serves them, on the server's
    store."""
    services = openses.application.services
    return Starlette(
        routes=admin_routes(
            identities=services.identities,
            outbox=OutboxService(openses.application.store),
            admin_token="inbox-token",
            clock=lambda: datetime.now(UTC),
            public_url="http://inbox.example",
        )
    )


def test_another_machine_signs_in_with_the_admin_token(openses: Running) -> None:
    app = token_app(openses)
    origin = {"Origin": "http://inbox.example"}

    async def session() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        async with remote_client(app) as client:
            seen["anonymous"] = await client.get("/_openses/inbox")
            bearer = {"Authorization": "Bearer inbox-token"}
            seen["bearer"] = await client.get("/_openses/inbox", headers=bearer)
            form = {"token": "inbox-token"}
            post = client.post
            seen["no-origin"] = await post("/_openses/inbox/session", data=form)
            seen["cross-site"] = await post(
                "/_openses/inbox/session", data=form, headers={"Origin": "http://evil.example"}
            )
            seen["wrong"] = await post(
                "/_openses/inbox/session", data={"token": "guess"}, headers=origin
            )
            seen["json-before"] = await client.get("/_openses/messages")
            seen["signed-in"] = await post("/_openses/inbox/session", data=form, headers=origin)
            seen["after"] = await client.get("/_openses/inbox")
            seen["json-after"] = await client.get("/_openses/messages")
            seen["out"] = await post(
                "/_openses/inbox/session", data={"action": "sign-out"}, headers=origin
            )
            seen["after-out"] = await client.get("/_openses/inbox")
        async with remote_client(app, "https://inbox.example") as client:
            seen["https"] = await client.post(
                "/_openses/inbox/session",
                data={"token": "inbox-token"},
                headers={"Origin": "https://inbox.example"},
            )
        return seen

    seen = run(openses, session())
    assert seen["anonymous"].status_code == 403
    assert 'type="password" name="token"' in seen["anonymous"].text
    assert seen["bearer"].status_code == 200
    for refused in ("no-origin", "cross-site", "wrong", "json-before"):
        assert seen[refused].status_code == 403, refused
        assert "set-cookie" not in seen[refused].headers, refused
    signed_in = seen["signed-in"]
    assert signed_in.status_code == 303
    cookie = signed_in.headers["set-cookie"]
    assert cookie.startswith("openses_inbox=")
    assert "inbox-token" not in cookie
    for flag in ("HttpOnly", "Path=/_openses/inbox", "SameSite=strict"):
        assert flag in cookie, flag
    assert "Secure" not in cookie  # plain HTTP: a Secure cookie would never come back
    assert seen["after"].status_code == 200
    assert "Sign out" in seen["after"].text
    assert seen["json-after"].status_code == 403  # the session opens the pages only
    assert 'openses_inbox=""' in seen["out"].headers["set-cookie"]
    assert seen["after-out"].status_code == 403
    assert "Secure" in seen["https"].headers["set-cookie"]

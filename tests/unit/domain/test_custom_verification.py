"""Custom verification templates: SES's rules for them, and the email built from one."""

from __future__ import annotations

import base64
import email
import email.policy
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest

from openses.domain.custom_verification import (
    ALLOWED_TAGS,
    CONTENT_LIMIT_BYTES,
    CustomVerificationTemplate,
    RefusalKind,
    TemplateChanges,
    custom_verification_message,
    html_problem,
    inline_images,
    template_refusal,
    with_verification_link,
)

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
LINK = "https://openses.example/_openses/verify?token=abc&x=1"
SHOWN_LINK = "https://openses.example/_openses/verify?token=abc&amp;x=1"
PIXEL = base64.b64encode(b"\x89PNG\r\n\x1a\n-tiny-").decode()
TEMPLATE = CustomVerificationTemplate(
    name="Welcome_2",
    from_address="verify@brand.example",
    subject="Please confirm your address",
    content="<html><head></head><body><h1 style='x'>Ready?</h1></body></html>",
    success_url="https://brand.example/verified",
    failure_url="http://brand.example/failed?why=1",
)


# ------------------------------------------------------------------------- the rules


@pytest.mark.parametrize(
    ("changes", "kind", "fragment"),
    [
        ({"name": ""}, RefusalKind.PARAMETER, "must not be empty"),
        ({"name": "bad name"}, RefusalKind.PARAMETER, "1 to 64 letters"),
        ({"name": "n" * 65}, RefusalKind.PARAMETER, "1 to 64 letters"),
        ({"from_address": "Brand <verify@brand.example>"}, RefusalKind.PARAMETER, "display"),
        ({"from_address": "<verify@brand.example>"}, RefusalKind.PARAMETER, "bare address"),
        ({"from_address": "no-at-sign"}, RefusalKind.PARAMETER, "Missing final '@domain'"),
        ({"from_address": "a@" + "b" * 330 + ".example"}, RefusalKind.PARAMETER, "at most 320"),
        ({"subject": "two\r\nlines"}, RefusalKind.PARAMETER, "line breaks"),
        ({"subject": "lone \ud800"}, RefusalKind.PARAMETER, "not valid Unicode"),
        ({"success_url": "/verified"}, RefusalKind.PARAMETER, "SuccessRedirectionURL"),
        ({"failure_url": "javascript:alert(1)"}, RefusalKind.PARAMETER, "FailureRedirectionURL"),
        ({"failure_url": "https://a.example/x y"}, RefusalKind.PARAMETER, "spaces or control"),
        ({"success_url": "https://a.example/\r\nX: y"}, RefusalKind.PARAMETER, "control"),
        ({"success_url": "https://a.example/" + "x" * 2048}, RefusalKind.PARAMETER, "2048"),
        ({"content": "<a href='x'>click</a>"}, RefusalKind.CONTENT, "<a>"),
        ({"content": "<p>x</p><!-- note -->"}, RefusalKind.CONTENT, "comments"),
        ({"content": "<p onclick='x()'>x</p>"}, RefusalKind.CONTENT, "onclick"),
        ({"content": "nul \x00 here"}, RefusalKind.CONTENT, "NUL"),
        ({"content": "x" * CONTENT_LIMIT_BYTES}, RefusalKind.CONTENT, "smaller than"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_templates_breaking_a_rule_are_refused(
    changes: dict[str, Any], kind: RefusalKind, fragment: str
) -> None:
    refusal = template_refusal(replace(TEMPLATE, **changes))
    assert refusal is not None
    assert refusal.kind is kind
    assert fragment in refusal.message


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"subject": "", "content": ""},
        {"subject": "Bestätigen Sie Ihre Adresse ✓"},
        {"content": "plain words, no markup at all"},
        {"content": "x" * (CONTENT_LIMIT_BYTES - 1)},
        {"from_address": "verify+tag@sub.brand.example"},
        {"success_url": "HTTPS://brand.example:8443/a/b?c=d#e"},
    ],
    ids=["example", "empty-parts", "unicode-subject", "text", "just-under-10MB", "plus-label",
         "port-and-fragment"],
)  # fmt: skip
def test_acceptable_templates_pass(changes: dict[str, Any]) -> None:
    assert template_refusal(replace(TEMPLATE, **changes)) is None


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("<!DOCTYPE html><html><body><p>x</p></body></html>", None),
        ("<TABLE SUMMARY='s' WIDTH=3><TR><TD COLSPAN=2 ROWSPAN=1>x</TD></TR></TABLE>", None),
        ("<img src='data:image/png;base64,AAAA' alt='logo' width=10 height=10 align=left>", None),
        ("<ol start=3 type=a><li>x</li></ol><br/><hr>", None),
        ("<blockquote cite='u'><q cite='v'>x</q></blockquote>", None),
        ("<th scope=col abbr=a axis=b>x</th>", None),
        ("<img src='x' onerror='y'>", "The attribute onerror is not allowed on the HTML tag <img>"),
        ("<p src='x'>x</p>", "The attribute src is not allowed on the HTML tag <p>"),
        ("<script>alert(1)</script>", "The HTML tag <script> is not allowed"),
        ("<style>p{}</style>", "The HTML tag <style> is not allowed"),
        ("<head><title>x</title></head>", "The HTML tag <title> is not allowed"),
        ("<p>x</p></a>", "The HTML tag </a> is not allowed"),
        ("<?xml version='1.0'?><p>x</p>", "Processing instructions"),
        ("<![CDATA[x]]>", "CDATA"),
        ("<!ELEMENT x ANY>", "HTML comments and other <!…> markup"),
    ],
    ids=lambda value: str(value)[:30],
)
def test_the_html_allow_list(content: str, problem: str | None) -> None:
    found = html_problem(content)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert found.startswith(problem)


def test_the_allow_list_is_the_documented_table() -> None:
    assert len(ALLOWED_TAGS) == 74
    assert ALLOWED_TAGS["td"] == {
        "abbr", "axis", "class", "colspan", "id", "rowspan", "style", "title", "width"
    }  # fmt: skip
    assert "a" not in ALLOWED_TAGS
    assert "link" not in ALLOWED_TAGS


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (TemplateChanges(), TEMPLATE),
        (TemplateChanges(subject="New"), replace(TEMPLATE, subject="New")),
        (
            TemplateChanges(from_address="a@b.example", success_url="https://b.example/"),
            replace(TEMPLATE, from_address="a@b.example", success_url="https://b.example/"),
        ),
        (TemplateChanges(content=""), replace(TEMPLATE, content="")),
    ],
    ids=["nothing", "subject", "two", "empty-content"],
)
def test_an_update_replaces_what_it_gives(
    changes: TemplateChanges, expected: CustomVerificationTemplate
) -> None:
    assert changes.applied_to(TEMPLATE) == expected


# ------------------------------------------------------------------------- the email


@pytest.mark.parametrize(
    ("content", "before", "after"),
    [
        ("<html><body><p>Hi</p></body></html>", "<html><body><p>Hi</p>", "</body></html>"),
        ("<p>Hi</p></BODY >\n</html>", "<p>Hi</p>", "</BODY >\n</html>"),
        ("<html><p>Hi</p></html>", "<html><p>Hi</p>", "</html>"),
        ("Just text", "Just text", ""),
        ("<body>a</body><body>b</body>", "<body>a</body><body>b", "</body>"),
    ],
    ids=["document", "upper-case-body", "html-only", "fragment", "last-body"],
)
def test_the_link_follows_the_content(content: str, before: str, after: str) -> None:
    result = with_verification_link(content, LINK)
    assert result.startswith(before)
    assert result.endswith(after)
    added = result[len(before) : len(result) - len(after)]
    assert f'<a href="{SHOWN_LINK}">{SHOWN_LINK}</a>' in added
    assert "If you did not ask for this address to be verified" in added


def test_base64_images_become_related_parts() -> None:
    content = (
        f'<img src="data:image/PNG;base64,{PIXEL}"><img src=\'data:image/gif;base64,'
        f"{PIXEL[:8]}\n{PIXEL[8:]}' alt=x><img src='data:image/png;base64,@@not base64@@'>"
        "<img src='https://brand.example/logo.png'>"
    )
    rewritten, images = inline_images(content, "01abc-def-000000")
    assert [(i.content_id, i.subtype) for i in images] == [
        ("image1.01abc-def-000000@openses", "png"),
        ("image2.01abc-def-000000@openses", "gif"),
    ]
    assert all(i.data == b"\x89PNG\r\n\x1a\n-tiny-" for i in images)
    assert rewritten == (
        '<img src="cid:image1.01abc-def-000000@openses">'
        "<img src='cid:image2.01abc-def-000000@openses' alt=x>"
        "<img src='data:image/png;base64,@@not base64@@'>"
        "<img src='https://brand.example/logo.png'>"
    )


def _parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_the_email_is_the_template_with_the_link() -> None:
    template = replace(TEMPLATE, subject="Bitte bestätigen ✓")
    raw = custom_verification_message(
        template=template,
        address="customer@shop.example",
        link=LINK,
        message_id_value="0100000000000001-uuid-000000",
        region="eu-west-1",
        now=NOW,
    )
    message = _parsed(raw)
    assert message["From"] == "verify@brand.example"
    assert message["To"] == "customer@shop.example"
    assert message["Subject"] == "Bitte bestätigen ✓"
    assert message["Date"] == "Tue, 24 Nov 2026 09:30:00 +0000"
    assert message["Message-ID"] == "<0100000000000001-uuid-000000@eu-west-1.amazonses.com>"
    assert message.get_content_type() == "text/html"
    html = message.get_content()
    assert html.startswith("<html><head></head><body><h1 style='x'>Ready?</h1><p>")
    assert html.endswith("</p></body></html>\n")
    assert SHOWN_LINK in html


def test_an_email_with_embedded_images_is_multipart_related() -> None:
    template = replace(TEMPLATE, content=f"<p><img src='data:image/png;base64,{PIXEL}'></p>")
    raw = custom_verification_message(
        template=template,
        address="customer@shop.example",
        link=LINK,
        message_id_value="01-x-000000",
        region="us-east-1",
        now=NOW,
    )
    message = _parsed(raw)
    assert message.get_content_type() == "multipart/related"
    html_part, image = list(message.iter_parts())
    assert "cid:image1.01-x-000000@openses" in html_part.get_content()
    assert image.get_content_type() == "image/png"
    assert image["Content-ID"] == "<image1.01-x-000000@openses>"
    assert image.get_content() == b"\x89PNG\r\n\x1a\n-tiny-"

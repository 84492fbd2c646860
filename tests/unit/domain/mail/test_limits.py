"""SES's message size, recipient count and header limits."""

from __future__ import annotations

import pytest

from openses.domain.mail import (
    DISALLOWED_CUSTOM_HEADERS,
    SINGLE_INSTANCE_HEADERS,
    SMTP_MAX_MESSAGE_BYTES,
    V1_MAX_MESSAGE_BYTES,
    V2_MAX_MESSAGE_BYTES,
    RawMessage,
    custom_header_problem,
    custom_headers_problem,
    duplicate_header_problem,
    message_size_problem,
    recipient_count_problem,
)


def test_limits_in_bytes() -> None:
    assert V1_MAX_MESSAGE_BYTES == 10_485_760
    assert V2_MAX_MESSAGE_BYTES == SMTP_MAX_MESSAGE_BYTES == 41_943_040


@pytest.mark.parametrize(
    ("size", "limit", "problem"),
    [
        (0, V1_MAX_MESSAGE_BYTES, None),
        (V1_MAX_MESSAGE_BYTES, V1_MAX_MESSAGE_BYTES, None),
        (
            V1_MAX_MESSAGE_BYTES + 1,
            V1_MAX_MESSAGE_BYTES,
            "Message length exceeds the limit of 10485760 bytes: 10485761 bytes.",
        ),
        (V1_MAX_MESSAGE_BYTES + 1, V2_MAX_MESSAGE_BYTES, None),
        (
            V2_MAX_MESSAGE_BYTES + 1,
            V2_MAX_MESSAGE_BYTES,
            "Message length exceeds the limit of 41943040 bytes: 41943041 bytes.",
        ),
    ],
)
def test_message_size_problem(size: int, limit: int, problem: str | None) -> None:
    assert message_size_problem(size, limit) == problem


@pytest.mark.parametrize(
    ("count", "problem"),
    [
        (0, "Missing required header 'To'."),
        (1, None),
        (50, None),
        (51, "Recipient count exceeds 50."),
        (500, "Recipient count exceeds 50."),
    ],
)
def test_recipient_count_problem(count: int, problem: str | None) -> None:
    assert recipient_count_problem(count) == problem


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"From: a@x.com\r\nTo: b@x.com\r\nTo: c@x.com\r\n\r\n", None),
        (b"X-A: 1\r\nX-A: 2\r\nReceived: a\r\nReceived: b\r\n\r\n", None),
        (
            b"Content-Type: text/plain\r\nFrom: a@x.com\r\ncontent-type: text/html\r\n\r\n",
            "Duplicate header 'content-type'.",
        ),
        (b"Subject: a\r\nSubject: b\r\nFrom: a\r\nFrom: b\r\n\r\n", "Duplicate header 'Subject'."),
        (b"acceptLanguage: a\r\nACCEPTLANGUAGE: b\r\n\r\n", "Duplicate header 'ACCEPTLANGUAGE'."),
    ],
)
def test_duplicate_header_problem(data: bytes, problem: str | None) -> None:
    assert duplicate_header_problem(RawMessage.parse(data)) == problem


def test_single_instance_list_is_the_guides() -> None:
    assert len(SINGLE_INSTANCE_HEADERS) == 60
    assert {"From", "Message-ID", "Reply-To", "List-Unsubscribe-Post"} <= set(
        SINGLE_INSTANCE_HEADERS
    )
    assert "To" not in SINGLE_INSTANCE_HEADERS


NAME_PROBLEM = (
    "Invalid header name '{}': it must be 1 to 126 printable ASCII characters other than ':'."
)
VALUE_PROBLEM = "Invalid value for header '{}': it must be 1 to 995 printable ASCII characters."


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("X-Campaign", "spring sale", None),
        ("List-Unsubscribe", "<https://example.com/u?id=1>", None),
        ("x" * 126, "v", None),
        ("X", "v" * 995, None),
        ("X" * 100, "v" * 896, None),
        ("!#~", " leading and trailing spaces ", None),
        ("", "v", NAME_PROBLEM.format("")),
        ("x" * 127, "v", NAME_PROBLEM.format("x" * 127)),
        ("X Space", "v", NAME_PROBLEM.format("X Space")),
        ("X:Colon", "v", NAME_PROBLEM.format("X:Colon")),
        ("X-Ünï", "v", NAME_PROBLEM.format("X-Ünï")),
        ("X-Tab\t", "v", NAME_PROBLEM.format("X-Tab\t")),
        ("X", "", VALUE_PROBLEM.format("X")),
        ("X", "v" * 996, VALUE_PROBLEM.format("X")),
        ("X", "line\r\nBcc: x@y", VALUE_PROBLEM.format("X")),
        ("X", "tab\there", VALUE_PROBLEM.format("X")),
        ("X", "café", VALUE_PROBLEM.format("X")),
        (
            "X" * 100,
            "v" * 897,
            f"Header '{'X' * 100}' is too long: name and value together exceed 996 characters.",
        ),
        ("From", "x@y", "Header 'From' is set by SES and cannot be given as a custom header."),
        ("bcc", "x@y", "Header 'bcc' is set by SES and cannot be given as a custom header."),
        (
            "mime-version",
            "1.0",
            "Header 'mime-version' is set by SES and cannot be given as a custom header.",
        ),
    ],
)
def test_custom_header_problem(name: str, value: str, problem: str | None) -> None:
    assert custom_header_problem(name, value) == problem


@pytest.mark.parametrize("name", DISALLOWED_CUSTOM_HEADERS)
def test_every_disallowed_header_is_refused(name: str) -> None:
    assert custom_header_problem(name, "v") == (
        f"Header '{name}' is set by SES and cannot be given as a custom header."
    )


def test_custom_headers_problem() -> None:
    fifteen = [(f"X-H{i}", "v") for i in range(15)]
    assert custom_headers_problem([]) is None
    assert custom_headers_problem(fifteen) is None
    assert custom_headers_problem([*fifteen, ("X-H15", "v")]) == (
        "Too many custom headers: 16, the limit is 15."
    )
    assert custom_headers_problem([("X-Ok", "v"), ("Subject", "s"), ("Bad Name", "v")]) == (
        "Header 'Subject' is set by SES and cannot be given as a custom header."
    )

"""SigV4 verification against requests signed by botocore, and against published AWS examples."""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import quote, urlsplit

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest
from botocore.credentials import Credentials
from hypothesis import given, settings
from hypothesis import strategies as st

from openses.domain.sigv4 import (
    IncompleteSignature,
    InvalidClientTokenId,
    MissingAuthenticationToken,
    ReceivedRequest,
    RequestTimeTooSkewed,
    SignatureDoesNotMatch,
    SignatureError,
    canonical_query,
    canonical_uri,
    check_scope,
    parse_authorization,
    signing_key,
    signing_key_cache,
    verify,
)

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SIGNED_AT = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
ENDPOINT = "http://127.0.0.1:8999"


# ------------------------------------------------------------------ signing with botocore


@contextmanager
def botocore_clock(at: datetime) -> Iterator[None]:
    """SigV4Auth.add_auth reads the time through botocore.auth.get_current_datetime (naive UTC)."""
    naive = at.astimezone(UTC).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=naive):
        yield


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _received(
    method: str, url: str, headers: Sequence[tuple[str, str | bytes]], body: bytes
) -> ReceivedRequest:
    """What a server sees: the HTTP client adds Host (with a non-default port) and a length."""
    parts = urlsplit(url)
    wire = [("Host", parts.netloc), *((name, _text(value)) for name, value in headers)]
    if body and not any(name.lower() == "content-length" for name, _ in wire):
        wire.append(("Content-Length", str(len(body))))
    return ReceivedRequest(method, parts.path, parts.query, tuple(wire), body)


def sign(
    method: str,
    url: str,
    *,
    body: bytes = b"",
    headers: Sequence[tuple[str, str]] = (),
    token: str | None = None,
    region: str = "us-east-1",
    service: str = "ses",
    at: datetime = SIGNED_AT,
    context: dict[str, Any] | None = None,
) -> ReceivedRequest:
    request = AWSRequest(method=method, url=url, data=body)
    request.context.update(context or {})
    for name, value in headers:
        request.headers[name] = value  # HTTPHeaders appends, so repeats are kept in order
    with botocore_clock(at):
        SigV4Auth(Credentials(AKID, SECRET, token), service, region).add_auth(request)
    return _received(method, url, list(request.headers.items()), body)


class _Captured(Exception):
    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__("captured")
        self.request = request


def _capture(request: AWSPreparedRequest, **_: Any) -> None:
    raise _Captured(request)


@functools.cache
def _client(service: str) -> Any:
    session = boto3.session.Session(
        aws_access_key_id=AKID, aws_secret_access_key=SECRET, region_name="us-east-1"
    )
    client = session.client(service, endpoint_url=ENDPOINT)
    client.meta.events.register("before-send", _capture)
    return client


def call(service: str, operation: str, **params: Any) -> ReceivedRequest:
    """The request a real boto3 client sends for ``operation``, captured before the network."""
    with botocore_clock(SIGNED_AT), pytest.raises(_Captured) as captured:
        getattr(_client(service), operation)(**params)
    sent = captured.value.request
    raw = sent.body
    body = raw.encode("utf-8") if isinstance(raw, str) else (raw or b"")
    return _received(sent.method, sent.url, list(sent.headers.items()), body)


def with_header(request: ReceivedRequest, name: str, value: str) -> ReceivedRequest:
    kept = tuple((k, v) for k, v in request.headers if k.lower() != name.lower())
    return replace(request, headers=(*kept, (name, value)))


def header(request: ReceivedRequest, name: str) -> str:
    return next(v for k, v in request.headers if k.lower() == name.lower())


def rejected(
    request: ReceivedRequest, error: type[SignatureError], **kwargs: Any
) -> SignatureError:
    with pytest.raises(error) as raised:
        verify(request, kwargs.pop("secret", SECRET), kwargs.pop("now", SIGNED_AT), **kwargs)
    assert type(raised.value) is error
    return raised.value


# ------------------------------------------------------------------ real SES requests


def test_ses_v1_query_post_with_utf8_body() -> None:
    request = call(
        "ses",
        "send_email",
        Source="sender@example.com",
        Destination={"ToAddresses": ["to@example.com"]},
        Message={"Subject": {"Data": "Grüße ☃ & more"}, "Body": {"Text": {"Data": "héllo"}}},
    )
    assert request.method == "POST"
    assert b"Gr%C3%BC%C3%9Fe" in request.body
    info = parse_authorization(request.headers)
    assert info.signed_headers == ("content-type", "host", "x-amz-date")
    assert (info.access_key_id, info.region, info.service) == (AKID, "us-east-1", "ses")
    assert info.request_time == SIGNED_AT
    verify(request, SECRET, SIGNED_AT)
    verify(request, SECRET, SIGNED_AT, info=info)
    check_scope(info, region="us-east-1", service="ses")


def test_sesv2_rest_json_post() -> None:
    request = call(
        "sesv2",
        "send_email",
        FromEmailAddress="sender@example.com",
        Destination={"ToAddresses": ["to@example.com"]},
        Content={"Simple": {"Subject": {"Data": "Hi ü"}, "Body": {"Text": {"Data": "x"}}}},
    )
    assert (request.method, request.path) == ("POST", "/v2/email/outbound-emails")
    assert request.body.startswith(b"{")
    verify(request, SECRET, SIGNED_AT)
    rejected(replace(request, body=request.body.replace(b"Hi", b"Yo")), SignatureDoesNotMatch)


def test_sesv2_get_with_awkward_query() -> None:
    request = call("sesv2", "list_email_templates", NextToken="a b/c+d=ü", PageSize=5)
    assert request.query == "NextToken=a%20b%2Fc%2Bd%3D%C3%BC&PageSize=5"
    verify(request, SECRET, SIGNED_AT)
    other_page = "NextToken=a%20b%2Fc%2Bd%3D%C3%BC&PageSize=6"
    rejected(replace(request, query=other_page), SignatureDoesNotMatch)


def test_query_with_blank_values_and_a_bare_key() -> None:
    url = ENDPOINT + "/v2/email/templates?Zeta=&flag&A%20b=%2B%3D%2F&A%20b=&%C3%BC=%E2%98%83"
    request = sign("GET", url)
    verify(request, SECRET, SIGNED_AT)
    expected = "%C3%BC=%E2%98%83&A%20b=&A%20b=%2B%3D%2F&Zeta=&flag="  # "%" sorts before "A"
    assert canonical_query(request.query) == expected


def test_sesv2_path_with_plus_at_and_non_ascii() -> None:
    request = call("sesv2", "get_email_identity", EmailIdentity="user+tag@exämple.com")
    assert request.path == "/v2/email/identities/user%2Btag%40ex%C3%A4mple.com"
    twice = "/v2/email/identities/user%252Btag%2540ex%25C3%25A4mple.com"
    assert canonical_uri(request.path) == twice
    verify(request, SECRET, SIGNED_AT)
    tampered = replace(request, path="/v2/email/identities/user%2Btag%40example.com")
    rejected(tampered, SignatureDoesNotMatch)


def test_non_default_port_is_part_of_the_signed_host() -> None:
    request = sign("POST", "http://mail.example.test:8443/", body=b"Action=GetSendQuota")
    assert header(request, "host") == "mail.example.test:8443"
    verify(request, SECRET, SIGNED_AT)
    rejected(with_header(request, "Host", "mail.example.test"), SignatureDoesNotMatch)
    rejected(with_header(request, "Host", "mail.example.test:8443:8443"), SignatureDoesNotMatch)


def test_default_port_is_left_out_of_host() -> None:
    request = sign("GET", "https://email.us-east-1.amazonaws.com/v2/email/account")
    assert header(request, "host") == "email.us-east-1.amazonaws.com"
    verify(request, SECRET, SIGNED_AT)


def test_repeated_headers_join_in_arrival_order() -> None:
    request = sign("GET", ENDPOINT + "/", headers=[("X-Thing", "one"), ("X-Thing", "two")])
    assert "x-thing" in parse_authorization(request.headers).signed_headers
    verify(request, SECRET, SIGNED_AT)
    swapped = tuple(
        (k, {"one": "two", "two": "one"}[v] if k == "X-Thing" else v) for k, v in request.headers
    )
    rejected(replace(request, headers=swapped), SignatureDoesNotMatch)


def test_header_whitespace_is_trimmed_and_collapsed() -> None:
    request = sign("GET", ENDPOINT + "/", headers=[("X-Spaced", "  a   b \t c  ")])
    verify(request, SECRET, SIGNED_AT)
    verify(with_header(request, "X-Spaced", "a b c"), SECRET, SIGNED_AT)
    rejected(with_header(request, "X-Spaced", "abc"), SignatureDoesNotMatch)


def test_unsigned_headers_may_change() -> None:
    request = sign("GET", ENDPOINT + "/")
    verify(with_header(request, "User-Agent", "anything"), SECRET, SIGNED_AT)


def test_security_token_is_signed() -> None:
    request = sign("GET", ENDPOINT + "/", token="session-token/xyz==")
    info = parse_authorization(request.headers)
    assert "x-amz-security-token" in info.signed_headers
    assert info.security_token == "session-token/xyz=="
    verify(request, SECRET, SIGNED_AT)
    rejected(with_header(request, "X-Amz-Security-Token", "other"), SignatureDoesNotMatch)


def test_date_header_instead_of_x_amz_date() -> None:
    request = sign("GET", ENDPOINT + "/", headers=[("Date", "Mon, 01 Jan 2001 00:00:00 GMT")])
    assert not any(name.lower() == "x-amz-date" for name, _ in request.headers)
    info = parse_authorization(request.headers)
    assert info.amz_date == "20260101T120000Z"
    verify(request, SECRET, SIGNED_AT)


@pytest.fixture
def new_york_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("new_york_local_time")
@pytest.mark.parametrize(
    "date",
    [
        "Thu, 01 Jan 2026 12:00:00 -0000",
        "Thu, 01 Jan 2026 12:00:00 GMT",
        "Thu, 01 Jan 2026 07:00:00 -0500",
    ],
)
def test_http_dates_are_read_as_utc_whatever_the_local_zone(date: str) -> None:
    headers = (("Date", date), ("Authorization", GOOD_AUTH))
    assert parse_authorization(headers).amz_date == "20260101T120000Z"


def test_signed_content_sha256_must_match_the_body() -> None:
    body = b'{"a": 1}'
    digest = hashlib.sha256(body).hexdigest()
    request = sign("POST", ENDPOINT + "/", body=body, headers=[("X-Amz-Content-SHA256", digest)])
    verify(request, SECRET, SIGNED_AT)
    error = rejected(replace(request, body=b'{"a": 2}'), SignatureDoesNotMatch)
    assert "x-amz-content-sha256" in error.message


def test_unsigned_payload_is_allowed_only_when_enabled() -> None:
    request = sign(
        "POST",
        "https://email.us-east-1.amazonaws.com/",
        body=b"anything",
        context={"payload_signing_enabled": False},
    )
    assert header(request, "x-amz-content-sha256") == "UNSIGNED-PAYLOAD"
    verify(request, SECRET, SIGNED_AT)
    verify(replace(request, body=b"other"), SECRET, SIGNED_AT)
    rejected(request, SignatureDoesNotMatch, allow_unsigned_payload=False)


def test_signing_key_cache_gives_the_same_keys() -> None:
    cache = signing_key_cache(max_entries=2)
    request = sign("GET", ENDPOINT + "/")
    verify(request, SECRET, SIGNED_AT, derive_key=cache)
    verify(request, SECRET, SIGNED_AT, derive_key=cache)
    rejected(request, SignatureDoesNotMatch, secret="wrong", derive_key=cache)
    for region in ("a", "b", "c", "a"):
        expected = signing_key(SECRET, "20260101", region, "ses")
        assert cache(SECRET, "20260101", region, "ses") == expected


# ------------------------------------------------------------------ published AWS examples

AWS_DOC_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
AWS_DOC_TIME = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)


def test_signing_key_matches_the_aws_documentation_examples() -> None:
    assert (
        signing_key(AWS_DOC_SECRET, "20120215", "us-east-1", "iam").hex()
        == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
    )
    assert (
        signing_key(AWS_DOC_SECRET, "20150830", "us-east-1", "iam").hex()
        == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
    )


@pytest.mark.parametrize(
    ("host", "query", "extra", "authorization"),
    [
        pytest.param(
            "iam.amazonaws.com",
            "Action=ListUsers&Version=2010-05-08",
            (("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            id="iam-list-users",
        ),
        pytest.param(
            "example.amazonaws.com",
            "",
            (),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            id="testsuite-get-vanilla",
        ),
    ],
)
def test_published_examples_verify(
    host: str, query: str, extra: tuple[tuple[str, str], ...], authorization: str
) -> None:
    headers = (
        ("Host", host),
        *extra,
        ("X-Amz-Date", "20150830T123600Z"),
        ("Authorization", authorization),
    )
    request = ReceivedRequest("GET", "/", query, headers)
    verify(request, AWS_DOC_SECRET, AWS_DOC_TIME)
    rejected(request, SignatureDoesNotMatch, secret=SECRET[:-1] + "X", now=AWS_DOC_TIME)


def _run_aws4_testsuite(suite: Path) -> tuple[int, list[str]]:
    """Verify each ``<case>.req`` with its ``<case>.authz``; the cases' own dates are "now"."""
    checked, failures = 0, []
    for req in sorted(suite.rglob("*.req")):
        authz = req.with_suffix(".authz")
        lines = req.read_text("utf-8").split("\n")
        if not authz.exists() or any(line[:1] in (" ", "\t") for line in lines[1:]):
            continue  # folded (multi-line) header values need a real HTTP parser
        method, target, _ = lines[0].rsplit(" ", 2)
        blank = lines.index("") if "" in lines else len(lines)
        fields = [line.partition(":") for line in lines[1:blank]]
        headers = ((name, value) for name, _, value in fields)
        authorization = ("Authorization", authz.read_text("utf-8").strip())
        body = "\n".join(lines[blank + 1 :]).encode("utf-8")
        path, _, query = target.partition("?")
        request = ReceivedRequest(method, path, query, (*headers, authorization), body)
        try:
            now = parse_authorization(request.headers).request_time
            verify(request, AWS_DOC_SECRET, now)
        except SignatureError as error:
            failures.append(f"{req.stem}: {error.code}: {error.message}")
        checked += 1
    return checked, failures


def test_aws4_testsuite_reader_on_known_cases(tmp_path: Path) -> None:
    """The reader above, fed two published cases written in the suite's file layout."""
    cases = {
        "get-vanilla": (
            "GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n",
            "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
        "iam-list-users": (
            "GET /?Action=ListUsers&Version=2010-05-08 HTTP/1.1\nHost:iam.amazonaws.com\n"
            "Content-Type:application/x-www-form-urlencoded; charset=utf-8\n"
            "X-Amz-Date:20150830T123600Z\n",
            "Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        ),
    }
    for name, (req, authz) in cases.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.req").write_text(req, "utf-8")
        (tmp_path / name / f"{name}.authz").write_text(f"AWS4-HMAC-SHA256 {authz}\n", "utf-8")
    assert _run_aws4_testsuite(tmp_path) == (2, [])
    vanilla = tmp_path / "get-vanilla" / "get-vanilla.req"
    vanilla.write_text(vanilla.read_text("utf-8").replace("GET / ", "GET /x "), "utf-8")
    checked, failures = _run_aws4_testsuite(tmp_path)
    assert checked == 2
    assert [failure.split(":")[0] for failure in failures] == ["get-vanilla"]


# ------------------------------------------------------------------ rejections


def test_tampered_body_path_query_and_secret_are_rejected() -> None:
    request = sign("POST", ENDPOINT + "/v2/x?a=1", body=b"Action=SendEmail&Source=a%40b.com")
    verify(request, SECRET, SIGNED_AT)
    rejected(replace(request, body=request.body + b"&x=1"), SignatureDoesNotMatch)
    rejected(replace(request, path="/v2/y"), SignatureDoesNotMatch)
    rejected(replace(request, query="a=2"), SignatureDoesNotMatch)
    rejected(replace(request, method="PUT"), SignatureDoesNotMatch)
    rejected(request, SignatureDoesNotMatch, secret=SECRET + "x")


def test_clock_skew_window_is_five_minutes_each_way() -> None:
    request = sign("GET", ENDPOINT + "/")
    for offset in (timedelta(minutes=4, seconds=59), timedelta(minutes=5)):
        verify(request, SECRET, SIGNED_AT + offset)
        verify(request, SECRET, SIGNED_AT - offset)
    late = rejected(request, RequestTimeTooSkewed, now=SIGNED_AT + timedelta(minutes=5, seconds=1))
    assert late.message == (
        "Signature expired: 20260101T120000Z is now earlier than 20260101T120001Z "
        "(20260101T120501Z - 5 min.)"
    )
    early = rejected(request, RequestTimeTooSkewed, now=SIGNED_AT - timedelta(minutes=5, seconds=1))
    assert early.message.startswith("Signature not yet current: 20260101T120000Z is still later")


def test_clock_in_another_zone_and_naive_clock() -> None:
    request = sign("GET", ENDPOINT + "/")
    verify(request, SECRET, SIGNED_AT.astimezone(timezone(timedelta(hours=-5))))
    with pytest.raises(ValueError, match="timezone-aware"):
        verify(request, SECRET, SIGNED_AT.replace(tzinfo=None))


def test_scope_date_must_match_the_request_date() -> None:
    request = sign("GET", ENDPOINT + "/")
    authorization = header(request, "authorization").replace("/20260101/", "/20260102/")
    error = rejected(with_header(request, "Authorization", authorization), IncompleteSignature)
    assert "Date in Credential scope does not match" in error.message


def test_host_must_be_signed() -> None:
    request = sign("GET", ENDPOINT + "/")
    authorization = header(request, "authorization").replace("host;x-amz-date", "x-amz-date")
    error = rejected(with_header(request, "Authorization", authorization), IncompleteSignature)
    assert "'Host' or ':authority' must be a 'SignedHeader'" in error.message


def test_check_scope_rejects_another_region_or_service() -> None:
    info = parse_authorization(sign("GET", ENDPOINT + "/", region="eu-west-1").headers)
    check_scope(info, region="eu-west-1", service="ses")
    with pytest.raises(SignatureDoesNotMatch, match="valid region, not 'eu-west-1'"):
        check_scope(info, region="us-east-1", service="ses")
    with pytest.raises(SignatureDoesNotMatch, match="correct service: 'email'"):
        check_scope(info, region="eu-west-1", service="email")


GOOD_AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ses/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=" + "ab" * 32
)
GOOD_HEADERS = (("Host", "h"), ("X-Amz-Date", "20260101T120000Z"))


@pytest.mark.parametrize(
    ("headers", "error", "fragment"),
    [
        pytest.param(GOOD_HEADERS, MissingAuthenticationToken, "missing Authentication", id="none"),
        pytest.param(
            (*GOOD_HEADERS, ("Authorization", GOOD_AUTH.replace("SHA256", "SHA1"))),
            IncompleteSignature,
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'",
            id="algorithm",
        ),
        pytest.param(
            (*GOOD_HEADERS, ("Authorization", "Bearer abc")),
            IncompleteSignature,
            "Unsupported AWS 'algorithm'",
            id="bearer",
        ),
        pytest.param(
            (*GOOD_HEADERS, ("Authorization", "AWS4-HMAC-SHA256")),
            IncompleteSignature,
            "requires 'Credential' parameter. Authorization header requires 'SignedHeaders'",
            id="bare-algorithm",
        ),
        pytest.param(
            (*GOOD_HEADERS, ("Authorization", GOOD_AUTH.partition(", Signature")[0])),
            IncompleteSignature,
            "requires 'Signature' parameter",
            id="no-signature",
        ),
        pytest.param(
            (*GOOD_HEADERS, ("Authorization", GOOD_AUTH.replace("SignedHeaders=", "Signed="))),
            IncompleteSignature,
            "'Signed=host;x-amz-date' is not a valid key=value pair",
            id="unknown-parameter",
        ),
        pytest.param(
            (*GOOD_HEADERS, ("Authorization", GOOD_AUTH.replace("SignedHeaders", "Signature"))),
            IncompleteSignature,
            "repeated",
            id="repeated-parameter",
        ),
        pytest.param(
            (*GOOD_HEADERS, ("Authorization", GOOD_AUTH.replace(", Signed", " Signed"))),
            IncompleteSignature,
            "requires 'SignedHeaders' parameter",
            id="missing-comma",
        ),
        pytest.param(
            (*GOOD_HEADERS, ("Authorization", GOOD_AUTH.replace("AKID/", ""))),
            IncompleteSignature,
            "is not of the form",
            id="short-credential",
        ),
        pytest.param(
            (*GOOD_HEADERS, ("Authorization", GOOD_AUTH.replace("AKID/", "/"))),
            IncompleteSignature,
            "is not of the form",
            id="empty-access-key",
        ),
        pytest.param(
            (*GOOD_HEADERS, ("Authorization", GOOD_AUTH.replace("aws4_request", "aws5_request"))),
            IncompleteSignature,
            "valid terminator: 'aws4_request', not 'aws5_request'",
            id="terminator",
        ),
        pytest.param(
            (*GOOD_HEADERS, ("Authorization", GOOD_AUTH.replace("host;", "host;;"))),
            IncompleteSignature,
            "SignedHeaders must be",
            id="empty-signed-header",
        ),
        pytest.param(
            (*GOOD_HEADERS, ("Authorization", GOOD_AUTH.replace("ab" * 32, "zz" * 32))),
            IncompleteSignature,
            "64 hexadecimal",
            id="signature-not-hex",
        ),
        pytest.param(
            (*GOOD_HEADERS, ("Authorization", GOOD_AUTH.replace("ab" * 32, "ab"))),
            IncompleteSignature,
            "64 hexadecimal",
            id="signature-short",
        ),
        pytest.param(
            (("Host", "h"), ("Authorization", GOOD_AUTH)),
            IncompleteSignature,
            "either a 'X-Amz-Date' or a 'Date' header",
            id="no-date",
        ),
        pytest.param(
            (("Host", "h"), ("X-Amz-Date", "2026-01-01T12:00:00Z"), ("Authorization", GOOD_AUTH)),
            IncompleteSignature,
            "either a 'X-Amz-Date' or a 'Date' header",
            id="iso-extended-date",
        ),
        pytest.param(
            (("Host", "h"), ("X-Amz-Date", "20261301T120000Z"), ("Authorization", GOOD_AUTH)),
            IncompleteSignature,
            "either a 'X-Amz-Date' or a 'Date' header",
            id="month-13",
        ),
        pytest.param(
            (("Host", "h"), ("Date", "yesterday"), ("Authorization", GOOD_AUTH)),
            IncompleteSignature,
            "either a 'X-Amz-Date' or a 'Date' header",
            id="bad-http-date",
        ),
        pytest.param(
            (*GOOD_HEADERS, ("Authorization", GOOD_AUTH), ("Authorization", GOOD_AUTH)),
            IncompleteSignature,
            "Only one Authorization header",
            id="two-headers",
        ),
    ],
)
def test_malformed_authorization(
    headers: tuple[tuple[str, str], ...], error: type[SignatureError], fragment: str
) -> None:
    with pytest.raises(error) as raised:
        parse_authorization(headers)
    assert type(raised.value) is error
    assert fragment in raised.value.message
    with pytest.raises(error):
        verify(ReceivedRequest("GET", "/", "", headers), SECRET, SIGNED_AT)


def test_well_formed_authorization_parses() -> None:
    info = parse_authorization((*GOOD_HEADERS, ("authorization", GOOD_AUTH)))
    assert info.credential_scope == "20260101/us-east-1/ses/aws4_request"
    assert info.signature == "ab" * 32
    assert info.security_token is None


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (MissingAuthenticationToken, "MissingAuthenticationToken", 403),
        (IncompleteSignature, "IncompleteSignature", 400),
        (InvalidClientTokenId, "InvalidClientTokenId", 403),
        (SignatureDoesNotMatch, "SignatureDoesNotMatch", 403),
        (RequestTimeTooSkewed, "RequestTimeTooSkewed", 403),
    ],
)
def test_error_codes(error: type[SignatureError], code: str, status: int) -> None:
    instance = error()
    assert isinstance(instance, SignatureError)
    assert (instance.code, instance.status) == (code, status)
    assert str(instance) == instance.message == error.default_message


def test_signature_does_not_match_message_is_aws_text() -> None:
    assert SignatureDoesNotMatch().message == (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. "
        "Consult the service documentation for details."
    )


# ------------------------------------------------------------------ canonical forms


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", "/"),
        ("/", "/"),
        ("/a/./b/../c//d/", "/a/c/d/"),
        ("/../..", "/"),
        ("/user%40example.com", "/user%2540example.com"),
        ("/a%2Fb", "/a%252Fb"),
        ("/ሴ", "/%E1%88%B4"),
        ("/~tilde_-.", "/~tilde_-."),
        ("/a b", "/a%20b"),
    ],
)
def test_canonical_uri(path: str, expected: str) -> None:
    assert canonical_uri(path) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ""),
        ("b=2&a=1&a=0", "a=0&a=1&b=2"),
        ("a+b=c+d", "a%20b=c%20d"),
        ("k=%7e%2b%2F", "k=~%2B%2F"),
        ("X-Amz-Signature=abc&a=", "a="),
        ("&&flag&", "flag="),
        ("k=%FF", "k=%FF"),
        ("k=ü", "k=%C3%BC"),
    ],
)
def test_canonical_query(query: str, expected: str) -> None:
    assert canonical_query(query) == expected


# ------------------------------------------------------------------ properties

_segment = st.one_of(st.sampled_from(["", ".", "..", "a b", "%"]), st.text(max_size=10))
_paths = st.lists(_segment, max_size=5).map(lambda s: "/" + "/".join(quote(x, safe="") for x in s))
_params = st.lists(st.tuples(st.text(min_size=1, max_size=8), st.text(max_size=8)), max_size=5)
_queries = _params.map(
    lambda pairs: "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in pairs)
)
_header_values = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)


@settings(max_examples=200, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]),
    path=_paths,
    query=_queries,
    body=st.binary(max_size=200),
    extra=_header_values,
    data=st.data(),
)
def test_botocore_signed_requests_verify(
    *, method: str, path: str, query: str, body: bytes, extra: str, data: st.DataObject
) -> None:
    url = "https://email.us-east-1.amazonaws.com" + path + ("?" + query if query else "")
    request = sign(method, url, body=body, headers=[("X-Extra", extra)])
    verify(request, SECRET, SIGNED_AT)
    if body:
        index = data.draw(st.integers(0, len(body) - 1), label="index")
        mask = data.draw(st.integers(1, 255), label="mask")
        flipped = bytearray(body)
        flipped[index] ^= mask
        rejected(replace(request, body=bytes(flipped)), SignatureDoesNotMatch)

"""Failures without a reply (DNS, TCP, TLS, protocol, ours) as SES reports them."""

from __future__ import annotations

import pytest

from openses.domain.delivery import (
    BounceSubType,
    BounceType,
    ConnectionFailure,
    DelayType,
    Disposition,
    FailureKind,
    classify_failure,
)

TCF = DelayType.TRANSIENT_COMMUNICATION_FAILURE


@pytest.mark.parametrize(
    ("kind", "wire", "disposition", "delay_type"),
    [
        (
            FailureKind.NO_SUCH_DOMAIN,
            "550 5.1.2 Domain example.invalid does not exist",
            Disposition.FAILED,
            None,
        ),
        (FailureKind.NULL_MX, "556 5.1.10 Recipient address has null MX", Disposition.FAILED, None),
        (
            FailureKind.DNS_FAILURE,
            "421 4.4.0 Unable to lookup DNS for example.invalid",
            Disposition.DEFERRED,
            TCF,
        ),
        (
            FailureKind.CONNECTION_REFUSED,
            "421 4.4.1 Failed to establish connection",
            Disposition.DEFERRED,
            TCF,
        ),
        (
            FailureKind.CONNECTION_TIMEOUT,
            "421 4.4.2 Connection timed out",
            Disposition.DEFERRED,
            TCF,
        ),
        (
            FailureKind.CONNECTION_LOST,
            "421 4.4.2 Connection closed unexpectedly",
            Disposition.DEFERRED,
            TCF,
        ),
        (
            FailureKind.NETWORK_UNREACHABLE,
            "421 4.4.1 Unable to connect to remote host",
            Disposition.DEFERRED,
            TCF,
        ),
        (FailureKind.TLS_FAILURE, "421 4.7.0 TLS negotiation failed", Disposition.DEFERRED, TCF),
        (
            FailureKind.PROTOCOL_ERROR,
            "421 4.5.0 Invalid SMTP reply from remote host",
            Disposition.DEFERRED,
            TCF,
        ),
        (
            FailureKind.LOCAL_HOSTNAME_LOOKUP,
            "451 4.4.3 Unable to look up the sending host name",
            Disposition.DEFERRED,
            DelayType.BYOIP_HOSTNAME_LOOKUP_UNAVAILABLE,
        ),
        (
            FailureKind.INTERNAL_FAILURE,
            "451 4.3.0 Internal failure",
            Disposition.DEFERRED,
            DelayType.INTERNAL_FAILURE,
        ),
    ],
)
def test_failure_kinds(
    kind: FailureKind, wire: str, disposition: Disposition, delay_type: DelayType | None
) -> None:
    failure = ConnectionFailure(kind, domain="example.invalid")
    assert failure.reply.wire == wire
    verdict = classify_failure(failure)
    assert verdict.disposition is disposition
    assert verdict.delay_type is delay_type
    assert verdict.diagnostic_code == f"smtp; {wire}"
    assert str(verdict.status) == wire.split()[1]
    assert failure.is_permanent is (disposition is Disposition.FAILED)
    if disposition is Disposition.FAILED:
        assert (verdict.bounce_type, verdict.bounce_subtype) == (
            BounceType.PERMANENT,
            BounceSubType.GENERAL,
        )
    else:
        assert (verdict.bounce_type, verdict.bounce_subtype) == (
            BounceType.TRANSIENT,
            BounceSubType.GENERAL,
        )


def test_every_kind_has_a_shape() -> None:
    for kind in FailureKind:
        assert classify_failure(ConnectionFailure(kind)).diagnostic_code


@pytest.mark.parametrize(
    ("detail", "wire"),
    [
        ("", "421 4.4.1 Failed to establish connection"),
        (
            "mx1.example.net: [Errno 111] Connection refused",
            "421 4.4.1 Failed to establish connection (mx1.example.net: [Errno 111] Connection "
            "refused)",
        ),
        ("multi\r\nline\tdetail", "421 4.4.1 Failed to establish connection (multi line detail)"),
    ],
)
def test_detail_is_appended_on_one_line(detail: str, wire: str) -> None:
    assert ConnectionFailure(FailureKind.CONNECTION_REFUSED, detail=detail).reply.wire == wire


def test_dns_failure_without_a_domain() -> None:
    reply = ConnectionFailure(FailureKind.DNS_FAILURE).reply
    assert reply.wire == "421 4.4.0 Unable to lookup DNS for the recipient domain"

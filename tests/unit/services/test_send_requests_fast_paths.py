"""``raw_submission`` with memoized addresses and ARNs, pinned to the way it read them before.

``reference_raw_submission`` is the builder as it was (every address and ARN parsed afresh);
the builder must give the same submission, or the same error, for a table of requests.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from openses.domain.arn import IdentityArn, InvalidArn
from openses.domain.mail import (
    CONTROL_HEADERS,
    InvalidAddress,
    Mailbox,
    RawMessage,
    control_arns,
    parse_mailbox,
    raw_recipients,
)
from openses.domain.sending import Address, Role, RoleUse, Submission
from openses.services.errors import InvalidParameter, MessageRejected, ServiceError
from openses.services.send_requests import (
    Arns,
    _checked_recipients,
    _role_address,
    check_configuration_set,
    checked_tags,
    header_tags,
    raw_submission,
    simple_submission,
)

OWNER_ARN = "arn:aws:ses:us-east-1:111122223333:identity/bench.example"
NO_ARNS = Arns()
OTHER_ARN = "arn:aws:ses:us-east-1:111122223333:identity/app@bench.example"


def _box(text: str, what: str) -> Mailbox:
    try:
        return parse_mailbox(text)
    except InvalidAddress as error:
        raise InvalidParameter(f"Illegal address in {what}: {error}") from None


def _address(box: Mailbox) -> Address:
    given = f"{box.display_name} <{box.address}>" if box.display_name else box.address
    return Address(box.address, box.display_name, given)


def _arn(text: str | None) -> IdentityArn | None:
    if text is None:
        return None
    try:
        return IdentityArn.parse(text.strip())
    except InvalidArn as error:
        raise InvalidParameter(str(error)) from None


def reference_raw_submission(
    data: bytes,
    *,
    source: str | None = None,
    destinations: Sequence[str] | None = None,
    arns: Arns = NO_ARNS,
    configuration_set: str | None = None,
    tags: Sequence[tuple[str, str]] = (),
) -> Submission:
    try:
        message = RawMessage.parse(data)
    except ValueError as error:
        raise MessageRejected(str(error)) from None
    control = control_arns(message)
    named_set = check_configuration_set(configuration_set or control.configuration_set)
    message_tags = checked_tags(tags) if tags else header_tags(control.message_tags)
    from_header = message.first("From")
    if from_header is None:
        raise MessageRejected("Missing required header 'From'.")
    from_box = _box(from_header, "From")
    return_path_header = message.first("Return-Path")
    source_box = _box(source, "Source") if source else from_box
    feedback_box = (
        source_box
        if source
        else (_box(return_path_header, "Return-Path") if return_path_header else from_box)
    )
    if destinations is None:
        try:
            recipients = [box.address for box in raw_recipients(message)]
        except InvalidAddress as error:
            raise InvalidParameter(f"Illegal address: {error}") from None
    else:
        recipients = [_box(r, "Destinations").address for r in destinations]
    source_arn = _arn(arns.source or control.source_arn)
    stored = message.dropping(CONTROL_HEADERS)
    return Submission(
        actions=("ses:SendRawEmail",),
        api_version="1",
        source=RoleUse(Role.SOURCE, _address(source_box), source_arn),
        from_=RoleUse(
            Role.FROM, _address(from_box), _arn(arns.from_ or control.from_arn) or source_arn
        ),
        feedback=RoleUse(
            Role.FEEDBACK,
            _address(feedback_box),
            _arn(arns.return_path or control.return_path_arn) or source_arn,
        ),
        recipients=_checked_recipients(recipients),
        message=stored.data,
        parsed=stored,
        subject=message.subject() or "",
        configuration_set=named_set,
        tags=message_tags,
    )


def message(*headers: str) -> bytes:
    return ("\r\n".join(headers) + "\r\n\r\nThe body.\r\n").encode()


BENCH = message(
    "From: Bench App <app@bench.example>",
    "To: someone@example.net",
    "Subject: OpenSES sending benchmark",
    "Message-ID: <bench@bench.example>",
)
CASES: dict[str, tuple[bytes, dict[str, object]]] = {
    "the benchmark's send": (
        BENCH,
        {
            "source": "app@bench.example",
            "destinations": ["someone@example.net"],
            "arns": Arns(OWNER_ARN),
        },
    ),
    "recipients from the header": (BENCH, {}),
    "return path header": (
        message("From: a@bench.example", "Return-Path: <bounce@bench.example>", "To: b@x.net"),
        {},
    ),
    "source beats return path": (
        message("From: a@bench.example", "Return-Path: bounce@bench.example", "To: b@x.net"),
        {"source": "Sender <s@bench.example>"},
    ),
    "control headers": (
        message(
            f"X-SES-SOURCE-ARN:  {OWNER_ARN} ",
            f"X-SES-FROM-ARN: {OTHER_ARN}",
            "X-SES-CONFIGURATION-SET: my-set",
            "X-SES-MESSAGE-TAGS: a=b, c=d",
            "From: =?UTF-8?Q?Caf=C3=A9?= <a@bench.example>",
            "To: b@x.net, c@y.net",
            "Cc: d@z.net",
            "Subject: =?UTF-8?Q?caf=C3=A9?=",
        ),
        {},
    ),
    "parameters beat headers": (
        message(f"X-SES-SOURCE-ARN: {OTHER_ARN}", "From: a@bench.example", "To: b@x.net"),
        {"arns": Arns(OWNER_ARN, OTHER_ARN, OWNER_ARN), "configuration_set": "set"},
    ),
    "bad from": (message("From: not an address", "To: b@x.net"), {}),
    "bad from, given as source too": (
        message("From: not an address", "To: b@x.net"),
        {"source": "not an address"},
    ),
    "bad source": (BENCH, {"source": "not an address"}),
    "bad return path": (message("From: a@bench.example", "Return-Path: <<x", "To: b@x"), {}),
    "bad destination": (BENCH, {"destinations": ["ok@x.net", "not an address"]}),
    "bad header recipient": (message("From: a@bench.example", "To: not an address"), {}),
    "bad source arn": (BENCH, {"arns": Arns("arn:aws:ses:nowhere:1:identity/x")}),
    "bad header arn": (message("X-SES-FROM-ARN: nope", "From: a@bench.example", "To: b@x"), {}),
    "no from": (message("To: b@x.net"), {}),
    "no recipients": (message("From: a@bench.example"), {}),
    "malformed": (b"From: a@bench.example\r\nno header\r\n\r\n", {}),
}


def outcome(build: object, data: bytes, options: dict[str, object]) -> object:
    try:
        submission = build(data, **options)  # type: ignore[operator]
    except ServiceError as error:
        return (type(error).__name__, str(error))
    assert isinstance(submission, Submission)
    assert submission.parsed is not None
    return (submission, submission.parsed.data, submission.parsed.keys)


@pytest.mark.parametrize(("data", "options"), CASES.values(), ids=CASES.keys())
def test_raw_submission_is_unchanged(data: bytes, options: dict[str, object]) -> None:
    def build(data: bytes, **given: object) -> Submission:
        return raw_submission(
            data,
            actions=("ses:SendRawEmail",),
            api_version="1",
            size_limit=10 * 1024 * 1024,
            **given,  # type: ignore[arg-type]
        )

    expected = outcome(reference_raw_submission, data, options)
    for _ in range(2):  # the second time from the memos
        assert outcome(build, data, options) == expected


def test_a_refused_address_names_its_role_every_time() -> None:
    for what in ("From", "Source", "From", "Destinations"):
        with pytest.raises(InvalidParameter) as refused:
            _role_address("not an address", what)
        assert str(refused.value).startswith(f"Illegal address in {what}: ")


def test_remembered_addresses_are_the_parsed_ones() -> None:
    for text in [
        "a@b.example",
        "Name <a@b.example>",
        '"Q, N" <a@b.example>',
        "=?UTF-8?Q?x?= <a@b>",
    ]:
        assert _role_address(text, "From") == _address(parse_mailbox(text))


def reference_simple_submission(
    message: bytes,
    *,
    source: str,
    recipients: Sequence[str],
    return_path: str | None = None,
    arns: Arns = NO_ARNS,
) -> Submission:
    source_box = _box(source, "Source")
    feedback_box = _box(return_path, "ReturnPath") if return_path else source_box
    source_arn = _arn(arns.source)
    return Submission(
        actions=("ses:SendEmail",),
        api_version="1",
        source=RoleUse(Role.SOURCE, _address(source_box), source_arn),
        from_=RoleUse(Role.FROM, _address(source_box), _arn(arns.from_) or source_arn),
        feedback=RoleUse(
            Role.FEEDBACK, _address(feedback_box), _arn(arns.return_path) or source_arn
        ),
        recipients=_checked_recipients([_box(r, "Destination").address for r in recipients]),
        message=message,
        subject="s",
    )


SIMPLE_CASES: dict[str, dict[str, object]] = {
    "plain": {"source": "app@bench.example", "recipients": ["a@x.net"]},
    "named, with return path and arns": {
        "source": "Bench App <app@bench.example>",
        "recipients": ["a@x.net", "B <b@y.net>"],
        "return_path": "bounce@bench.example",
        "arns": Arns(OWNER_ARN, None, OTHER_ARN),
    },
    "bad source": {"source": "nope", "recipients": ["a@x.net"]},
    "bad return path": {"source": "a@b.example", "recipients": ["a@x"], "return_path": "nope"},
    "bad recipient": {"source": "a@b.example", "recipients": ["a@x.net", "nope"]},
    "bad arn": {"source": "a@b.example", "recipients": ["a@x"], "arns": Arns(None, "nope")},
    "no recipients": {"source": "a@b.example", "recipients": []},
}


@pytest.mark.parametrize("options", SIMPLE_CASES.values(), ids=SIMPLE_CASES.keys())
def test_simple_submission_is_unchanged(options: dict[str, object]) -> None:
    def build(message: bytes, **given: object) -> Submission:
        return simple_submission(
            message,
            actions=("ses:SendEmail",),
            api_version="1",
            size_limit=10 * 1024 * 1024,
            subject="s",
            **given,  # type: ignore[arg-type]
        )

    def outcome_of(make: object) -> object:
        try:
            return make(b"From: x\r\n\r\nbody", **options)  # type: ignore[operator]
        except ServiceError as error:
            return (type(error).__name__, str(error))

    expected = outcome_of(reference_simple_submission)
    for _ in range(2):
        assert outcome_of(build) == expected

"""Records <-> table rows: the one place that knows how a domain value is stored.

Times are aware UTC datetimes in the records and integer epoch milliseconds in the rows (finer
precision is truncated: a stored time reads back at whole milliseconds). Lists and objects are
JSON text. Enums are stored by value. Text may hold any character but NUL, on both backends
alike (PostgreSQL cannot store it; inside JSON it is escaped and fine).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import RowMapping

from openses.domain.accounts import AccessKey, Account, IamUser, KeyStatus, UserPolicy
from openses.domain.identities import (
    Identity,
    IdentityKind,
    IdentityPolicy,
    VerificationStatus,
    VerifiedBy,
)
from openses.domain.outbox import CapturedMessage, MessageKind

Row = RowMapping | dict[str, Any]
"""A row as read: column name -> value (SQLAlchemy's ``RowMapping``, or a plain dict)."""
Values = dict[str, Any]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MILLISECOND = timedelta(milliseconds=1)


# --------------------------------------------------------------------------------- scalars


def to_ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime (naive datetimes are refused, not guessed)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} cannot be stored; give a UTC time")
    return (moment - EPOCH) // MILLISECOND


def from_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def optional_ms(moment: datetime | None) -> int | None:
    return None if moment is None else to_ms(moment)


def optional_time(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


#: Compact JSON, non-ASCII kept as is; built once (``json.dumps`` with options builds an
#: encoder per call, a third of its cost for the short lists stored with every message).
_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def json_text(value: object) -> str:
    """Compact JSON; non-ASCII kept as is (both backends store text as UTF-8)."""
    return _COMPACT_JSON.encode(value)


def json_string_list(text: str) -> tuple[str, ...]:
    loaded = json.loads(text)
    if not isinstance(loaded, list) or not all(isinstance(item, str) for item in loaded):
        raise ValueError(f"stored value is not a JSON list of strings: {text[:80]!r}")
    return tuple(loaded)


def json_object(text: str) -> dict[str, object]:
    loaded = json.loads(text)
    if not isinstance(loaded, dict):
        raise ValueError(f"stored value is not a JSON object: {text[:80]!r}")
    return loaded


def json_object_list(text: str) -> tuple[dict[str, object], ...]:
    loaded = json.loads(text)
    if not isinstance(loaded, list) or not all(isinstance(item, dict) for item in loaded):
        raise ValueError(f"stored value is not a JSON list of objects: {text[:80]!r}")
    return tuple(loaded)


def json_pairs(text: str | None) -> tuple[tuple[str, str], ...]:
    """A stored JSON list of ``[name, value]`` pairs (NULL: none)."""
    if text is None:
        return ()
    loaded = json.loads(text)
    if not isinstance(loaded, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        for pair in loaded
    ):
        raise ValueError(f"stored value is not a JSON list of string pairs: {text[:80]!r}")
    return tuple((name, value) for name, value in loaded)


def _checked(values: Values) -> Values:
    """``values``, unless a text value holds NUL: PostgreSQL text cannot, so neither backend
    takes it (raw message bytes are bytes and may hold anything)."""
    for name, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(f"{name} contains NUL (U+0000), which text columns cannot store")
    return values


def json_element(value: str) -> str:
    """How ``value`` appears as an element inside a stored JSON list (quotes included)."""
    return json_text(value)


# ---------------------------------------------------------------------------- accounts


def account_values(account: Account) -> Values:
    return _checked(
        {
            "account_id": account.account_id,
            "created_at": to_ms(account.created_at),
            "production": account.production,
            "sending_enabled": account.sending_enabled,
            "max_24_hour_send": account.max_24_hour_send,
            "max_send_rate": account.max_send_rate,
        }
    )


def account_record(row: Row) -> Account:
    return Account(
        account_id=row["account_id"],
        created_at=from_ms(row["created_at"]),
        production=bool(row["production"]),
        sending_enabled=bool(row["sending_enabled"]),
        max_24_hour_send=float(row["max_24_hour_send"]),
        max_send_rate=float(row["max_send_rate"]),
    )


def user_values(user: IamUser) -> Values:
    return _checked(
        {
            "account_id": user.account_id,
            "name": user.name,
            "path": user.path,
            "user_id": user.user_id,
            "created_at": to_ms(user.created_at),
        }
    )


def user_record(row: Row) -> IamUser:
    return IamUser(
        account_id=row["account_id"],
        name=row["name"],
        path=row["path"],
        user_id=row["user_id"],
        created_at=from_ms(row["created_at"]),
    )


def access_key_values(key: AccessKey) -> Values:
    return _checked(
        {
            "access_key_id": key.access_key_id,
            "secret_access_key": key.secret_access_key,
            "account_id": key.account_id,
            "user_name": key.user_name,
            "service": key.service,
            "source_arn": key.source_arn,
            "status": key.status.value,
            "created_at": to_ms(key.created_at),
        }
    )


def access_key_record(row: Row) -> AccessKey:
    return AccessKey(
        access_key_id=row["access_key_id"],
        secret_access_key=row["secret_access_key"],
        account_id=row["account_id"],
        created_at=from_ms(row["created_at"]),
        status=KeyStatus(row["status"]),
        user_name=row["user_name"],
        service=row["service"],
        source_arn=row["source_arn"],
    )


def user_policy_values(policy: UserPolicy) -> Values:
    return _checked(
        {
            "account_id": policy.account_id,
            "user_name": policy.user_name,
            "policy_name": policy.policy_name,
            "document": policy.document,
        }
    )


def user_policy_record(row: Row) -> UserPolicy:
    return UserPolicy(
        account_id=row["account_id"],
        user_name=row["user_name"],
        policy_name=row["policy_name"],
        document=row["document"],
    )


# -------------------------------------------------------------------------- identities


def identity_values(identity: Identity) -> Values:
    return _checked(
        {
            "account_id": identity.account_id,
            "region": identity.region,
            "name": identity.name,
            "kind": identity.kind.value,
            "status": identity.status.value,
            "token": identity.token,
            "created_at": to_ms(identity.created_at),
            "verification_started_at": to_ms(identity.verification_started_at),
            "verified_at": optional_ms(identity.verified_at),
            "verified_by": None if identity.verified_by is None else identity.verified_by.value,
            "default_configuration_set": identity.default_configuration_set,
        }
    )


def identity_record(row: Row) -> Identity:
    verified_by = row["verified_by"]
    return Identity(
        account_id=row["account_id"],
        region=row["region"],
        name=row["name"],
        kind=IdentityKind(row["kind"]),
        status=VerificationStatus(row["status"]),
        token=row["token"],
        created_at=from_ms(row["created_at"]),
        verification_started_at=from_ms(row["verification_started_at"]),
        verified_at=optional_time(row["verified_at"]),
        verified_by=None if verified_by is None else VerifiedBy(verified_by),
        default_configuration_set=row["default_configuration_set"],
    )


def identity_policy_values(policy: IdentityPolicy) -> Values:
    return _checked(
        {
            "account_id": policy.account_id,
            "region": policy.region,
            "identity": policy.identity,
            "name": policy.name,
            "document": policy.document,
            "updated_at": to_ms(policy.updated_at),
        }
    )


def identity_policy_record(row: Row) -> IdentityPolicy:
    return IdentityPolicy(
        account_id=row["account_id"],
        region=row["region"],
        identity=row["identity"],
        name=row["name"],
        document=row["document"],
        updated_at=from_ms(row["updated_at"]),
    )


# ---------------------------------------------------------------------------- messages


def message_values(message: CapturedMessage) -> Values:
    return _checked(
        {
            "message_id": message.message_id,
            "kind": message.kind.value,
            "region": message.region,
            "account_id": message.account_id,
            "created_at": to_ms(message.created_at),
            "source": message.source,
            "recipients": json_text(list(message.recipients)),
            "recipient_count": len(message.recipients),
            "subject": message.subject,
            "caller_arn": message.caller_arn,
            "identity_arns": json_text(list(message.identity_arns)),
            "governing_arns": json_text(list(message.governing_arns)),
            "statements": json_text(list(message.statements)),
            "raw": bytes(message.raw),
            "error": message.error,
            "source_arn": message.source_arn,
            "source_ip": message.source_ip,
            "feedback_address": message.feedback_address,
            "template_name": message.template_name,
            "configuration_set": message.configuration_set,
            "tags": json_text([list(tag) for tag in message.tags]) if message.tags else None,
        }
    )


def message_record(row: Row) -> CapturedMessage:
    return CapturedMessage(
        message_id=row["message_id"],
        kind=MessageKind(row["kind"]),
        region=row["region"],
        account_id=row["account_id"],
        created_at=from_ms(row["created_at"]),
        source=row["source"],
        recipients=json_string_list(row["recipients"]),
        subject=row["subject"],
        raw=bytes(row["raw"]),
        caller_arn=row["caller_arn"],
        identity_arns=json_string_list(row["identity_arns"]),
        governing_arns=json_string_list(row["governing_arns"]),
        statements=json_object_list(row["statements"]),
        error=row["error"],
        source_arn=row["source_arn"],
        source_ip=row["source_ip"],
        feedback_address=row["feedback_address"],
        template_name=row["template_name"],
        configuration_set=row["configuration_set"],
        tags=json_pairs(row["tags"]),
    )

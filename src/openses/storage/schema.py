"""The database schema (SQLAlchemy Core), one definition for SQLite and PostgreSQL.

Portable column types only: times are integer epoch milliseconds (UTC), JSON is text, ids are
text, booleans are booleans, raw messages are bytes. Migrations (``storage/migrations``) must
produce exactly this schema; a test compares them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("created_at", BigInteger, nullable=False),
    Column("production", Boolean, nullable=False),
    Column("sending_enabled", Boolean, nullable=False),
    Column("max_24_hour_send", Float, nullable=False),
    Column("max_send_rate", Float, nullable=False),
)

region_sending = Table(
    "region_sending",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("enabled", Boolean, nullable=False),
    PrimaryKeyConstraint("account_id", "region"),
    ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
)

iam_users = Table(
    "iam_users",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("name", String(64), nullable=False),
    Column("path", String(512), nullable=False),
    Column("user_id", String(32), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "name"),
    ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
)

access_keys = Table(
    "access_keys",
    metadata,
    Column("access_key_id", String(128), primary_key=True),
    Column("secret_access_key", String(128), nullable=False),
    Column("account_id", String(12), nullable=False),
    Column("user_name", String(64), nullable=True),
    Column("service", String(255), nullable=True),
    Column("source_arn", String(2048), nullable=True),
    Column("status", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
    Index("access_keys_by_owner", "account_id", "user_name"),
)

user_policies = Table(
    "user_policies",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("policy_name", String(128), nullable=False),
    Column("document", Text, nullable=False),
    PrimaryKeyConstraint("account_id", "user_name", "policy_name"),
    ForeignKeyConstraint(
        ["account_id", "user_name"], ["iam_users.account_id", "iam_users.name"], ondelete="CASCADE"
    ),
)

identities = Table(
    "identities",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("name", String(320), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(24), nullable=False),
    Column("token", String(128), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("verification_started_at", BigInteger, nullable=False),
    Column("verified_at", BigInteger, nullable=True),
    Column("verified_by", String(16), nullable=True),
    PrimaryKeyConstraint("account_id", "region", "name"),
    ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
    Index("identities_by_token", "token"),
    Index("identities_pending", "kind", "status", "verification_started_at"),
)

identity_policies = Table(
    "identity_policies",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("identity", String(320), nullable=False),
    Column("name", String(64), nullable=False),
    Column("document", Text, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "region", "identity", "name"),
    ForeignKeyConstraint(
        ["account_id", "region", "identity"],
        ["identities.account_id", "identities.region", "identities.name"],
        ondelete="CASCADE",
    ),
)

messages = Table(
    "messages",
    metadata,
    Column("message_id", String(80), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("region", String(32), nullable=False),
    Column("account_id", String(12), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("source", String(320), nullable=False),
    Column("recipients", Text, nullable=False),  # JSON list
    Column("recipient_count", Integer, nullable=False),
    Column("subject", Text, nullable=False),
    Column("caller_arn", String(2048), nullable=True),
    Column("identity_arns", Text, nullable=False),  # JSON list
    Column("governing_arns", Text, nullable=False),  # JSON list
    Column("statements", Text, nullable=False),  # JSON list of objects
    Column("raw", LargeBinary, nullable=False),
    Column("error", Text, nullable=True),  # why a rendering failure was not sent (0002)
    Index("messages_by_account", "account_id", "region", "kind", "created_at"),
    Index("messages_by_time", "created_at"),
)

# Recipients sent per account, region and minute: the daily quota (``quota_recipients``, which
# leaves out mailbox-simulator recipients) and GetSendStatistics (``delivery_attempts``) read
# this ledger, so clearing the capture outbox changes neither.
send_counts = Table(
    "send_counts",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("minute", BigInteger, nullable=False),  # epoch ms of the minute's start
    Column("delivery_attempts", Integer, nullable=False),
    Column("quota_recipients", Integer, nullable=False),
    Column("bounces", Integer, nullable=False),
    Column("complaints", Integer, nullable=False),
    Column("rejects", Integer, nullable=False),
    PrimaryKeyConstraint("account_id", "region", "minute"),
)

# The send-rate token bucket of each account in each region (see domain.sending.RateBucket).
send_rates = Table(
    "send_rates",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("tokens", Float, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "region"),
)

templates = Table(
    "templates",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("name", String(64), nullable=False),
    Column("subject", Text, nullable=True),
    Column("text", Text, nullable=True),
    Column("html", Text, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "region", "name"),
    ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
)

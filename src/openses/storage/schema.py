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
    Column("default_configuration_set", String(64), nullable=True),
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
    Column("configuration_set", String(64), nullable=True),  # named on the send (0005)
    Column("tags", Text, nullable=True),  # JSON list of [name, value] message tags (0005)
    Column("source_arn", String(2048), nullable=True),  # the identity sent as (0007)
    Column("source_ip", String(64), nullable=True),  # the caller's address (0007)
    Column("feedback_address", String(320), nullable=True),  # where feedback is forwarded (0007)
    Column("template_name", String(64), nullable=True),  # a templated send's template (0008)
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

# The send-rate token bucket of each account in each region (see domain.sending.RateBucket),
# and the daily quota's running total kept with it (0010, domain.quota.QuotaWindow: the quota
# recipients of the ledger's minutes from ``window_start`` on; NULL until first counted).
send_rates = Table(
    "send_rates",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("tokens", Float, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("window_start", BigInteger, nullable=True),
    Column("window_sent", BigInteger, nullable=True),
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

# ---------------------------------------------------------------- delivery (migration 0007)

# The delivery queue (a transactional outbox): one job per accepted message and recipient
# domain, written with the message; claimed with a lease (``lease_owner``/``lease_until``),
# deleted when its last recipient is delivered or bounced (see domain.queue).
delivery_jobs = Table(
    "delivery_jobs",
    metadata,
    Column("job_id", String(96), primary_key=True),
    Column("message_id", String(80), nullable=False),
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("domain", String(255), nullable=False),
    Column("recipients", Text, nullable=False),  # JSON list, the ones still to finish
    Column("run_at", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("first_attempt_at", BigInteger, nullable=True),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_until", BigInteger, nullable=True),
    ForeignKeyConstraint(["message_id"], ["messages.message_id"], ondelete="CASCADE"),
    Index("delivery_jobs_due", "run_at"),
    Index("delivery_jobs_by_message", "message_id"),
)

# Accepted messages whose delivery jobs are not planned yet (0009): accepting a message writes
# this one narrow row with it; the delivery worker plans the jobs (domain.queue.plan_jobs) and
# deletes the row in the transaction that claims them.
unplanned_messages = Table(
    "unplanned_messages",
    metadata,
    Column("message_id", String(80), primary_key=True),
    ForeignKeyConstraint(["message_id"], ["messages.message_id"], ondelete="CASCADE"),
    sqlite_with_rowid=False,
)

# What happened to each message after its acceptance (Delivery, Bounce, Complaint, DeliveryDelay,
# Reject, RenderingFailure; the Send event is the message row itself since 0009), recorded for
# the sending account. ``dedupe_key`` makes an incoming report count once however often it
# arrives.
message_events = Table(
    "message_events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("message_id", String(80), nullable=False),
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("event_type", String(24), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("recipients", Text, nullable=False),  # JSON list
    Column("detail", Text, nullable=False),  # JSON object: the event as SES describes it
    Column("dedupe_key", String(255), nullable=True, unique=True),
    Index("message_events_by_message", "message_id", "at"),
    Index("message_events_by_account", "account_id", "region", "at"),
)

# ---- configuration sets (0005): per sending account and region, with their event destinations.
# ``suppressed_reasons`` is NULL when the set uses the account's suppression list.
configuration_sets = Table(
    "configuration_sets",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("name", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("sending_enabled", Boolean, nullable=False),
    Column("reputation_metrics_enabled", Boolean, nullable=False),
    Column("last_fresh_start", BigInteger, nullable=True),
    Column("tls_policy", String(16), nullable=False),
    Column("max_delivery_seconds", BigInteger, nullable=True),
    Column("suppressed_reasons", Text, nullable=True),  # JSON list
    PrimaryKeyConstraint("account_id", "region", "name"),
    ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
)

event_destinations = Table(
    "event_destinations",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("configuration_set", String(64), nullable=False),
    Column("name", String(64), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("matching_types", Text, nullable=False),  # JSON list of event types (v2 spelling)
    Column("sns_topic_arn", String(2048), nullable=True),
    PrimaryKeyConstraint("account_id", "region", "configuration_set", "name"),
    ForeignKeyConstraint(
        ["account_id", "region", "configuration_set"],
        ["configuration_sets.account_id", "configuration_sets.region", "configuration_sets.name"],
        ondelete="CASCADE",
    ),
)

# ---- identity feedback settings, custom MAIL FROM, the suppression list (migration 0006)

# The v1 notification settings of an identity; no row means SES's defaults (no topics,
# forwarding on). Goes with its identity.
identity_feedback = Table(
    "identity_feedback",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("identity", String(320), nullable=False),
    Column("bounce_topic", String(400), nullable=True),
    Column("complaint_topic", String(400), nullable=True),
    Column("delivery_topic", String(400), nullable=True),
    Column("forwarding_enabled", Boolean, nullable=False),
    Column("headers_in_bounce", Boolean, nullable=False),
    Column("headers_in_complaint", Boolean, nullable=False),
    Column("headers_in_delivery", Boolean, nullable=False),
    PrimaryKeyConstraint("account_id", "region", "identity"),
    ForeignKeyConstraint(
        ["account_id", "region", "identity"],
        ["identities.account_id", "identities.region", "identities.name"],
        ondelete="CASCADE",
    ),
)

# An identity's custom MAIL FROM domain (NULL: off, the behaviour kept) and its MX check.
identity_mail_from = Table(
    "identity_mail_from",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("identity", String(320), nullable=False),
    Column("domain", String(253), nullable=True),
    Column("behavior", String(24), nullable=False),
    Column("status", String(24), nullable=True),
    Column("window_started_at", BigInteger, nullable=True),
    Column("checked_at", BigInteger, nullable=True),
    PrimaryKeyConstraint("account_id", "region", "identity"),
    ForeignKeyConstraint(
        ["account_id", "region", "identity"],
        ["identities.account_id", "identities.region", "identities.name"],
        ondelete="CASCADE",
    ),
    Index("identity_mail_from_due", "status", "checked_at"),
)

# The account-level suppression list, per account and region. ``email_address`` is the key
# (domain lower-cased); ``address_lower`` lets sends match recipients ignoring case.
suppressed_destinations = Table(
    "suppressed_destinations",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("email_address", String(320), nullable=False),
    Column("address_lower", String(320), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("last_update_time", BigInteger, nullable=False),
    Column("message_id", String(128), nullable=True),
    Column("feedback_id", String(128), nullable=True),
    PrimaryKeyConstraint("account_id", "region", "email_address"),
    ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
    Index("suppressed_by_address", "account_id", "region", "address_lower"),
    Index("suppressed_by_time", "account_id", "region", "last_update_time"),
)

# The reasons an account suppresses for in a region (JSON list); no row: BOUNCE and COMPLAINT.
account_suppression = Table(
    "account_suppression",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("reasons", Text, nullable=False),
    PrimaryKeyConstraint("account_id", "region"),
    ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
)

# ---- DKIM (migration 0004): the DKIM settings of identities and the Easy DKIM tokens.
# ``selectors`` and ``private_keys`` are aligned JSON lists (a key is PEM text or null); an
# ``origin`` of NULL means only the signing switch is set. Goes with its identity.
identity_dkim = Table(
    "identity_dkim",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("identity", String(320), nullable=False),
    Column("signing_enabled", Boolean, nullable=False),
    Column("origin", String(40), nullable=True),
    Column("status", String(24), nullable=False),
    Column("selectors", Text, nullable=False),  # JSON list
    Column("private_keys", Text, nullable=False),  # JSON list of PEM text or null
    Column("active", Integer, nullable=False),
    Column("current_key_length", Integer, nullable=True),
    Column("next_key_length", Integer, nullable=True),
    Column("key_generated_at", BigInteger, nullable=True),
    Column("length_changed_at", BigInteger, nullable=True),
    Column("downgraded_at", BigInteger, nullable=True),
    Column("check_started_at", BigInteger, nullable=True),
    Column("checked_at", BigInteger, nullable=True),
    Column("succeeded_at", BigInteger, nullable=True),
    Column("updated_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "region", "identity"),
    ForeignKeyConstraint(
        ["account_id", "region", "identity"],
        ["identities.account_id", "identities.region", "identities.name"],
        ondelete="CASCADE",
    ),
    Index("identity_dkim_due", "status", "checked_at"),
)

# Easy DKIM tokens -> their identity: what the DKIM zone responder looks up (one row per token).
dkim_tokens = Table(
    "dkim_tokens",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("identity", String(320), nullable=False),
    ForeignKeyConstraint(
        ["account_id", "region", "identity"],
        ["identity_dkim.account_id", "identity_dkim.region", "identity_dkim.identity"],
        ondelete="CASCADE",
    ),
    Index("dkim_tokens_by_identity", "account_id", "region", "identity"),
)

# ---- SNS-compatible topics (migration 0003): topics, their subscriptions, and the queue of
# HTTP POSTs to subscribed endpoints (claimed with a lease: ``lease_owner``/``lease_until``;
# deleted once delivered or given up; see domain.topics).
sns_topics = Table(
    "sns_topics",
    metadata,
    Column("arn", String(512), primary_key=True),
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("name", String(256), nullable=False),
    Column("attributes", Text, nullable=False),  # JSON object: Policy, DisplayName, …
    Column("created_at", BigInteger, nullable=False),
    ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
    Index("sns_topics_by_account", "account_id", "region"),
)

sns_subscriptions = Table(
    "sns_subscriptions",
    metadata,
    Column("arn", String(600), primary_key=True),
    Column("topic_arn", String(512), nullable=False),
    Column("owner", String(12), nullable=False),
    Column("protocol", String(16), nullable=False),
    Column("endpoint", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("token", String(256), nullable=True),
    Column("token_expires_at", BigInteger, nullable=True),
    Column("attributes", Text, nullable=False),  # JSON object: RawMessageDelivery, …
    Column("confirmation_authenticated", Boolean, nullable=False),
    Column("authenticate_on_unsubscribe", Boolean, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    ForeignKeyConstraint(["topic_arn"], ["sns_topics.arn"], ondelete="CASCADE"),
    Index("sns_subscriptions_by_topic", "topic_arn"),
    Index("sns_subscriptions_by_owner", "owner"),
    Index("sns_subscriptions_by_token", "token"),
)

sns_deliveries = Table(
    "sns_deliveries",
    metadata,
    Column("delivery_id", String(128), primary_key=True),
    Column("topic_arn", String(512), nullable=False),
    Column("subscription_arn", String(600), nullable=False),
    Column("endpoint", Text, nullable=False),
    Column("message_type", String(32), nullable=False),
    Column("message_id", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Column("subject", Text, nullable=True),
    Column("token", String(256), nullable=True),
    Column("message_attributes", Text, nullable=True),  # JSON object
    Column("raw", Boolean, nullable=False),
    Column("published_at", BigInteger, nullable=False),
    Column("signature_version", String(1), nullable=False),
    Column("retry_policy", Text, nullable=False),  # JSON (domain.topics.retries.RetryPolicy)
    Column("content_type", String(255), nullable=False),
    Column("run_at", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_until", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("last_error", Text, nullable=True),
    Index("sns_deliveries_due", "run_at"),
    Index("sns_deliveries_by_subscription", "subscription_arn"),
    Index("sns_deliveries_by_topic", "topic_arn"),
)

# ------------------------------------------------- custom verification emails (migration 0011)

custom_verification_templates = Table(
    "custom_verification_templates",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("name", String(64), nullable=False),
    Column("from_address", String(320), nullable=False),
    Column("subject", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("success_url", Text, nullable=False),
    Column("failure_url", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "region", "name"),
    ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
)

# Where the link of a custom verification email leads, by its token, as it was sent.
verification_links = Table(
    "verification_links",
    metadata,
    Column("token", String(128), primary_key=True),
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("address", String(320), nullable=False),
    Column("template_name", String(64), nullable=False),
    Column("success_url", Text, nullable=False),
    Column("failure_url", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
    Index("verification_links_by_age", "created_at"),
)

# ------------------------------------------------------------ resource tags (migration 0012)
# The SES v2 tags of every resource, by account, region, resource type (its ARN's word:
# ``identity``, ``configuration-set``, …) and name; ``position`` keeps the order keys came in.
resource_tags = Table(
    "resource_tags",
    metadata,
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("resource_type", String(40), nullable=False),
    Column("resource_name", String(320), nullable=False),
    Column("tag_key", String(128), nullable=False),
    Column("tag_value", String(256), nullable=False),
    Column("position", Integer, nullable=False),
    PrimaryKeyConstraint("account_id", "region", "resource_type", "resource_name", "tag_key"),
    ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
)

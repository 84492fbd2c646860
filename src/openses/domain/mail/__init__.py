"""The pure MIME and address layer of the send path: parse, check, edit and compose messages.

``addresses`` parses mailboxes and address lists as SES validates them; ``headers`` reads and
edits a raw message's header section byte-for-byte; ``compose`` builds the message of a Simple
send; ``limits`` holds SES's size, recipient and header limits; ``rfc2047`` handles
encoded-words. Each module's docstring records what SES does and what we decided where it is
silent.
"""

from __future__ import annotations

from openses.domain.mail.addresses import (
    InvalidAddress,
    Mailbox,
    format_mailbox,
    parse_address_list,
    parse_addresses,
    parse_mailbox,
)
from openses.domain.mail.compose import ComposeError, Content, compose_simple
from openses.domain.mail.headers import (
    CONTROL_HEADERS,
    RECIPIENT_HEADERS,
    STRIPPED_BEFORE_DELIVERY,
    ControlHeaders,
    HeaderField,
    MalformedMessage,
    RawMessage,
    control_arns,
    raw_message_problem,
    raw_recipients,
)
from openses.domain.mail.limits import (
    DISALLOWED_CUSTOM_HEADERS,
    MAX_CUSTOM_HEADERS,
    MAX_RECIPIENTS,
    SINGLE_INSTANCE_HEADERS,
    SMTP_MAX_MESSAGE_BYTES,
    V1_MAX_MESSAGE_BYTES,
    V2_MAX_MESSAGE_BYTES,
    custom_header_problem,
    custom_headers_problem,
    duplicate_header_problem,
    message_size_problem,
    recipient_count_problem,
)
from openses.domain.mail.rfc2047 import decode_words, encode_words

__all__ = [
    "CONTROL_HEADERS",
    "DISALLOWED_CUSTOM_HEADERS",
    "MAX_CUSTOM_HEADERS",
    "MAX_RECIPIENTS",
    "RECIPIENT_HEADERS",
    "SINGLE_INSTANCE_HEADERS",
    "SMTP_MAX_MESSAGE_BYTES",
    "STRIPPED_BEFORE_DELIVERY",
    "V1_MAX_MESSAGE_BYTES",
    "V2_MAX_MESSAGE_BYTES",
    "ComposeError",
    "Content",
    "ControlHeaders",
    "HeaderField",
    "InvalidAddress",
    "Mailbox",
    "MalformedMessage",
    "RawMessage",
    "compose_simple",
    "control_arns",
    "custom_header_problem",
    "custom_headers_problem",
    "decode_words",
    "duplicate_header_problem",
    "encode_words",
    "format_mailbox",
    "message_size_problem",
    "parse_address_list",
    "parse_addresses",
    "parse_mailbox",
    "raw_message_problem",
    "raw_recipients",
    "recipient_count_problem",
]

"""Custom verification email templates: SES's rules for them and the email built from one.

``templates`` holds the record, its limits and the rules a template must follow;
``html_rules`` the HTML allow-list SES documents; ``message`` the verification email (the
template's content, then the link and the notice SES adds, embedded images as attachments).
"""

from __future__ import annotations

from openses.domain.custom_verification.html_rules import ALLOWED_TAGS, html_problem
from openses.domain.custom_verification.message import (
    InlineImage,
    custom_verification_message,
    inline_images,
    with_verification_link,
)
from openses.domain.custom_verification.templates import (
    CONTENT_LIMIT_BYTES,
    MAX_TEMPLATES,
    URL_MAX_LENGTH,
    CustomVerificationTemplate,
    Refusal,
    RefusalKind,
    TemplateChanges,
    content_problem,
    sender_problem,
    subject_problem,
    template_refusal,
    url_problem,
)

__all__ = [
    "ALLOWED_TAGS",
    "CONTENT_LIMIT_BYTES",
    "MAX_TEMPLATES",
    "URL_MAX_LENGTH",
    "CustomVerificationTemplate",
    "InlineImage",
    "Refusal",
    "RefusalKind",
    "TemplateChanges",
    "content_problem",
    "custom_verification_message",
    "html_problem",
    "inline_images",
    "sender_problem",
    "subject_problem",
    "template_refusal",
    "url_problem",
    "with_verification_link",
]

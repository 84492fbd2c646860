"""The email SendCustomVerificationEmail sends: the account's template, and what SES adds.

SES (developer guide, "Sending verification emails using custom templates" and FAQ Q2, Q4,
Q10): the email is the template's content *followed by* the verification link, and a short
notice SES adds at the end of every custom verification email; From is the template's
``FromEmailAddress``, Subject its ``TemplateSubject``; images embedded as base64 ``data:`` URIs
(``<img src="data:image/png;base64,…">``) are turned into attachments. Custom headers, open and
click tracking are not available (Q8, Q9).

OpenSES writes the link and the notice in its own words, as HTML, placed before the content's
``</body>`` (or ``</html>``) when it has one, so a full document stays well formed, else after
it. Each ``data:`` image becomes a ``multipart/related`` part referenced by ``cid:``; a
``data:`` URI that is not valid base64 is left as written.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from openses.domain.custom_verification.templates import CustomVerificationTemplate
from openses.domain.messages import message_id_header, rfc5322_date

_DATA_IMAGE = re.compile(
    r"""(?P<lead>\bsrc\s*=\s*)(?P<quote>["'])data:image/(?P<subtype>[A-Za-z0-9.+-]+);base64,"""
    r"""(?P<data>[A-Za-z0-9+/=\s]*)(?P=quote)""",
    re.IGNORECASE,
)
_CLOSING_TAGS = (re.compile(r"</body\s*>", re.IGNORECASE), re.compile(r"</html\s*>", re.IGNORECASE))


@dataclass(frozen=True, slots=True)
class InlineImage:
    content_id: str  # without angle brackets, as ``cid:`` references it
    subtype: str  # of image/*
    data: bytes


def inline_images(content: str, message_id_value: str) -> tuple[str, list[InlineImage]]:
    """``content`` with each base64 ``data:`` image replaced by a ``cid:`` reference, and the
    images to attach (content ids made from the message's id, so they are unique)."""
    images: list[InlineImage] = []

    def attach(match: re.Match[str]) -> str:
        try:
            data = base64.b64decode("".join(match["data"].split()), validate=True)
        except (binascii.Error, ValueError):
            return match.group(0)
        content_id = f"image{len(images) + 1}.{message_id_value}@openses"
        images.append(InlineImage(content_id, match["subtype"].lower(), data))
        return f"{match['lead']}{match['quote']}cid:{content_id}{match['quote']}"

    return _DATA_IMAGE.sub(attach, content), images


def with_verification_link(content: str, link: str) -> str:
    """``content`` followed by the link and the notice (inside the document's body when the
    content is a whole document)."""
    shown = html.escape(link, quote=True)
    addition = (
        '<p>To verify this email address, follow this link:<br><a href="'
        f'{shown}">{shown}</a></p><p style="font-size:smaller;color:#555555">The link works for '
        "24 hours. If you did not ask for this address to be verified, ignore this message: "
        "nothing happens unless the link is followed.</p>"
    )
    for closing in _CLOSING_TAGS:
        found = list(closing.finditer(content))
        if found:
            at = found[-1].start()
            return content[:at] + addition + content[at:]
    return content + addition


def custom_verification_message(
    *,
    template: CustomVerificationTemplate,
    address: str,
    link: str,
    message_id_value: str,
    region: str,
    now: datetime,
) -> bytes:
    """The verification email for ``address`` built from ``template``: following ``link``
    within 24 hours verifies the address."""
    body, images = inline_images(with_verification_link(template.content, link), message_id_value)
    message = EmailMessage()
    message["From"] = template.from_address
    message["To"] = address
    message["Subject"] = template.subject
    message["Date"] = rfc5322_date(now)
    message["Message-ID"] = message_id_header(message_id_value, region)
    message.set_content(body, subtype="html")
    for image in images:
        message.add_related(image.data, "image", image.subtype, cid=f"<{image.content_id}>")
    return bytes(message)

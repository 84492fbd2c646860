"""A custom verification email leaves like any other message: it reaches the recipient's MX
from the template's sender, with its own return path, and its link verifies the address."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage

import httpx

from tests.support.dns_server import DnsTestServer
from tests.support.mail_sink import MailSink
from tests.support.openses_server import Running
from tests.wire.delivery.conftest import DEST
from tests.wire.delivery.test_direct_delivery import received_for
from tests.wire.service.sending_world import World


def test_the_branded_email_reaches_the_mx_and_its_link_redirects(
    openses: Running, dns: DnsTestServer, sink: MailSink
) -> None:
    world = World(openses, dns, "brand-mail.example")
    ses = world.ses(world.owner)
    ses.create_custom_verification_email_template(
        TemplateName="welcome",
        FromEmailAddress=f"hello@{world.domain}",
        TemplateSubject="Welcome aboard",
        TemplateContent="<html><body><h1>Welcome to Brand</h1></body></html>",
        SuccessRedirectionURL="https://brand.example/welcome",
        FailureRedirectionURL="https://brand.example/sorry",
    )
    recipient = f"newcomer@{DEST}"
    message_id = ses.send_custom_verification_email(EmailAddress=recipient, TemplateName="welcome")[
        "MessageId"
    ]
    received = received_for(sink, message_id)
    assert received.recipients == [recipient]
    message = email.message_from_bytes(received.data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert message["From"] == f"hello@{world.domain}"
    assert message["Subject"] == "Welcome aboard"
    assert message["Message-ID"] == f"<{message_id}@email.amazonses.com>"
    html = message.get_content()
    assert "<h1>Welcome to Brand</h1>" in html
    match = re.search(r'href="(http://[^"]+/_openses/verify\?token=[^"]+)"', html)
    assert match is not None
    answer = httpx.get(match.group(1), follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (
        302,
        "https://brand.example/welcome",
    )
    found = ses.get_identity_verification_attributes(Identities=[recipient])
    assert found["VerificationAttributes"][recipient]["VerificationStatus"] == "Success"

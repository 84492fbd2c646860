"""SendCustomVerificationEmail over SES v1 and v2, with boto3: the branded email in the outbox,
where its link leads (success, failure, as sent), and each refusal."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from typing import Any

import httpx

from tests.wire.service.sending_world import World
from tests.wire.service.test_custom_verification_templates_api import (
    CONTENT,
    FAILURE,
    SUCCESS,
    refused,
    template,
    world,
)
from tests.wire.service.test_sending_api import MESSAGE_ID

__all__ = ["world"]


def verification_record(world: World, address: str) -> dict[str, Any]:
    listing = httpx.get(
        f"{world.openses.base_url}/_openses/messages",
        params={"recipient": address, "kind": "verification"},
    )
    messages = listing.json()["messages"]
    assert messages, f"no verification message for {address}"
    found: dict[str, Any] = messages[0]
    return found


def parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def link_in(world: World, address: str) -> str:
    raw = httpx.get(verification_record(world, address)["raw_url"]).content
    html = parsed(raw).get_content()
    match = re.search(r'href="(http://[^"]+/_openses/verify\?token=[^"]+)"', html)
    assert match is not None
    return match.group(1)


def follow(link: str) -> httpx.Response:
    return httpx.get(link, follow_redirects=False)


def status(ses: Any, address: str) -> str:
    found = ses.get_identity_verification_attributes(Identities=[address])
    return str(found["VerificationAttributes"][address]["VerificationStatus"])


# ------------------------------------------------------------------------------ sending


def test_v1_send_verifies_with_the_branded_email_and_redirects(world: World) -> None:
    ses = world.ses(world.owner)
    ses.create_custom_verification_email_template(**template(world))
    ses.create_configuration_set(ConfigurationSet={"Name": "onboarding"})
    reply = ses.send_custom_verification_email(
        EmailAddress="customer@shop.example",
        TemplateName="welcome",
        ConfigurationSetName="onboarding",
    )
    assert MESSAGE_ID.match(reply["MessageId"])
    assert status(ses, "customer@shop.example") == "Pending"
    record = verification_record(world, "customer@shop.example")
    assert record["message_id"] == reply["MessageId"]
    assert (record["source"], record["recipients"], record["subject"]) == (
        f"verify@{world.domain}",
        ["customer@shop.example"],
        "Please confirm your address",
    )
    assert record["sending_account"] == world.owner.account_id
    assert record["configuration_set"] == "onboarding"
    message = parsed(httpx.get(record["raw_url"]).content)
    assert message["From"] == f"verify@{world.domain}"
    assert message["To"] == "customer@shop.example"
    assert message["Subject"] == "Please confirm your address"
    html = message.get_content()
    assert html.startswith(CONTENT.removesuffix("</body></html>"))
    assert html.rstrip().endswith("</body></html>")
    # Following the link verifies the address and lands on the template's success page.
    answer = follow(link_in(world, "customer@shop.example"))
    assert (answer.status_code, answer.headers["location"]) == (302, SUCCESS)
    assert status(ses, "customer@shop.example") == "Success"
    # The quota counts it: the account sent one message.
    assert ses.get_send_quota()["SentLast24Hours"] == 1


def test_a_superseded_link_redirects_to_failure_and_plain_links_stay_plain(world: World) -> None:
    ses = world.ses(world.owner)
    ses.create_custom_verification_email_template(**template(world))
    ses.send_custom_verification_email(EmailAddress="late@shop.example", TemplateName="welcome")
    first = link_in(world, "late@shop.example")
    ses.send_custom_verification_email(EmailAddress="late@shop.example", TemplateName="welcome")
    second = link_in(world, "late@shop.example")
    assert first != second
    # The template changes after the emails went out: the links lead where they were sent to.
    ses.update_custom_verification_email_template(
        TemplateName="welcome", FailureRedirectionURL="https://brand.example/changed"
    )
    answer = follow(first)
    assert (answer.status_code, answer.headers["location"]) == (302, FAILURE)
    assert status(ses, "late@shop.example") == "Pending"
    ses.delete_custom_verification_email_template(TemplateName="welcome")
    answer = follow(second)
    assert (answer.status_code, answer.headers["location"]) == (302, SUCCESS)
    # VerifyEmailIdentity's own link still answers its plain page.
    ses.verify_email_identity(EmailAddress="plain@shop.example")
    listing = httpx.get(
        f"{world.openses.base_url}/_openses/messages", params={"recipient": "plain@shop.example"}
    )
    plain = parsed(httpx.get(listing.json()["messages"][0]["raw_url"]).content)
    assert plain["From"] == "no-reply@openses.test"
    body = plain.get_body(("plain",))
    assert body is not None
    match = re.search(r"(http://\S+/_openses/verify\?token=\S+)", body.get_content())
    assert match is not None
    answer = follow(match.group(1))
    assert answer.status_code == 200
    assert "successfully verified plain@shop.example" in answer.text


def test_v1_send_errors(world: World) -> None:
    ses = world.ses(world.owner)
    ses.create_custom_verification_email_template(**template(world))
    send = ses.send_custom_verification_email
    assert refused(send, EmailAddress="c@shop.example", TemplateName="nope") == (
        "CustomVerificationEmailTemplateDoesNotExist",
        "Custom verification email template nope does not exist.",
        400,
    )
    error = refused(
        send, EmailAddress="c@shop.example", TemplateName="welcome", ConfigurationSetName="nope"
    )
    assert error[0::2] == ("ConfigurationSetDoesNotExist", 400)
    error = refused(send, EmailAddress="not-an-address", TemplateName="welcome")
    assert error[0::2] == ("InvalidParameterValue", 400)
    # The sender's domain is deleted after the template was made: refused at send time.
    ses.delete_identity(Identity=world.domain)
    code, message, http = refused(send, EmailAddress="c@shop.example", TemplateName="welcome")
    assert (code, http) == ("FromEmailAddressNotVerified", 400)
    assert f"verify@{world.domain} is not verified" in message
    world.update_account(world.owner, production=False)
    world.verify_domain(world.owner, world.domain)
    code, message, _ = refused(send, EmailAddress="c@shop.example", TemplateName="welcome")
    assert code == "ProductionAccessNotGranted"
    assert "sandbox" in message
    world.update_account(world.owner, production=True, sending_enabled=False)
    error = refused(send, EmailAddress="c@shop.example", TemplateName="welcome")
    assert error[0] == "AccountSendingPausedException"
    assert "c@shop.example" not in ses.list_identities()["Identities"]


def test_v2_send_and_its_errors(world: World) -> None:
    sesv2 = world.sesv2(world.owner)
    sesv2.create_custom_verification_email_template(**template(world))
    reply = sesv2.send_custom_verification_email(
        EmailAddress="v2@shop.example", TemplateName="welcome"
    )
    assert MESSAGE_ID.match(reply["MessageId"])
    identity = sesv2.get_email_identity(EmailIdentity="v2@shop.example")
    assert identity["VerificationStatus"] == "PENDING"
    answer = follow(link_in(world, "v2@shop.example"))
    assert (answer.status_code, answer.headers["location"]) == (302, SUCCESS)
    assert sesv2.get_email_identity(EmailIdentity="v2@shop.example")["VerificationStatus"] == (
        "SUCCESS"
    )
    send = sesv2.send_custom_verification_email
    error = refused(send, EmailAddress="c@shop.example", TemplateName="nope")
    assert error[0::2] == ("NotFoundException", 404)
    error = refused(
        send, EmailAddress="c@shop.example", TemplateName="welcome", ConfigurationSetName="nope"
    )
    assert error[0::2] == ("NotFoundException", 404)
    # The sender's custom MAIL FROM says to reject while its MX is not set up.
    sesv2.put_email_identity_mail_from_attributes(
        EmailIdentity=world.domain,
        MailFromDomain=f"bounce.{world.domain}",
        BehaviorOnMxFailure="REJECT_MESSAGE",
    )
    code, message, http = refused(send, EmailAddress="c@shop.example", TemplateName="welcome")
    assert (code, http) == ("MailFromDomainNotVerifiedException", 400)
    assert f"bounce.{world.domain}" in message
    sesv2.delete_email_identity(EmailIdentity=world.domain)
    code, message, http = refused(send, EmailAddress="c@shop.example", TemplateName="welcome")
    assert (code, http) == ("MessageRejected", 400)
    assert "not verified" in message
    world.verify_domain(world.owner, world.domain)
    world.update_account(world.owner, production=False)
    code, message, _ = refused(send, EmailAddress="c@shop.example", TemplateName="welcome")
    assert (code, "sandbox" in message) == ("MessageRejected", True)


def test_a_delegates_templates_do_not_reach_the_owners(world: World) -> None:
    """Another account can neither use nor see the platform's templates."""
    world.ses(world.owner).create_custom_verification_email_template(**template(world))
    error = refused(
        world.ses(world.delegate).send_custom_verification_email,
        EmailAddress="c@shop.example",
        TemplateName="welcome",
    )
    assert error[0] == "CustomVerificationEmailTemplateDoesNotExist"

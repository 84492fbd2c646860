"""Identity notification settings, feedback forwarding and custom MAIL FROM, over boto3.

MAIL FROM status follows the MX records the loopback DNS server serves; the background
checker's passes are run on the server's loop with a chosen clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from openses.domain.accounts import AccessKey
from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running

FEEDBACK_MX = "feedback-smtp.us-east-1.openses.test"


def topic(account_id: str, name: str = "feedback", region: str = "us-east-1") -> str:
    return f"arn:aws:sns:{region}:{account_id}:{name}"


def verified_domain(openses: Running, dns: DnsTestServer, key: AccessKey, domain: str) -> Any:
    ses = openses.client("ses", key)
    token = ses.verify_domain_identity(Domain=domain)["VerificationToken"]
    dns.set_txt(f"_amazonses.{domain}", token)
    found = ses.get_identity_verification_attributes(Identities=[domain])
    assert found["VerificationAttributes"][domain]["VerificationStatus"] == "Success"
    return ses


def verified_address(openses: Running, key: AccessKey, address: str) -> None:
    openses.run(
        openses.application.services.identities.operator_verify(
            datetime.now(UTC), account_id=key.account_id, region="us-east-1", name=address
        )
    )


def notifications(ses: Any, name: str) -> dict[str, Any]:
    found = ses.get_identity_notification_attributes(Identities=[name])["NotificationAttributes"]
    attributes: dict[str, Any] = found[name]
    return attributes


def mail_from(ses: Any, name: str) -> dict[str, Any]:
    found = ses.get_identity_mail_from_domain_attributes(Identities=[name])
    attributes: dict[str, Any] = found["MailFromDomainAttributes"][name]
    return attributes


def error_of(call: Any, **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


# ------------------------------------------------------------ notification settings


def test_topics_are_set_read_and_cleared(openses: Running, dns: DnsTestServer) -> None:
    owner, delegate = openses.new_account(), openses.new_account()
    ses = verified_domain(openses, dns, owner, "topics.example")
    assert notifications(ses, "topics.example") == {
        "ForwardingEnabled": True,
        "HeadersInBounceNotificationsEnabled": False,
        "HeadersInComplaintNotificationsEnabled": False,
        "HeadersInDeliveryNotificationsEnabled": False,
    }
    own, theirs = topic(owner.account_id), topic(delegate.account_id, "delegate-feedback")
    ses.set_identity_notification_topic(
        Identity="topics.example", NotificationType="Bounce", SnsTopic=own
    )
    ses.set_identity_notification_topic(
        Identity="topics.example", NotificationType="Complaint", SnsTopic=theirs
    )
    ses.set_identity_notification_topic(
        Identity=f"arn:aws:ses:us-east-1:{owner.account_id}:identity/topics.example",
        NotificationType="Delivery",
        SnsTopic=own,
    )
    found = notifications(ses, "topics.example")
    assert (found["BounceTopic"], found["ComplaintTopic"], found["DeliveryTopic"]) == (
        own,
        theirs,
        own,
    )
    ses.set_identity_notification_topic(Identity="topics.example", NotificationType="Delivery")
    assert "DeliveryTopic" not in notifications(ses, "topics.example")
    assert "BounceTopic" in notifications(ses, "topics.example")


@pytest.mark.parametrize(
    ("arn", "says"),
    [
        ("not-an-arn", "Invalid SNS topic ARN"),
        ("arn:aws:sqs:us-east-1:123456789012:queue", "Invalid SNS topic ARN"),
        ("arn:aws:sns:us-east-1:123456789012:fifo.fifo", "Invalid SNS topic ARN"),
        ("arn:aws:sns:eu-west-1:123456789012:feedback", "region"),
    ],
    ids=["text", "sqs", "fifo", "other-region"],
)
def test_a_topic_must_be_an_sns_topic_of_the_region(
    openses: Running, dns: DnsTestServer, arn: str, says: str
) -> None:
    ses = verified_domain(openses, dns, openses.new_account(), "badtopic.example")
    code, message = error_of(
        ses.set_identity_notification_topic,
        Identity="badtopic.example",
        NotificationType="Bounce",
        SnsTopic=arn,
    )
    assert code == "InvalidParameterValue"
    assert says in message


def test_only_the_owners_verified_identities_take_topics(
    openses: Running, dns: DnsTestServer
) -> None:
    owner, other = openses.new_account(), openses.new_account()
    ses = verified_domain(openses, dns, owner, "owned.example")
    ses.verify_domain_identity(Domain="waiting.example")
    stranger = openses.client("ses", other)
    owner_arn = f"arn:aws:ses:us-east-1:{owner.account_id}:identity/owned.example"
    for client, identity in (
        (ses, "waiting.example"),  # pending
        (ses, "nothing.example"),  # not an identity
        (stranger, owner_arn),  # someone else's (no new cross-account configurations)
        (stranger, "owned.example"),  # not the stranger's
    ):
        code, message = error_of(
            client.set_identity_notification_topic,
            Identity=identity,
            NotificationType="Bounce",
            SnsTopic=topic(owner.account_id),
        )
        assert (code, message) == (
            "InvalidParameterValue",
            f"Identity {identity} is invalid. Must be a verified email address or domain.",
        )
    assert "BounceTopic" not in notifications(ses, "owned.example")


def test_forwarding_is_turned_off_only_with_bounce_and_complaint_topics(
    openses: Running, dns: DnsTestServer
) -> None:
    owner = openses.new_account()
    ses = verified_domain(openses, dns, owner, "forwarding.example")
    name = "forwarding.example"
    for kind in ("Bounce", "Delivery", None):
        if kind is not None:
            ses.set_identity_notification_topic(
                Identity=name, NotificationType=kind, SnsTopic=topic(owner.account_id)
            )
        code, message = error_of(
            ses.set_identity_feedback_forwarding_enabled, Identity=name, ForwardingEnabled=False
        )
        assert code == "InvalidParameterValue"
        assert "both Bounce and Complaint" in message
    ses.set_identity_notification_topic(
        Identity=name, NotificationType="Complaint", SnsTopic=topic(owner.account_id)
    )
    ses.set_identity_feedback_forwarding_enabled(Identity=name, ForwardingEnabled=False)
    assert notifications(ses, name)["ForwardingEnabled"] is False
    assert (
        openses.client("sesv2", owner).get_email_identity(EmailIdentity=name)[
            "FeedbackForwardingStatus"
        ]
        is False
    )
    # without the complaint topic, feedback needs email again
    ses.set_identity_notification_topic(Identity=name, NotificationType="Complaint")
    assert notifications(ses, name)["ForwardingEnabled"] is True


def test_headers_in_notifications_need_a_topic_of_the_type(
    openses: Running, dns: DnsTestServer
) -> None:
    owner = openses.new_account()
    ses = verified_domain(openses, dns, owner, "headers.example")
    code, message = error_of(
        ses.set_identity_headers_in_notifications_enabled,
        Identity="headers.example",
        NotificationType="Delivery",
        Enabled=True,
    )
    assert code == "InvalidParameterValue"
    assert "Amazon SNS topic is set for Delivery" in message
    ses.set_identity_notification_topic(
        Identity="headers.example", NotificationType="Delivery", SnsTopic=topic(owner.account_id)
    )
    ses.set_identity_headers_in_notifications_enabled(
        Identity="headers.example", NotificationType="Delivery", Enabled=True
    )
    found = notifications(ses, "headers.example")
    assert found["HeadersInDeliveryNotificationsEnabled"] is True
    assert found["HeadersInBounceNotificationsEnabled"] is False
    code, _ = error_of(
        ses.set_identity_feedback_forwarding_enabled,
        Identity="missing.example",
        ForwardingEnabled=True,
    )
    assert code == "InvalidParameterValue"


def test_notification_attributes_answer_for_the_callers_identities_as_named(
    openses: Running, dns: DnsTestServer
) -> None:
    owner, other = openses.new_account(), openses.new_account()
    ses = verified_domain(openses, dns, owner, "listed.example")
    ses.verify_email_identity(EmailAddress="Someone@Listed.Example")
    own_arn = f"arn:aws:ses:us-east-1:{owner.account_id}:identity/listed.example"
    other_arn = f"arn:aws:ses:us-east-1:{other.account_id}:identity/listed.example"
    asked = ["LISTED.example", own_arn, other_arn, "Someone@listed.example", "none.example"]
    found = ses.get_identity_notification_attributes(Identities=asked)["NotificationAttributes"]
    assert sorted(found) == sorted(["LISTED.example", own_arn, "Someone@listed.example"])
    assert (
        openses.client("ses", other).get_identity_notification_attributes(
            Identities=["listed.example"]
        )["NotificationAttributes"]
        == {}
    )


def test_v2_feedback_attributes(openses: Running, dns: DnsTestServer) -> None:
    owner = openses.new_account()
    verified_domain(openses, dns, owner, "v2feedback.example")
    sesv2 = openses.client("sesv2", owner)
    assert sesv2.get_email_identity(EmailIdentity="v2feedback.example")["FeedbackForwardingStatus"]
    # v2 has no identity topics: feedback may go to event destinations, so off is allowed
    sesv2.put_email_identity_feedback_attributes(
        EmailIdentity="v2feedback.example", EmailForwardingEnabled=False
    )
    assert (
        sesv2.get_email_identity(EmailIdentity="v2feedback.example")["FeedbackForwardingStatus"]
        is False
    )
    ses = openses.client("ses", owner)
    assert notifications(ses, "v2feedback.example")["ForwardingEnabled"] is False
    sesv2.put_email_identity_feedback_attributes(
        EmailIdentity="v2feedback.example", EmailForwardingEnabled=True
    )
    assert notifications(ses, "v2feedback.example")["ForwardingEnabled"] is True
    code, message = error_of(
        sesv2.put_email_identity_feedback_attributes,
        EmailIdentity="absent.example",
        EmailForwardingEnabled=True,
    )
    assert (code, message) == ("NotFoundException", "Email identity absent.example does not exist.")


# ------------------------------------------------------------------------ MAIL FROM


def test_mail_from_follows_the_mx_record(openses: Running, dns: DnsTestServer) -> None:
    dns.remove("bounce.mf.example")  # the DNS server outlives one backend's run
    owner = openses.new_account()
    ses = verified_domain(openses, dns, owner, "mf.example")
    sesv2 = openses.client("sesv2", owner)
    assert mail_from(ses, "mf.example") == {"BehaviorOnMXFailure": "UseDefaultValue"}
    assert sesv2.get_email_identity(EmailIdentity="mf.example")["MailFromAttributes"] == {
        "BehaviorOnMxFailure": "USE_DEFAULT_VALUE"
    }
    ses.set_identity_mail_from_domain(
        Identity="mf.example",
        MailFromDomain="Bounce.MF.example",
        BehaviorOnMXFailure="RejectMessage",
    )
    assert mail_from(ses, "mf.example") == {
        "MailFromDomain": "bounce.mf.example",
        "MailFromDomainStatus": "Pending",
        "BehaviorOnMXFailure": "RejectMessage",
    }
    dns.set_mx("bounce.mf.example", [(10, "mx.mf.example")])  # not the feedback host
    assert mail_from(ses, "mf.example")["MailFromDomainStatus"] == "Pending"
    dns.set_mx("bounce.mf.example", [(10, FEEDBACK_MX), (20, "mx.mf.example")])  # not the only one
    assert mail_from(ses, "mf.example")["MailFromDomainStatus"] == "Pending"
    dns.set_mx("bounce.mf.example", [(10, FEEDBACK_MX)])
    dns.set_txt("bounce.mf.example", "v=spf1 include:amazonses.com ~all")  # advisory only
    assert mail_from(ses, "mf.example")["MailFromDomainStatus"] == "Success"
    assert sesv2.get_email_identity(EmailIdentity="mf.example")["MailFromAttributes"] == {
        "MailFromDomain": "bounce.mf.example",
        "MailFromDomainStatus": "SUCCESS",
        "BehaviorOnMxFailure": "REJECT_MESSAGE",
    }
    ses.set_identity_mail_from_domain(Identity="mf.example")  # off: the default behaviour
    assert mail_from(ses, "mf.example") == {"BehaviorOnMXFailure": "UseDefaultValue"}


def test_a_dns_outage_is_a_temporary_failure(openses: Running, dns: DnsTestServer) -> None:
    dns.remove("m.outage.example")
    owner = openses.new_account()
    ses = verified_domain(openses, dns, owner, "outage.example")
    ses.set_identity_mail_from_domain(Identity="outage.example", MailFromDomain="m.outage.example")
    dns.fail("m.outage.example")
    assert mail_from(ses, "outage.example")["MailFromDomainStatus"] == "TemporaryFailure"
    dns.remove("m.outage.example")
    dns.set_mx("m.outage.example", [(10, FEEDBACK_MX)])
    assert mail_from(ses, "outage.example")["MailFromDomainStatus"] == "Success"


def test_the_background_checker_watches_and_gives_up(openses: Running, dns: DnsTestServer) -> None:
    dns.remove("m.never.example")
    owner = openses.new_account()
    ses = verified_domain(openses, dns, owner, "watched.example")
    ses.verify_domain_identity(Domain="never.example")
    ses.set_identity_mail_from_domain(
        Identity="watched.example", MailFromDomain="m.watched.example"
    )
    ses.set_identity_mail_from_domain(Identity="never.example", MailFromDomain="m.never.example")
    dns.set_mx("m.watched.example", [(10, FEEDBACK_MX)])
    service = openses.application.services.feedback_settings
    now = datetime.now(UTC)

    def check(at: datetime) -> None:
        openses.run(service.check_mail_from_domains(at, limit=1000))

    check(now)
    assert mail_from(ses, "watched.example")["MailFromDomainStatus"] == "Success"
    assert mail_from(ses, "never.example")["MailFromDomainStatus"] == "Pending"
    dns.remove("m.watched.example")  # the record goes away
    check(now + timedelta(hours=2))
    assert mail_from(ses, "watched.example")["MailFromDomainStatus"] == "TemporaryFailure"
    check(now + timedelta(hours=75))
    assert mail_from(ses, "watched.example")["MailFromDomainStatus"] == "Failed"
    assert mail_from(ses, "never.example")["MailFromDomainStatus"] == "Failed"
    dns.set_mx("m.watched.example", [(10, FEEDBACK_MX)])
    check(now + timedelta(hours=76))  # a failed setup is not looked at again …
    assert mail_from(ses, "watched.example")["MailFromDomainStatus"] == "Failed"
    ses.set_identity_mail_from_domain(
        Identity="watched.example", MailFromDomain="m.watched.example"
    )
    assert mail_from(ses, "watched.example")["MailFromDomainStatus"] == "Success"  # … until set


@pytest.mark.parametrize(
    ("identity", "domain"),
    [
        ("refused.example", "refused.example"),
        ("refused.example", "mail.elsewhere.example"),
        ("me@refused.example", "refused.example"),
    ],
    ids=["itself", "elsewhere", "address-domain"],
)
def test_mail_from_must_be_a_subdomain(
    openses: Running, dns: DnsTestServer, identity: str, domain: str
) -> None:
    owner = openses.new_account()
    ses = verified_domain(openses, dns, owner, "refused.example")
    ses.verify_email_identity(EmailAddress="me@refused.example")
    code, message = error_of(
        ses.set_identity_mail_from_domain, Identity=identity, MailFromDomain=domain
    )
    assert (code, message) == (
        "InvalidParameterValue",
        f"Provided MAIL-FROM domain '{domain}' is not subdomain of the domain of the identity "
        f"'{identity}'.",
    )
    sesv2 = openses.client("sesv2", owner)
    code, _ = error_of(
        sesv2.put_email_identity_mail_from_attributes, EmailIdentity=identity, MailFromDomain=domain
    )
    assert code == "BadRequestException"


def test_v2_mail_from_attributes_for_an_address(openses: Running, dns: DnsTestServer) -> None:
    dns.remove("bounce.addr.example")
    owner = openses.new_account()
    verified_address(openses, owner, "ops@addr.example")
    sesv2 = openses.client("sesv2", owner)
    sesv2.put_email_identity_mail_from_attributes(
        EmailIdentity="ops@addr.example",
        MailFromDomain="bounce.addr.example",
        BehaviorOnMxFailure="REJECT_MESSAGE",
    )
    assert sesv2.get_email_identity(EmailIdentity="ops@addr.example")["MailFromAttributes"] == {
        "MailFromDomain": "bounce.addr.example",
        "MailFromDomainStatus": "PENDING",
        "BehaviorOnMxFailure": "REJECT_MESSAGE",
    }
    dns.set_mx("bounce.addr.example", [(10, FEEDBACK_MX)])
    found = openses.client("ses", owner).get_identity_mail_from_domain_attributes(
        Identities=["ops@addr.example", "nobody@addr.example"]
    )["MailFromDomainAttributes"]
    assert found == {
        "ops@addr.example": {
            "MailFromDomain": "bounce.addr.example",
            "MailFromDomainStatus": "Success",
            "BehaviorOnMXFailure": "RejectMessage",
        }
    }
    sesv2.put_email_identity_mail_from_attributes(EmailIdentity="ops@addr.example")
    assert sesv2.get_email_identity(EmailIdentity="ops@addr.example")["MailFromAttributes"] == {
        "BehaviorOnMxFailure": "USE_DEFAULT_VALUE"
    }
    code, message = error_of(
        sesv2.put_email_identity_mail_from_attributes,
        EmailIdentity="absent@addr.example",
        MailFromDomain="bounce.addr.example",
    )
    assert (code, message) == (
        "NotFoundException",
        "Email identity absent@addr.example does not exist.",
    )

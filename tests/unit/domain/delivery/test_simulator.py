"""The SES mailbox simulator's addresses and what each produces."""

from __future__ import annotations

import pytest

from openses.domain.delivery import (
    SUPPRESSED_DIAGNOSTIC,
    BounceSubType,
    BounceType,
    Scenario,
    is_simulator_address,
    simulate,
)


@pytest.mark.parametrize(
    ("recipient", "scenario"),
    [
        ("success@simulator.amazonses.com", Scenario.SUCCESS),
        ("SUCCESS@SIMULATOR.AMAZONSES.COM", Scenario.SUCCESS),
        ("success+label1@simulator.amazonses.com", Scenario.SUCCESS),
        ("Success+Order-42@Simulator.AmazonSES.com", Scenario.SUCCESS),
        ("<success@simulator.amazonses.com>", Scenario.SUCCESS),
        ("bounce@simulator.amazonses.com", Scenario.BOUNCE),
        ("bounce+label1@simulator.amazonses.com", Scenario.BOUNCE),
        ("bounce+label2@simulator.amazonses.com", Scenario.BOUNCE),
        ("bounce++@simulator.amazonses.com", Scenario.BOUNCE),
        ("ooto@simulator.amazonses.com", Scenario.OOTO),
        ("OOTO+x@simulator.amazonses.com", Scenario.OOTO),
        ("complaint@simulator.amazonses.com", Scenario.COMPLAINT),
        ("complaint+abc@simulator.amazonses.com", Scenario.COMPLAINT),
        ("suppressionlist@simulator.amazonses.com", Scenario.SUPPRESSION_LIST),
        ("suppressionlist+1@simulator.amazonses.com", Scenario.SUPPRESSION_LIST),
        ("someone@simulator.amazonses.com", Scenario.UNLISTED),
        ("successful@simulator.amazonses.com", Scenario.UNLISTED),
        ("bounced@simulator.amazonses.com", Scenario.UNLISTED),
    ],
)
def test_scenarios(recipient: str, scenario: Scenario) -> None:
    outcome = simulate(recipient)
    assert outcome is not None
    assert outcome.scenario is scenario
    assert outcome.recipient == recipient
    assert not outcome.counts_toward_metrics
    assert is_simulator_address(recipient)


@pytest.mark.parametrize(
    "recipient",
    [
        "success@example.com",
        "success@amazonses.com",
        "success@simulator.amazonses.com.evil.example",
        "success@xsimulator.amazonses.com",
        "success@sub.simulator.amazonses.com",
        "simulator.amazonses.com",
        "@simulator.amazonses.com",
        "",
        "no-at-sign",
    ],
)
def test_not_simulator_addresses(recipient: str) -> None:
    assert simulate(recipient) is None
    assert not is_simulator_address(recipient)


def test_success() -> None:
    outcome = simulate("success@simulator.amazonses.com")
    assert outcome is not None
    assert outcome.delivered
    assert outcome.smtp_response == "250 2.6.0 Message received"
    assert outcome.bounce is None
    assert not outcome.auto_reply
    assert outcome.complaint_feedback_type is None
    assert not outcome.suppress


def test_bounce() -> None:
    outcome = simulate("bounce+x@simulator.amazonses.com")
    assert outcome is not None
    assert not outcome.delivered
    bounce = outcome.bounce
    assert bounce is not None
    assert (bounce.bounce_type, bounce.bounce_subtype) == (
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
    )
    assert bounce.status == "5.1.1"
    assert bounce.diagnostic_code == "smtp; 550 5.1.1 user unknown"
    assert bounce.action == "failed"
    assert bounce.attempted
    assert not outcome.suppress  # the simulator's bounce address is never suppressed


def test_ooto() -> None:
    outcome = simulate("ooto@simulator.amazonses.com")
    assert outcome is not None
    assert outcome.delivered
    assert outcome.auto_reply
    assert outcome.bounce is None


def test_complaint() -> None:
    outcome = simulate("complaint@simulator.amazonses.com")
    assert outcome is not None
    assert outcome.delivered
    assert outcome.complaint_feedback_type == "abuse"
    assert outcome.complaint_user_agent == "Amazon SES Mailbox Simulator"


def test_suppression_list() -> None:
    outcome = simulate("suppressionlist@simulator.amazonses.com")
    assert outcome is not None
    assert not outcome.delivered
    bounce = outcome.bounce
    assert bounce is not None
    assert (bounce.bounce_type, bounce.bounce_subtype) == (
        BounceType.PERMANENT,
        BounceSubType.SUPPRESSED,
    )
    assert bounce.diagnostic_code == SUPPRESSED_DIAGNOSTIC
    assert bounce.status == "5.1.1"
    assert not bounce.attempted


def test_unlisted_address_bounces_and_is_suppressed() -> None:
    outcome = simulate("nobody@simulator.amazonses.com")
    assert outcome is not None
    assert outcome.bounce is not None
    assert outcome.bounce.bounce_type is BounceType.PERMANENT
    assert outcome.suppress

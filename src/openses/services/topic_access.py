"""What every topic use case shares: the service's parts, and who may act on a topic.

Access to a topic combines the caller's IAM policies (:meth:`AccountsService.authorize`) and the
topic's access policy, as AWS does: within the owner's account either may allow, from another
account both must, an explicit deny in the topic policy always wins, and a service principal
(a service key) is judged by the topic policy alone, with ``aws:SourceAccount`` /
``aws:SourceArn`` of the resource it acts for.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol

from openses.domain.policy import DecisionKind, Policy
from openses.domain.topics.access import compile_topic_policy, service_context, topic_decision
from openses.domain.topics.names import TopicParameterError, parse_topic_arn
from openses.domain.topics.pushes import PushOutcome, PushRequest
from openses.domain.topics.records import Subscription, SubscriptionStatus, Topic
from openses.domain.topics.signing import MessageSigner
from openses.services.accounts import AccountsService
from openses.services.errors import AccessDenied, InvalidParameter, NotFound
from openses.services.ports import Store
from openses.services.principals import Call, PrincipalKind


class HttpPusher(Protocol):
    async def post_all(self, requests: Sequence[PushRequest]) -> list[PushOutcome]:
        """POST each request; one outcome per request, in order; never raises."""


@contextmanager
def parameters() -> Iterator[None]:
    """Domain checks answer ``InvalidParameter`` with SNS's sentence."""
    try:
        yield
    except TopicParameterError as error:
        raise InvalidParameter(error.message) from None


def denied(caller: str, action: str, resource: str) -> AccessDenied:
    return AccessDenied(
        f"User: {caller} is not authorized to perform: SNS:{action} on resource: {resource}"
    )


def topic_missing() -> NotFound:
    return NotFound("Topic does not exist")


def subscription_missing() -> NotFound:
    return NotFound("Subscription does not exist")


def visible(subscription: Subscription, now: datetime) -> bool:
    """Listed: confirmed, or pending with a live token (unsubscribed ones are gone)."""
    if subscription.status is SubscriptionStatus.CONFIRMED:
        return True
    expires = subscription.token_expires_at
    return subscription.status is SubscriptionStatus.PENDING and (expires is None or now < expires)


class TopicsBase:
    """The parts of :class:`~openses.services.topics.TopicsService` and its access checks."""

    def __init__(
        self,
        store: Store,
        accounts: AccountsService,
        *,
        signer: MessageSigner,
        public_url: str,
        pusher: HttpPusher,
    ) -> None:
        self.store = store
        self.accounts = accounts
        self.signer = signer
        self.public_url = public_url
        self.pusher = pusher
        self.worker_id = f"topics-{uuid.uuid4()}"
        self._wake = asyncio.Event()
        self._compiled: dict[str, Policy] = {}

    # ------------------------------------------------------------------------ access

    def _policy(self, topic: Topic) -> Policy:
        compiled = self._compiled.get(topic.policy)
        if compiled is None:
            compiled = compile_topic_policy(topic.policy)
            if len(self._compiled) > 1024:
                self._compiled.clear()
            self._compiled[topic.policy] = compiled
        return compiled

    async def _authorize(self, call: Call, action: str, topic: Topic) -> None:
        """The caller's IAM policies and the topic's policy, combined as AWS combines them."""
        principal = call.principal
        context: dict[str, Any] = call.context()
        if principal.kind is PrincipalKind.SERVICE:
            context.update(
                service_context(
                    source_account=principal.account_id,
                    source_arn=principal.source_arn,
                    now=call.now,
                )
            )
        decision = topic_decision(
            self._policy(topic),
            caller=principal.caller,
            action=f"sns:{action}",
            topic_arn=topic.arn,
            context=context,
        )
        refusal = denied(principal.arn, action, topic.arn)
        if decision.kind is DecisionKind.EXPLICIT_DENY:
            raise refusal
        if principal.kind is PrincipalKind.SERVICE:
            if decision.allowed:
                return
            raise refusal
        try:
            await self.accounts.authorize(call, f"sns:{action}", topic.arn)
            by_iam = True
        except AccessDenied:
            by_iam = False
        if principal.account_id == topic.account_id:
            allowed = by_iam or decision.allowed
        else:
            allowed = by_iam and decision.allowed
        if not allowed:
            raise refusal

    async def _topic(self, call: Call, arn: str, parameter: str = "TopicArn") -> Topic:
        with parameters():
            parsed = parse_topic_arn(arn, parameter)
        if parsed.region != call.region:
            raise topic_missing()
        async with self.store.transaction(read_only=True) as tx:
            topic = await tx.get_topic(arn)
        if topic is None:
            raise topic_missing()
        return topic

"""What every handler class needs: the services, the request as a service call, pagination."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from openses.api.context import RequestContext
from openses.domain.identities import normalize_identity
from openses.services.account_state import AccountStateService
from openses.services.accounts import AccountsService
from openses.services.configuration_sets import ConfigurationSetsService
from openses.services.custom_verification import CustomVerificationService
from openses.services.dkim import DkimService
from openses.services.errors import InvalidParameter
from openses.services.feedback_settings import FeedbackSettingsService
from openses.services.identities import IdentitiesService
from openses.services.principals import Call
from openses.services.sending import SendingService
from openses.services.suppression import SuppressionService
from openses.services.tags import TagsService
from openses.services.templates import TemplatesService
from openses.services.topics import TopicsService


@dataclass(frozen=True, slots=True)
class Services:
    accounts: AccountsService
    identities: IdentitiesService
    account_state: AccountStateService
    sending: SendingService
    templates: TemplatesService
    configuration_sets: ConfigurationSetsService
    feedback_settings: FeedbackSettingsService
    suppression: SuppressionService
    topics: TopicsService
    dkim: DkimService
    custom_verification: CustomVerificationService
    tags: TagsService


def call_of(ctx: RequestContext) -> Call:
    return Call(
        principal=ctx.principal,
        region=ctx.region,
        now=ctx.now,
        source_ip=ctx.source_ip,
        user_agent=ctx.user_agent,
        secure_transport=ctx.secure_transport,
    )


async def authorized(services: Services, ctx: RequestContext, action: str, resource: str) -> Call:
    """The service call for ``ctx``, once the caller's own policies allow ``action``."""
    call = call_of(ctx)
    await services.accounts.authorize(call, action, resource)
    return call


async def ses_call(services: Services, ctx: RequestContext, identity: str | None = None) -> Call:
    """The call for an SES operation, once the caller may perform it on ``identity``.

    ``identity`` is a name or an identity ARN (the resource is then the caller's identity of
    that name); without one the resource is ``*``. Whether an ARN is the caller's own is for
    the service to decide.
    """
    resource = "*"
    if identity is not None:
        _, marker, named = identity.rpartition("identity/")
        name = named if identity.startswith("arn:") and marker else identity
        account = ctx.principal.account_id
        resource = f"arn:aws:ses:{ctx.region}:{account}:identity/{normalize_identity(name)}"
    return await authorized(services, ctx, f"ses:{ctx.operation}", resource)


def page(names: list[str], token: str | None, size: int) -> tuple[list[str], str | None]:
    """One page of sorted ``names`` after ``token``; the next token, if there is more."""
    start = 0
    if token:
        try:
            after = base64.urlsafe_b64decode(token.encode()).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise InvalidParameter("Invalid pagination token.") from None
        start = next((i for i, name in enumerate(names) if name > after), len(names))
    chunk = names[start : start + size]
    more = start + size < len(names)
    next_token = base64.urlsafe_b64encode(chunk[-1].encode()).decode() if more and chunk else None
    return chunk, next_token

"""DKIM operations over both APIs, and the DKIM parts of v2 CreateEmailIdentity/GetEmailIdentity.

Mixins of :class:`~openses.api.handlers.ses_v1.SesV1Handlers` (``VerifyDomainDkim``,
``GetIdentityDkimAttributes``, ``SetIdentityDkimEnabled``) and
:class:`~openses.api.handlers.ses_v2.SesV2Handlers` (``PutEmailIdentityDkimAttributes``,
``PutEmailIdentityDkimSigningAttributes``). :func:`signing_plan` reads the owner's
``DkimSigningAttributes`` (BYODKIM keys are checked here, before anything is stored);
:func:`dkim_attributes` is the v2 ``DkimAttributes`` structure.
"""

from __future__ import annotations

from typing import Any

from openses.api.context import RequestContext
from openses.api.handlers.common import Services, ses_call
from openses.domain.dkim import InvalidDkimKey, parse_external_key, private_key_pem
from openses.domain.dkim.settings import (
    EASY_DKIM,
    EXTERNAL,
    KEY_LENGTHS,
    key_length_name,
    replica_region,
)
from openses.services.dkim import DkimView, SigningPlan
from openses.services.errors import InvalidParameter

Params = dict[str, Any]
Result = dict[str, Any]


class DkimV1Handlers:
    services: Services

    async def verify_domain_dkim(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["Domain"])
        tokens = await self.services.dkim.verify_domain_dkim(call, params["Domain"])
        return {"DkimTokens": list(tokens)}

    async def get_identity_dkim_attributes(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        views = await self.services.dkim.views(call, params["Identities"])
        attributes: Result = {}
        for given, view in views.items():
            entry: Result = {
                "DkimEnabled": view.signing_enabled,
                "DkimVerificationStatus": view.status.v1,
            }
            if view.tokens:
                entry["DkimTokens"] = list(view.tokens)
            attributes[given] = entry
        return {"DkimAttributes": attributes}

    async def set_identity_dkim_enabled(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["Identity"])
        await self.services.dkim.set_signing_enabled(
            call, params["Identity"], bool(params["DkimEnabled"])
        )
        return {}


class DkimV2Handlers:
    services: Services

    async def put_email_identity_dkim_attributes(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        call = await ses_call(self.services, ctx, params["EmailIdentity"])
        await self.services.dkim.set_signing_enabled(
            call, params["EmailIdentity"], bool(params.get("SigningEnabled"))
        )
        return {}

    async def put_email_identity_dkim_signing_attributes(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        call = await ses_call(self.services, ctx, params["EmailIdentity"])
        plan = signing_plan(
            params.get("SigningAttributes"), origin=params["SigningAttributesOrigin"]
        )
        assert plan is not None
        view = await self.services.dkim.put_signing_attributes(call, params["EmailIdentity"], plan)
        result: Result = {"DkimStatus": view.status.value, "DkimTokens": list(view.tokens)}
        if view.origin is not None and view.origin != EXTERNAL:
            result["SigningHostedZone"] = self.services.dkim.zone
        return result


def signing_plan(attributes: Params | None, *, origin: str | None = None) -> SigningPlan | None:
    """The owner's DKIM request: ``origin`` is ``SigningAttributesOrigin`` of v2
    ``PutEmailIdentityDkimSigningAttributes`` (None for ``CreateEmailIdentity``, where the
    ``DomainSigningAttributesOrigin`` member may ask for a replica); None without attributes on
    create (Easy DKIM, the default)."""
    given = attributes or {}
    nested = given.get("DomainSigningAttributesOrigin")
    if origin is not None and nested is not None:
        raise InvalidParameter(
            "DomainSigningAttributesOrigin is not accepted here; use SigningAttributesOrigin."
        )
    if origin is None and attributes is None:
        return None
    selector, key = given.get("DomainSigningSelector"), given.get("DomainSigningPrivateKey")
    length = given.get("NextSigningKeyLength")
    asked = origin or nested or (EXTERNAL if selector is not None or key is not None else EASY_DKIM)
    if asked == EXTERNAL:
        if selector is None or key is None or length is not None:
            raise InvalidParameter(
                "Bring Your Own DKIM needs DomainSigningSelector and DomainSigningPrivateKey "
                "(and no NextSigningKeyLength)."
            )
        try:
            pem = private_key_pem(parse_external_key(key))
        except InvalidDkimKey as error:
            raise InvalidParameter(f"Invalid DomainSigningPrivateKey: {error}") from None
        return SigningPlan(EXTERNAL, selector=selector, key_pem=pem)
    if selector is not None or key is not None:
        raise InvalidParameter(
            "DomainSigningSelector and DomainSigningPrivateKey are only for Bring Your Own DKIM "
            "(EXTERNAL)."
        )
    if asked == EASY_DKIM:
        return SigningPlan(EASY_DKIM, key_length=None if length is None else KEY_LENGTHS[length])
    if replica_region(asked) is None or length is not None:
        raise InvalidParameter(f"Invalid DKIM signing attributes origin {asked}.")
    return SigningPlan(asked)


def dkim_attributes(view: DkimView, zone: str) -> Result:
    """The v2 ``DkimAttributes`` of an identity."""
    attributes: Result = {
        "SigningEnabled": view.signing_enabled,
        "Status": view.status.value,
        "Tokens": list(view.tokens),
    }
    if view.origin is not None:
        attributes["SigningAttributesOrigin"] = view.origin
        if view.origin != EXTERNAL:
            attributes["SigningHostedZone"] = zone
    if view.current_key_length is not None:
        attributes["CurrentSigningKeyLength"] = key_length_name(view.current_key_length)
        attributes["NextSigningKeyLength"] = key_length_name(view.next_key_length)
    if view.key_generated_at is not None:
        attributes["LastKeyGenerationTimestamp"] = view.key_generated_at
    return attributes

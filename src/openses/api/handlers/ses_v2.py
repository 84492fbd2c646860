"""SESv2 (2019-09-27, REST-JSON): email identities, their policies, and the account."""

from __future__ import annotations

from typing import Any

from openses.api.context import RequestContext
from openses.api.handlers import sends, templated_sends
from openses.api.handlers.common import Services, page, ses_call
from openses.api.handlers.configuration_sets import ConfigurationSetsV2
from openses.api.handlers.custom_verification import CustomVerificationV2
from openses.api.handlers.dkim import DkimV2Handlers, dkim_attributes, signing_plan
from openses.api.handlers.feedback_settings import (
    FeedbackSettingsV2Handlers,
    identity_feedback_fields,
    suppression_fields,
)
from openses.api.handlers.tags import TagsV2, given_tags, listed_tags, may_tag_new
from openses.domain.identities import (
    Identity,
    IdentityKind,
    is_address_identity,
    normalize_identity,
)
from openses.domain.tags import ResourceType, TaggedResource
from openses.domain.templates import EmailTemplate

Params = dict[str, Any]
Result = dict[str, Any]
_TYPES = {IdentityKind.EMAIL_ADDRESS: "EMAIL_ADDRESS", IdentityKind.DOMAIN: "DOMAIN"}


def _status(identity: Identity) -> str:
    return {
        "Pending": "PENDING",
        "Success": "SUCCESS",
        "Failed": "FAILED",
        "TemporaryFailure": "TEMPORARY_FAILURE",
        "NotStarted": "NOT_STARTED",
    }[identity.status.value]


class SesV2Handlers(
    ConfigurationSetsV2, FeedbackSettingsV2Handlers, DkimV2Handlers, CustomVerificationV2, TagsV2
):
    def __init__(self, services: Services) -> None:
        self.services = services

    # ------------------------------------------------------------------ identities

    async def create_email_identity(self, ctx: RequestContext, params: Params) -> Result:
        name = params["EmailIdentity"]
        call = await ses_call(self.services, ctx, name)
        tags = given_tags(params)
        await may_tag_new(self.services, ctx, _identity(name), tags)
        identities, dkim = self.services.identities, self.services.dkim
        default_set = params.get("ConfigurationSetName")
        if default_set is not None:  # refused before anything is made if it does not exist
            await self.services.configuration_sets.get(call, default_set)
        plan = signing_plan(params.get("DkimSigningAttributes"))
        await dkim.check_plan(call, name, plan)
        if is_address_identity(name):
            identity = await identities.verify_email(call, name, create_only=True, tags=tags)
        else:
            identity = await identities.verify_domain(call, name, create_only=True, tags=tags)
        if default_set is not None:
            await self.services.configuration_sets.set_identity_default(
                call, identity.name, default_set
            )
        await dkim.set_up_new(call, identity, plan)
        view = await dkim.view(call, identity.name, check=False)
        return {
            "IdentityType": _TYPES[identity.kind],
            "VerifiedForSendingStatus": identity.verified,
            "DkimAttributes": dkim_attributes(view, dkim.zone),
        }

    async def get_email_identity(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["EmailIdentity"])
        dkim = await self.services.dkim.view(call, params["EmailIdentity"])  # may verify it
        identity, policies = await self.services.identities.get(call, params["EmailIdentity"])
        result: Result = {
            "IdentityType": _TYPES[identity.kind],
            "DkimAttributes": dkim_attributes(dkim, self.services.dkim.zone),
            **await identity_feedback_fields(self.services, call, params["EmailIdentity"]),
            "VerifiedForSendingStatus": identity.verified,
            "Policies": {p.name: p.document for p in policies},
            "Tags": await listed_tags(self.services, call, _identity(identity.name)),
            "VerificationStatus": _status(identity),
        }
        if identity.default_configuration_set is not None:
            result["ConfigurationSetName"] = identity.default_configuration_set
        if identity.kind is IdentityKind.DOMAIN and identity.verified_at is not None:
            result["VerificationInfo"] = {"LastSuccessTimestamp": identity.verified_at}
        return result

    async def list_email_identities(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        found = {i.name: i for i in await self.services.identities.list_identities(call)}
        chunk, token = page(sorted(found), params.get("NextToken"), params.get("PageSize") or 1000)
        entries = [
            {
                "IdentityType": _TYPES[found[name].kind],
                "IdentityName": name,
                "SendingEnabled": found[name].verified,
                "VerificationStatus": _status(found[name]),
            }
            for name in chunk
        ]
        return {"EmailIdentities": entries, **({"NextToken": token} if token else {})}

    async def delete_email_identity(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["EmailIdentity"])
        await self.services.identities.delete(call, params["EmailIdentity"], must_exist=True)
        return {}

    # -------------------------------------------------------------------- policies

    async def put_email_identity_configuration_set_attributes(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        call = await ses_call(self.services, ctx, params["EmailIdentity"])
        await self.services.configuration_sets.set_identity_default(
            call, params["EmailIdentity"], params.get("ConfigurationSetName")
        )
        return {}

    async def create_email_identity_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._put_policy(ctx, params, "create")

    async def update_email_identity_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._put_policy(ctx, params, "update")

    async def _put_policy(self, ctx: RequestContext, params: Params, mode: Any) -> Result:
        call = await ses_call(self.services, ctx, params["EmailIdentity"])
        await self.services.identities.put_policy(
            call, params["EmailIdentity"], params["PolicyName"], params["Policy"], mode
        )
        return {}

    async def get_email_identity_policies(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["EmailIdentity"])
        policies = await self.services.identities.policies(
            call, params["EmailIdentity"], must_exist=True
        )
        return {"Policies": policies}

    async def delete_email_identity_policy(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["EmailIdentity"])
        await self.services.identities.delete_policy(
            call, params["EmailIdentity"], params["PolicyName"], must_exist=True
        )
        return {}

    # --------------------------------------------------------------------- account

    async def get_account(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        details = await self.services.account_state.details(call)
        return {
            **await suppression_fields(self.services, call),
            "DedicatedIpAutoWarmupEnabled": False,
            "EnforcementStatus": "SHUTDOWN" if details.paused_by_operator else "HEALTHY",
            "ProductionAccessEnabled": details.production_access,
            "SendQuota": {
                "Max24HourSend": details.quota.max_24_hour_send,
                "MaxSendRate": details.quota.max_send_rate,
                "SentLast24Hours": details.quota.sent_last_24_hours,
            },
            "SendingEnabled": details.sending_enabled,
        }

    async def put_account_sending_attributes(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        await self.services.account_state.set_sending_enabled(
            call, bool(params.get("SendingEnabled"))
        )
        return {}

    # --------------------------------------------------------------------- sending

    async def send_email(self, ctx: RequestContext, params: Params) -> Result:
        template = params["Content"].get("Template")
        if template is not None:
            return {
                "MessageId": await templated_sends.send_template_content_v2(
                    self.services, ctx, params, template
                )
            }
        return await sends.send_email_v2(self.services, ctx, params)

    async def send_bulk_email(self, ctx: RequestContext, params: Params) -> Result:
        return await templated_sends.send_bulk_email_v2(self.services, ctx, params)

    # ------------------------------------------------------------------- templates

    async def create_email_template(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        tags = given_tags(params)
        await may_tag_new(self.services, ctx, _email_template(params["TemplateName"]), tags)
        await self.services.templates.create(call, _template(params), tags)
        return {}

    async def update_email_template(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        await self.services.templates.update(call, _template(params))
        return {}

    async def get_email_template(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        template = (await self.services.templates.get(call, params["TemplateName"])).template
        content = {"Subject": template.subject, "Text": template.text, "Html": template.html}
        return {
            "TemplateName": template.name,
            "TemplateContent": {k: v for k, v in content.items() if v is not None},
            "Tags": await listed_tags(self.services, call, _email_template(template.name)),
        }

    async def list_email_templates(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        stored = {s.template.name: s for s in await self.services.templates.list(call)}
        names, token = page(sorted(stored), params.get("NextToken"), params.get("PageSize") or 10)
        metadata = [{"TemplateName": n, "CreatedTimestamp": stored[n].created_at} for n in names]
        return {"TemplatesMetadata": metadata, **({"NextToken": token} if token else {})}

    async def delete_email_template(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        await self.services.templates.delete(call, params["TemplateName"], must_exist=True)
        return {}

    async def test_render_email_template(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        rendered = await self.services.templates.test_render(
            call, params["TemplateName"], params["TemplateData"]
        )
        return {"RenderedTemplate": rendered}


def _identity(name: str) -> TaggedResource:
    return TaggedResource(ResourceType.IDENTITY, normalize_identity(name))


def _email_template(name: str) -> TaggedResource:
    return TaggedResource(ResourceType.TEMPLATE, name)


def _template(params: Params) -> EmailTemplate:
    content = params.get("TemplateContent") or {}
    return EmailTemplate(
        params["TemplateName"], content.get("Subject"), content.get("Text"), content.get("Html")
    )

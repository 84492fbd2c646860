"""SES v1 (2010-12-01, Query): identities, policies, account state and sending."""

from __future__ import annotations

from typing import Any

from openses.api.context import RequestContext
from openses.api.handlers import sends, templated_sends
from openses.api.handlers.common import Services, page, ses_call
from openses.api.handlers.configuration_sets import ConfigurationSetsV1
from openses.api.handlers.custom_verification import CustomVerificationV1
from openses.api.handlers.dkim import DkimV1Handlers
from openses.api.handlers.feedback_settings import FeedbackSettingsV1Handlers
from openses.domain.identities import IdentityKind
from openses.domain.templates import EmailTemplate

Params = dict[str, Any]
Result = dict[str, Any]
_KINDS = {"EmailAddress": IdentityKind.EMAIL_ADDRESS, "Domain": IdentityKind.DOMAIN}


class SesV1Handlers(
    ConfigurationSetsV1, FeedbackSettingsV1Handlers, DkimV1Handlers, CustomVerificationV1
):
    def __init__(self, services: Services) -> None:
        self.services = services

    # ------------------------------------------------------------------ identities

    async def verify_email_identity(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["EmailAddress"])
        await self.services.identities.verify_email(call, params["EmailAddress"])
        return {}

    async def verify_email_address(self, ctx: RequestContext, params: Params) -> Result:
        return await self.verify_email_identity(ctx, params)

    async def verify_domain_identity(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["Domain"])
        identity = await self.services.identities.verify_domain(call, params["Domain"])
        return {"VerificationToken": identity.token}

    async def list_identities(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        kind = _KINDS.get(params.get("IdentityType", ""))
        names = [i.name for i in await self.services.identities.list_identities(call, kind)]
        chunk, token = page(names, params.get("NextToken"), params.get("MaxItems") or 1000)
        return {"Identities": chunk, **({"NextToken": token} if token else {})}

    async def list_verified_email_addresses(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        found = await self.services.identities.list_identities(call, IdentityKind.EMAIL_ADDRESS)
        return {"VerifiedEmailAddresses": [i.name for i in found if i.verified]}

    async def get_identity_verification_attributes(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        call = await ses_call(self.services, ctx)
        await self.services.dkim.refresh(call, params["Identities"])  # DKIM verifies domains too
        found = await self.services.identities.get_many(call, params["Identities"])
        attributes: Result = {}
        for given, identity in found.items():
            entry: Result = {"VerificationStatus": identity.status.value}
            if identity.kind is IdentityKind.DOMAIN:
                entry["VerificationToken"] = identity.token
            attributes[given] = entry
        return {"VerificationAttributes": attributes}

    async def delete_identity(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["Identity"])
        await self.services.identities.delete(call, params["Identity"])
        return {}

    async def delete_verified_email_address(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["EmailAddress"])
        await self.services.identities.delete(call, params["EmailAddress"])
        return {}

    # -------------------------------------------------------------------- policies

    async def put_identity_policy(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["Identity"])
        await self.services.identities.put_policy(
            call, params["Identity"], params["PolicyName"], params["Policy"], "upsert"
        )
        return {}

    async def get_identity_policies(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["Identity"])
        policies = await self.services.identities.policies(
            call, params["Identity"], params["PolicyNames"], must_exist=False
        )
        return {"Policies": policies}

    async def list_identity_policies(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["Identity"])
        policies = await self.services.identities.policies(
            call, params["Identity"], must_exist=False
        )
        return {"PolicyNames": sorted(policies)}

    async def delete_identity_policy(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["Identity"])
        await self.services.identities.delete_policy(
            call, params["Identity"], params["PolicyName"], must_exist=False
        )
        return {}

    # --------------------------------------------------------------- account state

    async def get_send_quota(self, ctx: RequestContext, params: Params) -> Result:
        quota = await self.services.account_state.quota(await ses_call(self.services, ctx))
        return {
            "Max24HourSend": quota.max_24_hour_send,
            "MaxSendRate": quota.max_send_rate,
            "SentLast24Hours": quota.sent_last_24_hours,
        }

    async def get_send_statistics(self, ctx: RequestContext, params: Params) -> Result:
        points = await self.services.account_state.statistics(await ses_call(self.services, ctx))
        return {
            "SendDataPoints": [
                {
                    "Timestamp": p.timestamp,
                    "DeliveryAttempts": p.delivery_attempts,
                    "Bounces": p.bounces,
                    "Complaints": p.complaints,
                    "Rejects": p.rejects,
                }
                for p in points
            ]
        }

    async def get_account_sending_enabled(self, ctx: RequestContext, params: Params) -> Result:
        enabled = await self.services.account_state.sending_enabled(
            await ses_call(self.services, ctx)
        )
        return {"Enabled": enabled}

    async def update_account_sending_enabled(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        await self.services.account_state.set_sending_enabled(call, bool(params.get("Enabled")))
        return {}

    # --------------------------------------------------------------------- sending

    async def send_email(self, ctx: RequestContext, params: Params) -> Result:
        return await sends.send_email_v1(self.services, ctx, params)

    async def send_raw_email(self, ctx: RequestContext, params: Params) -> Result:
        return await sends.send_raw_email_v1(self.services, ctx, params)

    async def send_templated_email(self, ctx: RequestContext, params: Params) -> Result:
        return await templated_sends.send_templated_email_v1(self.services, ctx, params)

    async def send_bulk_templated_email(self, ctx: RequestContext, params: Params) -> Result:
        return await templated_sends.send_bulk_templated_email_v1(self.services, ctx, params)

    # ------------------------------------------------------------------- templates

    async def create_template(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        await self.services.templates.create(call, _template(params["Template"]))
        return {}

    async def update_template(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        await self.services.templates.update(call, _template(params["Template"]))
        return {}

    async def get_template(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        template = (await self.services.templates.get(call, params["TemplateName"])).template
        parts = {
            "TemplateName": template.name,
            "SubjectPart": template.subject,
            "TextPart": template.text,
            "HtmlPart": template.html,
        }
        return {"Template": {key: value for key, value in parts.items() if value is not None}}

    async def list_templates(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        stored = {s.template.name: s for s in await self.services.templates.list(call)}
        names, token = page(sorted(stored), params.get("NextToken"), params.get("MaxItems") or 10)
        metadata = [{"Name": n, "CreatedTimestamp": stored[n].created_at} for n in names]
        return {"TemplatesMetadata": metadata, **({"NextToken": token} if token else {})}

    async def delete_template(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        await self.services.templates.delete(call, params["TemplateName"], must_exist=False)
        return {}

    async def test_render_template(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx)
        rendered = await self.services.templates.test_render(
            call, params["TemplateName"], params["TemplateData"]
        )
        return {"RenderedTemplate": rendered}


def _template(given: Params) -> EmailTemplate:
    return EmailTemplate(
        given["TemplateName"],
        given.get("SubjectPart"),
        given.get("TextPart"),
        given.get("HtmlPart"),
    )

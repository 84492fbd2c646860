"""Custom verification email templates and SendCustomVerificationEmail, SES v1 and SESv2, as
mixins of the two handler classes.

Management is authorized against ``*`` (SES defines no resource type for these actions);
SendCustomVerificationEmail against the identity it verifies, as VerifyEmailIdentity is. Lists
page by name: v1 ``MaxResults`` is 1 to 50 by its model (outside that range the request is
refused with ``ValidationError`` before it gets here), v2 ``PageSize`` must be 1 to 50 too
(``BadRequestException``); both default to 50, the page size SES documents. v1
UpdateCustomVerificationEmailTemplate may give any subset of the attributes (those given
replace the template's); v2 gives them all. v2 ``Tags`` are the template's resource tags
(:mod:`openses.api.handlers.tags`), returned by GetCustomVerificationEmailTemplate (v2).
"""

from __future__ import annotations

from typing import Any

from openses.api.context import RequestContext
from openses.api.handlers.common import Services, call_of, page, ses_call
from openses.api.handlers.tags import given_tags, listed_tags, may_tag_new
from openses.domain.custom_verification import CustomVerificationTemplate, TemplateChanges
from openses.domain.tags import ResourceType, TaggedResource
from openses.services.custom_verification_port import StoredCustomVerificationTemplate
from openses.services.errors import InvalidParameter

Params = dict[str, Any]
Result = dict[str, Any]
PAGE_LIMIT = 50  # templates per page, and the default

_ATTRIBUTES = (
    ("FromEmailAddress", "from_address"),
    ("TemplateSubject", "subject"),
    ("TemplateContent", "content"),
    ("SuccessRedirectionURL", "success_url"),
    ("FailureRedirectionURL", "failure_url"),
)


def _template(params: Params) -> CustomVerificationTemplate:
    given = {field: params[member] for member, field in _ATTRIBUTES}
    return CustomVerificationTemplate(name=params["TemplateName"], **given)


def _tagged(name: str) -> TaggedResource:
    return TaggedResource(ResourceType.CUSTOM_VERIFICATION_EMAIL_TEMPLATE, name)


def _changes(params: Params) -> TemplateChanges:
    return TemplateChanges(**{field: params.get(member) for member, field in _ATTRIBUTES})


def _summary(stored: StoredCustomVerificationTemplate) -> Result:
    template = stored.template
    return {
        "TemplateName": template.name,
        "FromEmailAddress": template.from_address,
        "TemplateSubject": template.subject,
        "SuccessRedirectionURL": template.success_url,
        "FailureRedirectionURL": template.failure_url,
    }


class _BothApis:
    services: Services

    async def _list(self, ctx: RequestContext, token: str | None, size: int | None) -> Result:
        call = await ses_call(self.services, ctx)
        stored = {s.template.name: s for s in await self.services.custom_verification.list(call)}
        names, next_token = page(sorted(stored), token, size or PAGE_LIMIT)
        return {
            "CustomVerificationEmailTemplates": [_summary(stored[name]) for name in names],
            **({"NextToken": next_token} if next_token else {}),
        }

    async def _get(self, ctx: RequestContext, name: str) -> StoredCustomVerificationTemplate:
        call = await ses_call(self.services, ctx)
        return await self.services.custom_verification.get(call, name)

    async def update_custom_verification_email_template(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        call = await ses_call(self.services, ctx)
        await self.services.custom_verification.update(
            call, params["TemplateName"], _changes(params)
        )
        return {}

    async def send_custom_verification_email(self, ctx: RequestContext, params: Params) -> Result:
        call = await ses_call(self.services, ctx, params["EmailAddress"])
        message_id = await self.services.custom_verification.send(
            call,
            params["EmailAddress"],
            params["TemplateName"],
            params.get("ConfigurationSetName"),
        )
        return {"MessageId": message_id}


class CustomVerificationV1(_BothApis):
    async def create_custom_verification_email_template(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        call = await ses_call(self.services, ctx)
        await self.services.custom_verification.create(call, _template(params))
        return {}

    async def get_custom_verification_email_template(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        stored = await self._get(ctx, params["TemplateName"])
        return {**_summary(stored), "TemplateContent": stored.template.content}

    async def list_custom_verification_email_templates(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        return await self._list(ctx, params.get("NextToken"), params.get("MaxResults"))

    async def delete_custom_verification_email_template(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        call = await ses_call(self.services, ctx)
        await self.services.custom_verification.delete(
            call, params["TemplateName"], must_exist=False
        )
        return {}


class CustomVerificationV2(_BothApis):
    async def create_custom_verification_email_template(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        call = await ses_call(self.services, ctx)
        tags = given_tags(params)
        await may_tag_new(self.services, ctx, _tagged(params["TemplateName"]), tags)
        await self.services.custom_verification.create(call, _template(params), tags)
        return {}

    async def get_custom_verification_email_template(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        stored = await self._get(ctx, params["TemplateName"])
        call = call_of(ctx)
        return {
            **_summary(stored),
            "TemplateContent": stored.template.content,
            "Tags": await listed_tags(self.services, call, _tagged(stored.template.name)),
        }

    async def list_custom_verification_email_templates(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        size = params.get("PageSize")
        if size is not None and not 1 <= size <= PAGE_LIMIT:
            raise InvalidParameter(f"PageSize must be between 1 and {PAGE_LIMIT}, not {size}.")
        return await self._list(ctx, params.get("NextToken"), size)

    async def delete_custom_verification_email_template(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        call = await ses_call(self.services, ctx)
        await self.services.custom_verification.delete(
            call, params["TemplateName"], must_exist=True
        )
        return {}

"""IAM (Query): users, their access keys and inline policies — so delegates can be real users."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from openses.api.context import RequestContext
from openses.api.handlers.common import Services, authorized
from openses.domain.accounts import AccessKey, IamUser

Params = dict[str, Any]
Result = dict[str, Any]


def _user(user: IamUser) -> Result:
    return {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.user_id,
        "Arn": user.arn,
        "CreateDate": user.created_at,
    }


def _key(key: AccessKey, *, secret: bool = False) -> Result:
    entry: Result = {
        "UserName": key.user_name or "",
        "AccessKeyId": key.access_key_id,
        "Status": key.status.value,
        "CreateDate": key.created_at,
    }
    if secret:
        entry["SecretAccessKey"] = key.secret_access_key
    return entry


class IamHandlers:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def _call(self, ctx: RequestContext, user_name: str | None = None) -> Any:
        account = ctx.principal.account_id
        resource = f"arn:aws:iam::{account}:user/{user_name}" if user_name else "*"
        return await authorized(self.services, ctx, f"iam:{ctx.operation}", resource)

    async def create_user(self, ctx: RequestContext, params: Params) -> Result:
        call = await self._call(ctx, params["UserName"])
        user = await self.services.accounts.create_user(
            call, params["UserName"], params.get("Path")
        )
        return {"User": _user(user)}

    async def get_user(self, ctx: RequestContext, params: Params) -> Result:
        name = params.get("UserName")
        call = await self._call(ctx, name)
        user = await self.services.accounts.get_user(call, name)
        if user is None:  # the root asking about itself
            account = ctx.principal.account_id
            return {
                "User": {
                    "Path": "/",
                    "UserName": "",
                    "UserId": account,
                    "Arn": f"arn:aws:iam::{account}:root",
                    "CreateDate": (await self.services.accounts.account(account)).created_at,
                }
            }
        return {"User": _user(user)}

    async def list_users(self, ctx: RequestContext, params: Params) -> Result:
        call = await self._call(ctx)
        users = await self.services.accounts.list_users(call, params.get("PathPrefix"))
        return {"Users": [_user(u) for u in users], "IsTruncated": False}

    async def delete_user(self, ctx: RequestContext, params: Params) -> Result:
        call = await self._call(ctx, params["UserName"])
        await self.services.accounts.delete_user(call, params["UserName"])
        return {}

    async def create_access_key(self, ctx: RequestContext, params: Params) -> Result:
        call = await self._call(ctx, params.get("UserName"))
        key = await self.services.accounts.create_access_key(call, params.get("UserName"))
        return {"AccessKey": _key(key, secret=True)}

    async def list_access_keys(self, ctx: RequestContext, params: Params) -> Result:
        call = await self._call(ctx, params.get("UserName"))
        keys = await self.services.accounts.list_access_keys(call, params.get("UserName"))
        return {"AccessKeyMetadata": [_key(k) for k in keys], "IsTruncated": False}

    async def update_access_key(self, ctx: RequestContext, params: Params) -> Result:
        call = await self._call(ctx, params.get("UserName"))
        await self.services.accounts.update_access_key(
            call, params["AccessKeyId"], params["Status"], params.get("UserName")
        )
        return {}

    async def delete_access_key(self, ctx: RequestContext, params: Params) -> Result:
        call = await self._call(ctx, params.get("UserName"))
        await self.services.accounts.delete_access_key(
            call, params["AccessKeyId"], params.get("UserName")
        )
        return {}

    async def put_user_policy(self, ctx: RequestContext, params: Params) -> Result:
        call = await self._call(ctx, params["UserName"])
        await self.services.accounts.put_user_policy(
            call, params["UserName"], params["PolicyName"], params["PolicyDocument"]
        )
        return {}

    async def get_user_policy(self, ctx: RequestContext, params: Params) -> Result:
        call = await self._call(ctx, params["UserName"])
        policy = await self.services.accounts.get_user_policy(
            call, params["UserName"], params["PolicyName"]
        )
        # IAM returns policy documents URL-encoded (SDKs decode them).
        return {
            "UserName": policy.user_name,
            "PolicyName": policy.policy_name,
            "PolicyDocument": quote(policy.document, safe=""),
        }

    async def list_user_policies(self, ctx: RequestContext, params: Params) -> Result:
        call = await self._call(ctx, params["UserName"])
        names = await self.services.accounts.list_user_policies(call, params["UserName"])
        return {"PolicyNames": names, "IsTruncated": False}

    async def delete_user_policy(self, ctx: RequestContext, params: Params) -> Result:
        call = await self._call(ctx, params["UserName"])
        await self.services.accounts.delete_user_policy(
            call, params["UserName"], params["PolicyName"]
        )
        return {}

"""The ``/_openses`` routes: the verification link, and the captured outbox.

``GET /_openses/verify?token=…`` is public: holding the link is the proof. A link sent by
SendCustomVerificationEmail answers ``302 Found`` to its template's success or failure URL (as
they were when it was sent); any other link answers a plain page. The outbox routes
answer loopback callers whose ``Host`` names this machine (``localhost``, a loopback address,
or the public URL's host: a guard against DNS rebinding, by which a web page whose name an
attacker points at 127.0.0.1 would read the outbox from the operator's own browser), or
anyone presenting ``Authorization: Bearer <admin token>``:

- ``GET /_openses/messages`` — JSON records, newest first; filters ``account``, ``region``,
  ``identity`` (an identity ARN used), ``sender``, ``recipient``, ``kind``, ``limit``;
- ``GET /_openses/messages/<id>/raw`` — the stored MIME message;
- ``DELETE /_openses/messages`` — clears the outbox.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from openses.api.inbox import inbox_routes
from openses.api.inbox_access import is_loopback, names_this_machine
from openses.domain.outbox import CapturedMessage, MessageFilter, MessageKind
from openses.services.custom_verification import CustomVerificationService
from openses.services.errors import ServiceError
from openses.services.identities import IdentitiesService
from openses.services.outbox import OutboxService

MAX_LIMIT = 1000


def admin_routes(
    *,
    identities: IdentitiesService,
    outbox: OutboxService,
    admin_token: str | None,
    clock: Callable[[], datetime],
    public_url: str,
    custom_verification: CustomVerificationService | None = None,
) -> list[Route]:
    def allowed(request: Request) -> bool:
        if admin_token:
            given = request.headers.get("authorization", "")
            if hmac.compare_digest(given.encode(), f"Bearer {admin_token}".encode()):
                return True
        client = request.client.host if request.client else ""
        # A loopback caller whose Host names another site is a browser led here by DNS
        # rebinding (a page whose name an attacker pointed at 127.0.0.1): not the operator.
        return is_loopback(client) and names_this_machine(request.headers.get("host"), public_url)

    def forbidden() -> Response:
        return JSONResponse(
            {
                "error": "/_openses is open to loopback callers (as localhost, a loopback "
                "address or the public URL's host) or with the admin token"
            },
            status_code=403,
        )

    async def verify(request: Request) -> Response:
        token = request.query_params.get("token", "")
        if custom_verification is not None:
            redirect = await custom_verification.follow(token, clock())
            if redirect is not None:
                return RedirectResponse(redirect.location, status_code=302)
        try:
            identity = await identities.confirm_link(token, clock())
        except ServiceError as error:
            return PlainTextResponse(error.message + "\n", status_code=400)
        return PlainTextResponse(
            f"Congratulations! You have successfully verified {identity.name} for use with "
            f"OpenSES in region {identity.region}.\n"
        )

    def record(message: CapturedMessage) -> dict[str, Any]:
        return {
            "message_id": message.message_id,
            "kind": message.kind.value,
            "region": message.region,
            "sending_account": message.account_id,
            "caller_arn": message.caller_arn,
            "identity_arns": list(message.identity_arns),
            "governing_identity_arns": list(message.governing_arns),
            "statements": list(message.statements),
            "source": message.source,
            "recipients": list(message.recipients),
            "subject": message.subject,
            "error": message.error,
            "configuration_set": message.configuration_set,
            "tags": [{"name": name, "value": value} for name, value in message.tags],
            "created_at": message.created_at.isoformat(),
            "raw_url": f"{public_url}/_openses/messages/{message.message_id}/raw",
        }

    async def list_messages(request: Request) -> Response:
        if not allowed(request):
            return forbidden()
        query = request.query_params
        try:
            limit = min(int(query.get("limit", "100")), MAX_LIMIT)
            kind = MessageKind(query["kind"]) if "kind" in query else None
        except ValueError:
            kinds = "|".join(kind.value for kind in MessageKind)
            return JSONResponse({"error": f"limit must be a number; kind {kinds}"}, 400)
        where = MessageFilter(
            account_id=query.get("account"),
            region=query.get("region"),
            identity_arn=query.get("identity"),
            source=query.get("sender"),
            recipient=query.get("recipient"),
            kind=kind,
            limit=max(limit, 1),
        )
        return JSONResponse({"messages": [record(m) for m in await outbox.list(where)]})

    async def raw(request: Request) -> Response:
        if not allowed(request):
            return forbidden()
        message = await outbox.get(request.path_params["message_id"])
        if message is None:
            return JSONResponse({"error": "no such message"}, status_code=404)
        return Response(message.raw, media_type="message/rfc822")

    async def history(request: Request) -> Response:
        if not allowed(request):
            return forbidden()
        found = await outbox.history(request.path_params["message_id"])
        if found is None:
            return JSONResponse({"error": "no such message"}, status_code=404)
        message, events, jobs = found
        return JSONResponse(
            {
                "message": record(message),
                "events": [
                    {
                        "event_type": event.event_type,
                        "at": event.at.isoformat(),
                        "account": event.account_id,
                        "recipients": list(event.recipients),
                        "detail": event.detail,
                    }
                    for event in events
                ],
                "pending_deliveries": [
                    {
                        "domain": job.domain,
                        "recipients": list(job.recipients),
                        "attempts": job.attempts,
                        "next_attempt_at": job.run_at.isoformat(),
                        "leased_by": job.lease_owner,
                    }
                    for job in jobs
                ],
            }
        )

    async def clear(request: Request) -> Response:
        if not allowed(request):
            return forbidden()
        return JSONResponse({"deleted": await outbox.clear()})

    return [
        Route("/_openses/verify", verify, methods=["GET"]),
        Route("/_openses/messages", list_messages, methods=["GET"]),
        Route("/_openses/messages", clear, methods=["DELETE"]),
        Route("/_openses/messages/{message_id}/raw", raw, methods=["GET"]),
        Route("/_openses/messages/{message_id}", history, methods=["GET"]),
        *inbox_routes(
            outbox=outbox,
            allowed=allowed,
            admin_token=admin_token,
            clock=clock,
            public_url=public_url,
        ),
    ]

"""The web inbox: the capture outbox as HTML pages (docs/decisions/0015-web-inbox.md).

- ``GET /_openses/inbox`` — the messages, newest first; the JSON route's filters (``account``,
  ``region``, ``identity``, ``sender``, ``recipient``, ``kind``) and ``page``;
- ``GET /_openses/inbox/<id>`` — one message: envelope, attribution, history, content;
- ``GET /_openses/inbox/<id>/html`` — its HTML part, under a CSP without scripts or remote loads
  (the message page frames it in ``<iframe sandbox="">``);
- ``GET /_openses/inbox/<id>/source`` — the stored message as plain text;
- ``GET /_openses/inbox/<id>/attachments/<n>`` — an attachment, always as a download;
- ``POST /_openses/inbox/session`` — sign in with the admin token (or ``action=sign-out``).

Access: ``allowed`` from ``api/admin.py`` (loopback callers naming this machine in ``Host``, or
the bearer token), or a session cookie (``api/inbox_access.py``). Nothing here changes the
outbox.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qs, quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from openses.api import inbox_access as access
from openses.api.inbox_message_page import message_page
from openses.api.inbox_pages import (
    FILTERS,
    INBOX,
    InboxRow,
    Listing,
    access_page,
    delivery_state,
    list_page,
    not_found_page,
)
from openses.domain.mail.parts import (
    attachment_content,
    header_value,
    html_with_inline_images,
    read_parts,
)
from openses.domain.outbox import MessageFilter, MessageKind
from openses.services.outbox import OutboxService

PAGE_SIZE = 50
MAX_ROWS = 1000  # the JSON route's limit: pages go this deep into a filtered listing
MAX_FORM_BYTES = 4096
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
PAGE_HEADERS = {
    **NO_STORE,
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "same-origin",
}
HTML_PART_HEADERS = {
    **NO_STORE,
    "Content-Security-Policy": (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox"
    ),
    "Referrer-Policy": "no-referrer",
}
CONTENT_HEADERS = {**NO_STORE, "Content-Security-Policy": "default-src 'none'; sandbox"}
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._ -]+")


def html_response(document: str, status: int = 200) -> Response:
    body = document.encode("utf-8", "replace")
    return Response(body, status, headers=PAGE_HEADERS, media_type="text/html; charset=utf-8")


def download_name(filename: str | None, index: int) -> str:
    """A ``Content-Disposition`` for an attachment: an ASCII name for every client and the
    exact name in RFC 6266's ``filename*`` (percent-encoded: nothing can break out)."""
    fallback = f"attachment-{index}"
    if not filename:
        return f'attachment; filename="{fallback}"'
    ascii_name = _UNSAFE_FILENAME.sub("_", filename).strip(" .")[:100] or fallback
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


class InboxPages:
    """The inbox's endpoints over the outbox, with the access rule of ``api/admin.py``."""

    def __init__(
        self,
        *,
        outbox: OutboxService,
        allowed: Callable[[Request], bool],
        admin_token: str | None,
        clock: Callable[[], datetime],
        public_url: str,
    ) -> None:
        self.outbox = outbox
        self.allowed = allowed
        self.admin_token = admin_token
        self.clock = clock
        self.public_url = public_url

    def routes(self) -> list[Route]:
        return [
            Route(INBOX, self.index, methods=["GET"]),
            Route(f"{INBOX}/session", self.session, methods=["POST"]),
            Route(f"{INBOX}/{{message_id}}", self.message, methods=["GET"]),
            Route(f"{INBOX}/{{message_id}}/html", self.html_part, methods=["GET"]),
            Route(f"{INBOX}/{{message_id}}/source", self.source, methods=["GET"]),
            Route(
                f"{INBOX}/{{message_id}}/attachments/{{index:int}}",
                self.attachment,
                methods=["GET"],
            ),
        ]

    # ------------------------------------------------------------------ access
    def signed_in(self, request: Request) -> bool:
        cookie = request.cookies.get(access.SESSION_COOKIE)
        return access.session_valid(self.admin_token, cookie, self.clock())

    def refusal(self, request: Request) -> str | None:
        """Why ``request`` may not read the inbox, or ``None`` when it may."""
        if self.signed_in(request) or self.allowed(request):
            return None
        client = request.client.host if request.client else ""
        host = request.headers.get("host")
        if access.is_loopback(client):  # refused by allowed's Host check
            return (
                f"This loopback request names the host {host!r}: open the inbox as localhost, "
                "a loopback address or the server's public URL (a guard against DNS rebinding)."
            )
        return "This request comes from another machine and holds no admin token."

    def refused(self, reason: str) -> Response:
        return html_response(access_page(reason, can_sign_in=bool(self.admin_token)), 403)

    # ------------------------------------------------------------------- pages
    async def index(self, request: Request) -> Response:
        if (reason := self.refusal(request)) is not None:
            return self.refused(reason)
        query = request.query_params
        filters = {
            name: query[name].strip()
            for name in (*(n for n, _ in FILTERS), "kind")
            if query.get(name, "").strip()
        }
        try:
            page = max(int(query.get("page", "1")), 1)
            kind = MessageKind(filters["kind"]) if "kind" in filters else None
        except ValueError:
            kinds = ", ".join(k.value for k in MessageKind)
            problem = f"page must be a number, and kind one of {kinds}."
            listing = Listing([], filters, 1, False, problem, self.signed_in(request))
            return html_response(list_page(listing), 400)
        if (page - 1) * PAGE_SIZE >= MAX_ROWS:
            problem = (
                f"Only the newest {MAX_ROWS} matching messages are listed: narrow the filters."
            )
            listing = Listing([], filters, page, False, problem, self.signed_in(request))
            return html_response(list_page(listing), 400)
        found = await self.outbox.list(
            MessageFilter(
                account_id=filters.get("account"),
                region=filters.get("region"),
                identity_arn=filters.get("identity"),
                source=filters.get("sender"),
                recipient=filters.get("recipient"),
                kind=kind,
                limit=min(page * PAGE_SIZE, MAX_ROWS) + 1,
            )
        )
        rows: list[InboxRow] = []
        for message in found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
            history = await self.outbox.history(message.message_id)
            state = None if history is None else delivery_state(history[1], history[2])
            rows.append(InboxRow(message, header_value(message.raw, "From"), state))
        more = len(found) > page * PAGE_SIZE and page * PAGE_SIZE < MAX_ROWS
        listing = Listing(rows, filters, page, more, None, self.signed_in(request))
        return html_response(list_page(listing))

    async def message(self, request: Request) -> Response:
        if (reason := self.refusal(request)) is not None:
            return self.refused(reason)
        found = await self.outbox.history(request.path_params["message_id"])
        if found is None:
            return html_response(not_found_page("There is no such message in the outbox."), 404)
        captured, events, jobs = found
        parts = read_parts(captured.raw)
        signed_in = self.signed_in(request)
        return html_response(message_page(captured, events, jobs, parts, signed_in=signed_in))

    async def html_part(self, request: Request) -> Response:
        if (reason := self.refusal(request)) is not None:
            return self.refused(reason)
        captured = await self.outbox.get(request.path_params["message_id"])
        part = None if captured is None else html_with_inline_images(captured.raw)
        if part is None:
            return html_response(not_found_page("This message has no HTML part."), 404)
        return Response(
            part.encode("utf-8", "replace"),
            headers=HTML_PART_HEADERS,
            media_type="text/html; charset=utf-8",
        )

    async def source(self, request: Request) -> Response:
        if (reason := self.refusal(request)) is not None:
            return self.refused(reason)
        captured = await self.outbox.get(request.path_params["message_id"])
        if captured is None:
            return html_response(not_found_page("There is no such message in the outbox."), 404)
        return Response(
            captured.raw, headers=CONTENT_HEADERS, media_type="text/plain; charset=utf-8"
        )

    async def attachment(self, request: Request) -> Response:
        if (reason := self.refusal(request)) is not None:
            return self.refused(reason)
        captured = await self.outbox.get(request.path_params["message_id"])
        index: int = request.path_params["index"]
        found = None if captured is None else attachment_content(captured.raw, index)
        if found is None:
            return html_response(not_found_page("This message has no such attachment."), 404)
        listed, data = found
        headers = {**CONTENT_HEADERS, "Content-Disposition": download_name(listed.filename, index)}
        return Response(data, headers=headers, media_type="application/octet-stream")

    # ----------------------------------------------------------------- session
    async def session(self, request: Request) -> Response:
        """Sign in (the admin token sets the session cookie) or out; same-origin posts only."""
        host = request.headers.get("host")
        if not access.same_origin(request.headers.get("origin"), request.url.scheme, host):
            return self.refused("The sign-in form was not posted from this inbox's own pages.")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                return self.refused("The sign-in form was too large.")
        form = parse_qs(body.decode("utf-8", "replace"))
        done = RedirectResponse(INBOX, status_code=303, headers=NO_STORE)
        secure = request.url.scheme == "https"
        if form.get("action") == ["sign-out"]:
            done.delete_cookie(
                access.SESSION_COOKIE,
                path=access.SESSION_PATH,
                secure=secure,
                httponly=True,
                samesite="strict",
            )
            return done
        if self.admin_token is None or not access.token_matches(
            self.admin_token, (form.get("token") or [""])[0]
        ):
            return self.refused("That is not this server's admin token.")
        done.set_cookie(
            access.SESSION_COOKIE,
            access.new_session(self.admin_token, self.clock()),
            max_age=access.SESSION_SECONDS,
            path=access.SESSION_PATH,
            secure=secure,
            httponly=True,
            samesite="strict",
        )
        return done


def inbox_routes(
    *,
    outbox: OutboxService,
    allowed: Callable[[Request], bool],
    admin_token: str | None,
    clock: Callable[[], datetime],
    public_url: str,
) -> list[Route]:
    """The inbox's routes (registered by ``api/admin.py``, which owns ``allowed``)."""
    pages = InboxPages(
        outbox=outbox,
        allowed=allowed,
        admin_token=admin_token,
        clock=clock,
        public_url=public_url,
    )
    return pages.routes()

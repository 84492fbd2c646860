"""The ASGI app: one catch-all route answering the AWS APIs, plus a health check.

Every AWS request goes through the same steps (:class:`AwsEndpoint`)::

    buffer the raw body (bounded)       413 RequestEntityTooLarge[Exception] beyond the limit
    pick the protocol and the service   /v2/email/... → REST-JSON (sesv2); otherwise Query:
                                        Version → ses | iam | sts | sns, else the credential
                                        scope's service
    authenticate (SigV4)                before any parameter is read
    parse and validate                  the codec of the protocol
    call the handler                    through the Dispatcher, with a RequestContext
    serialize                           result, or AwsError in the protocol's error envelope

Routing uses the *raw*, still percent-encoded path (ASGI ``raw_path``), which is also what
the signature covers. Answers to AWS requests carry ``x-amzn-RequestId`` (and Query bodies
their ``RequestId``). An :class:`AwsError` raised anywhere is answered in the protocol of the
request (as far as it is known by then; before that, SES v1's); any other exception is
logged with the request id and answered ``InternalFailure`` (500) with no detail.

The peer address comes from the ASGI ``client`` and the scheme from the ASGI ``scheme``: no
``X-Forwarded-*`` header is read here. Behind a reverse proxy, let the server rewrite them
(uvicorn's ``forwarded_allow_ips``), and have the proxy keep the original ``Host``, which the
signature covers.

Nothing is kept at module level: everything the app uses is built in :func:`create_app`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from urllib.parse import parse_qsl, quote, unquote_plus

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send

from openses.api.auth import SIGNING_NAMES, Authenticator, auth_error, authenticate
from openses.api.context import RequestContext, ServiceName
from openses.api.dispatch import Dispatcher
from openses.api.protocol import query, restjson
from openses.api.protocol.errors import REST_JSON, AwsError, malformed_request, unknown_route
from openses.api.protocol.models import ServiceRegistry
from openses.api.protocol.shapes import ServiceModel
from openses.api.protocol.wire import HttpResponse, ParsedRequest
from openses.domain.sigv4 import (
    ReceivedRequest,
    SignatureError,
    SignedRequestInfo,
    parse_authorization,
    signing_key_cache,
)

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
RequestIds = Callable[[], str]

DEFAULT_MAX_BODY_BYTES: Final = 60 * 1024 * 1024
"""SESv2 accepts raw messages of 40 MB once base64-encoded into the JSON body; leave room."""

HEALTH_PATH: Final = "/_openses/health"
REST_PREFIX: Final = "/v2/email/"
FORM_CONTENT_TYPE: Final = "application/x-www-form-urlencoded"

QUERY_VERSIONS: Final[dict[str, ServiceName]] = {
    "2010-12-01": "ses",
    "2010-05-08": "iam",
    "2011-06-15": "sts",
    "2010-03-31": "sns",
}
"""The ``Version`` parameter of each Query API (its model's ``apiVersion``)."""

QUERY_SERVICES: Final[dict[str, ServiceName]] = {
    signing_name: service for service, signing_name in SIGNING_NAMES.items() if service != "sesv2"
}
"""Credential-scope service → the Query API it means when a request names no ``Version``."""

FALLBACK_SERVICE: Final[ServiceName] = "ses"
"""Whose protocol answers a request before its service is known."""

INTERNAL_FAILURE_MESSAGE: Final = (
    "The request processing has failed because of an unknown error, exception or failure."
)


def create_app(
    *,
    registry: ServiceRegistry,
    dispatcher: Dispatcher,
    authenticator: Authenticator,
    clock: Clock,
    new_request_id: RequestIds,
    extra_routes: Sequence[BaseRoute] = (),
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Starlette:
    """The HTTP app. ``clock`` returns an aware UTC datetime; ``registry`` must serve ``ses``.

    ``extra_routes`` (e.g. the ``/_openses`` admin routes) are matched before the AWS
    catch-all; a path they do not claim is treated as an AWS request.
    """
    endpoint = AwsEndpoint(
        registry=registry,
        dispatcher=dispatcher,
        authenticator=authenticator,
        clock=clock,
        new_request_id=new_request_id,
        max_body_bytes=max_body_bytes,
    )
    routes: list[BaseRoute] = [
        Route(HEALTH_PATH, health, methods=["GET"]),
        *extra_routes,
        Route("/{path:path}", endpoint),  # an ASGI app: every method reaches it
    ]
    return _AwsApp(endpoint, routes)


class _AwsApp(Starlette):
    """Starlette, with a short way to the AWS endpoint for paths no other route can match.

    Every route but the catch-all matches only paths that start with its literal prefix (the
    text before its first ``{parameter}``), so an HTTP request whose path starts with none of
    them is one that Starlette's router would hand to the catch-all anyway: it goes to the
    endpoint directly, without the middleware stack and the route matching (about a tenth of
    the cost of a GetSendQuota). Routes of other kinds (no literal prefix to read), a
    ``root_path`` or added middleware turn the short way off.
    """

    def __init__(self, endpoint: AwsEndpoint, routes: list[BaseRoute]) -> None:
        super().__init__(routes=routes)
        self._endpoint = endpoint
        prefixes: list[str] = []
        for route in routes[:-1]:
            if not isinstance(route, Route | Mount):
                prefixes = [""]  # every path may be claimed
                break
            prefixes.append(route.path.partition("{")[0])
        self._claimed = tuple(prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path") and not self.user_middleware:
            path: str = scope["path"]
            if path.startswith("/") and not path.startswith(self._claimed):
                await self._endpoint(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


@dataclass(slots=True)
class _Exchange:
    """One request in flight: its id, whose protocol renders the answer, what it asks."""

    request_id: str
    service: ServiceName
    operation: str | None = None


class AwsEndpoint:
    """Answers every AWS API request (see the module docstring for the steps)."""

    def __init__(
        self,
        *,
        registry: ServiceRegistry,
        dispatcher: Dispatcher,
        authenticator: Authenticator,
        clock: Clock,
        new_request_id: RequestIds,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self._registry = registry
        self._dispatcher = dispatcher
        self._authenticator = authenticator
        self._clock = clock
        self._new_request_id = new_request_id
        self._max_body_bytes = max_body_bytes
        self._key_cache = signing_key_cache()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = await self.answer(scope, receive)
        await send(
            {"type": "http.response.start", "status": answer.status, "headers": _raw(answer)}
        )
        await send({"type": "http.response.body", "body": answer.body})

    async def handle(self, request: Request) -> Response:
        """The answer to ``request`` as a Starlette response."""
        answer = await self.answer(request.scope, request.receive)
        return Response(answer.body, answer.status, headers=answer.headers)

    async def answer(self, scope: Scope, receive: Receive) -> HttpResponse:
        """The answer to the request of ``scope`` (its body read from ``receive``)."""
        exchange = _Exchange(self._new_request_id(), FALLBACK_SERVICE)
        try:
            return await self._answer(scope, receive, exchange)
        except AwsError as error:
            return self._error(exchange, error)
        except ClientDisconnect:
            logger.info("request %s: the client disconnected", exchange.request_id)
            return HttpResponse(400)
        except Exception:
            logger.exception(
                "request %s (%s %s) failed",
                exchange.request_id,
                exchange.service,
                exchange.operation or "?",
            )
            return self._error(exchange, internal_failure())

    # ------------------------------------------------------------------------- steps

    async def _answer(self, scope: Scope, receive: Receive, exchange: _Exchange) -> HttpResponse:
        path = _decode(scope.get("raw_path") or quote(scope["path"]).encode("ascii"))
        raw_query = _decode(scope.get("query_string", b""))
        if path is None or raw_query is None:
            raise malformed_request(self._model(exchange), "The request URL is not valid UTF-8.")
        rest = path.startswith(REST_PREFIX)
        if rest:
            exchange.service = "sesv2"
        elif raw_query and (version := _form_value(raw_query.encode("utf-8"), b"Version")):
            # (an empty Version names no API either way)
            service = QUERY_VERSIONS.get(version)
            if service is not None and service in self._registry.names:
                exchange.service = service  # so that a refused body is answered in its protocol
        headers = tuple(
            [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]]
        )
        body = await self._read_body(receive, headers, exchange)
        method: str = scope["method"]
        received = ReceivedRequest(method, path, raw_query, headers, body)
        now = self._clock()

        info: SignedRequestInfo | None = None
        form = b""
        if not rest:
            form = self._query_form(received)
            info = self._route_query(received, form, exchange)
        principal, region = await authenticate(
            received,
            service=exchange.service,
            authenticator=self._authenticator,
            now=now,
            key_cache=self._key_cache,
            info=info,
        )

        model = self._model(exchange)
        if rest:
            parsed = self._parse_rest(received)
        else:
            parsed = query.parse_request(model, body=form, query_string=raw_query)
        exchange.operation = parsed.name
        client = scope.get("client")
        ctx = RequestContext(
            service=exchange.service,
            operation=parsed.name,
            region=region,
            principal=principal,
            request_id=exchange.request_id,
            now=now,
            source_ip=client[0] if client else None,
            user_agent=_first_header(headers, "user-agent"),
            secure_transport=scope.get("scheme") == "https",
        )
        result = await self._dispatcher.dispatch(ctx, model, parsed.params)
        if rest:
            return restjson.serialize_result(
                parsed.operation, result, request_id=exchange.request_id
            )
        return query.serialize_result(parsed.operation, result, request_id=exchange.request_id)

    async def _read_body(
        self, receive: Receive, headers: tuple[tuple[str, str], ...], exchange: _Exchange
    ) -> bytes:
        """The exact body bytes (SigV4 hashes them), refusing more than the limit."""
        limit = self._max_body_bytes
        declared = _first_header(headers, "content-length") or ""
        if declared.isdigit() and int(declared) > limit:
            raise too_large(self._model(exchange), limit)
        chunks: list[bytes] = []
        size = 0
        while True:  # as Starlette's Request.stream() reads it
            message = await receive()
            kind = message["type"]
            if kind == "http.request":
                chunk: bytes = message.get("body", b"")
                if chunk:
                    size += len(chunk)
                    if size > limit:
                        raise too_large(self._model(exchange), limit)
                    chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            elif kind == "http.disconnect":
                raise ClientDisconnect()
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _query_form(self, request: ReceivedRequest) -> bytes:
        """The form body of a Query request (empty when the parameters are in the URL)."""
        content_type = next(
            (v for k, v in request.headers if k == "content-type" or k.lower() == "content-type"),
            "",
        )
        media_type = content_type.partition(";")[0].strip().lower()
        if request.method == "POST" and media_type == FORM_CONTENT_TYPE:
            return request.body
        if request.method in ("GET", "POST") and request.query:
            return b""
        raise unknown_route(request.method, request.path)

    def _route_query(
        self, request: ReceivedRequest, form: bytes, exchange: _Exchange
    ) -> SignedRequestInfo | None:
        """Settle the Query service: ``Version`` (body before URL), else the signing scope.

        Returns the parsed ``Authorization`` header when reading it was needed to route.
        """
        version = _form_value(form, b"Version")
        if version is None:
            version = _form_value(request.query.encode("utf-8"), b"Version")
        if version is not None:
            service = QUERY_VERSIONS.get(version)
            if service is None or service not in self._registry.names:
                raise no_such_version(version)
            exchange.service = service
            return None
        try:
            info = parse_authorization(request.headers)
        except SignatureError as error:
            raise auth_error(error) from None
        service = QUERY_SERVICES.get(info.service)
        if service is None or service not in self._registry.names:
            raise missing_version()
        exchange.service = service
        return info

    def _parse_rest(self, request: ReceivedRequest) -> ParsedRequest:
        router = self._registry.router("sesv2")
        headers: dict[str, str] = {}
        for name, value in request.headers:
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        try:
            return restjson.parse_request(
                router,
                method=request.method,
                path=request.path,
                query_string=request.query,
                headers=headers,
                body=request.body,
            )
        except AwsError as error:
            if error.code != "UnknownOperationException":
                raise
            allowed = router.methods_for(request.path, _query_values(request.query))
            if not allowed:
                raise
            raise method_not_allowed(request.method, request.path, allowed) from None

    # ------------------------------------------------------------------------ errors

    def _model(self, exchange: _Exchange) -> ServiceModel:
        return self._registry.service(exchange.service)

    def _error(self, exchange: _Exchange, error: AwsError) -> HttpResponse:
        model = self._model(exchange)
        if model.protocol == REST_JSON:
            return restjson.serialize_error(model, error, request_id=exchange.request_id)
        return query.serialize_error(model, error, request_id=exchange.request_id)


# ---------------------------------------------------------------------------- answers


def internal_failure() -> AwsError:
    """What the client hears about a bug: AWS's wording, nothing of the cause."""
    return AwsError("InternalFailure", INTERNAL_FAILURE_MESSAGE, 500, sender_fault=False)


def too_large(service: ServiceModel, limit: int) -> AwsError:
    code = "RequestEntityTooLarge"
    if service.protocol == REST_JSON:
        code += "Exception"
    return AwsError(code, f"The request body exceeds {limit} bytes.", 413, sender_fault=True)


def no_such_version(version: str) -> AwsError:
    """A Query ``Version`` that no API served here has (AWS's code for it)."""
    return AwsError(
        "NoSuchVersion",
        f"The requested version ({version}) does not exist for any service of this endpoint.",
        400,
        sender_fault=True,
    )


def missing_version() -> AwsError:
    return AwsError(
        "MissingParameter",
        "The request must contain the parameter Version.",
        400,
        sender_fault=True,
    )


def method_not_allowed(method: str, path: str, allowed: frozenset[str]) -> AwsError:
    return AwsError(
        "MethodNotAllowedException",
        f"The method {method} is not allowed on {path}; allowed: {', '.join(sorted(allowed))}.",
        405,
        sender_fault=True,
    )


# ---------------------------------------------------------------------------- helpers


def _raw(answer: HttpResponse) -> list[tuple[bytes, bytes]]:
    """The answer's headers on the wire, as Starlette's ``Response`` would send them."""
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers.items()]
    status = answer.status
    if not (status < 200 or status in (204, 304)) and all(k != b"content-length" for k, _ in raw):
        raw.append((b"content-length", str(len(answer.body)).encode("latin-1")))
    return raw


def _first_header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    """The first value of the header ``name`` (ASGI names are lower case), as Starlette reads."""
    for key, value in headers:
        if key == name:
            return value
    return None


def _decode(raw: bytes) -> str | None:
    """Raw URL bytes as text (bytes beyond ASCII read as UTF-8); ``None`` if not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _form_value(form: bytes, name: bytes) -> str | None:
    """The first value of ``name`` in URL-encoded ``form``, without decoding the whole form.

    Keys and values are percent-encoded, so a literal ``name=`` after ``&`` (or at the
    start) can only be the key itself.
    """
    key = name + b"="
    start = 0
    while (found := form.find(key, start)) >= 0:
        if found == 0 or form[found - 1 : found] == b"&":
            end = form.find(b"&", found)
            raw = form[found + len(key) : end if end >= 0 else len(form)]
            return unquote_plus(raw.decode("utf-8", errors="replace"))
        start = found + len(key)
    return None


def _query_values(raw_query: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        values.setdefault(key, []).append(value)
    return values

"""The SNS routes that need no signature: the signing certificate and the links in messages.

- ``GET /sns/<certificate file>`` (and ``/sns/signing-cert.pem``): the PEM certificate whose
  key signs every SNS message (``SigningCertURL``);
- ``GET /sns/?Action=ConfirmSubscription&TopicArn=…&Token=…``: the ``SubscribeURL``; holding
  the token is the proof, as with SNS;
- ``GET /sns/?Action=Unsubscribe&SubscriptionArn=…``: the ``UnsubscribeURL`` (refused for a
  subscription confirmed with ``AuthenticateOnUnsubscribe``).

The two actions answer in SNS's Query XML, successes and errors alike, as SNS does for them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openses.api.errors import to_aws
from openses.api.protocol import query
from openses.api.protocol.errors import AwsError
from openses.api.protocol.models import ServiceRegistry
from openses.api.protocol.wire import HttpResponse
from openses.services.errors import ServiceError
from openses.services.topics import TopicsService

CERT_MEDIA_TYPE = "application/x-pem-file"
FIXED_CERT_NAME = "signing-cert.pem"


def sns_routes(
    *,
    topics: TopicsService,
    registry: ServiceRegistry,
    cert_pem: bytes,
    cert_name: str,
    clock: Callable[[], datetime],
    new_request_id: Callable[[], str],
) -> list[Route]:
    async def certificate(request: Request) -> Response:
        if request.path_params["file"] not in (cert_name, FIXED_CERT_NAME):
            return Response("no such certificate\n", 404, media_type="text/plain")
        return Response(cert_pem, media_type=CERT_MEDIA_TYPE)

    def answer(response: HttpResponse) -> Response:
        return Response(response.body, response.status, headers=response.headers)

    async def link(request: Request) -> Response:
        model = registry.service("sns")
        request_id = new_request_id()
        values = request.query_params
        action = values.get("Action", "")
        try:
            if action == "ConfirmSubscription":
                arn = await topics.confirm_subscription(
                    None, values.get("TopicArn", ""), values.get("Token", ""), clock()
                )
                result = {"SubscriptionArn": arn}
            elif action == "Unsubscribe":
                await topics.unsubscribe(None, values.get("SubscriptionArn", ""), clock())
                result = {}
            else:
                raise AwsError(
                    "InvalidAction",
                    "This link answers ConfirmSubscription and Unsubscribe only.",
                    400,
                    True,
                )
        except ServiceError as error:
            return answer(query.serialize_error(model, to_aws("sns", error), request_id=request_id))
        except AwsError as error:
            return answer(query.serialize_error(model, error, request_id=request_id))
        operation = registry.operation("sns", action)
        assert operation is not None  # both actions are in the model
        return answer(query.serialize_result(operation, result, request_id=request_id))

    return [
        Route("/sns/", link, methods=["GET"]),
        Route("/sns/{file}", certificate, methods=["GET"]),
    ]

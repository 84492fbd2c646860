"""From an operation name to the handler method that answers it.

A handler class is a plain class with one ``async`` method per implemented operation, named
by botocore's ``xform_name`` (``GetSendQuota`` → ``get_send_quota``)::

    class SesV1Handlers:
        async def get_send_quota(
            self, ctx: RequestContext, params: dict[str, Any]
        ) -> dict[str, Any]:
            return {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 0.0}

``params`` and the result are the codec's plain values (member name → value, as in the
botocore model). A method answers by returning, or by raising :class:`AwsError` (the
client's error, rendered by the protocol) or a :class:`~openses.services.errors.ServiceError`
(the services' protocol-neutral error, translated per API by :mod:`openses.api.errors`).

An operation of the model without a method, or whose method raises
:class:`NotImplementedError`, gets the codec's uniform not-supported answer
(:func:`~openses.api.protocol.errors.not_supported`). :func:`implemented_operations` reads
the same rule off a class, for the compatibility page.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

from botocore import xform_name

from openses.api.context import RequestContext
from openses.api.errors import to_aws
from openses.api.protocol.errors import AwsError, not_supported
from openses.api.protocol.shapes import ServiceModel
from openses.services.errors import ServiceError

Params = dict[str, Any]
Result = Mapping[str, Any]
HandlerMethod = Callable[[RequestContext, Params], Awaitable[Result]]
ErrorTranslator = Callable[[str, ServiceError], AwsError]


def method_name(operation: str) -> str:
    """The handler method's name for an operation (``GetSendQuota`` → ``get_send_quota``)."""
    return cast(str, xform_name(operation))


def _is_handler_method(attribute: object) -> bool:
    return inspect.iscoroutinefunction(attribute)


def implemented_operations(handler_class: type, service: ServiceModel) -> list[str]:
    """The model's operations (in model order) that ``handler_class`` has a method for."""
    return [
        name
        for name in service.operation_names
        if _is_handler_method(getattr(handler_class, method_name(name), None))
    ]


class Dispatcher:
    """Service name (``ses``, ``sesv2``, ``iam``, ``sts``, ``sns``) → handler object."""

    def __init__(
        self, handlers: Mapping[str, object], *, translate: ErrorTranslator = to_aws
    ) -> None:
        self._handlers = dict(handlers)
        self._translate = translate
        # (service, operation) -> its method, as found so far; handler classes are plain, so
        # the method of an operation does not change
        self._methods: dict[tuple[str, str], HandlerMethod | None] = {}

    @property
    def services(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def method(self, service: str, operation: str) -> HandlerMethod | None:
        """The bound method answering ``operation`` of ``service``, or ``None``."""
        key = (service, operation)
        try:
            return self._methods[key]
        except KeyError:
            pass
        handler = self._handlers.get(service)
        if handler is None:
            return None
        attribute = getattr(handler, method_name(operation), None)
        method = cast(HandlerMethod, attribute) if _is_handler_method(attribute) else None
        if len(self._methods) < 4096:  # operation names come from the models: a few hundred
            self._methods[key] = method
        return method

    async def dispatch(self, ctx: RequestContext, service: ServiceModel, params: Params) -> Result:
        """Call the handler for ``ctx.operation``; every failure leaves as :class:`AwsError`,
        except the handler's own bugs, which propagate unchanged."""
        method = self.method(ctx.service, ctx.operation)
        if method is None:
            raise not_supported(service, ctx.operation)
        try:
            return await method(ctx, params)
        except ServiceError as error:
            raise self._translate(ctx.service, error) from error
        except NotImplementedError:
            raise not_supported(service, ctx.operation) from None

"""The service-model registry: botocore's API models for the services OpenSES speaks.

A :class:`ServiceRegistry` loads a model the first time it is asked for (through botocore's
loader, which reads the gzip-compressed ``service-2.json.gz`` files; never by path) and keeps
it, with its REST router, for the life of the registry. There is no module-level cache: the
runtime builds one registry and hands it to whoever needs it; tests build their own.

The models pin our wire format, so botocore is pinned in ``pyproject.toml``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import cast

import botocore.session

from openses.api.protocol.routing import RestRouter
from openses.api.protocol.shapes import OperationModel, ServiceModel

#: The services OpenSES answers (SNS is used later for notification topics).
SERVICE_NAMES = ("ses", "sesv2", "iam", "sts", "sns")

ModelLoader = Callable[[str], ServiceModel]


def load_botocore_model(name: str) -> ServiceModel:
    """Load one service model through botocore's own loader (handles the ``.gz`` files)."""
    return cast(ServiceModel, botocore.session.get_session().get_service_model(name))


class UnknownService(KeyError):
    """A service name the registry does not serve."""


class ServiceRegistry:
    """Service name → botocore model (loaded lazily), operation lookup, REST routers."""

    def __init__(
        self,
        names: Iterable[str] = SERVICE_NAMES,
        loader: ModelLoader = load_botocore_model,
    ) -> None:
        self._names = frozenset(names)
        self._loader = loader
        self._models: dict[str, ServiceModel] = {}
        self._routers: dict[str, RestRouter] = {}

    @property
    def names(self) -> frozenset[str]:
        return self._names

    def service(self, name: str) -> ServiceModel:
        """The model for ``name``; raises :class:`UnknownService` for others."""
        model = self._models.get(name)
        if model is None:
            if name not in self._names:
                raise UnknownService(name)
            model = self._loader(name)
            self._models[name] = model
        return model

    def operation(self, service: str, operation: str) -> OperationModel | None:
        """The operation's model, or ``None`` if the service has no such operation."""
        return find_operation(self.service(service), operation)

    def router(self, service: str) -> RestRouter:
        """The (method, path) router of a REST service, built once from its model."""
        router = self._routers.get(service)
        if router is None:
            router = RestRouter(self.service(service))
            self._routers[service] = router
        return router


def find_operation(service: ServiceModel, operation: str) -> OperationModel | None:
    """Exact, case-sensitive lookup of an operation by its API name."""
    if operation not in service.operation_names:
        return None
    return service.operation_model(operation)

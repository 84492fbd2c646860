"""REST routing: (HTTP method, raw path, query) → operation name and its URI labels.

A :class:`RestRouter` is built from every operation's ``http.method`` and ``http.requestUri``.
A template is literal text plus labels: ``{Label}`` matches one non-empty path segment,
``{Label+}`` (greedy) one or more segments including ``/``. A literal query part of the
template (``/things?x-id=GetThing``, ``/?tagging``) becomes a query parameter the request must
carry (with that value, when the template gives one).

Matching runs on the *raw*, percent-encoded path (ASGI ``raw_path``, not ``path``), so an
encoded ``/`` (``%2F``) stays inside its label; each label is then percent-decoded as UTF-8
(``%40`` → ``@``, ``%2B`` → ``+``; a ``+`` in a path is a plus, not a space). When several
routes of a method match, the most specific wins: more literal characters, then fewer labels,
then no greedy label, then more required query parameters. A trailing ``/`` is optional, so
``/v2/email/insights/{MessageId}/`` also answers without its final slash.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

from openses.api.protocol.shapes import ServiceModel

_LABEL = re.compile(r"\{([^{}+]+)(\+?)\}")

QueryValues = Mapping[str, Sequence[str]]


@dataclass(frozen=True, slots=True)
class RouteMatch:
    operation: str
    labels: dict[str, str]


@dataclass(frozen=True, slots=True)
class Route:
    """One operation's URI template, compiled."""

    operation: str
    method: str
    template: str
    labels: tuple[str, ...]
    greedy: bool
    required_query: tuple[tuple[str, str | None], ...]
    pattern: re.Pattern[str]

    @classmethod
    def build(cls, operation: str, method: str, request_uri: str) -> Route:
        path, _, literal_query = request_uri.partition("?")
        labels: list[str] = []
        greedy = False
        parts: list[str] = []
        position = 0
        body = path.rstrip("/") if path != "/" else ""
        for found in _LABEL.finditer(body):
            parts.append(re.escape(body[position : found.start()]))
            labels.append(found.group(1))
            is_greedy = found.group(2) == "+"
            greedy = greedy or is_greedy
            parts.append("(.+)" if is_greedy else "([^/]+)")
            position = found.end()
        parts.append(re.escape(body[position:]))
        required = tuple(
            (name, value or None)
            for name, value in parse_qsl(literal_query, keep_blank_values=True)
        )
        return cls(
            operation=operation,
            method=method.upper(),
            template=request_uri,
            labels=tuple(labels),
            greedy=greedy,
            required_query=required,
            pattern=re.compile("".join(parts) + "/?"),
        )

    @property
    def literal_length(self) -> int:
        path = self.template.partition("?")[0]
        return len(_LABEL.sub("", path).rstrip("/"))

    @property
    def rank(self) -> tuple[int, int, int, int]:
        """Sort key: larger is more specific."""
        return (
            self.literal_length,
            -len(self.labels),
            0 if self.greedy else 1,
            len(self.required_query),
        )

    def match(self, raw_path: str, query: QueryValues) -> dict[str, str] | None:
        """Decoded label values if this route answers ``raw_path`` and ``query``."""
        for name, value in self.required_query:
            present = query.get(name)
            if present is None or (value is not None and value not in present):
                return None
        found = self.pattern.fullmatch(raw_path)
        if found is None:
            return None
        labels: dict[str, str] = {}
        for name, raw in zip(self.labels, found.groups(), strict=True):
            try:
                labels[name] = unquote(raw, encoding="utf-8", errors="strict")
            except UnicodeDecodeError:
                return None
        return labels


class RestRouter:
    """All routes of one REST service, grouped by method, most specific first."""

    def __init__(self, service: ServiceModel) -> None:
        self.service = service
        routes: dict[str, list[Route]] = {}
        for name in service.operation_names:
            http = service.operation_model(name).http
            route = Route.build(name, str(http.get("method", "POST")), str(http["requestUri"]))
            routes.setdefault(route.method, []).append(route)
        self._routes = {
            method: tuple(sorted(group, key=lambda route: route.rank, reverse=True))
            for method, group in routes.items()
        }

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(route for group in self._routes.values() for route in group)

    def match(
        self, method: str, raw_path: str, query: QueryValues | None = None
    ) -> RouteMatch | None:
        """The operation answering ``method raw_path``, or ``None``."""
        query = query or {}
        for route in self._routes.get(method.upper(), ()):
            labels = route.match(raw_path, query)
            if labels is not None:
                return RouteMatch(route.operation, labels)
        return None

    def methods_for(self, raw_path: str, query: QueryValues | None = None) -> frozenset[str]:
        """Methods that some route accepts on this path (to tell 404 from 405)."""
        query = query or {}
        return frozenset(
            route.method for route in self.routes if route.match(raw_path, query) is not None
        )

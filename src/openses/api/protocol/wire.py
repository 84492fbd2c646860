"""The plain values at a codec's boundary: what a handler receives and what goes back out.

A codec turns HTTP into a :class:`ParsedRequest` (operation and parameter dict, already
validated against the input shape) and a result dict or :class:`AwsError` into an
:class:`HttpResponse`; the HTTP app copies that onto the wire as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openses.api.protocol.shapes import OperationModel


@dataclass(frozen=True, slots=True)
class ParsedRequest:
    """An operation and its parameters, named and typed as in the botocore model."""

    operation: OperationModel
    params: dict[str, Any]

    @property
    def name(self) -> str:
        return self.operation.name


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

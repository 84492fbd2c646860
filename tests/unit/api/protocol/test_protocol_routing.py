"""REST routing: every SESv2 operation answers at its own URI and nowhere else."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest

from openses.api.protocol import RestRouter, ServiceRegistry
from openses.api.protocol.shapes import OperationModel, ServiceModel
from tests.unit.api.protocol.protocol_oracle import registry, service, wire_request

SAMPLE_LABEL = "user+tag@exämple.com/x y"


def sample_path(request_uri: str) -> tuple[str, dict[str, str]]:
    """The request URI with every label filled (and encoded as botocore does)."""
    path = request_uri.partition("?")[0]
    labels = {name: f"{name}-{SAMPLE_LABEL}" for name in re.findall(r"\{([^}+]+)\+?\}", path)}

    def fill(found: re.Match[str]) -> str:
        safe = "/~" if found.group(2) else "~"
        return quote(labels[found.group(1)], safe=safe)

    return re.sub(r"\{([^}+]+)(\+?)\}", fill, path), labels


SESV2 = service("sesv2")
OPERATIONS = sorted(SESV2.operation_names)


@pytest.mark.parametrize("name", OPERATIONS)
def test_every_sesv2_operation_routes_from_its_own_request_uri(name: str) -> None:
    http = SESV2.operation_model(name).http
    path, labels = sample_path(http["requestUri"])
    match = registry().router("sesv2").match(http["method"], path)
    assert match is not None
    assert match.operation == name
    assert match.labels == labels


def test_no_two_sesv2_operations_share_a_method_and_template() -> None:
    router = registry().router("sesv2")
    keys = [(route.method, route.pattern.pattern) for route in router.routes]
    assert len(keys) == len(set(keys)) == len(OPERATIONS)


def test_literal_segments_win_over_labels() -> None:
    router = registry().router("sesv2")
    listing = router.match("POST", "/v2/email/contact-lists/news/contacts/list")
    assert listing is not None
    assert listing.operation == "ListContacts"
    contact = router.match("GET", "/v2/email/contact-lists/news/contacts/list")
    assert contact is not None
    assert (contact.operation, contact.labels["EmailAddress"]) == ("GetContact", "list")


def test_trailing_slash_is_optional_and_labels_are_never_empty() -> None:
    router = registry().router("sesv2")
    for path in ("/v2/email/insights/m-1/", "/v2/email/insights/m-1"):
        found = router.match("GET", path)
        assert found is not None
        assert found.operation == "GetMessageInsights"
    assert router.match("GET", "/v2/email/identities/") is None
    assert router.match("GET", "/v2/email/identities//policies") is None


def test_labels_are_percent_decoded_once_and_encoded_slashes_stay_inside() -> None:
    found = registry().router("sesv2").match("GET", "/v2/email/identities/a%2Fb%2540c")
    assert found is not None
    assert found.labels == {"EmailIdentity": "a/b%40c"}
    assert registry().router("sesv2").match("GET", "/v2/email/identities/%ff") is None


def test_methods_for_a_path_tell_404_from_405() -> None:
    router = registry().router("sesv2")
    assert router.methods_for("/v2/email/identities/a.com") == {"GET", "DELETE"}
    assert router.methods_for("/v2/email/nothing-here") == frozenset()


def test_botocore_built_urls_route() -> None:
    wire = wire_request("sesv2", "GetEmailIdentity", {"EmailIdentity": "ü+@x.com"})
    found = registry().router("sesv2").match(wire.method, wire.path)
    assert found is not None
    assert found.labels == {"EmailIdentity": "ü+@x.com"}


# ------------------------------------------- greedy labels and literal query parts (S3-style)


@dataclass
class FakeOperation:
    name: str
    http: Mapping[str, Any]
    input_shape: None = None
    output_shape: None = None


@dataclass
class FakeService:
    """Just enough of a service model for the router."""

    operations: dict[str, tuple[str, str]]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def operation_names(self) -> Sequence[str]:
        return list(self.operations)

    def operation_model(self, name: str) -> FakeOperation:
        method, uri = self.operations[name]
        return FakeOperation(name, {"method": method, "requestUri": uri})


def fake_router() -> RestRouter:
    fake: Any = FakeService(
        {
            "GetObject": ("GET", "/{Bucket}/{Key+}"),
            "GetObjectTagging": ("GET", "/{Bucket}/{Key+}?tagging"),
            "GetObjectAttributes": ("GET", "/{Bucket}/{Key+}?attributes&x-id=GetAttrs"),
            "GetBucketTagging": ("GET", "/{Bucket}?tagging"),
            "ListObjects": ("GET", "/{Bucket}"),
        }
    )
    return RestRouter(fake)


@pytest.mark.parametrize(
    ("path", "query", "operation", "labels"),
    [
        ("/b/a/b/c.txt", {}, "GetObject", {"Bucket": "b", "Key": "a/b/c.txt"}),
        ("/b/k%20ey", {"tagging": [""]}, "GetObjectTagging", {"Bucket": "b", "Key": "k ey"}),
        ("/b/k", {"attributes": [""], "x-id": ["GetAttrs"]}, "GetObjectAttributes",
         {"Bucket": "b", "Key": "k"}),
        ("/b/k", {"attributes": [""], "x-id": ["Other"]}, "GetObject",
         {"Bucket": "b", "Key": "k"}),
        ("/b", {"tagging": [""]}, "GetBucketTagging", {"Bucket": "b"}),
        ("/b", {}, "ListObjects", {"Bucket": "b"}),
    ],
)  # fmt: skip
def test_greedy_labels_and_literal_query_parts(
    path: str, query: dict[str, list[str]], operation: str, labels: dict[str, str]
) -> None:
    found = fake_router().match("get", path, query)
    assert found is not None
    assert (found.operation, found.labels) == (operation, labels)


def test_registry_builds_each_router_once_and_rejects_unknown_services() -> None:
    fresh = ServiceRegistry(names=["sesv2"])
    assert fresh.router("sesv2") is fresh.router("sesv2")
    with pytest.raises(KeyError):
        fresh.service("s3")


def test_registry_loads_lazily_through_its_loader() -> None:
    loaded: list[str] = []

    def loader(name: str) -> ServiceModel:
        loaded.append(name)
        return service(name)

    fresh = ServiceRegistry(loader=loader)
    assert loaded == []
    ses = fresh.service("ses")
    assert fresh.service("ses") is ses
    assert loaded == ["ses"]
    found: OperationModel | None = fresh.operation("ses", "SendEmail")
    assert found is not None
    assert fresh.operation("ses", "SendPigeon") is None

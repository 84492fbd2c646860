"""Query responses: the envelope kept per operation is the one the output shape describes."""

from __future__ import annotations

from openses.api.protocol import query
from tests.unit.api.protocol.protocol_oracle import service


def test_every_operation_answers_in_its_own_envelope() -> None:
    for service_name in ("ses", "iam", "sts", "sns"):
        model = service(service_name)
        namespace = model.metadata.get("xmlNamespace")
        xmlns = f' xmlns="{namespace}"' if namespace else ""
        for name in model.operation_names:
            operation = model.operation_model(name)
            shape = operation.output_shape
            wrapper = shape.serialization.get("resultWrapper") if shape is not None else None
            result = f"<{wrapper}></{wrapper}>" if wrapper else ""
            expected = (
                f"<{name}Response{xmlns}>{result}<ResponseMetadata><RequestId>r&amp;1&lt;"
                f"</RequestId></ResponseMetadata></{name}Response>"
            )
            for _ in range(2):  # built, then kept
                response = query.serialize_result(operation, {}, request_id="r&1<")
                assert response.body.decode() == expected, name
                assert response.headers == {"Content-Type": "text/xml", "x-amzn-RequestId": "r&1<"}

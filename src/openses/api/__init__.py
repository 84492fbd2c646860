"""The HTTP edge: AWS wire protocols in and out, and the handlers that call the services.

:mod:`openses.api.protocol` holds the codecs (AWS Query/XML for SES v1, IAM, STS and SNS;
REST-JSON for SESv2), driven by botocore's service models. Handlers above it only ever see
plain parameter dicts and return plain result dicts; they never touch XML or JSON.
"""

from __future__ import annotations

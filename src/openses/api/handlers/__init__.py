"""The AWS operations OpenSES implements, one handler class per API.

Each class has one async method per implemented operation, named by botocore's ``xform_name``
(``GetSendQuota`` -> ``get_send_quota``); every other operation of the model answers the
uniform not-supported error, and ``docs/compatibility.md`` is generated from these classes.
"""

from __future__ import annotations

from openses.api.handlers.iam import IamHandlers
from openses.api.handlers.ses_v1 import SesV1Handlers
from openses.api.handlers.ses_v2 import SesV2Handlers
from openses.api.handlers.sns import SnsHandlers
from openses.api.handlers.sts import StsHandlers

HANDLER_CLASSES: dict[str, type] = {
    "ses": SesV1Handlers,
    "sesv2": SesV2Handlers,
    "iam": IamHandlers,
    "sts": StsHandlers,
    "sns": SnsHandlers,
}

__all__ = [
    "HANDLER_CLASSES",
    "IamHandlers",
    "SesV1Handlers",
    "SesV2Handlers",
    "SnsHandlers",
    "StsHandlers",
]

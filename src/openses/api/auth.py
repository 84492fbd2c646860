"""SigV4 authentication at the HTTP edge: a signed request in, the principal and region out.

:mod:`openses.domain.sigv4` does the pure work (reading the ``Authorization`` header,
canonical forms, the signature); this module adds what needs the outside world: the access
key's secret and principal, through an :class:`Authenticator` (in the runtime, the accounts
service), and the clock reading, passed in by the app. The checks, in order::

    no Authorization header          MissingAuthenticationToken  403
    unreadable header / date         IncompleteSignature         400
    scope names another service      SignatureDoesNotMatch       403  (ses and sesv2 sign as "ses")
    or an unusable region
    request time off by > 5 minutes  RequestTimeTooSkewed        403
    a session token (not issued)     InvalidClientTokenId        403
    unknown or inactive access key   InvalidClientTokenId        403
    wrong signature                  SignatureDoesNotMatch       403

The clock is checked before the key is looked up, so a stale or replayed request costs no
storage read. Every failure leaves as an :class:`AwsError` carrying AWS's code, wording and
status, which the protocol's error serializer renders like any other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Final, Protocol

from openses.api.context import ServiceName
from openses.api.protocol.errors import AwsError
from openses.domain.sigv4 import (
    MAX_SKEW,
    InvalidClientTokenId,
    KeyDerivation,
    ReceivedRequest,
    SignatureDoesNotMatch,
    SignatureError,
    SignedRequestInfo,
    check_clock,
    check_scope,
    header_values,
    parse_authorization,
    signing_key,
    verify,
)
from openses.services.principals import Principal

SIGNING_NAMES: Final[Mapping[ServiceName, str]] = {
    "ses": "ses",
    "sesv2": "ses",
    "iam": "iam",
    "sts": "sts",
    "sns": "sns",
}
"""The credential-scope service each API is signed for (both SES APIs sign as ``ses``)."""

_REGION = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_MAX_REGION_LENGTH = 32


class Authenticator(Protocol):
    """Looks up an access key: its secret and the principal it authenticates as."""

    async def credentials(self, access_key_id: str) -> tuple[str, Principal] | None:
        """``(secret access key, principal)``; ``None`` for an unknown or inactive key."""
        ...


async def authenticate(
    request: ReceivedRequest,
    *,
    service: ServiceName,
    authenticator: Authenticator,
    now: datetime,
    key_cache: KeyDerivation = signing_key,
    info: SignedRequestInfo | None = None,
    max_skew: timedelta = MAX_SKEW,
) -> tuple[Principal, str]:
    """The principal that signed ``request`` for ``service``, and the region it signed for.

    ``info`` is the parsed ``Authorization`` header if the caller already read it (to route);
    ``key_cache`` is the app's :func:`~openses.domain.sigv4.signing_key_cache`. Raises
    :class:`AwsError` for every failure (see the module docstring).
    """
    try:
        if info is None:
            info = parse_authorization(request.headers)
        check_region(info)
        check_scope(info, region=info.region, service=SIGNING_NAMES[service])
        check_clock(info, now, max_skew)
        if header_values(request.headers, "x-amz-security-token"):
            raise InvalidClientTokenId()  # OpenSES issues no temporary credentials
        found = await authenticator.credentials(info.access_key_id)
        if found is None:
            raise InvalidClientTokenId()
        secret, principal = found
        verify(request, secret, now, info=info, derive_key=key_cache, max_skew=max_skew)
    except SignatureError as error:
        raise auth_error(error) from None
    return principal, info.region


def check_region(info: SignedRequestInfo) -> None:
    """Regions end up in ARNs: accept only names made of lower-case words and dashes."""
    if len(info.region) > _MAX_REGION_LENGTH or _REGION.fullmatch(info.region) is None:
        raise SignatureDoesNotMatch(
            f"Credential should be scoped to a valid region, not '{info.region}'."
        )


def auth_error(error: SignatureError) -> AwsError:
    """A SigV4 failure as the error the client hears (always the sender's fault)."""
    return AwsError(error.code, error.message, error.status, sender_fault=True)

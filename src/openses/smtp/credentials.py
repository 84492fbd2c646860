"""SMTP AUTH: from a user name and password to a principal and the session's region.

SES: the user name is the IAM access key id, the password is derived from the secret access
key (spec §6.5). Current passwords ("B…", version 4) are bound to one region, and SES has one
endpoint per region, so the endpoint's region decides.

Our listener serves every region at once, so the *password* decides: the session's region is
the one whose version-4 password matches, trying the configured default region first and then
the other known regions in order. A legacy version-2 password ("A…") is valid in every region;
it selects the default region. Digests are compared in constant time
(:func:`~openses.domain.smtp_password.verify_smtp_password`), and a key that does not exist
costs the same password computations as one that does, so response time does not tell whether
a key id exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from openses.domain.smtp_password import verify_smtp_password
from openses.services.principals import Principal
from openses.smtp.ports import SmtpBackend

MAX_KEY_ID_LENGTH: Final = 128
_DUMMY_SECRET: Final = "openses-smtp-unknown-key/0000"  # noqa: S105 (timing decoy, not a secret)


@dataclass(frozen=True, slots=True)
class SmtpIdentity:
    """Who an authenticated SMTP session is, and for which region it sends."""

    principal: Principal
    region: str


def password_region(
    password: str, secret_access_key: str, default_region: str, regions: Sequence[str]
) -> str | None:
    """The region ``password`` belongs to for this secret, or None if it is wrong everywhere."""
    if verify_smtp_password(password, secret_access_key, default_region, allow_legacy=True):
        return default_region
    for region in regions:
        if region == default_region:
            continue
        if verify_smtp_password(password, secret_access_key, region, allow_legacy=False):
            return region
    return None


async def authenticate(
    backend: SmtpBackend,
    username: bytes,
    password: bytes,
    *,
    default_region: str,
    regions: Sequence[str],
) -> SmtpIdentity | None:
    """The identity these credentials prove, or None. Backend failures propagate."""
    try:
        access_key_id = username.decode("ascii")
        password_text = password.decode("ascii")
    except UnicodeDecodeError:
        return None
    if not access_key_id or len(access_key_id) > MAX_KEY_ID_LENGTH:
        return None
    found = await backend.credentials(access_key_id)
    if found is None:
        password_region(password_text, _DUMMY_SECRET, default_region, regions)
        return None
    secret, principal = found
    region = password_region(password_text, secret, default_region, regions)
    return None if region is None else SmtpIdentity(principal, region)

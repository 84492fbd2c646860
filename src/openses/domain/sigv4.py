"""AWS Signature Version 4: verification of requests signed in the ``Authorization`` header.

The caller hands over the request as received (:class:`ReceivedRequest`: raw percent-encoded
path and query, headers in arrival order, the exact body bytes) and the clock reading; nothing
here reads the clock, the network or global state. The flow is::

    info = parse_authorization(request.headers)      # who claims to have signed, and how
    check_scope(info, region="us-east-1", service="ses")
    secret = <look up info.access_key_id>            # unknown key: raise InvalidClientTokenId
    verify(request, secret, now, info=info)          # raises a SignatureError, or returns

Canonical forms follow the rules for services other than S3: the path is normalized (dot
segments and empty segments removed) and percent-encoded once more over the received, already
encoded form (``%40`` becomes ``%2540``); query parameters are decoded (``+`` read as a space, as
form decoding does) and re-encoded with the RFC 3986 unreserved set, then sorted. Presigned URLs
(authentication in the query string) are not supported.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import ClassVar
from urllib.parse import quote, quote_from_bytes, unquote_to_bytes

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
MAX_SKEW = timedelta(minutes=5)
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"

Header = tuple[str, str]
KeyDerivation = Callable[[str, str, str, str], bytes]  # (secret, date, region, service) -> key

_AMZ_DATE = re.compile(r"[0-9]{8}T[0-9]{6}Z")
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_WHITESPACE = re.compile(r"\s+", re.ASCII)
_AUTH_PARAMETERS = ("Credential", "SignedHeaders", "Signature")
_HOST_HEADERS = frozenset({"host", ":authority"})
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.~/-]*")


class SignatureError(Exception):
    """A request that fails authentication; ``code`` and ``status`` are what AWS answers."""

    code: ClassVar[str] = "SignatureError"
    status: ClassVar[int] = 403
    default_message: ClassVar[str] = "The request could not be authenticated."

    def __init__(self, message: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)


class MissingAuthenticationToken(SignatureError):
    code = "MissingAuthenticationToken"
    default_message = "Request is missing Authentication Token"


class IncompleteSignature(SignatureError):
    code = "IncompleteSignature"
    status = 400
    default_message = "The request signature does not conform to AWS standards."


class InvalidClientTokenId(SignatureError):
    """For callers: the access key id is unknown (this module never looks keys up)."""

    code = "InvalidClientTokenId"
    default_message = "The security token included in the request is invalid."


class SignatureDoesNotMatch(SignatureError):
    code = "SignatureDoesNotMatch"
    default_message = (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. "
        "Consult the service documentation for details."
    )


class RequestTimeTooSkewed(SignatureError):
    code = "RequestTimeTooSkewed"
    default_message = "The difference between the request time and the current time is too large."


@dataclass(frozen=True, slots=True)
class ReceivedRequest:
    """A request as it arrived: ``path`` and ``query`` raw (still percent-encoded, no ``?``).

    Text beyond ASCII in ``path`` or ``query`` stands for its UTF-8 bytes. ``headers`` keep
    arrival order and repeats, since both matter to the signature.
    """

    method: str
    path: str
    query: str = ""
    headers: tuple[Header, ...] = ()
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class SignedRequestInfo:
    """What the ``Authorization`` header and the date header claim."""

    access_key_id: str
    scope_date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str  # the request time in ISO 8601 basic form, as used in the string to sign
    security_token: str | None = None
    #: ``amz_date`` read as a time, when parse_authorization already did (saves reading again)
    request_at: datetime | None = field(default=None, compare=False, repr=False)

    @property
    def credential_scope(self) -> str:
        return f"{self.scope_date}/{self.region}/{self.service}/{TERMINATOR}"

    @property
    def request_time(self) -> datetime:
        if self.request_at is not None:
            return self.request_at
        moment = amz_time(self.amz_date)
        if moment is None:  # not from parse_authorization: let strptime say what is wrong
            return datetime.strptime(self.amz_date, AMZ_DATE_FORMAT).replace(tzinfo=UTC)
        return moment


def amz_time(text: str) -> datetime | None:
    """``YYYYMMDDTHHMMSSZ`` as an aware UTC datetime, or ``None`` if it is not a valid one.

    Accepts exactly what ``datetime.strptime(text, AMZ_DATE_FORMAT)`` accepts among texts of
    that fixed shape (both reject month 13, February 30, second 60), at a fiftieth of the cost.
    """
    # fromisoformat reads this basic form as strptime does; hour 24 is refused first, since
    # some Python versions may read it as midnight of the next day
    if _AMZ_DATE.fullmatch(text) is None or text[9:11] >= "24":
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def header_values(headers: Sequence[Header], name: str) -> list[str]:
    """Every value of header ``name`` (case-insensitive), in arrival order."""
    wanted = name.lower()
    size = len(wanted)  # a name that lowers to `wanted` has its length
    return [
        value
        for key, value in headers
        if key == wanted or (len(key) == size and key.lower() == wanted)
    ]


_AUTH_HEADERS = ("authorization", "x-amz-date", "date", "x-amz-security-token")


def _auth_headers(headers: Sequence[Header]) -> dict[str, list[str]]:
    """The values of the headers :func:`parse_authorization` reads, in one pass (names as in
    :func:`header_values`: case-insensitive)."""
    found: dict[str, list[str]] = {name: [] for name in _AUTH_HEADERS}
    for key, value in headers:
        values = found.get(key if key.islower() else key.lower())
        if values is not None:
            values.append(value)
    return found


def parse_authorization(headers: Sequence[Header]) -> SignedRequestInfo:
    """Read the ``Authorization`` header and the request time; raise if they are unusable."""
    wanted = _auth_headers(headers)
    authorizations = wanted["authorization"]
    if not authorizations:
        raise MissingAuthenticationToken()
    if len(authorizations) > 1:
        raise IncompleteSignature("Only one Authorization header is allowed.")
    authorization = authorizations[0].strip()
    algorithm, _, rest = authorization.partition(" ")
    if algorithm != ALGORITHM:
        raise IncompleteSignature(f"Unsupported AWS 'algorithm': '{algorithm}'.")
    parameters = _auth_parameters(rest, authorization)
    missing = [name for name in _AUTH_PARAMETERS if not parameters.get(name)]
    problems = [f"Authorization header requires '{name}' parameter." for name in missing]
    request_time = _request_time(wanted["x-amz-date"], wanted["date"])
    if request_time is None:
        problems.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if problems:
        raise IncompleteSignature(" ".join(problems) + f" Authorization={authorization}")
    assert request_time is not None
    amz_date, request_at = request_time
    access_key_id, scope_date, region, service = _credential(parameters["Credential"])
    if scope_date != amz_date[:8]:
        raise IncompleteSignature(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{scope_date}' != '{amz_date[:8]}', from '{amz_date}'."
        )
    names = parameters["SignedHeaders"]
    if names.isascii():  # lower case one name at a time or all at once: the same
        signed_headers = tuple(names.lower().split(";"))
    else:
        signed_headers = tuple(name.lower() for name in names.split(";"))
    if not all(signed_headers):
        raise IncompleteSignature("SignedHeaders must be a ';'-separated list of header names.")
    if _HOST_HEADERS.isdisjoint(signed_headers):
        raise IncompleteSignature(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        )
    signature = parameters["Signature"]
    if _HEX64.fullmatch(signature) is None:
        raise IncompleteSignature("Signature must be 64 hexadecimal characters.")
    tokens = wanted["x-amz-security-token"]
    return SignedRequestInfo(
        access_key_id=access_key_id,
        scope_date=scope_date,
        region=region,
        service=service,
        signed_headers=signed_headers,
        signature=signature.lower(),
        amz_date=amz_date,
        security_token=tokens[0] if len(tokens) == 1 else None,
        request_at=request_at,
    )


def _auth_parameters(text: str, authorization: str) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        name, equals, value = part.partition("=")
        if not equals or name not in _AUTH_PARAMETERS or name in parameters:
            raise IncompleteSignature(
                f"'{part}' is not a valid key=value pair, or is an unknown or repeated "
                f"parameter in the Authorization header: '{authorization}'."
            )
        parameters[name] = value.strip()
    return parameters


def _credential(credential: str) -> tuple[str, str, str, str]:
    parts = credential.split("/")
    if len(parts) != 5 or not all(parts):
        raise IncompleteSignature(
            f"Credential '{credential}' is not of the form "
            "'<access key id>/<YYYYMMDD>/<region>/<service>/aws4_request'."
        )
    access_key_id, scope_date, region, service, terminator = parts
    if terminator != TERMINATOR:
        raise IncompleteSignature(
            f"Credential should be scoped with a valid terminator: '{TERMINATOR}', "
            f"not '{terminator}'."
        )
    return access_key_id, scope_date, region, service


def _request_time(amz_dates: list[str], dates: list[str]) -> tuple[str, datetime | None] | None:
    """The request time in ISO 8601 basic form from ``X-Amz-Date``, else from ``Date``, and
    that text read back as a time (``None`` where only ``strptime`` can say why it fails)."""
    try:
        if amz_dates:
            text = amz_dates[0].strip()
            moment = amz_time(text) if len(amz_dates) == 1 else None
            return None if moment is None else (text, moment)
        if len(dates) != 1:
            return None
        moment = parsedate_to_datetime(dates[0].strip())
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # "-0000": UTC with no claim about the local zone
        moment = moment.replace(tzinfo=UTC)
    text = moment.astimezone(UTC).strftime(AMZ_DATE_FORMAT)
    return text, amz_time(text)


def check_scope(info: SignedRequestInfo, *, region: str, service: str) -> None:
    """Require the credential scope to name this endpoint's region and service."""
    if info.region != region:
        raise SignatureDoesNotMatch(
            f"Credential should be scoped to a valid region, not '{info.region}'."
        )
    if info.service != service:
        raise SignatureDoesNotMatch(f"Credential should be scoped to correct service: '{service}'.")


def canonical_uri(raw_path: str) -> str:
    """The received path, normalized, each segment percent-encoded again (not S3 rules)."""
    if raw_path == "/":
        return raw_path
    normalized = _remove_dot_segments(raw_path)
    if _PLAIN_PATH.fullmatch(normalized) is not None:
        return normalized  # nothing quote() would encode
    return quote(normalized, safe="/~")


def _remove_dot_segments(path: str) -> str:
    if not path:
        return "/"
    kept: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if kept:
                kept.pop()
        elif segment and segment != ".":
            kept.append(segment)
    leading = "/" if path.startswith("/") else ""
    trailing = "/" if path.endswith("/") and kept else ""
    return leading + "/".join(kept) + trailing


def canonical_query(raw_query: str) -> str:
    """Parameters decoded, RFC 3986-encoded, sorted by key then value; no ``X-Amz-Signature``."""
    if not raw_query:
        return ""
    pairs: list[tuple[str, str]] = []
    for piece in raw_query.split("&"):
        if not piece:
            continue
        raw_name, _, raw_value = piece.partition("=")
        name = _uri_encode(raw_name)
        if name != "X-Amz-Signature":
            pairs.append((name, _uri_encode(raw_value)))
    pairs.sort()
    return "&".join(f"{name}={value}" for name, value in pairs)


def _uri_encode(raw: str) -> str:
    return quote_from_bytes(unquote_to_bytes(raw.replace("+", " ")), safe="-_.~")


def canonical_headers(headers: Sequence[Header], signed_headers: Sequence[str]) -> str:
    """``name:value`` lines for the signed headers: values trimmed, runs of whitespace collapsed,
    repeats joined with ``,`` in arrival order. Each line ends with a newline."""
    values: dict[str, list[str]] = {name: [] for name in signed_headers}
    for name, value in headers:
        found = values.get(name.lower())
        if found is not None:
            # (printable text has no whitespace but spaces, and single spaces stay as they are)
            plain = "  " not in value and value.isprintable()
            found.append((value if plain else _WHITESPACE.sub(" ", value)).strip())
    return "".join([f"{name}:{','.join(values[name])}\n" for name in signed_headers])


def canonical_request(
    request: ReceivedRequest, signed_headers: Sequence[str], payload_hash: str
) -> str:
    start = (request.method.upper(), canonical_uri(request.path), canonical_query(request.query))
    headers = canonical_headers(request.headers, signed_headers)
    return "\n".join((*start, headers, ";".join(signed_headers), payload_hash))


def payload_hash(
    request: ReceivedRequest, signed_headers: Sequence[str], *, allow_unsigned: bool = True
) -> str:
    """The payload hash to sign: the body's SHA-256, or a signed ``x-amz-content-sha256`` claim.

    A signed claim must be ``UNSIGNED-PAYLOAD`` (if allowed) or the body's actual hash.
    """
    body_hash = hashlib.sha256(request.body).hexdigest()
    if "x-amz-content-sha256" not in signed_headers:
        return body_hash
    claims = header_values(request.headers, "x-amz-content-sha256")
    claim = claims[0].strip() if len(claims) == 1 else ""
    if claim == UNSIGNED_PAYLOAD and allow_unsigned:
        return claim
    if _HEX64.fullmatch(claim) is None or claim.lower() != body_hash:
        raise SignatureDoesNotMatch(
            "The provided 'x-amz-content-sha256' header does not match what was computed."
        )
    return claim


def string_to_sign(amz_date: str, credential_scope: str, canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{amz_date}\n{credential_scope}\n{digest}"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    """``kSigning``: HMAC-SHA256 chained over date, region, service and ``aws4_request``."""
    key = _hmac(f"AWS4{secret_access_key}".encode(), date)
    for part in (region, service, TERMINATOR):
        key = _hmac(key, part)
    return key


def signing_key_cache(max_entries: int = 1024) -> KeyDerivation:
    """A memoizing, bounded (least recently used out) :func:`signing_key` for the caller to keep."""
    return functools.lru_cache(maxsize=max_entries)(signing_key)


def check_clock(info: SignedRequestInfo, now: datetime, max_skew: timedelta = MAX_SKEW) -> None:
    """Reject a request time more than ``max_skew`` before or after ``now`` (timezone-aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    skew = info.request_time - now
    if abs(skew) <= max_skew:
        return
    expired = skew < timedelta(0)
    limit, sign = (now - max_skew, "-") if expired else (now + max_skew, "+")
    what = "expired: {} is now earlier" if expired else "not yet current: {} is still later"
    raise RequestTimeTooSkewed(
        f"Signature {what.format(info.amz_date)} than {limit:%Y%m%dT%H%M%SZ} "
        f"({now:%Y%m%dT%H%M%SZ} {sign} {max_skew.total_seconds() / 60:g} min.)"
    )


def verify(
    request: ReceivedRequest,
    secret_access_key: str,
    now: datetime,
    *,
    info: SignedRequestInfo | None = None,
    derive_key: KeyDerivation = signing_key,
    max_skew: timedelta = MAX_SKEW,
    allow_unsigned_payload: bool = True,
) -> None:
    """Raise a :class:`SignatureError` unless ``request`` carries a valid, current signature.

    ``info`` is the result of :func:`parse_authorization` if the caller already has it;
    ``derive_key`` may be a :func:`signing_key_cache`.
    """
    if info is None:
        info = parse_authorization(request.headers)
    check_clock(info, now, max_skew)
    payload = payload_hash(request, info.signed_headers, allow_unsigned=allow_unsigned_payload)
    canonical = canonical_request(request, info.signed_headers, payload)
    to_sign = string_to_sign(info.amz_date, info.credential_scope, canonical)
    key = derive_key(secret_access_key, info.scope_date, info.region, info.service)
    expected = hmac.digest(key, to_sign.encode("utf-8"), "sha256").hex()
    if not hmac.compare_digest(expected.encode("ascii"), info.signature.encode("ascii")):
        raise SignatureDoesNotMatch()

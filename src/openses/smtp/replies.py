"""How the SMTP edge words everything it says: SES's reply lines, and the services' errors.

This is the SMTP counterpart of :mod:`openses.api.errors`: the services raise protocol-neutral
errors, this table says which reply line SES sends for each. SES puts its replies as bare
``code text`` lines (no RFC 3463 enhanced status codes), so these do too.

Sources (``troubleshoot-smtp.md`` in the SES developer guide; OBS = seen in public reports):

=============================================  =============================================
``235 Authentication successful``              AUTH accepted
``250 Ok <MessageId>``                         end of DATA, message accepted
``421 Too many concurrent SMTP connections``   connection refused at the greeting
``451 Temporary service failure``              anything unexpected (logged with traceback)
``451 Timeout waiting for data from client``   idle connection closed
``454 Throttling failure: …``                  ``Throttled``; the sentence depends on ``daily``
``454 Temporary authentication failure``       the key lookup itself failed
``530 Authentication required``                MAIL/RCPT/DATA before AUTH
``535 Authentication Credentials Invalid``     unknown or inactive key, wrong password
``552 Message is too long.``                   over SIZE, declared or actual
``553 <addr> Invalid email address``           MAIL FROM address syntax (spec §6.4)
``553 <addr> address unknown``                 RCPT TO address syntax (spec §6.4)
``554 Access denied: …``                       ``AccessDenied`` (spec §2.6)
``554 Message rejected: …``                    ``MessageRejected``, ``SendingPaused``
``554 Transaction failed: …``                  ``InvalidParameter`` (OBS, see below), and
                                               ``ConfigurationSetNotFound`` (the
                                               ``X-SES-CONFIGURATION-SET`` names no set of
                                               the sender's)
=============================================  =============================================

Decisions where the guide is silent:

* ``InvalidParameter`` (the API's ``InvalidParameterValue``) answers ``554 Transaction failed:
  <message>``, not ``Message rejected``: that is what SES's SMTP endpoint says for the same
  content errors the API reports as InvalidParameterValue (OBS: "Duplicate header 'From'.",
  "Missing final '@domain'", "Recipient count exceeds 50.").
* ``SendingPaused`` answers ``554 Message rejected: <message>``: SES's v1 API reports a paused
  account as MessageRejected ("Sending paused for this account. …"), and SMTP clients observe
  ``554 Message rejected: Sending paused for this account.`` (OBS).
* More recipients than the limit: the first one over is refused with ``554 Transaction failed:
  Recipient count exceeds 50.`` (SES's sentence, OBS) and so is the DATA of that transaction,
  so a client that goes on with the accepted recipients cannot send to a silent subset.
* Envelope command syntax that cannot be parsed at all answers ``501 Invalid MAIL FROM address
  provided`` / ``501 Invalid RCPT TO address provided`` (AWS knowledge-center article on
  SES 501 errors).
* Other ``ServiceError`` kinds (NotFound, LimitExceeded, …) are not expected from a send; they
  answer ``451 Temporary service failure`` and are logged, like any unexpected exception.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from openses.services.errors import (
    AccessDenied,
    ConfigurationSetNotFound,
    InvalidParameter,
    MessageRejected,
    MessageTooLarge,
    SendingPaused,
    ServiceError,
    Throttled,
)

AUTH_SUCCESSFUL: Final = "235 Authentication successful"
OK: Final = "250 Ok"
TOO_MANY_CONNECTIONS: Final = "421 Too many concurrent SMTP connections"
TEMPORARY_FAILURE: Final = "451 Temporary service failure"
DATA_TIMEOUT: Final = "451 Timeout waiting for data from client"
RATE_EXCEEDED: Final = "454 Throttling failure: Maximum sending rate exceeded"
DAILY_QUOTA_EXCEEDED: Final = "454 Throttling failure: Daily message quota exceeded"
AUTH_TEMPORARY_FAILURE: Final = "454 Temporary authentication failure"
AUTH_REQUIRED: Final = "530 Authentication required"
AUTH_INVALID: Final = "535 Authentication Credentials Invalid"
MESSAGE_TOO_LONG: Final = "552 Message is too long."
BAD_MAIL_SYNTAX: Final = "501 Invalid MAIL FROM address provided"
BAD_RCPT_SYNTAX: Final = "501 Invalid RCPT TO address provided"


def accepted(message_id: str) -> str:
    return f"{OK} {message_id}"


def invalid_sender(address_text: str) -> str:
    return f"553 {bracketed(address_text)} Invalid email address"


def unknown_recipient(address_text: str) -> str:
    return f"553 {bracketed(address_text)} address unknown"


def too_many_recipients(limit: int) -> str:
    return f"554 Transaction failed: Recipient count exceeds {limit}."


def bracketed(address_text: str) -> str:
    """The address as the client wrote it, in angle brackets (once)."""
    text = address_text.strip()
    if text.startswith("<") and text.endswith(">"):
        return text
    return f"<{text}>"


def _throttled(error: ServiceError) -> str:
    return DAILY_QUOTA_EXCEEDED if isinstance(error, Throttled) and error.daily else RATE_EXCEEDED


ERRORS: Final[Mapping[type[ServiceError], Callable[[ServiceError], str]]] = {
    AccessDenied: lambda error: f"554 Access denied: {error.message}",
    MessageRejected: lambda error: f"554 Message rejected: {error.message}",
    SendingPaused: lambda error: f"554 Message rejected: {error.message}",
    InvalidParameter: lambda error: f"554 Transaction failed: {error.message}",
    ConfigurationSetNotFound: lambda error: f"554 Transaction failed: {error.message}",
    Throttled: _throttled,
    MessageTooLarge: lambda error: MESSAGE_TOO_LONG,
}


def for_error(error: ServiceError) -> str | None:
    """The reply SES gives for ``error``, or None for kinds a send should not raise."""
    for kind in type(error).__mro__:
        render = ERRORS.get(kind)
        if render is not None:
            return _one_line(render(error))
    return None


def _one_line(reply: str) -> str:
    """A reply is one line: a message with line breaks must not inject further replies."""
    return " ".join(reply.splitlines())


# aiosmtpd's own wording for the situations above, and what SES says instead.
AIOSMTPD_REWRITES: Final[Mapping[str, str]] = {
    "530 5.7.0 Authentication required": AUTH_REQUIRED,
    "535 5.7.8 Authentication credentials invalid": AUTH_INVALID,
    "552 Error: message size exceeds fixed maximum message size": MESSAGE_TOO_LONG,
    "552 Error: Too much mail data": MESSAGE_TOO_LONG,
}
# aiosmtpd's wording where SES's is not known, for DATA (openses.smtp.session reads DATA itself).
AIOSMTPD_NEED_RCPT: Final = "503 Error: need RCPT command"
AIOSMTPD_DATA_SYNTAX: Final = "501 Syntax: DATA"
AIOSMTPD_START_DATA: Final = "354 End data with <CR><LF>.<CR><LF>"
AIOSMTPD_LINE_TOO_LONG: Final = "500 Line too long (see RFC5321 4.5.3.1.6)"
AIOSMTPD_OK: Final = "250 OK"
AIOSMTPD_MALFORMED_ADDRESS: Final = "553 5.1.3 Error: malformed address"
AIOSMTPD_MAIL_SYNTAX_PREFIX: Final = "501 Syntax: MAIL FROM:"
AIOSMTPD_RCPT_SYNTAX_PREFIX: Final = "501 Syntax: RCPT TO:"

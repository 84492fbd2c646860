"""Protocol-neutral errors of the use cases. Each edge renders them with its own table
(``openses.api.errors`` for the AWS APIs): the service says *what* went wrong, the edge says
how SES v1, SESv2, IAM or SMTP word it.

::

    ServiceError
    ├── NotFound            the named thing does not exist (for this caller)
    │   ├── TemplateNotFound
    │   ├── CustomVerificationTemplateNotFound
    │   ├── ConfigurationSetNotFound
    │   └── EventDestinationNotFound
    ├── AlreadyExists       a create met an existing name
    │   ├── CustomVerificationTemplateAlreadyExists
    │   ├── ConfigurationSetAlreadyExists
    │   └── EventDestinationAlreadyExists
    ├── InvalidParameter    a value is wrong in a way the model cannot express
    │   ├── InvalidTemplate     a template's syntax or parts
    │   ├── InvalidCustomVerificationContent    a custom verification template's content
    │   ├── FromEmailAddressNotVerified     a custom verification template's sender (management)
    │   ├── InvalidConfigurationSet     a configuration set's name or settings (create)
    │   ├── InvalidEventDestination     an event destination (subclasses: by type)
    │   └── InvalidNextToken    a pagination token the listing did not hand out
    ├── InvalidPolicy       a policy document breaks the grammar or SES's rules
    ├── LimitExceeded       a per-account or per-identity limit
    ├── DeleteConflict      the thing still has dependents (IAM users with keys or policies)
    ├── AccessDenied        the caller's policies do not allow the action
    ├── MessageRejected     a send refused for its content or addresses (not verified, sandbox)
    │   ├── MailFromDomainNotVerified   the identity's custom MAIL FROM is not set up (reject)
    │   ├── VerificationSenderNotVerified   a custom verification email's sender, at send time
    │   └── ProductionAccessNotGranted      custom verification emails from a sandboxed account
    ├── SendingPaused       sending is disabled for the account (``scope="account"``) or region
    │   └── ConfigurationSetSendingPaused   … for the configuration set the send names
    ├── Throttled           the sending account's rate (``daily=False``) or daily quota is used up
    ├── MessageTooLarge     the message is over the channel's size limit
    └── RenderingFailed     a template could not be rendered with the data given
        └── MissingRenderingAttribute
"""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    pass


class TemplateNotFound(NotFound):
    pass


class ConfigurationSetNotFound(NotFound):
    pass


class AlreadyExists(ServiceError):
    pass


class InvalidParameter(ServiceError):
    pass


class InvalidTemplate(InvalidParameter):
    pass


class InvalidPolicy(ServiceError):
    pass


class LimitExceeded(ServiceError):
    pass


class DeleteConflict(ServiceError):
    pass


class AccessDenied(ServiceError):
    pass


class MessageRejected(ServiceError):
    pass


class SendingPaused(ServiceError):
    pass


class Throttled(ServiceError):
    """``daily`` tells the daily quota ("Daily message quota exceeded.") from the send rate."""

    def __init__(self, message: str, *, daily: bool) -> None:
        super().__init__(message)
        self.daily = daily


class MessageTooLarge(ServiceError):
    pass


class RenderingFailed(ServiceError):
    pass


class MissingRenderingAttribute(RenderingFailed):
    pass


# ---- configuration sets


class EventDestinationNotFound(NotFound):
    pass


class ConfigurationSetAlreadyExists(AlreadyExists):
    pass


class EventDestinationAlreadyExists(AlreadyExists):
    pass


class InvalidConfigurationSet(InvalidParameter):
    pass


class InvalidEventDestination(InvalidParameter):
    """An event destination refused; the subclasses name the destination type at fault, for
    the v1 API's codes (``InvalidSNSDestination``, …)."""


class InvalidSnsDestination(InvalidEventDestination):
    pass


class InvalidCloudWatchDestination(InvalidEventDestination):
    pass


class InvalidFirehoseDestination(InvalidEventDestination):
    pass


class ConfigurationSetSendingPaused(SendingPaused):
    pass


# ---- feedback settings, MAIL FROM and the suppression list


class InvalidNextToken(InvalidParameter):
    """A pagination token this listing did not hand out."""


class MailFromDomainNotVerified(MessageRejected):
    """A send whose identity's custom MAIL FROM domain is not set up, with ``RejectMessage``."""


# ---- custom verification emails


class CustomVerificationTemplateNotFound(NotFound):
    pass


class CustomVerificationTemplateAlreadyExists(AlreadyExists):
    pass


class InvalidCustomVerificationContent(InvalidParameter):
    """v1 ``CustomVerificationEmailInvalidContent``."""


class FromEmailAddressNotVerified(InvalidParameter):
    """A custom verification template names a sender that is not a verified identity of the
    caller (create, update): v1 ``FromEmailAddressNotVerified``, v2 ``BadRequestException``."""


class VerificationSenderNotVerified(MessageRejected):
    """The template's sender is not (or no longer) verified when the email is to be sent: v1
    ``FromEmailAddressNotVerified``, v2 ``MessageRejected``."""


class ProductionAccessNotGranted(MessageRejected):
    """Custom verification emails need production access (v1 ``ProductionAccessNotGranted``)."""

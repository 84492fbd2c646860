"""Protocol-neutral errors of the use cases. Each edge renders them with its own table
(``openses.api.errors`` for the AWS APIs): the service says *what* went wrong, the edge says
how SES v1, SESv2, IAM or SMTP word it.

::

    ServiceError
    ├── NotFound            the named thing does not exist (for this caller)
    │   ├── TemplateNotFound
    │   └── ConfigurationSetNotFound
    ├── AlreadyExists       a create met an existing name
    ├── InvalidParameter    a value is wrong in a way the model cannot express
    │   └── InvalidTemplate     a template's syntax or parts
    ├── InvalidPolicy       a policy document breaks the grammar or SES's rules
    ├── LimitExceeded       a per-account or per-identity limit
    ├── DeleteConflict      the thing still has dependents (IAM users with keys or policies)
    ├── AccessDenied        the caller's policies do not allow the action
    ├── MessageRejected     a send refused for its content or addresses (not verified, sandbox)
    ├── SendingPaused       sending is disabled for the account (``scope="account"``) or region
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

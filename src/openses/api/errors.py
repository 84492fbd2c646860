"""How each AWS API words the services' errors: one table per API.

The services raise protocol-neutral errors (:mod:`openses.services.errors`); this table gives
the code and HTTP status each API answers with. The message is the service's own sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from openses.api.protocol.errors import AwsError
from openses.services.errors import (
    AccessDenied,
    AlreadyExists,
    ConfigurationSetAlreadyExists,
    ConfigurationSetNotFound,
    ConfigurationSetSendingPaused,
    CustomVerificationTemplateAlreadyExists,
    CustomVerificationTemplateNotFound,
    DeleteConflict,
    EventDestinationAlreadyExists,
    EventDestinationNotFound,
    FromEmailAddressNotVerified,
    InvalidCloudWatchDestination,
    InvalidConfigurationSet,
    InvalidCustomVerificationContent,
    InvalidFirehoseDestination,
    InvalidNextToken,
    InvalidParameter,
    InvalidPolicy,
    InvalidSnsDestination,
    InvalidTemplate,
    LimitExceeded,
    MailFromDomainNotVerified,
    MessageRejected,
    MessageTooLarge,
    MissingRenderingAttribute,
    NotFound,
    ProductionAccessNotGranted,
    RenderingFailed,
    SendingPaused,
    ServiceError,
    TemplateNotFound,
    Throttled,
    VerificationSenderNotVerified,
)

Table = Mapping[type[ServiceError], tuple[str, int]]

TABLES: Final[Mapping[str, Table]] = {
    "ses": {
        NotFound: ("InvalidParameterValue", 400),
        AlreadyExists: ("AlreadyExists", 400),
        InvalidParameter: ("InvalidParameterValue", 400),
        InvalidPolicy: ("InvalidPolicy", 400),
        LimitExceeded: ("LimitExceeded", 400),
        DeleteConflict: ("InvalidParameterValue", 400),
        AccessDenied: ("AccessDenied", 403),
        TemplateNotFound: ("TemplateDoesNotExist", 400),
        ConfigurationSetNotFound: ("ConfigurationSetDoesNotExist", 400),
        InvalidTemplate: ("InvalidTemplate", 400),
        MessageRejected: ("MessageRejected", 400),
        MessageTooLarge: ("MessageRejected", 400),
        SendingPaused: ("AccountSendingPausedException", 400),
        Throttled: ("Throttling", 400),
        RenderingFailed: ("InvalidRenderingParameter", 400),
        MissingRenderingAttribute: ("MissingRenderingAttribute", 400),
        # configuration sets (v2 words them by their bases)
        ConfigurationSetAlreadyExists: ("ConfigurationSetAlreadyExists", 400),
        EventDestinationAlreadyExists: ("EventDestinationAlreadyExists", 400),
        EventDestinationNotFound: ("EventDestinationDoesNotExist", 400),
        InvalidConfigurationSet: ("InvalidConfigurationSet", 400),
        InvalidSnsDestination: ("InvalidSNSDestination", 400),
        InvalidCloudWatchDestination: ("InvalidCloudWatchDestination", 400),
        InvalidFirehoseDestination: ("InvalidFirehoseDestination", 400),
        ConfigurationSetSendingPaused: ("ConfigurationSetSendingPausedException", 400),
        MailFromDomainNotVerified: ("MailFromDomainNotVerifiedException", 400),
        # custom verification emails (v2 words them by their bases)
        CustomVerificationTemplateNotFound: ("CustomVerificationEmailTemplateDoesNotExist", 400),
        CustomVerificationTemplateAlreadyExists: (
            "CustomVerificationEmailTemplateAlreadyExists",
            400,
        ),
        InvalidCustomVerificationContent: ("CustomVerificationEmailInvalidContent", 400),
        FromEmailAddressNotVerified: ("FromEmailAddressNotVerified", 400),
        VerificationSenderNotVerified: ("FromEmailAddressNotVerified", 400),
        ProductionAccessNotGranted: ("ProductionAccessNotGranted", 400),
    },
    "sesv2": {
        NotFound: ("NotFoundException", 404),
        AlreadyExists: ("AlreadyExistsException", 400),
        InvalidParameter: ("BadRequestException", 400),
        InvalidPolicy: ("BadRequestException", 400),
        LimitExceeded: ("LimitExceededException", 400),
        DeleteConflict: ("BadRequestException", 400),
        AccessDenied: ("AccessDeniedException", 403),
        MessageRejected: ("MessageRejected", 400),
        MessageTooLarge: ("MessageRejected", 400),
        SendingPaused: ("SendingPausedException", 400),
        Throttled: ("TooManyRequestsException", 429),
        RenderingFailed: ("BadRequestException", 400),
        InvalidNextToken: ("InvalidNextTokenException", 400),
        MailFromDomainNotVerified: ("MailFromDomainNotVerifiedException", 400),
    },
    "iam": {
        NotFound: ("NoSuchEntity", 404),
        AlreadyExists: ("EntityAlreadyExists", 409),
        InvalidParameter: ("InvalidInput", 400),
        InvalidPolicy: ("MalformedPolicyDocument", 400),
        LimitExceeded: ("LimitExceeded", 409),
        DeleteConflict: ("DeleteConflict", 409),
        AccessDenied: ("AccessDenied", 403),
    },
    "sns": {
        NotFound: ("NotFound", 404),
        AlreadyExists: ("InvalidParameter", 400),
        InvalidParameter: ("InvalidParameter", 400),
        InvalidPolicy: ("InvalidParameter", 400),
        LimitExceeded: ("TopicLimitExceeded", 403),
        DeleteConflict: ("InvalidParameter", 400),
        AccessDenied: ("AuthorizationError", 403),
    },
    "sts": {
        NotFound: ("InvalidParameterValue", 400),
        AlreadyExists: ("InvalidParameterValue", 400),
        InvalidParameter: ("InvalidParameterValue", 400),
        InvalidPolicy: ("MalformedPolicyDocument", 400),
        LimitExceeded: ("LimitExceeded", 400),
        DeleteConflict: ("InvalidParameterValue", 400),
        AccessDenied: ("AccessDenied", 403),
    },
}


def to_aws(service: str, error: ServiceError) -> AwsError:
    for kind in type(error).__mro__:
        found = TABLES[service].get(kind)
        if found is not None:
            code, status = found
            return AwsError(code, error.message, status, status < 500)
    return AwsError("InternalFailure", "The request processing has failed.", 500, False)

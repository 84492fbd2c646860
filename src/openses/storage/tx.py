"""The storage transaction: every read and write the services make, as SQLAlchemy Core statements.

One implementation serves SQLite and PostgreSQL; each area's statements live in their own module
(``accounts``, ``identities``, ``outbox``, ``sending``, ``templates``) on the shared base in
``statements``.
"""

from __future__ import annotations

from openses.storage.accounts import AccountStatements
from openses.storage.configuration_sets import ConfigurationSetStatements
from openses.storage.custom_verification import CustomVerificationStatements
from openses.storage.delivery import DeliveryStatements
from openses.storage.dkim import DkimStatements
from openses.storage.feedback_settings import FeedbackSettingsStatements
from openses.storage.identities import IdentityStatements
from openses.storage.outbox import OutboxStatements
from openses.storage.sending import SendingStatements
from openses.storage.tags import TagStatements
from openses.storage.templates import TemplateStatements
from openses.storage.topics import TopicStatements


class SqlTx(
    DeliveryStatements,
    DkimStatements,
    ConfigurationSetStatements,
    FeedbackSettingsStatements,
    TopicStatements,
    AccountStatements,
    IdentityStatements,
    OutboxStatements,
    SendingStatements,
    TemplateStatements,
    CustomVerificationStatements,
    TagStatements,
):
    """A :class:`~openses.services.ports.Tx` over one connection inside an open transaction."""

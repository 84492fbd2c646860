"""What publishing an event needs to know about its message, read ahead for a batch.

The delivery worker records a batch of outcomes in one write transaction; the settings that say
who hears of them (the owner's identity notification settings, the delegate's configuration
set) are read just before, in a read-only transaction whose reads the store's read cache can
answer, instead of once per event inside the write transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from openses.domain.configuration_sets import ConfigurationSet
from openses.domain.outbox import CapturedMessage
from openses.services.ports import Tx

if TYPE_CHECKING:  # feedback_settings sits above the acceptance path that imports this
    from openses.services.feedback_settings import EffectiveFeedback

#: (owner account, region, source address) and (sending account, region, set name).
SettingsKey = tuple[str, str, str]


@dataclass(slots=True)
class PublishPlan:
    feedback: dict[SettingsKey, EffectiveFeedback] = field(default_factory=dict)
    configuration_sets: dict[SettingsKey, ConfigurationSet | None] = field(default_factory=dict)

    async def configuration_set(self, tx: Tx, message: CapturedMessage) -> ConfigurationSet | None:
        """The send's configuration set (None without one), read once per plan."""
        if message.configuration_set is None:
            return None
        key = (message.account_id, message.region, message.configuration_set)
        if key not in self.configuration_sets:
            self.configuration_sets[key] = await tx.get_configuration_set(*key)
        return self.configuration_sets[key]


def configuration_set_of(
    message: CapturedMessage, plan: PublishPlan | None
) -> ConfigurationSet | None:
    """The send's configuration set as read ahead (None without one, or not read)."""
    if plan is None or message.configuration_set is None:
        return None
    key = (message.account_id, message.region, message.configuration_set)
    return plan.configuration_sets.get(key)

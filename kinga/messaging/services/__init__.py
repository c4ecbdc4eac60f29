"""The messaging app's writes: preferences (each person's channels), outgoing (queue, send, try again),
triggers (the other apps' events become messages), inbound (coded SMS/USSD alerts from the gateway)."""

from .inbound import receive_sms
from .outgoing import deliver, notify_address, notify_user, send_due
from .preferences import save_preferences
from .triggers import (
    notify_overdue_referrals,
    on_alert_outcome,
    on_alert_received,
    on_case_assigned,
)

__all__ = [
    "deliver",
    "notify_address",
    "notify_overdue_referrals",
    "notify_user",
    "on_alert_outcome",
    "on_alert_received",
    "on_case_assigned",
    "receive_sms",
    "save_preferences",
    "send_due",
]

"""The community app's writes: what views, the API, commands and other apps may call.

One module per domain: networks (networks, members, awareness, trainings, advocacy), alerts (intake, triage),
cases_link (a verified alert's children registered as cases), coordination (the 4W matrix, IDAK meetings),
reference (the 4W set seeded from the plan). Every write checks the permission, is atomic, leaves an audit row
and raises ValidationError({field: [message]}) on bad input.
"""

from .alerts import (
    close_alert,
    receive_alert,
    record_verification,
    refer_alert,
    reprocess_alert,
    start_verification,
)
from .cases_link import register_children
from .coordination import (
    add_action_item,
    create_fourw,
    create_meeting,
    delete_fourw,
    update_action_item,
    update_fourw,
    update_meeting,
)
from .networks import (
    add_member,
    add_member_training,
    create_campaign,
    create_network,
    record_advocacy,
    record_session,
    record_training,
    update_member,
    update_network,
)
from .reference import seed_fourw_from_plan

__all__ = [
    "add_action_item",
    "add_member",
    "add_member_training",
    "close_alert",
    "create_campaign",
    "create_fourw",
    "create_meeting",
    "create_network",
    "delete_fourw",
    "receive_alert",
    "record_advocacy",
    "record_session",
    "record_training",
    "record_verification",
    "refer_alert",
    "register_children",
    "reprocess_alert",
    "seed_fourw_from_plan",
    "start_verification",
    "update_action_item",
    "update_fourw",
    "update_meeting",
    "update_member",
    "update_network",
]

"""The community app's writes: what views, the API, commands and other apps may call.

One module per domain: networks (networks, members, their trainings), awareness (campaigns, sessions, trainings
of actors, advocacy), alerts (intake, triage), cases_link (a verified alert's children registered as cases),
fourw (the 4W matrix: by hand, seeded from the plan), fourw_import (a 4W file), coordination (IDAK meetings and action items).
Every write checks the permission, is atomic, leaves an audit row and raises ValidationError({field: [message]})
on bad input.
"""

from .alerts import (
    close_alert,
    receive_alert,
    record_verification,
    refer_alert,
    reprocess_alert,
    start_verification,
)
from .awareness import create_campaign, record_advocacy, record_session, record_training
from .cases_link import register_children
from .coordination import add_action_item, create_meeting, update_action_item, update_meeting
from .fourw import create_fourw, delete_fourw, seed_fourw_from_plan, update_fourw
from .fourw_import import import_fourw, import_fourw_again, queue_fourw_import, run_fourw_import
from .networks import add_member, add_member_training, create_network, update_member, update_network
from .people import record_attendance, record_commitments

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
    "import_fourw",
    "import_fourw_again",
    "queue_fourw_import",
    "receive_alert",
    "record_advocacy",
    "record_attendance",
    "record_commitments",
    "record_session",
    "record_training",
    "record_verification",
    "refer_alert",
    "register_children",
    "reprocess_alert",
    "run_fourw_import",
    "seed_fourw_from_plan",
    "start_verification",
    "update_action_item",
    "update_fourw",
    "update_meeting",
    "update_member",
    "update_network",
]

"""The plan's writes, one module per domain; this list is what views, the API and other apps may call.

logframe: revisions of activities and actions, implementers; targets: indicator targets; money: exchange rates,
commitments and transactions; dhis2: the DHIS2 mapping and sending; progress: activity progress and indicator values; deliverables: an activity's documents and
their validation; loading: the plan file.
"""

from kinga.plan.services.deliverables import review_deliverable, submit_deliverable
from kinga.plan.services.dhis2 import (
    Dhis2PushFailed,
    map_category_option_combo,
    map_data_element,
    map_org_unit,
    push_period,
    save_dhis2_settings,
    unmap_data_element,
)
from kinga.plan.services.loading import ensure_plan_loaded, load_plan
from kinga.plan.services.logframe import add_activity, revise_action, revise_activity, set_implementers
from kinga.plan.services.money import record_commitment, record_exchange_rate, record_transaction
from kinga.plan.services.progress import correct_indicator_value, enter_indicator_value, report_progress
from kinga.plan.services.targets import (
    add_period_target,
    remove_period_target,
    revise_indicator_target,
    revise_period_target,
)

__all__ = [
    "Dhis2PushFailed",
    "add_activity",
    "add_period_target",
    "correct_indicator_value",
    "ensure_plan_loaded",
    "enter_indicator_value",
    "load_plan",
    "map_category_option_combo",
    "map_data_element",
    "map_org_unit",
    "push_period",
    "record_commitment",
    "record_exchange_rate",
    "record_transaction",
    "remove_period_target",
    "report_progress",
    "review_deliverable",
    "revise_action",
    "revise_activity",
    "revise_indicator_target",
    "revise_period_target",
    "save_dhis2_settings",
    "set_implementers",
    "submit_deliverable",
    "unmap_data_element",
]

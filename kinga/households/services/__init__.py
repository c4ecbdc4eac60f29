"""The households app's writes: what views, the API, commands and other apps may call.

One module per domain: households (households and their members), programmes (programmes, enrolments,
deliveries, deposits, cooperatives), surveys (survey rounds, answers, the vulnerability index versions),
imports (a survey round from a file), microfinance (community micro-finance groups,
loans, repayments), production (harvests and livestock, nutrition visits), scores (the stored vulnerability scores), totals (the per-round totals
kept in step with the surveys; called by the writes above, synth and the commands, not by views). Every write is
atomic, audited, and refuses impossible values with field-level ValidationError.
"""

from .households import (
    add_member,
    create_household,
    link_child_case,
    refresh_priority,
    update_household,
    update_member,
)
from .imports import import_round, queue_import
from .imports import summary as import_summary
from .microfinance import add_capital, add_group_member, create_group, record_loan, record_repayment
from .production import ChildMeasure, record_harvest, record_nutrition_visit
from .programmes import (
    add_cooperative_member,
    add_delivery,
    add_deposit,
    create_cooperative,
    create_network,
    create_programme,
    enrol,
    update_cooperative,
    update_enrolment,
)
from .surveys import (
    check_in_round,
    create_index_version,
    create_round,
    rebuild_round_totals,
    record_survey,
    score_every_household,
    update_round,
)

__all__ = [
    "ChildMeasure",
    "add_capital",
    "add_cooperative_member",
    "add_delivery",
    "add_deposit",
    "add_group_member",
    "add_member",
    "check_in_round",
    "create_cooperative",
    "create_group",
    "create_household",
    "create_index_version",
    "create_network",
    "create_programme",
    "create_round",
    "enrol",
    "import_round",
    "import_summary",
    "link_child_case",
    "queue_import",
    "rebuild_round_totals",
    "record_harvest",
    "record_loan",
    "record_nutrition_visit",
    "record_repayment",
    "record_survey",
    "refresh_priority",
    "score_every_household",
    "update_cooperative",
    "update_enrolment",
    "update_household",
    "update_member",
    "update_round",
]

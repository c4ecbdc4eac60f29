"""The writes of case management, the only names other apps (and this app's views and API) call.

One module per part of the workflow: registration.py (a child registered, a known child's new case), cases.py (a
child's identity, assignment, consent), careplan.py (assessment, care plan), workflow.py (follow-up, retention,
relapse, reopening), closure.py (exit rule, closure), referrals.py (referrals and the services directory),
facilities.py (the register of care facilities: status, works), configuration.py (deadlines, scoring); common.py
holds what they share. Every write of a case takes `today=` (default: the clock) so that tests control the day.
"""

from .careplan import add_plan_item, decide_care_plan, record_assessment, submit_care_plan, update_plan_item
from .cases import assign_case, record_consent, record_pdf_export, set_photo, update_child, withdraw_consent
from .closure import decide_closure, evaluate_exit_rule, exit_rule_text, request_closure
from .common import active_scoring, current_rules, sharing_consent_missing
from .configuration import new_scoring_version, update_rules
from .facilities import complete_work, record_status, record_work, register_facility
from .referrals import answer_referral, cancel_referral, make_referral, report_service_delivered, save_service
from .registration import (
    CASE_FIELDS,
    complete_registration,
    index_child_names,
    next_case_number,
    register_case,
    territory_prefix,
)
from .workflow import record_follow_up, record_relapse, record_retention_check, refresh_next_due, reopen_case

__all__ = [
    "CASE_FIELDS",
    "active_scoring",
    "add_plan_item",
    "answer_referral",
    "assign_case",
    "cancel_referral",
    "complete_registration",
    "complete_work",
    "current_rules",
    "decide_care_plan",
    "decide_closure",
    "evaluate_exit_rule",
    "exit_rule_text",
    "index_child_names",
    "make_referral",
    "new_scoring_version",
    "next_case_number",
    "record_assessment",
    "record_consent",
    "record_follow_up",
    "record_pdf_export",
    "record_relapse",
    "record_retention_check",
    "record_status",
    "record_work",
    "refresh_next_due",
    "register_case",
    "register_facility",
    "reopen_case",
    "report_service_delivered",
    "request_closure",
    "save_service",
    "set_photo",
    "sharing_consent_missing",
    "submit_care_plan",
    "territory_prefix",
    "update_child",
    "update_plan_item",
    "update_rules",
    "withdraw_consent",
]

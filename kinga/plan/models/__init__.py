"""The plan: axes → actions → activities of the logical framework, their indicators, money and progress.

The 2017 baseline is loaded from kinga/plan/data/lualaba_2017.yaml (`kinga plan load`); coordinators then
revise the current plan, every change a `PlanRevision`. Each action and activity keeps the values it had in
the loaded file in `baseline`, so the baseline stays viewable and comparable with the current plan.
"""

from kinga.plan.models.deliverables import Deliverable, DeliverableKind, DeliverableStatus
from kinga.plan.models.dhis2 import (
    Dhis2CategoryOptionCombo,
    Dhis2DataElement,
    Dhis2OrgUnit,
    Dhis2Push,
    Dhis2Settings,
    Disaggregation,
    PushStatus,
)
from kinga.plan.models.indicators import (
    Indicator,
    IndicatorLevel,
    IndicatorSourceKind,
    IndicatorTarget,
    IndicatorValue,
    ValueType,
)
from kinga.plan.models.logframe import (
    Action,
    Activity,
    ActivityStatus,
    Axis,
    LogframeCells,
    Party,
    PartyRole,
    Plan,
    PlanRevision,
    ProgressReport,
    RevisionKind,
    Tag,
    TagKind,
)
from kinga.plan.models.money import (
    Commitment,
    Currency,
    ExchangeRate,
    FundingTransaction,
    MoneyFields,
    TransactionKind,
)

__all__ = [
    "Action",
    "Activity",
    "ActivityStatus",
    "Axis",
    "Commitment",
    "Currency",
    "Deliverable",
    "DeliverableKind",
    "DeliverableStatus",
    "Dhis2CategoryOptionCombo",
    "Dhis2DataElement",
    "Dhis2OrgUnit",
    "Dhis2Push",
    "Dhis2Settings",
    "Disaggregation",
    "ExchangeRate",
    "FundingTransaction",
    "Indicator",
    "IndicatorLevel",
    "IndicatorSourceKind",
    "IndicatorTarget",
    "IndicatorValue",
    "LogframeCells",
    "MoneyFields",
    "Party",
    "PartyRole",
    "Plan",
    "PlanRevision",
    "ProgressReport",
    "PushStatus",
    "RevisionKind",
    "Tag",
    "TagKind",
    "TransactionKind",
    "ValueType",
]

"""Community protection: networks and their members, alerts and their triage, awareness, trainings,
advocacy, the actors' 4W, and the meetings of the IDAK consultation framework.

Alerts hold no child identity: only counts by sex and apparent age band. Children become identified
records only when a social worker registers them as cases (kinga.cases), linked back through AlertCase.
"""

from kinga.community.models.alerts import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Activity,
    Alert,
    AlertCase,
    AlertChildren,
    AlertGroup,
    AlertStatus,
    Channel,
    Urgency,
    new_feedback_code,
)
from kinga.community.models.awareness import (
    AdvocacyAction,
    AdvocacyTarget,
    Audience,
    AwarenessSession,
    Campaign,
    ParentCommitment,
    Participant,
    Participation,
    SessionKind,
    Theme,
    TrainedGroup,
    Training,
    TrainingAttendance,
    TrainingTopic,
)
from kinga.community.models.common import (
    Sex,
    TerritoryMixin,
)
from kinga.community.models.coordination import (
    OPEN_ITEM_STATUSES,
    ActionItem,
    ActionItemStatus,
    ActionItemUpdate,
    Meeting,
    minutes_path,
)
from kinga.community.models.fourw import (
    FourW,
    FourWImport,
    FourWSource,
    FourWStatus,
)
from kinga.community.models.networks import (
    AreaKind,
    MemberRole,
    MemberTraining,
    Network,
    NetworkMember,
)

# `new_feedback_code` and `minutes_path` stay importable from here: migrations name them by this path.
__all__ = [
    "CLOSED_STATUSES",
    "OPEN_ITEM_STATUSES",
    "OPEN_STATUSES",
    "ActionItem",
    "ActionItemStatus",
    "ActionItemUpdate",
    "Activity",
    "AdvocacyAction",
    "AdvocacyTarget",
    "Alert",
    "AlertCase",
    "AlertChildren",
    "AlertGroup",
    "AlertStatus",
    "AreaKind",
    "Audience",
    "AwarenessSession",
    "Campaign",
    "Channel",
    "FourW",
    "FourWImport",
    "FourWSource",
    "FourWStatus",
    "Meeting",
    "MemberRole",
    "MemberTraining",
    "Network",
    "NetworkMember",
    "ParentCommitment",
    "Participant",
    "Participation",
    "SessionKind",
    "Sex",
    "TerritoryMixin",
    "Theme",
    "TrainedGroup",
    "Training",
    "TrainingAttendance",
    "TrainingTopic",
    "Urgency",
    "minutes_path",
    "new_feedback_code",
]

"""Children and their cases: identities encrypted at rest, found through blind indexes only.

A child's identifying fields (names, caregivers and their contacts, photo, free-text notes) are
EncryptedTextField/EncryptedJSONField: the database never holds them in clear. Name search goes through
ChildNameIndex (keyed HMAC digests of whole name tokens, exact and phonetic).
"""

from kinga.cases.models.assessment import (
    DOMAINS,
    Assessment,
    CaseRules,
    ScoringVersion,
)
from kinga.cases.models.care import (
    EDUCATION_SERVICES,
    CarePlanApproval,
    CarePlanItem,
    CarePlanItemStatus,
    Referral,
    ReferralStatus,
    Service,
    ServiceType,
)
from kinga.cases.models.cases import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseNumberCounter,
    CaseStatus,
    ClosureReason,
    Consent,
    ConsentKind,
    Hazard,
    IdentificationMethod,
    NextTask,
    RiskLevel,
    WorkActivity,
)
from kinga.cases.models.children import (
    Child,
    ChildNameIndex,
    Disability,
    NameKind,
    SchoolStatus,
    Sex,
)
from kinga.cases.models.facilities import (
    CARE_FACILITY_TYPES,
    Facility,
    FacilityStatus,
    FacilityStatusChange,
    FacilityWork,
    WorkKind,
)
from kinga.cases.models.followup import (
    FollowUp,
    Relapse,
    RelapseSource,
    RetentionCheck,
)

__all__ = [
    "CARE_FACILITY_TYPES",
    "DOMAINS",
    "EDUCATION_SERVICES",
    "OPEN_STATUSES",
    "Assessment",
    "CarePlanApproval",
    "CarePlanItem",
    "CarePlanItemStatus",
    "Case",
    "CaseEvent",
    "CaseNumberCounter",
    "CaseRules",
    "CaseStatus",
    "Child",
    "ChildNameIndex",
    "ClosureReason",
    "Consent",
    "ConsentKind",
    "Disability",
    "Facility",
    "FacilityStatus",
    "FacilityStatusChange",
    "FacilityWork",
    "FollowUp",
    "Hazard",
    "IdentificationMethod",
    "NameKind",
    "NextTask",
    "Referral",
    "ReferralStatus",
    "Relapse",
    "RelapseSource",
    "RetentionCheck",
    "RiskLevel",
    "SchoolStatus",
    "ScoringVersion",
    "Service",
    "ServiceType",
    "Sex",
    "WorkActivity",
    "WorkKind",
]

"""Which records of Kinga serve each activity of the logframe (issue 18: « every activity of the logframe has at least
one record type that serves it »): the work an implementer does for the activity is recorded as these, and the
activity's indicators are computed from them (docs/indicators.md). Keyed by « axis.action.position » of the plan
file; the records named as "app_label.Model" (the plan module imports no other app). kinga/plan/tests/test_coverage.py
fails when an activity of the plan file has no entry, when an entry names a record type that does not exist, or when
an activity's indicator is not computed from the records.
"""

from __future__ import annotations

ACTIVITY_RECORDS: dict[str, tuple[str, ...]] = {
    # Axis 1: the households and children.
    "1.1.1": ("households.Survey", "households.SurveyRound", "households.Household"),  # socio-economic survey
    "1.2.1": ("households.Enrolment", "community.Training"),  # retraining the women of the artisanal mines
    "1.2.2": ("households.Delivery", "households.Enrolment"),  # production equipment, small businesses
    "1.3.1": ("households.Cooperative", "households.CooperativeMember", "households.CooperativeNetwork"),
    "1.3.2": (  # inputs and tools through micro-finance; production and nutrition
        "households.FinanceGroup",
        "households.Loan",
        "households.LoanRepayment",
        "households.Delivery",
        "households.Harvest",
        "households.NutritionVisit",
        "households.MuacMeasurement",
    ),
    "1.3.3": (
        "households.Harvest",
        "households.NutritionVisit",
        "households.Deposit",
    ),  # market gardens, livestock
    "1.4.1": ("plan.Deliverable",),  # the communication plan, filed and validated
    "1.4.2": ("community.Training", "community.TrainingAttendance"),  # community leaders trained
    "1.4.3": ("community.Training", "community.TrainingAttendance"),  # social animators trained
    "1.5.1": ("households.Enrolment", "households.Cooperative"),  # SMEs and income-generating activities
    "1.6.1": ("households.Enrolment",),  # entrepreneurship coaching, bank accounts opened
    "1.7.1": ("households.Enrolment", "households.CooperativeMember"),  # literacy sessions
    "1.8.1": ("cases.Facility", "cases.FacilityWork", "cases.FacilityStatusChange", "cases.Referral"),
    # Axis 2: governance.
    "2.1.1": ("community.Training", "governance.EquipmentDonation", "sites.Inspection"),  # state agents
    "2.2.1": ("community.Training", "community.TrainingAttendance"),  # social service providers retrained
    "2.2.2": (
        "governance.AdvocacyTrack",
        "governance.AdvocacyStep",
        "community.AdvocacyAction",
    ),  # children's court
    "2.2.3": ("community.AwarenessSession", "community.AdvocacyAction"),  # child-protection laws made known
    # Axis 3: the supply chain and artisanal mining.
    "3.1.1": ("community.Meeting", "community.AwarenessSession"),  # due-diligence campaigns
    "3.1.2": (
        "community.Meeting",
        "supply.SourcingAgreement",
        "supply.SocialCommitment",
    ),  # voluntary principles
    "3.2.1": (
        "sites.Zone",
        "sites.Site",
        "supply.Production",
        "supply.CooperativeDocument",
    ),  # mapping the ZEA
    "3.3.1": (
        "community.AwarenessSession",
        "supply.SourcingAgreement",
        "supply.VerificationVisit",
    ),  # the RSE guide
    "3.4.1": ("fund.Receipt", "fund.Account"),  # the retrocession of surface rights received
    "3.4.2": ("fund.RetrocessionRate",),  # the rate, dated
    "3.4.3": (
        "fund.Commission",
        "fund.CommissionMember",
        "fund.Session",
        "fund.Decision",
    ),  # the joint commission
    "3.4.4": ("fund.Account", "fund.Disbursement", "fund.Repayment"),  # the partners' transaction account
    "3.5.1": ("sites.Zone",),  # identifying the ZEA
    "3.5.2": ("sites.ZoneStudy",),  # mineralisation studies
    "3.5.3": ("sites.ZoneStudy", "sites.Zone"),  # processing units and equipment
}

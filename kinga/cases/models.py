"""Children and their cases: identities encrypted at rest, found through blind indexes only.

A child's identifying fields (names, caregivers and their contacts, photo, free-text notes) are
EncryptedTextField/EncryptedJSONField: the database never holds them in clear. Name search goes through
ChildNameIndex (keyed HMAC digests of whole name tokens, exact and phonetic).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.core.fields import EncryptedJSONField, EncryptedTextField
from kinga.core.models import Organisation, Place


class Sex(models.TextChoices):
    MALE = "M", _("Boy")
    FEMALE = "F", _("Girl")


class SchoolStatus(models.TextChoices):
    NEVER = "never", _("Never attended school")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    IRREGULAR = "irregular", _("Attends irregularly")
    ATTENDING = "attending", _("Attends school")
    TRAINING = "training", _("In vocational training")
    UNKNOWN = "unknown", _("Unknown")


class Disability(models.TextChoices):
    NONE = "none", _("None known")
    PHYSICAL = "physical", _("Physical")
    SENSORY = "sensory", _("Visual or hearing")
    INTELLECTUAL = "intellectual", _("Intellectual or mental")
    MULTIPLE = "multiple", _("Multiple")


class Child(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    given_name = EncryptedTextField(_("given name"))
    middle_name = EncryptedTextField(_("middle name (post-name)"))
    family_name = EncryptedTextField(_("family name"))
    other_names = EncryptedTextField(_("other names or nicknames"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    date_of_birth_estimated = models.BooleanField(
        _("date of birth estimated"), default=False, help_text=_("Computed from an estimated age.")
    )
    place_of_origin = models.ForeignKey(
        Place,
        verbose_name=_("place of origin"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    residence = models.ForeignKey(
        Place,
        verbose_name=_("place of residence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    disability = models.CharField(
        _("disability"), max_length=16, choices=Disability.choices, default=Disability.NONE
    )
    school_status = models.CharField(
        _("school status"), max_length=16, choices=SchoolStatus.choices, default=SchoolStatus.UNKNOWN
    )
    last_grade = models.CharField(_("last grade completed"), max_length=40, blank=True)
    # [{"name", "relationship", "phone", "address"}]: one encrypted document.
    caregivers = EncryptedJSONField(_("parents and caregivers"), default=list)
    photo = EncryptedTextField(_("photo"))  # a data: URL (small JPEG), encrypted like the names
    notes = EncryptedTextField(_("notes"))
    registered_by_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"child {str(self.uuid)[:8]}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.middle_name, self.family_name) if p)


class NameKind(models.TextChoices):
    EXACT = "exact", _("exact")
    PHONETIC = "phonetic", _("phonetic")


class ChildNameIndex(models.Model):
    """Blind index of every whole token of a child's names (kinga.core.crypto.name_digests)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="name_index")
    kind = models.CharField(max_length=8, choices=NameKind.choices)
    digest = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["digest", "child"], name="cases_nameidx_digest")]
        constraints = [
            models.UniqueConstraint(fields=["child", "kind", "digest"], name="cases_nameidx_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:8]}"


class CaseStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    REGISTERED = "registered", _("Registered")
    ASSESSED = "assessed", _("Assessed")
    CARE_PLAN = "care_plan", _("Care plan awaiting approval")
    IN_IMPLEMENTATION = "in_implementation", _("Care plan in implementation")
    UNDER_FOLLOW_UP = "under_follow_up", _("Under follow-up")
    READY_TO_CLOSE = "ready_to_close", _("Ready to close")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = [s for s in CaseStatus.values if s != CaseStatus.CLOSED]


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class IdentificationMethod(models.TextChoices):
    SITE_INSPECTION = "site_inspection", _("Site inspection")
    COMMUNITY_ALERT = "community_alert", _("Community alert")
    SELF_REFERRAL = "self_referral", _("Self-referral")
    POLICE = "police", _("Police or mines police")
    SCHOOL = "school", _("School")
    OTHER = "other", _("Other")


class WorkActivity(models.TextChoices):
    DIGGING = "digging", _("Digging")
    UNDERGROUND = "underground", _("Underground work")
    WASHING = "washing", _("Washing ore")
    SORTING = "sorting", _("Sorting")
    CARRYING = "carrying", _("Carrying")
    TRADING = "trading", _("Trading")
    CRUSHING = "crushing", _("Crushing")
    OTHER = "other", _("Other")


class Hazard(models.TextChoices):
    HEAVY_LOADS = "heavy_loads", _("Heavy loads")
    PITS = "pits", _("Pits and tunnels")
    DUST = "dust", _("Dust and toxic substances")
    WATER = "water", _("Contaminated water")
    NIGHT_WORK = "night_work", _("Night work")
    VIOLENCE = "violence", _("Violence or abuse")
    DRUGS = "drugs", _("Alcohol or drugs")
    OTHER = "other", _("Other")


class ClosureReason(models.TextChoices):
    EXIT_ACHIEVED = "exit_achieved", _("Exit achieved")
    TRANSFERRED = "transferred", _("Transferred")
    TURNED_18 = "turned_18", _("Turned 18")
    MOVED_AWAY = "moved_away", _("Moved away")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    DEATH = "death", _("Death")


class CaseNumberCounter(models.Model):
    """The last sequence number used per territory code and year: numbers are never reused."""

    prefix = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="cases_counter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_value}"


class Case(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("case number"), max_length=32, unique=True)
    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="cases")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="cases"
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caseworker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="caseload",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_cases",
    )
    territory = models.ForeignKey(
        Place, verbose_name=_("territory"), on_delete=models.PROTECT, related_name="+"
    )
    risk = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REGISTERED
    )

    identification_method = models.CharField(
        _("identified through"), max_length=20, choices=IdentificationMethod.choices
    )
    identification_date = models.DateField(_("identification date"))
    identification_site = models.ForeignKey(
        "sites.Site",
        verbose_name=_("mine site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="identified_cases",
    )
    identification_place = models.ForeignKey(
        Place,
        verbose_name=_("place of identification"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    work_activities = models.JSONField(_("work done"), default=list, blank=True)
    hazards = models.JSONField(_("hazards"), default=list, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"), null=True, blank=True)
    working_since = models.DateField(_("working since"), null=True, blank=True)
    # Age in whole years at identification: indicators band it in SQL without decrypting anything.
    age_at_identification = models.PositiveSmallIntegerField(null=True, blank=True)

    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    assessment_due = models.DateField(_("assessment due"), null=True, blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    care_plan_due = models.DateField(_("care plan due"), null=True, blank=True)
    care_plan_approved_on = models.DateField(_("care plan approved on"), null=True, blank=True)
    # Earliest open task (assessment, care plan, follow-up, referral, retention check): caseload order.
    next_due = models.DateField(_("next task due"), null=True, blank=True, db_index=True)
    next_task = models.CharField(max_length=32, blank=True)

    closure_requested_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    closure_note = EncryptedTextField(_("closure note"))
    exit_override_reason = EncryptedTextField(_("reason for closing without meeting the exit rule"))
    exit_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exited = models.BooleanField(_("exit achieved"), default=False)
    relapse_count = models.PositiveSmallIntegerField(_("relapses"), default=0)
    last_relapse_on = models.DateField(_("last relapse"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-identification_date", "-id"]
        indexes = [
            models.Index(fields=["caseworker", "status", "next_due"], name="cases_caseload"),
            models.Index(fields=["organisation", "status"], name="cases_org_status"),
            # The caseload's order (earliest task first) within an organisation or a caseworker's cases: without
            # them a short page walks the whole table's next_due index (1 M cases: 0.4 s for a name search).
            models.Index(fields=["organisation", "next_due"], name="cases_org_next_due"),
            models.Index(fields=["caseworker", "next_due"], name="cases_worker_next_due"),
            models.Index(fields=["identification_site", "identification_date"], name="cases_site_date"),
            models.Index(fields=["territory", "identification_date"], name="cases_territory_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True) | Q(hours_per_week__lte=168), name="cases_hours_week"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_on__isnull=False) & ~Q(closure_reason="")),
                name="cases_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(registration_date__isnull=True)
                | Q(registration_date__gte=models.F("identification_date")),
                name="cases_registered_after_identified",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def audit_label(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


class CaseEvent(models.Model):
    """The case timeline: every step, with the date it happened (maybe in the past) and who recorded it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    date = models.DateField()
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=32)
    summary = models.CharField(max_length=255)  # never an identity: the timeline is shown to the team
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["date", "at", "id"]
        indexes = [models.Index(fields=["case", "date"], name="cases_event_case_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


class ConsentKind(models.TextChoices):
    CAREGIVER_CONSENT = "caregiver", _("Caregiver consent")
    CHILD_ASSENT = "child", _("Child assent")


class Consent(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("kind"), max_length=12, choices=ConsentKind.choices)
    given_by = EncryptedTextField(_("given by"))
    relationship = models.CharField(_("relationship to the child"), max_length=60, blank=True)
    date = models.DateField(_("date"))
    for_services = models.BooleanField(_("for services"), default=False)
    for_data_sharing = models.BooleanField(_("for sharing data"), default=False)
    share_with = models.ManyToManyField(
        Organisation, verbose_name=_("with these organisations"), blank=True, related_name="+"
    )
    for_photos = models.BooleanField(_("for photos"), default=False)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.date}"


class ScoringVersion(models.Model):
    """How an assessment becomes a risk level. A new version never changes past assessments."""

    version = models.PositiveSmallIntegerField(unique=True)
    label = models.CharField(max_length=100, blank=True)
    max_per_domain = models.PositiveSmallIntegerField(default=3)
    high_from = models.PositiveSmallIntegerField(default=12)
    medium_from = models.PositiveSmallIntegerField(default=6)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(high_from__gt=models.F("medium_from")), name="cases_scoring_order"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    def risk_for(self, total: int) -> str:
        if total >= self.high_from:
            return RiskLevel.HIGH
        if total >= self.medium_from:
            return RiskLevel.MEDIUM
        return RiskLevel.LOW


class CaseRules(models.Model):
    """Deadlines and the exit rule; the latest row applies (each change is a new row, audited)."""

    assessment_days = models.PositiveSmallIntegerField(_("assessment within (days)"), default=3)
    assessment_days_high_risk = models.PositiveSmallIntegerField(
        _("assessment within, high risk (days)"), default=1
    )
    care_plan_days = models.PositiveSmallIntegerField(
        _("care plan within (days after assessment)"), default=14
    )
    follow_up_every_months = models.PositiveSmallIntegerField(_("follow-up every (months)"), default=1)
    referral_response_days = models.PositiveSmallIntegerField(_("referral answered within (days)"), default=7)
    exit_min_follow_ups = models.PositiveSmallIntegerField(_("exit: follow-ups at least"), default=2)
    exit_months_apart = models.PositiveSmallIntegerField(_("exit: months between first and last"), default=3)
    retention_months = models.JSONField(_("retention checks (months after closure)"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(exit_min_follow_ups__gte=1), name="cases_exit_min")]

    def __str__(self) -> str:
        return f"rules #{self.pk}"


DOMAINS = (
    ("safety", _("Safety")),
    ("health", _("Health")),
    ("education", _("Education")),
    ("family_care", _("Family care")),
    ("household_economy", _("Household economy")),
    ("psychosocial", _("Psychosocial wellbeing")),
)


class Assessment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    date = models.DateField(_("assessment date"))
    scoring = models.ForeignKey(ScoringVersion, on_delete=models.PROTECT, related_name="+")
    safety = models.PositiveSmallIntegerField(_("safety"))
    health = models.PositiveSmallIntegerField(_("health"))
    education = models.PositiveSmallIntegerField(_("education"))
    family_care = models.PositiveSmallIntegerField(_("family care"))
    household_economy = models.PositiveSmallIntegerField(_("household economy"))
    psychosocial = models.PositiveSmallIntegerField(_("psychosocial wellbeing"))
    total = models.PositiveSmallIntegerField(_("score"))
    risk = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    child_resources = EncryptedTextField(_("the child's resources"))
    family_resources = EncryptedTextField(_("the family's resources"))
    notes = EncryptedTextField(_("notes"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(safety__lte=3)
                & Q(health__lte=3)
                & Q(education__lte=3)
                & Q(family_care__lte=3)
                & Q(household_economy__lte=3)
                & Q(psychosocial__lte=3),
                name="cases_assessment_domain_range",
            ),
        ]

    def __str__(self) -> str:
        return f"assessment {self.date} ({self.total})"


class ServiceType(models.TextChoices):
    CRS = "crs", _("Catch-up school (CRS)")
    CAP = "cap", _("Vocational training centre (CAP)")
    TRANSIT = "transit", _("Transit house")
    PLAY = "play", _("Play space")
    FORMAL_SCHOOL = "formal_school", _("Formal school")
    HEALTH = "health", _("Health")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    FTR = "ftr", _("Family tracing and reunification")
    LEGAL = "legal", _("Legal aid and children's court")
    ECONOMIC = "economic", _("Household economic support")


EDUCATION_SERVICES = (ServiceType.CRS, ServiceType.CAP, ServiceType.FORMAL_SCHOOL)


class Service(models.Model):
    """An entry of the services directory: who provides what, where, for how many children."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    service_type = models.CharField(_("type of service"), max_length=16, choices=ServiceType.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="services"
    )
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    capacity = models.PositiveIntegerField(_("capacity (children)"), null=True, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["service_type", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="cases_service_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class CarePlanItemStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class CarePlanItem(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plan_items")
    need = EncryptedTextField(_("need"))
    goal = EncryptedTextField(_("goal"))
    planned_support = EncryptedTextField(_("planned support"))
    service_type = models.CharField(
        _("type of service"), max_length=16, choices=ServiceType.choices, blank=True
    )
    responsible_organisation = models.ForeignKey(
        Organisation, verbose_name=_("responsible organisation"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=CarePlanItemStatus.choices, default=CarePlanItemStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return f"care plan item {str(self.uuid)[:8]}"


class CarePlanApproval(models.Model):
    """A supervisor's decision on the care plan as it stood (approved or returned with a reason)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plan_approvals")
    approved = models.BooleanField()
    date = models.DateField()
    comment = EncryptedTextField(_("comment"))
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"care plan decision {self.date}"


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Service delivered")
    CANCELLED = "cancelled", _("Cancelled")


class Referral(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("provider organisation"),
        on_delete=models.PROTECT,
        related_name="referrals_in",
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    service_type = models.CharField(_("type of service"), max_length=16, choices=ServiceType.choices)
    reason = EncryptedTextField(_("reason for the referral"))
    referred_on = models.DateField(_("referred on"))
    answer_due = models.DateField(_("answer due"))
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    delivered_on = models.DateField(_("service delivered on"), null=True, blank=True)
    delivery_note = EncryptedTextField(_("what was delivered"))
    consent_override_reason = EncryptedTextField(_("emergency: reason for referring without consent"))
    consent_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-referred_on", "-id"]
        indexes = [
            models.Index(fields=["provider", "status"], name="cases_referral_provider"),
            # Unanswered referrals past their due date, counted for an organisation on every caseload page:
            # a small index of the pending ones, probed per case, instead of scanning every referral.
            models.Index(
                fields=["case", "answer_due"], condition=Q(status="pending"), name="cases_referral_pending"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="cases_referral_decline_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(delivered_on__isnull=False),
                name="cases_referral_delivered",
            ),
        ]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"referral {str(self.uuid)[:8]}"


class FollowUp(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    due_date = models.DateField(_("due"), null=True, blank=True)
    visit_date = models.DateField(_("visit date"), null=True, blank=True)  # null: scheduled, not yet done
    child_seen = models.BooleanField(_("child seen"), null=True)
    in_school_or_training = models.BooleanField(_("enrolled in school or training"), null=True)
    attending = models.BooleanField(_("attending regularly"), null=True)
    found_working = models.BooleanField(_("found working in a mine"), null=True)
    seen_at_site = models.BooleanField(_("seen at a mine site"), null=True)
    site = models.ForeignKey(
        "sites.Site",
        verbose_name=_("mine site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    household_situation = EncryptedTextField(_("household situation"))
    risks = EncryptedTextField(_("risks"))
    notes = EncryptedTextField(_("notes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visit_date", "-due_date", "-id"]
        indexes = [models.Index(fields=["case", "visit_date"], name="cases_followup_case")]

    def __str__(self) -> str:
        return f"follow-up {self.visit_date or self.due_date}"

    @property
    def out_of_mine_work(self) -> bool:
        return self.found_working is False and not self.seen_at_site

    @property
    def in_education(self) -> bool:
        return bool(self.in_school_or_training and self.attending)


class RetentionCheck(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="retention_checks")
    closure_date = models.DateField()  # the closure this check follows (a reopened case gets new checks)
    months_after = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    found_working = models.BooleanField(null=True)
    seen_at_site = models.BooleanField(null=True)
    in_school_or_training = models.BooleanField(null=True)
    notes = EncryptedTextField(_("notes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "closure_date", "months_after"], name="cases_retention_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"retention check {self.months_after} months ({self.due_date})"

    @property
    def retained(self) -> bool | None:
        if self.done_on is None:
            return None
        return not (self.found_working or self.seen_at_site)


class RelapseSource(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up visit")
    RETENTION_CHECK = "retention_check", _("Retention check")
    SITE_INSPECTION = "site_inspection", _("Site inspection")
    COMMUNITY_ALERT = "community_alert", _("Community alert")
    REGISTRATION = "registration", _("Registered again")
    OTHER = "other", _("Other")


class Relapse(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="relapses")
    date = models.DateField(_("date"))
    source = models.CharField(_("found by"), max_length=20, choices=RelapseSource.choices)
    site = models.ForeignKey(
        "sites.Site",
        verbose_name=_("mine site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status_before = models.CharField(max_length=20)
    note = EncryptedTextField(_("notes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"relapse {self.date}"

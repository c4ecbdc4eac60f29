"""Cases: statuses, the numbering counter, the case itself, its timeline and the consents recorded."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.cases.models.children import Child
from kinga.core.fields import EncryptedTextField
from kinga.core.models import Organisation, Place


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


class NextTask(models.TextChoices):
    """The earliest open task of a case (services.workflow.refresh_next_due): a code, shown by its label."""

    ASSESSMENT = "assessment", _("Assessment")
    CARE_PLAN = "care_plan", _("Care plan")
    CARE_PLAN_APPROVAL = "care_plan_approval", _("Care plan approval")
    FOLLOW_UP = "follow_up", _("Follow-up visit")
    REFERRAL = "referral", _("Answer to a referral")
    RETENTION_CHECK = "retention_check", _("Retention check")


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
    identification_date = models.DateField(_("identification date"), db_index=True)
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

    registration_date = models.DateField(_("registration date"), null=True, blank=True, db_index=True)
    assessment_due = models.DateField(_("assessment due"), null=True, blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    care_plan_due = models.DateField(_("care plan due"), null=True, blank=True)
    care_plan_approved_on = models.DateField(_("care plan approved on"), null=True, blank=True)
    # Earliest open task (assessment, care plan, follow-up, referral, retention check): caseload order.
    next_due = models.DateField(_("next task due"), null=True, blank=True, db_index=True)
    next_task = models.CharField(max_length=32, choices=NextTask.choices, blank=True)

    closure_requested_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    closure_note = EncryptedTextField(_("closure note"))
    exit_override_reason = EncryptedTextField(_("reason for closing without meeting the exit rule"))
    exit_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True, db_index=True)
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
    # Optimistic locking (kinga.core.concurrency): the version a writer read must still be current at save.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

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
            # One organisation's figures (an organisation manager's dashboard: its cases are never kept on
            # write): its cases by each date they are counted on, and its case ids for the records joined to
            # them, read from the index alone (a check or a relapse of the organisation: 200 ms → 20 ms at
            # national scale).
            models.Index(fields=["organisation", "identification_date"], name="cases_org_identified"),
            models.Index(fields=["organisation", "registration_date"], name="cases_org_registered"),
            models.Index(fields=["organisation", "closed_on"], name="cases_org_closed"),
            models.Index(fields=["organisation", "id"], name="cases_org_id"),
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
    """The case timeline: every step, with the date it happened (maybe in the past) and who recorded it. An event
    stores its code (`kind`) and parameters, never a sentence: kinga.cases.timeline writes the sentence in the
    reader's language (docs/style.md, "Stored text")."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    date = models.DateField()
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=32)
    # Codes, numbers and names of organisations or staff; never a child's identity (the team sees the timeline).
    params = models.JSONField(default=dict, blank=True)
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

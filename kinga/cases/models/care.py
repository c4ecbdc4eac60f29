"""Care: services (by type), care plan items and their approval, referrals to service providers."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kinga.cases.models.cases import Case
from kinga.core.fields import EncryptedTextField
from kinga.core.models import Organisation, Place
from kinga.plan import attribution


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
    plan_activity = attribution.activity_field()
    commitment = attribution.commitment_field()
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
    # An item of the plan (« un élément »): its states agree with it, whatever other lists say.
    PLANNED = "planned", pgettext_lazy("care plan item", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("care plan item", "In progress")
    DONE = "done", pgettext_lazy("care plan item", "Done")
    CANCELLED = "cancelled", pgettext_lazy("care plan item", "Cancelled")


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
    CANCELLED = "cancelled", pgettext_lazy("referral", "Cancelled")


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
    referred_on = models.DateField(_("referred on"), db_index=True)
    answer_due = models.DateField(_("answer due"))
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    delivered_on = models.DateField(_("service delivered on"), null=True, blank=True, db_index=True)
    delivery_note = EncryptedTextField(_("what was delivered"))
    plan_activity = attribution.activity_field()
    commitment = attribution.commitment_field()
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

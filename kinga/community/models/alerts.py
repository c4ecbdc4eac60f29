"""Alerts raised by network members and the public, their triage, the children they report (counts only), and the cases registered from them."""

import datetime
import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kinga.community.models.common import Sex, TerritoryMixin
from kinga.community.models.networks import Network, NetworkMember
from kinga.core.fields import EncryptedJSONField, EncryptedTextField
from kinga.core.models import Organisation, Place, User
from kinga.core.people import AgeBand
from kinga.sites.models import Site

# ---------------------------------------------------------------------------------------------- alerts


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent (child in danger)")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class Channel(models.TextChoices):
    WEB = "web", _("Web form (member)")
    PUBLIC_WEB = "public_web", _("Public web form")
    PHONE = "phone", _("Phone call taken by a focal point")
    SMS = "sms", _("SMS")
    USSD = "ussd", _("USSD")
    KOBO = "kobo", _("KoboToolbox form")
    ODK = "odk", _("ODK form")
    API = "api", _("Other application (API)")


class Activity(models.TextChoices):
    DIGGING = "digging", _("Digging")
    WASHING = "washing", _("Washing or sorting ore")
    CARRYING = "carrying", _("Carrying loads")
    SELLING = "selling", _("Selling or small trade on the site")
    PRESENT = "present", _("Present on the site")
    AT_RISK = "at_risk", _("At risk (out of school, going to the site)")
    OTHER = "other", _("Other")


class AlertStatus(models.TextChoices):
    NEW = "new", _("New")
    VERIFYING = "verifying", _("Verification under way")
    VERIFIED = "verified", _("Verified")
    CASES_REGISTERED = "cases_registered", _("Children registered")
    REFERRED = "referred", _("Referred")
    UNFOUNDED = "unfounded", _("Closed: unfounded")
    DUPLICATE = "duplicate", _("Closed: duplicate")


OPEN_STATUSES = (AlertStatus.NEW, AlertStatus.VERIFYING)
CLOSED_STATUSES = (AlertStatus.UNFOUNDED, AlertStatus.DUPLICATE)


def new_feedback_code() -> str:
    # Short, unambiguous (no 0/O, 1/I) and unguessable enough for a status lookup with no identity in it.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _i in range(10))


class AlertGroup(models.Model):
    """Alerts about the same site on the same day: probably the same children, triaged together."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "day"], name="community_alertgroup_site_day")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.day}"


class Alert(TerritoryMixin):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    observed_at = models.DateTimeField(_("seen at"), null=True, blank=True)
    site = models.ForeignKey(
        Site, verbose_name=_("mine site"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey(
        Place, verbose_name=_("place"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    location_text = models.CharField(_("where exactly"), max_length=300, blank=True)
    children_count = models.PositiveIntegerField(_("number of children"), default=0)
    activity = models.CharField(
        _("what they were doing"), max_length=16, choices=Activity.choices, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    network = models.ForeignKey(
        Network,
        verbose_name=_("network"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
    )
    reporter_member = models.ForeignKey(
        NetworkMember,
        verbose_name=_("reported by (member)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
    )
    reporter_user = models.ForeignKey(
        User, verbose_name=_("entered by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    # Only to give the reporter feedback (encrypted); never shown next to a child.
    reporter_contact = EncryptedTextField(_("reporter contact"))
    feedback_code = models.CharField(max_length=12, unique=True, default=new_feedback_code, editable=False)
    # The submission as received, stored before any processing so that nothing is ever lost.
    raw_payload = EncryptedJSONField(_("submission as received"))
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    processing_error = models.TextField(_("processing error"), blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="community_alerts",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.NEW, db_index=True
    )
    group = models.ForeignKey(
        AlertGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    due_at = models.DateTimeField(_("verify before"), null=True, blank=True)
    # Received while the public channel was over its province-wide ceiling (a flood): kept like any alert,
    # triaged after the others rather than refused, so one abuser cannot silence real reporters.
    held_for_triage = models.BooleanField(_("received during a flood"), default=False)
    verification_started_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    children_found = models.PositiveIntegerField(_("children found at the visit"), null=True, blank=True)
    referred_to = models.ForeignKey(
        Organisation,
        verbose_name=_("referred to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome_reason = models.TextField(_("reason"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Optimistic locking (kinga.core.concurrency): the version a writer read must still be current at save.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="community_alert_queue"),
            models.Index(fields=["organisation", "status", "due_at"], name="community_alert_org_queue"),
            models.Index(fields=["network", "received_at"], name="community_alert_network"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False) | ~Q(outcome_reason=""),
                name="community_alert_duplicate_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="unfounded") | ~Q(outcome_reason=""),
                name="community_alert_unfounded_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"ALR-{str(self.uuid)[:8].upper()}"

    @property
    def reference(self) -> str:
        return str(self)

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def observed_time_given(self) -> bool:
        """Whether the reporter said at what time the children were seen (not only the day)."""
        if self.observed_at is None:
            return False
        return timezone.localtime(self.observed_at).time() != DAY_ONLY_TIME


# A reporter who gives the day without the hour (the public form, a Kobo date question) is stored at noon of
# that day: the hour is not shown, since nobody gave it.
DAY_ONLY_TIME = datetime.time(12, 0)


class AlertChildren(models.Model):
    """How many children of one sex and apparent age band an alert reports (no identity)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="children")
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    age_band = models.CharField(max_length=5, choices=AgeBand.choices, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "sex", "age_band"], name="community_alertchildren_unique"
            ),
            models.CheckConstraint(condition=Q(count__gte=1), name="community_alertchildren_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.sex or '?'} {self.age_band or '?'}"

    @property
    def description(self) -> str:
        """« 2 filles, 12–14 ans », « 1 garçon, âge inconnu », « 3 enfants, 5–11 ans »: as a person says it."""
        n = self.count
        if self.sex == Sex.FEMALE:
            who = ngettext("%(n)s girl", "%(n)s girls", n)
        elif self.sex == Sex.MALE:
            who = ngettext("%(n)s boy", "%(n)s boys", n)
        else:
            who = ngettext("%(n)s child", "%(n)s children", n)
        return f"{who % {'n': n}}, {AgeBand(self.age_band).label}"

    @property
    def order(self) -> tuple[int, int]:
        """Girls, then boys, then children of unknown sex; the youngest band first, an unknown age last."""
        bands = [band for band in AgeBand.values if band] + [""]
        sexes = [Sex.FEMALE, Sex.MALE, ""]
        return (sexes.index(self.sex) if self.sex in sexes else 3, bands.index(self.age_band))


class AlertCase(models.Model):
    """A child of an alert registered as a case: which alert became which case."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="case_links")
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="community_alert_link")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("case registered from an alert")
        verbose_name_plural = _("cases registered from alerts")

    def __str__(self) -> str:
        return f"{self.alert} → {self.case_id}"

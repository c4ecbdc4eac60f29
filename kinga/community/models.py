"""Community protection: networks and their members, alerts and their triage, awareness, trainings,
advocacy, the actors' 4W, and the meetings of the IDAK consultation framework.

Alerts hold no child identity: only counts by sex and apparent age band. Children become identified
records only when a social worker registers them as cases (kinga.cases), linked back through AlertCase.
"""

import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.core.fields import EncryptedJSONField, EncryptedTextField
from kinga.core.models import Organisation, Place, User
from kinga.sites.models import Site


class TerritoryMixin(models.Model):
    """Keeps the ADM2 (territory or town) of the record's place, so indicators group by territory in SQL."""

    territory = models.ForeignKey(
        Place, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        place = getattr(self, "place", None)
        territory = place.territory if place is not None else None
        self.territory = territory
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "territory" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "territory"]
        super().save(*args, **kwargs)


class Sex(models.TextChoices):
    FEMALE = "F", _("Girl / woman")
    MALE = "M", _("Boy / man")
    UNKNOWN = "", _("Unknown")


class AgeBand(models.TextChoices):
    # The ILO bands of kinga.core.indicators.AGE_BANDS; "" when the reporter could not tell.
    B0_4 = "0-4", _("0–4 years")
    B5_11 = "5-11", _("5–11 years")
    B12_14 = "12-14", _("12–14 years")
    B15_17 = "15-17", _("15–17 years")
    UNKNOWN = "", _("Unknown age")


# ---------------------------------------------------------------------------------------------- networks


class AreaKind(models.TextChoices):
    VILLAGE = "village", _("Village")
    QUARTIER = "quartier", _("Quartier")
    SITE_AREA = "site_area", _("Mining site area")


class Network(models.Model):
    """A community child-protection network (réseau communautaire de protection de l'enfant)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    area_kind = models.CharField(_("area"), max_length=16, choices=AreaKind.choices)
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, verbose_name=_("mine site"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("backing organisation"),
        on_delete=models.PROTECT,
        related_name="community_networks",
    )
    is_active = models.BooleanField(_("active"), default=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("community network")
        verbose_name_plural = _("community networks")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="community_network_unique_name_in_place"),
            models.CheckConstraint(
                condition=~Q(area_kind="site_area") | Q(site__isnull=False),
                name="community_network_site_area_has_site",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    PRESIDENT = "president", _("President")
    SECRETARY = "secretary", _("Secretary")
    FOCAL_POINT = "focal_point", _("Focal point")
    MEMBER = "member", _("Member")
    SOCIAL_WORKER = "social_worker", _("Supporting social worker")


class NetworkMember(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="members")
    full_name = models.CharField(_("full name"), max_length=200)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER)
    # Personal data: encrypted at rest, never filtered in SQL.
    contact = EncryptedTextField(_("contact (phone)"))
    backing_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation backing the member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("Kinga account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="network_memberships",
    )
    is_active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("network member")
        verbose_name_plural = _("network members")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def audit_label(self) -> str:
        return self.full_name


class MemberTraining(models.Model):
    """A training a network member received (date and topic)."""

    member = models.ForeignKey(NetworkMember, on_delete=models.CASCADE, related_name="trainings")
    topic = models.CharField(_("topic"), max_length=200)
    date = models.DateField(_("date"))
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("trainer"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member training")
        verbose_name_plural = _("member trainings")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.date})"


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


def _feedback_code() -> str:
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
    feedback_code = models.CharField(max_length=12, unique=True, default=_feedback_code, editable=False)
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


# ---------------------------------------------------------------------------------------------- awareness


class Theme(models.TextChoices):
    CHILD_LABOUR_RISKS = "child_labour_risks", _("Risks of child labour in mines")
    PARENTS_RESPONSIBILITY = "parents_responsibility", _("Parents' responsibility")
    CHILDREN_RIGHTS = "children_rights", _("Children's rights and child protection law")
    MINING_CODE = "mining_code", _("The mining code")
    DUE_DILIGENCE = "due_diligence", _("Due diligence (companies)")
    RSE_GUIDE = "rse_guide", _("The corporate social responsibility (RSE) guide")
    SCHOOLING = "schooling", _("Going back to school")
    SAVINGS = "savings", _("Savings and income (households)")
    OTHER = "other", _("Other")


class Audience(models.TextChoices):
    PARENTS = "parents", _("Parents")
    LEADERS = "leaders", _("Community leaders")
    CHILDREN = "children", _("Children")
    COMPANIES = "companies", _("Companies")
    STATE_AGENTS = "state_agents", _("State agents")
    MINERS = "miners", _("Artisanal miners")
    GENERAL = "general", _("General public")


class SessionKind(models.TextChoices):
    SESSION = "session", _("Awareness session")
    MEETING = "meeting", _("Community meeting")
    RADIO = "radio", _("Radio broadcast")


class Campaign(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    theme = models.CharField(_("theme"), max_length=32, choices=Theme.choices)
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("awareness campaign")
        verbose_name_plural = _("awareness campaigns")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="community_campaign_dates"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AwarenessSession(TerritoryMixin):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=SessionKind.choices, default=SessionKind.SESSION)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    theme = models.CharField(_("theme"), max_length=32, choices=Theme.choices)
    audience = models.CharField(_("main audience"), max_length=16, choices=Audience.choices)
    date = models.DateField(_("date"), db_index=True)
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, verbose_name=_("mine site"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("facilitator organisation"), on_delete=models.PROTECT, related_name="+"
    )
    network = models.ForeignKey(
        Network,
        verbose_name=_("network"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    radio_station = models.CharField(_("radio station"), max_length=120, blank=True)
    broadcasts = models.PositiveIntegerField(_("number of broadcasts"), default=0)
    # Parents who committed to keep their children out of the mines (the plan's "parents engagés").
    parents_committed_f = models.PositiveIntegerField(_("mothers who signed a commitment"), default=0)
    parents_committed_m = models.PositiveIntegerField(_("fathers who signed a commitment"), default=0)
    report_written = models.BooleanField(_("report written"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("awareness session")
        verbose_name_plural = _("awareness sessions")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="radio") | Q(broadcasts__gte=1), name="community_radio_has_broadcasts"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_theme_display()} — {self.date}"


class Participation(models.Model):
    """Participants of a session by audience type and sex."""

    session = models.ForeignKey(AwarenessSession, on_delete=models.CASCADE, related_name="participations")
    audience = models.CharField(max_length=16, choices=Audience.choices)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "audience", "sex"], name="community_participation_unique"
            ),
            models.CheckConstraint(condition=Q(count__gte=1), name="community_participation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.audience} {self.sex or '?'}"


class TrainedGroup(models.TextChoices):
    COMMUNITY_LEADERS = "community_leaders", _("Community leaders (leadership)")
    SOCIAL_ANIMATORS = "social_animators", _("Social animators")
    STATE_AGENTS = "state_agents", _("State agents")
    SECURITY_AGENTS = "security_agents", _("Security agents")
    SOCIAL_SERVICE_PROVIDERS = "social_service_providers", _("Social service providers")
    NETWORK_MEMBERS = "network_members", _("Community network members")
    COMPANY_STAFF = "company_staff", _("Company staff")


class TrainingTopic(models.TextChoices):
    LEADERSHIP = "leadership", _("Leadership")
    ANIMATION = "animation", _("Social animation")
    ETHICS = "ethics", _("Ethics and professional conduct")
    REFRESHER = "refresher", _("Refresher and upgrading")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    DUE_DILIGENCE = "due_diligence", _("Due diligence")


class Training(TerritoryMixin):
    """A capacity-building session: leaders, animators, state and security agents, service providers."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.CharField(_("who was trained"), max_length=32, choices=TrainedGroup.choices)
    topic = models.CharField(_("topic"), max_length=32, choices=TrainingTopic.choices)
    start = models.DateField(_("start"), db_index=True)
    end = models.DateField(_("end"), null=True, blank=True)
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("training organisation"), on_delete=models.PROTECT, related_name="+"
    )
    trained_f = models.PositiveIntegerField(_("women trained"), default=0)
    trained_m = models.PositiveIntegerField(_("men trained"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="community_training_dates"
            ),
            models.CheckConstraint(
                condition=Q(trained_f__gt=0) | Q(trained_m__gt=0), name="community_training_someone"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()} — {self.start}"


class AdvocacyTarget(models.TextChoices):
    LEGISLATOR = "legislator", _("Legislators")
    GOVERNMENT = "government", _("Government")
    COMPANIES = "companies", _("Companies")
    JUSTICE = "justice", _("Justice (children's court)")
    DONORS = "donors", _("Donors")
    OTHER = "other", _("Other")


class AdvocacyAction(TerritoryMixin):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    date = models.DateField(_("date"), db_index=True)
    target = models.CharField(_("addressed to"), max_length=16, choices=AdvocacyTarget.choices)
    subject = models.CharField(_("subject"), max_length=300)
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("advocacy action")
        verbose_name_plural = _("advocacy actions")
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.subject


# ---------------------------------------------------------------------------------------------- 4W


class FourWStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")


class FourWSource(models.TextChoices):
    ENTERED = "entered", _("Entered")
    IMPORTED = "imported", _("Imported")
    PLAN = "plan", _("Plan implementers")
    SYNTH = "synth", _("Synthetic")


class FourW(models.Model):
    """One 4W row: who (organisation, partner, funder) does what, where, when, for how many children."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="fourw_records"
    )
    implementing_partner = models.ForeignKey(
        Organisation,
        verbose_name=_("implementing partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    funder = models.ForeignKey(
        Organisation,
        verbose_name=_("funder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    plan_action = models.ForeignKey(
        "plan.Action",
        verbose_name=_("plan action"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fourw_records",
    )
    sector = models.CharField(_("sector"), max_length=60, default="Protection")
    subsector = models.CharField(_("sub-sector"), max_length=100, default="Protection de l'enfance")
    activity = models.CharField(_("activity"), max_length=300)
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=FourWStatus.choices, default=FourWStatus.ONGOING
    )
    start = models.DateField(_("start"), db_index=True)
    end = models.DateField(_("end"), null=True, blank=True)
    targeted_f = models.PositiveIntegerField(_("girls targeted"), default=0)
    targeted_m = models.PositiveIntegerField(_("boys targeted"), default=0)
    reached_f = models.PositiveIntegerField(_("girls reached"), default=0)
    reached_m = models.PositiveIntegerField(_("boys reached"), default=0)
    # Reached by sex and age band: {"F": {"5-11": 12, ...}, "M": {...}}; sums never exceed the totals.
    reached_by_age = models.JSONField(_("reached by age band"), default=dict, blank=True)
    source = models.CharField(max_length=16, choices=FourWSource.choices, default=FourWSource.ENTERED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("4W record")
        verbose_name_plural = _("4W records")
        ordering = ["-start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="community_fourw_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.activity


# ---------------------------------------------------------------------------------------------- coordination


def minutes_path(instance, filename: str) -> str:
    return f"community/minutes/{instance.uuid}/{filename}"


class Meeting(TerritoryMixin):
    """A meeting of the IDAK permanent consultation framework (state services, companies, civil society)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"), db_index=True)
    place = models.ForeignKey(
        Place, verbose_name=_("place"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    convening_organisation = models.ForeignKey(
        Organisation, verbose_name=_("convening organisation"), on_delete=models.PROTECT, related_name="+"
    )
    participant_organisations = models.ManyToManyField(
        Organisation, verbose_name=_("participating organisations"), blank=True, related_name="+"
    )
    participants = models.TextField(
        _("participants (people)"), blank=True, help_text=_("One person per line.")
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes_text = models.TextField(_("minutes (text)"), blank=True)
    minutes_file = models.FileField(_("minutes (document)"), upload_to=minutes_path, blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coordination meeting")
        verbose_name_plural = _("coordination meetings")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.date})"

    @property
    def has_minutes(self) -> bool:
        return bool(self.minutes_text.strip() or self.minutes_file)


class ActionItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_ITEM_STATUSES = (ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS)


class ActionItem(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("raised at"), on_delete=models.CASCADE, related_name="items"
    )
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        Organisation, verbose_name=_("owner organisation"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ActionItemStatus.choices,
        default=ActionItemStatus.OPEN,
        db_index=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description[:80]


class ActionItemUpdate(models.Model):
    """The status of an action item as reviewed at a later meeting (carried from meeting to meeting)."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="updates")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="item_updates"
    )
    status = models.CharField(max_length=16, choices=ActionItemStatus.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.status}"


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

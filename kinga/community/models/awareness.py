"""Awareness: campaigns and sessions with their participation, trainings and advocacy actions."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.community.models.common import Sex, TerritoryMixin
from kinga.community.models.networks import Network
from kinga.core.clock import day_text
from kinga.core.fields import EncryptedTextField
from kinga.core.models import Organisation, Place
from kinga.plan import attribution
from kinga.sites.models import Site

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
    plan_activity = attribution.activity_field()
    commitment = attribution.commitment_field()
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
        return f"{self.get_theme_display()} — {day_text(self.date)}"


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
    plan_activity = attribution.activity_field()
    commitment = attribution.commitment_field()

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


# ------------------------------------------------------------------------------------------- people counted


class Participant(models.Model):
    """A person named on a training's attendance list or on a session's list of parents who signed a commitment,
    kept once however many lists name them: the plan counts people (500 agents, 1,080 providers), not
    attendances. The name is protected; `identity_digest`, a blind index of the normalised name with the sex
    and the phone or service number, finds the same person again without storing the name in clear."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = EncryptedTextField(_("full name"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    identity_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("person counted")
        verbose_name_plural = _("people counted")

    def __str__(self) -> str:
        return str(self.uuid)


class TrainingAttendance(models.Model):
    """A person on a training's attendance list (once per training)."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendances")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="trainings")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["training", "participant"], name="community_attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.training_id}/{self.participant_id}"


class ParentCommitment(models.Model):
    """A parent who signed a commitment against child labour at an awareness session (once per session)."""

    session = models.ForeignKey(AwarenessSession, on_delete=models.CASCADE, related_name="commitments")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="commitments")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="community_commitment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.participant_id}"

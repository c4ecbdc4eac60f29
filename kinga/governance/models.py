"""Governance around the mining sites (plan, axis 2): equipment given to the state services, social infrastructures
built or restored, and advocacy tracks (the children's court in Kolwezi) whose steps are the advocacy actions the
plan counts. The involvement of state and security agents is not typed here: it is read from the site inspections
(kinga/governance/selectors.py). Public money and public services: no child's identity in any of these records."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kinga.community.models import AdvocacyAction
from kinga.community.models.common import TerritoryMixin
from kinga.core.models import Organisation, Place


class EquipmentCategory(models.TextChoices):
    VEHICLE = "vehicle", _("Vehicles and motorcycles")
    IT = "it", _("Computers and office equipment")
    COMMUNICATION = "communication", _("Communication equipment")
    FURNITURE = "furniture", _("Furniture")
    PROTECTIVE = "protective", _("Uniforms and protective equipment")
    INFRASTRUCTURE = "infrastructure", _("Building or post (infrastructure)")
    OTHER = "other", pgettext_lazy("equipment", "Other")


class EquipmentDonation(TerritoryMixin):
    """Equipment given to a state or security service (« Améliorer les conditions de travail des agents »)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    description = models.CharField(_("what was given"), max_length=300)
    category = models.CharField(_("category"), max_length=16, choices=EquipmentCategory.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    recipient = models.ForeignKey(
        Organisation, verbose_name=_("state service receiving"), on_delete=models.PROTECT, related_name="+"
    )
    recipient_unit = models.CharField(_("unit or post"), max_length=200, blank=True)
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    given_on = models.DateField(_("given on"), db_index=True)
    cost_usd = models.DecimalField(_("cost (USD)"), max_digits=14, decimal_places=2)
    # Who gave it: an organisation of the registry (it then reads the record), or a donor the registry does not
    # hold (an embassy, a foundation), named as the handover report names it. One or the other, never both.
    donor = models.ForeignKey(
        Organisation,
        verbose_name=_("given by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    donor_name = models.CharField(_("given by (donor outside the registry)"), max_length=200, blank=True)
    reference = models.CharField(_("reference (handover report)"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("equipment donation")
        verbose_name_plural = _("equipment donations")
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="governance_donation_quantity"),
            models.CheckConstraint(condition=Q(cost_usd__gt=0), name="governance_donation_cost"),
            models.CheckConstraint(
                condition=(Q(donor__isnull=False) & Q(donor_name=""))
                | (Q(donor__isnull=True) & ~Q(donor_name="")),
                name="governance_donation_one_donor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} → {self.recipient}"

    @property
    def donor_label(self) -> str:
        return self.donor.name if self.donor is not None else self.donor_name


class InfrastructureKind(models.TextChoices):
    SCHOOL = "school", _("School")
    HEALTH = "health", _("Health centre")
    WATER = "water", _("Water point")
    CHILDREN_COURT = "children_court", _("Children's court")
    SOCIAL_CENTRE = "social_centre", _("Social or community centre")
    OTHER = "other", pgettext_lazy("infrastructure", "Other")


class InfrastructureWork(models.TextChoices):
    BUILT = "built", _("Built")
    RESTORED = "restored", _("Restored to service")


class SocialInfrastructure(TerritoryMixin):
    """A basic social infrastructure built or restored (« Nbre d'infrastructure sociales créés et remis en
    service »): counted once it is in service."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=InfrastructureKind.choices)
    work = models.CharField(_("works"), max_length=10, choices=InfrastructureWork.choices)
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation responsible"), on_delete=models.PROTECT, related_name="+"
    )
    funded_by = models.ForeignKey(
        Organisation, verbose_name=_("funded by"), on_delete=models.PROTECT, related_name="+"
    )
    cost_usd = models.DecimalField(_("cost (USD)"), max_digits=14, decimal_places=2)
    works_started_on = models.DateField(_("works started on"))
    in_service_on = models.DateField(_("in service since"), null=True, blank=True, db_index=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("social infrastructure")
        verbose_name_plural = _("social infrastructures")
        ordering = ["-works_started_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(cost_usd__gt=0), name="governance_infrastructure_cost"),
            models.CheckConstraint(
                condition=Q(in_service_on__isnull=True) | Q(in_service_on__gte=F("works_started_on")),
                name="governance_infrastructure_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TrackOutcome(models.TextChoices):
    ONGOING = "ongoing", _("Ongoing")
    ACHIEVED = "achieved", _("Achieved")
    PARTLY = "partly", _("Partly achieved")
    ABANDONED = "abandoned", _("Abandoned")


class AdvocacyTrack(TerritoryMixin):
    """A line of advocacy followed to its outcome (« Plaidoyer pour installation du tribunal pour enfant à
    Kolwezi »): its steps are advocacy actions, counted by the plan's « Nombre de plaidoyers »."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    goal = models.CharField(_("what the advocacy seeks"), max_length=300)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation leading"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("started on"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=TrackOutcome.choices, default=TrackOutcome.ONGOING
    )
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    outcome_note = models.CharField(_("what was obtained"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("advocacy track")
        verbose_name_plural = _("advocacy tracks")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="ongoing", outcome_on__isnull=True)
                | (~Q(outcome="ongoing") & Q(outcome_on__isnull=False)),
                name="governance_track_outcome_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Milestone(models.TextChoices):
    LETTER = "letter", _("Letter or memorandum")
    MEETING = "meeting", _("Meeting or hearing")
    WORKSHOP = "workshop", _("Workshop or public event")
    COMMITMENT = "commitment", _("Commitment obtained")
    DECISION = "decision", _("Decision or act signed")
    INSTALLATION = "installation", _("Installation")


class AdvocacyStep(models.Model):
    """A step of a track: the advocacy action itself (date, to whom, subject, result) and the milestone it is."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    track = models.ForeignKey(AdvocacyTrack, on_delete=models.PROTECT, related_name="steps")
    action = models.OneToOneField(AdvocacyAction, on_delete=models.PROTECT, related_name="track_step")
    milestone = models.CharField(_("milestone"), max_length=16, choices=Milestone.choices)

    class Meta:
        ordering = ["action__date", "id"]

    def __str__(self) -> str:
        return f"{self.track}: {self.get_milestone_display()}"

"""Cooperatives: a core Organisation of type `cooperative` with this profile.

The supply-chain app extends the profile for mining cooperatives (their sites, production); members
carry sex and age even when they are not surveyed household members (artisanal miners, EMA).
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.core.fields import EncryptedTextField
from kinga.core.models import Organisation, Place
from kinga.core.people import Sex
from kinga.households.models.households import OLDEST_BIRTH_DATE, HouseholdMember


class CooperativeKind(models.TextChoices):
    AGRO_PASTORAL = "agro_pastoral", _("Agro-pastoral")
    MINING = "mining", _("Mining")
    MIXED = "mixed", _("Mixed")


class CooperativeNetwork(models.Model):
    """A federation of primary cooperatives (the plan: "fédérer les coopératives primaires")."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    place = models.ForeignKey(
        Place, verbose_name=_("place"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("network of cooperatives")
        verbose_name_plural = _("networks of cooperatives")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Cooperative(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="cooperative",
        limit_choices_to={"type": "cooperative"},
    )
    supported_by = models.ForeignKey(
        Organisation,
        verbose_name=_("supporting organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supported_cooperatives",
        help_text=_("The NGO or service that supports the cooperative and keeps its member list."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CooperativeKind.choices)
    registration_number = models.CharField(_("registration number"), max_length=64, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    territory = models.ForeignKey(
        Place, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    hectares = models.DecimalField(_("hectares"), max_digits=10, decimal_places=2, default=0)
    network = models.ForeignKey(
        CooperativeNetwork,
        verbose_name=_("network"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cooperatives",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")
        ordering = ["organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hectares__gte=0) & Q(hectares__lte=1_000_000), name="cooperative_hectares_range"
            ),
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="cooperative_unique_registration",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class CooperativeMember(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cooperative = models.ForeignKey(
        Cooperative, verbose_name=_("cooperative"), on_delete=models.CASCADE, related_name="members"
    )
    household_member = models.ForeignKey(
        HouseholdMember,
        verbose_name=_("household member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cooperative_memberships",
    )
    full_name = EncryptedTextField(_("full name"))
    phone = EncryptedTextField(_("phone"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    birth_date_estimated = models.BooleanField(_("date of birth estimated from the age"), default=False)
    is_artisanal_miner = models.BooleanField(_("artisanal miner (EMA)"), default=False)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("cooperative member")
        verbose_name_plural = _("cooperative members")
        ordering = ["joined_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_date__gte=OLDEST_BIRTH_DATE), name="cooperative_member_birth_date_floor"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="cooperative_member_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cooperative_id}/{self.pk}"

    @property
    def audit_label(self) -> str:
        return f"{self.cooperative_id}"


class CooperativeMemberNameIndex(models.Model):
    member = models.ForeignKey(CooperativeMember, on_delete=models.CASCADE, related_name="name_index")
    kind = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("cooperative member name index entry")
        verbose_name_plural = _("cooperative member name index")

    def __str__(self) -> str:
        return self.kind

"""Community child-protection networks, their members and the members' trainings."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.community.models.common import Sex
from kinga.core.fields import EncryptedTextField
from kinga.core.models import Organisation, Place, User
from kinga.sites.models import Site

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

"""Households and their members. Names and contacts are encrypted; search goes through a blind index."""

import datetime
import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.core.fields import EncryptedTextField
from kinga.core.models import Organisation, Place
from kinga.core.people import Sex

MAX_HOUSEHOLD_SIZE = 60  # the largest polygamous compounds surveyed in Kolwezi stay well below this
OLDEST_BIRTH_DATE = datetime.date(1900, 1, 1)  # database floor; services refuse anyone older than 120


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Son or daughter")
    GRANDCHILD = "grandchild", _("Grandchild")
    RELATIVE = "relative", _("Other relative")
    FOSTER = "foster", _("Foster or entrusted child")
    OTHER = "other", _("Other, not related")


class Schooling(models.TextChoices):
    NONE = "none", _("Never attended school")
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    VOCATIONAL = "vocational", _("Vocational training")
    HIGHER = "higher", _("Higher education")


class Occupation(models.TextChoices):
    ARTISANAL_MINER = "artisanal_miner", _("Artisanal miner (EMA)")
    MINERAL_TRADER = "mineral_trader", _("Mineral trader or washer")
    TRADER = "trader", _("Trader")
    FARMER = "farmer", _("Farmer")
    LIVESTOCK = "livestock", _("Livestock keeper")
    ARTISAN = "artisan", _("Artisan or craftsperson")
    EMPLOYEE = "employee", _("Salaried employee")
    PUPIL = "pupil", _("Pupil or student")
    HOMEMAKER = "homemaker", _("Homemaker")
    UNEMPLOYED = "unemployed", _("No occupation")
    OTHER = "other", _("Other")


class Household(models.Model):
    """A household surveyed or supported by an organisation. Its key in surveys: (place, survey_id)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="households"
    )
    survey_id = models.CharField(
        _("survey identifier"),
        max_length=64,
        help_text=_("The household's identifier in the socio-economic survey (e.g. KZI-0042)."),
    )
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    # Copied from the place so that area filters are one indexed prefix query.
    place_path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    # The ADM2 (territory or town) of the place: indicators group by its p-code in one query.
    territory = models.ForeignKey(
        Place, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    head_name = EncryptedTextField(_("name of the head of household"))
    contact_phone = EncryptedTextField(_("contact phone"))
    address = EncryptedTextField(_("address or landmark"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    size = models.PositiveSmallIntegerField(_("number of people in the household"))
    is_priority = models.BooleanField(
        _("priority"), default=False, help_text=_("A child of this household is in care.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking (kinga.core.concurrency): the version a writer read must still be current at save.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "place", "survey_id"], name="household_unique_survey_key"
            ),
            models.CheckConstraint(
                condition=Q(size__gte=1) & Q(size__lte=MAX_HOUSEHOLD_SIZE), name="household_size_range"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | (Q(latitude__gte=-90) & Q(latitude__lte=90)),
                name="household_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | (Q(longitude__gte=-180) & Q(longitude__lte=180)),
                name="household_longitude_range",
            ),
            models.CheckConstraint(condition=~Q(survey_id=""), name="household_survey_id_required"),
        ]
        # One organisation's household ids from the index alone (its dashboard joins its records to them).
        indexes = [models.Index(fields=["organisation", "id"], name="households_org_id")]

    def __str__(self) -> str:
        return self.survey_id

    @property
    def audit_label(self) -> str:
        return f"{self.survey_id} ({self.place_id})"


class HouseholdMember(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members"
    )
    full_name = EncryptedTextField(_("full name"))
    phone = EncryptedTextField(_("phone"))
    relationship = models.CharField(
        _("relationship to the head"), max_length=16, choices=Relationship.choices
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    birth_date_estimated = models.BooleanField(_("date of birth estimated from the age"), default=False)
    schooling = models.CharField(
        _("highest schooling"), max_length=16, choices=Schooling.choices, default=Schooling.NONE
    )
    attends_school = models.BooleanField(_("attends school now"), default=False)
    occupation = models.CharField(
        _("occupation"), max_length=20, choices=Occupation.choices, default=Occupation.UNEMPLOYED
    )
    works_at_mine_site = models.BooleanField(_("works at a mine site"), default=False)
    disability_or_chronic_illness = models.BooleanField(_("disability or chronic illness"), default=False)
    child_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("child's case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="household_members",
        help_text=_("The case of this child in care, if any: its follow-ups give the child's labour status."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["birth_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_date__gte=OLDEST_BIRTH_DATE), name="household_member_birth_date_floor"
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relationship="head"),
                name="household_member_one_head",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}/{self.pk}"

    @property
    def audit_label(self) -> str:
        return f"{self.get_relationship_display()} ({self.household_id})"

    def age_on(self, day: datetime.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class HouseholdNameIndex(models.Model):
    """Blind index of the names of a household's head and members: keyed digests, never a name."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="name_index")
    member = models.ForeignKey(
        HouseholdMember, null=True, blank=True, on_delete=models.CASCADE, related_name="name_index"
    )
    kind = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("household name index entry")
        verbose_name_plural = _("household name index")

    def __str__(self) -> str:
        return self.kind

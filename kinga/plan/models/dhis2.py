"""How the plan's indicators are sent to a DHIS2 instance: the mapping an administrator edits (data elements,
category option combos for sex × age band, organisation units ↔ p-codes) and the record of every push.

DHIS2 identifies metadata by UIDs (11 characters, a letter first) in dataValueSets and by codes in ADX; the mapping
keeps both, as the DHIS2 instance's administrators give them.
"""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.core.fields import EncryptedTextField
from kinga.core.models import Place
from kinga.plan.models.indicators import Indicator
from kinga.plan.models.logframe import Plan

DHIS2_UID = RegexValidator(
    r"^[A-Za-z][A-Za-z0-9]{10}$",
    _("A DHIS2 identifier has 11 letters or digits and starts with a letter."),
    code="invalid_uid",
)
# ADX codes are XML tokens; DHIS2 codes are free text but those used in ADX must not hold spaces.
ADX_CODE = RegexValidator(
    r"^[A-Za-z0-9_.\-]+$",
    _("A code has letters, digits, dots, dashes or underscores only."),
    code="invalid_code",
)
UID_CHECK = r"^[A-Za-z][A-Za-z0-9]{10}$"


class Disaggregation(models.TextChoices):
    """What the DHIS2 data element's category combination expects (its "category combo")."""

    NONE = "none", _("Total only")
    SEX = "sex", _("By sex")
    SEX_AGE = "sex_age", _("By sex and age band")


class Dhis2Settings(models.Model):
    """The DHIS2 instance the plan reports to (one per plan)."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="dhis2_settings")
    data_set = models.CharField(_("data set (identifier)"), max_length=11, blank=True, validators=[DHIS2_UID])
    data_set_code = models.CharField(
        _("data set (code, ADX)"), max_length=50, blank=True, validators=[ADX_CODE]
    )
    attribute_option_combo = models.CharField(
        _("attribute option combination"), max_length=11, blank=True, validators=[DHIS2_UID]
    )
    adx_sex_category = models.CharField(
        _("ADX sex category code"), max_length=50, default="SEX", validators=[ADX_CODE]
    )
    adx_age_category = models.CharField(
        _("ADX age category code"), max_length=50, default="AGE_GROUP", validators=[ADX_CODE]
    )
    server_url = models.URLField(_("DHIS2 address"), blank=True)
    username = models.CharField(_("DHIS2 user name"), max_length=100, blank=True)
    password = EncryptedTextField(_("DHIS2 password"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("DHIS2 settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(data_set="") | Q(data_set__regex=UID_CHECK), name="plan_dhis2_data_set_uid"
            ),
        ]

    def __str__(self) -> str:
        return f"DHIS2 {self.server_url or '—'}"


class Dhis2DataElement(models.Model):
    """The DHIS2 data element that receives one indicator of the plan."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    indicator = models.OneToOneField(Indicator, on_delete=models.CASCADE, related_name="dhis2_element")
    uid = models.CharField(_("identifier"), max_length=11, validators=[DHIS2_UID])
    code = models.CharField(_("code (ADX)"), max_length=50, validators=[ADX_CODE])
    disaggregation = models.CharField(
        _("disaggregation"), max_length=10, choices=Disaggregation.choices, default=Disaggregation.NONE
    )

    class Meta:
        verbose_name = _("DHIS2 data element")
        ordering = ["indicator__position"]
        constraints = [
            models.CheckConstraint(condition=Q(uid__regex=UID_CHECK), name="plan_dhis2_element_uid"),
            models.UniqueConstraint(fields=["uid"], name="plan_dhis2_element_uid_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} → {self.uid}"


class Dhis2CategoryOptionCombo(models.Model):
    """A sex × age band cell and the DHIS2 category option combination that receives it. Empty sex or age band
    means "all": ("", "") is the combination of a total (DHIS2's "default")."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sex = models.CharField(_("sex"), max_length=1, blank=True, choices=[("F", _("Girls")), ("M", _("Boys"))])
    age_band = models.CharField(
        _("age band"),
        max_length=5,
        blank=True,
        choices=[("0-4", "0–4"), ("5-11", "5–11"), ("12-14", "12–14"), ("15-17", "15–17")],
    )
    uid = models.CharField(_("identifier"), max_length=11, validators=[DHIS2_UID])
    adx_sex_code = models.CharField(
        _("ADX sex option code"), max_length=50, blank=True, validators=[ADX_CODE]
    )
    adx_age_code = models.CharField(
        _("ADX age option code"), max_length=50, blank=True, validators=[ADX_CODE]
    )

    class Meta:
        verbose_name = _("DHIS2 category option combination")
        ordering = ["sex", "age_band"]
        constraints = [
            models.UniqueConstraint(fields=["sex", "age_band"], name="plan_dhis2_coc_cell_unique"),
            models.CheckConstraint(condition=Q(uid__regex=UID_CHECK), name="plan_dhis2_coc_uid"),
            models.CheckConstraint(condition=Q(sex__in=["", "F", "M"]), name="plan_dhis2_coc_sex"),
        ]

    def __str__(self) -> str:
        return f"{self.sex or '*'} {self.age_band or '*'} → {self.uid}"


class Dhis2OrgUnit(models.Model):
    """The DHIS2 organisation unit of a place of Kinga (the province or a territory, by its p-code)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    place = models.OneToOneField(Place, on_delete=models.CASCADE, related_name="dhis2_org_unit")
    uid = models.CharField(_("identifier"), max_length=11, validators=[DHIS2_UID])
    code = models.CharField(_("code (ADX)"), max_length=50, validators=[ADX_CODE])

    class Meta:
        verbose_name = _("DHIS2 organisation unit")
        constraints = [
            models.CheckConstraint(condition=Q(uid__regex=UID_CHECK), name="plan_dhis2_org_unit_uid"),
            models.UniqueConstraint(fields=["uid"], name="plan_dhis2_org_unit_uid_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.place.name} → {self.uid}"


class PushStatus(models.TextChoices):
    SUCCESS = "success", _("Accepted")
    WARNING = "warning", _("Accepted in part")
    ERROR = "error", _("Refused")
    FAILED = "failed", _("Not delivered")


class Dhis2Push(models.Model):
    """One sending of a period's values to DHIS2, with what DHIS2 answered (its import summary, kept whole)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="dhis2_pushes")
    period = models.CharField(_("period"), max_length=10)
    server_url = models.URLField(_("DHIS2 address"))
    status = models.CharField(_("result"), max_length=10, choices=PushStatus.choices)
    values_sent = models.PositiveIntegerField(_("values sent"))
    imported = models.PositiveIntegerField(_("imported"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    ignored = models.PositiveIntegerField(_("ignored"), default=0)
    conflicts = models.JSONField(_("refused values"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    response = models.JSONField(_("answer of DHIS2"), null=True, blank=True)
    pushed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    pushed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sending to DHIS2")
        ordering = ["-pushed_at"]

    def __str__(self) -> str:
        return f"{self.period} {self.status}"

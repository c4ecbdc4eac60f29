"""Children: identities encrypted at rest (names, caregivers and their contacts, photo, notes), found through
the blind index ChildNameIndex (keyed HMAC digests of whole name tokens, exact and phonetic)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from kinga.core.fields import EncryptedJSONField, EncryptedTextField
from kinga.core.models import Organisation, Place
from kinga.core.people import Sex


class SchoolStatus(models.TextChoices):
    NEVER = "never", _("Never attended school")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    IRREGULAR = "irregular", _("Attends irregularly")
    ATTENDING = "attending", _("Attends school")
    TRAINING = "training", _("In vocational training")
    UNKNOWN = "unknown", _("Unknown")


class Disability(models.TextChoices):
    NONE = "none", _("None known")
    PHYSICAL = "physical", _("Physical")
    SENSORY = "sensory", _("Visual or hearing")
    INTELLECTUAL = "intellectual", _("Intellectual or mental")
    MULTIPLE = "multiple", _("Multiple")


class Child(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    given_name = EncryptedTextField(_("given name"))
    middle_name = EncryptedTextField(_("middle name (post-name)"))
    family_name = EncryptedTextField(_("family name"))
    other_names = EncryptedTextField(_("other names or nicknames"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    date_of_birth_estimated = models.BooleanField(
        _("date of birth estimated"), default=False, help_text=_("Computed from an estimated age.")
    )
    place_of_origin = models.ForeignKey(
        Place,
        verbose_name=_("place of origin"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    residence = models.ForeignKey(
        Place,
        verbose_name=_("place of residence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    disability = models.CharField(
        _("disability"), max_length=16, choices=Disability.choices, default=Disability.NONE
    )
    school_status = models.CharField(
        _("school status"), max_length=16, choices=SchoolStatus.choices, default=SchoolStatus.UNKNOWN
    )
    last_grade = models.CharField(_("last grade completed"), max_length=40, blank=True)
    # [{"name", "relationship", "phone", "address"}]: one encrypted document.
    caregivers = EncryptedJSONField(_("parents and caregivers"), default=list)
    photo = EncryptedTextField(_("photo"))  # a data: URL (small JPEG), encrypted like the names
    notes = EncryptedTextField(_("notes"))
    registered_by_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"child {str(self.uuid)[:8]}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.middle_name, self.family_name) if p)


class NameKind(models.TextChoices):
    EXACT = "exact", _("exact")
    PHONETIC = "phonetic", _("phonetic")


class ChildNameIndex(models.Model):
    """Blind index of every whole token of a child's names (kinga.core.crypto.name_digests)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="name_index")
    kind = models.CharField(max_length=8, choices=NameKind.choices)
    digest = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["digest", "child"], name="cases_nameidx_digest")]
        constraints = [
            models.UniqueConstraint(fields=["child", "kind", "digest"], name="cases_nameidx_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:8]}"

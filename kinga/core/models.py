"""Core records: users, organisations, places, memberships with a role, API tokens and the audit trail."""

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinga.core.fields import EncryptedTextField
from kinga.core.roles import Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in, by e-mail. What they may do comes from their memberships, not Django permissions."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = EncryptedTextField(_("phone"))
    preferred_language = models.CharField(_("language"), max_length=8, default="fr")
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(default=False)
    is_system = models.BooleanField(
        default=False, help_text="Named actor of commands and tasks; cannot log in."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email


class OrganisationType(models.TextChoices):
    PROVINCIAL_GOVERNMENT = "provincial_government", _("Provincial government service")
    NATIONAL_GOVERNMENT = "national_government", _("National government service")
    NGO = "ngo", _("NGO")
    UN_AGENCY = "un_agency", _("United Nations agency")
    COMPANY = "company", _("Company")
    PARTNER = "partner", _("Technical and financial partner")
    COOPERATIVE = "cooperative", _("Cooperative")
    BANK = "bank", _("Bank")
    COMMUNITY_NETWORK = "community_network", _("Community network")
    IDAK = "idak", _("IDAK")


class PlaceLevel(models.IntegerChoices):
    COUNTRY = 0, _("Country")
    PROVINCE = 1, _("Province")
    TERRITORY = 2, _("Territory or town")
    COMMUNE = 3, _("Commune, sector or chiefdom")
    GROUPEMENT = 4, _("Groupement")
    VILLAGE = 5, _("Village or quartier")


class Place(models.Model):
    """An administrative area in a tree: p-coded down to territories/towns, named places users add below."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pcode = models.CharField(_("p-code"), max_length=20, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.PositiveSmallIntegerField(_("level"), choices=PlaceLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ancestor ids ("/1/5/23/"): a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    short_code = models.CharField(
        _("short code"), max_length=8, blank=True, help_text=_("Code used in case numbers (e.g. KZI).")
    )

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="place_unique_name_under_parent"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | (Q(latitude__gte=-90) & Q(latitude__lte=90)),
                name="place_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | (Q(longitude__gte=-180) & Q(longitude__lte=180)),
                name="place_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=False) | Q(level=0), name="place_root_is_country"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors_and_self_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    @property
    def territory(self) -> "Place | None":
        """The ADM2 (territory or town) this place lies in, or None above that level."""
        if self.level < PlaceLevel.TERRITORY:
            return None
        if self.level == PlaceLevel.TERRITORY:
            return self
        ids = self.ancestors_and_self_ids()
        return Place.objects.filter(id__in=ids, level=PlaceLevel.TERRITORY).first()


def organisation_label(name: str, acronym: str) -> str:
    """Organisation.label from its two fields, for the reads that fetch values rather than objects."""
    acronym = (acronym or "").strip()
    if not acronym or acronym.casefold() == name.strip().casefold():
        return name
    return f"{acronym} — {name}"


class Organisation(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=255, unique=True)
    acronym = models.CharField(_("acronym"), max_length=60, blank=True)
    type = models.CharField(_("type"), max_length=32, choices=OrganisationType.choices)
    areas = models.ManyToManyField(Place, verbose_name=_("areas of operation"), blank=True, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    is_reference = models.BooleanField(default=False, help_text="Loaded from the plan's reference data.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """How every page names an organisation: "ACRONYM — full name", the name alone without an acronym.

        An acronym alone means nothing to most readers (a family's consent to share data is recorded against
        these names), and the full name alone hides the acronym people use in meetings.
        """
        return organisation_label(self.name, self.acronym)


class OrganisationAlias(models.Model):
    """Other spellings of an organisation's name or acronym (the plan writes SAESSCAM and SAESCAM)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=255)
    normalised = models.CharField(max_length=255, unique=True, editable=False)

    class Meta:
        verbose_name = _("organisation alias")
        verbose_name_plural = _("organisation alias")

    def __str__(self) -> str:
        return self.alias


class Membership(models.Model):
    """A user's role in an organisation; the source of every permission and of data scoping."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    supervisor = models.ForeignKey(
        "self",
        verbose_name=_("supervisor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team",
        help_text=_("For a caseworker: their supervisor in their organisation."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"


class ApiToken(models.Model):
    """A personal API token: scoped like its user, revocable, stored as a SHA-256 digest only."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires on"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The token that minted this one through the API (none: created from a session that passed the second
    # factor). A minted token never outlives its parent, and revoking the parent revokes it.
    parent = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        """Neither revoked nor expired, and the same for every token up the chain that minted it."""
        token, now = self, timezone.now()
        while token is not None:
            if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
                return False
            token = token.parent
        return True


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only")

    def delete(self):
        raise PermissionError("The audit trail is append-only")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Creation")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Deletion")
    READ = "read", _("Read")
    EXPORT = "export", _("Export")
    LOGIN = "login", _("Login")
    OTHER = "other", _("Other")


class AuditEvent(models.Model):
    """One line of the append-only audit trail. Protected fields appear as changed, never with their value."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    target_type = models.CharField(max_length=100, db_index=True)  # "app_label.model"
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    target_label = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only")


class TallyGroup(models.Model):
    """One tally's value for one group (territory p-code, sex, age band) over a day or a month."""

    code = models.CharField(max_length=64)
    territory = models.CharField(max_length=20, default="")
    sex = models.CharField(max_length=8, default="")
    age_band = models.CharField(max_length=8, default="")
    value = models.DecimalField(max_digits=20, decimal_places=4)

    class Meta:
        abstract = True


class Tally(TallyGroup):
    """A count kept current on write (kinga.core.tallies): one tally's value for one day and one group
    (territory p-code, sex, age band). Never edited by hand: the writes of the records it counts recompute the
    days they touch, `kinga tallies rebuild` recomputes everything."""

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["code", "day", "territory", "sex", "age_band"], name="tally_one_row_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.day} {self.territory}/{self.sex}/{self.age_band}: {self.value}"


class TallyMonth(TallyGroup):
    """The days of a month of one tally added up (kinga.core.tallies), per group: a period of years reads a row
    per month instead of one per day. Rewritten with the days it sums, in the same transaction."""

    month = models.DateField()  # its first day

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["code", "month", "territory", "sex", "age_band"], name="tally_month_one_row_per_group"
            ),
            models.CheckConstraint(condition=models.Q(month__day=1), name="tally_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.month:%Y-%m} {self.territory}/{self.sex}/{self.age_band}: {self.value}"


class TallyState(models.Model):
    """A tally whose rows were built for its current definition (its version): until then it is not read."""

    code = models.CharField(max_length=64, unique=True)
    version = models.CharField(max_length=32)
    built_at = models.DateTimeField(auto_now=True)
    rows = models.BigIntegerField(default=0)
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

"""Mine sites. The site is the anchor of inspections, status, lots, and of where children were found.

Two things are kept apart on a site: the OFFICIAL qualification (green/yellow/red/blue given by the state's
joint teams, or as IPIS recorded it) and Kinga's CHILD-LABOUR STATUS, computed by kinga.sites.status from
inspections, children identified at the site and verified alerts, with rules administrators configure.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.core.models import Organisation, Place


class SiteType(models.TextChoices):
    ZEA = "zea", _("Artisanal mining zone (ZEA)")
    CONCESSION = "concession", _("Concession")
    INFORMAL = "informal", _("Informal site")


class Status(models.TextChoices):
    """Kinga's child-labour status of a site."""

    BLUE = "blue", _("Not inspected")
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")
    EXPIRED = "expired", _("Expired")


class Qualification(models.TextChoices):
    """The official qualification (ICGLR regional certification mechanism, DRC joint teams)."""

    NONE = "", _("Not qualified")
    GREEN = "green", _("Green (official)")
    YELLOW = "yellow", _("Yellow (official)")
    RED = "red", _("Red (official)")
    BLUE = "blue", _("Blue (official)")


class Zone(models.Model):
    """An artisanal mining zone (ZEA) through its life: from an expired title to a zone equipped to process ore."""

    class Stage(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate (expired title)")
        LOCATED = "located", _("Located")
        STUDY = "study", _("Mineralisation study")
        VIABLE = "viable", _("Viable")
        NOT_VIABLE = "not_viable", _("Not viable")
        EQUIPPED = "equipped", _("Equipped with processing units")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    territory = models.ForeignKey(
        Place, verbose_name=_("territory"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expired_title = models.CharField(
        _("expired mining title"), max_length=100, blank=True, help_text=_("Reference of the expired title.")
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.CANDIDATE)
    area_ha = models.DecimalField(_("area (ha)"), max_digits=10, decimal_places=2, null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    processing_units = models.PositiveIntegerField(_("processing units"), default=0)
    located_on = models.DateField(_("located on"), null=True, blank=True)
    viability_decided_on = models.DateField(_("viability decided on"), null=True, blank=True)
    equipped_on = models.DateField(_("equipped on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("artisanal mining zone (ZEA)")
        verbose_name_plural = _("artisanal mining zones (ZEA)")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(area_ha__isnull=True) | Q(area_ha__gt=0), name="zone_area_positive"
            ),
            models.CheckConstraint(
                condition=~Q(stage="equipped") | Q(processing_units__gt=0), name="zone_equipped_has_units"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ZoneStudy(models.Model):
    """A study attached to a ZEA (mineralisation, environmental, social...)."""

    class Kind(models.TextChoices):
        MINERALISATION = "mineralisation", _("Mineralisation study")
        ENVIRONMENTAL = "environmental", _("Environmental and social study")
        OTHER = "other", _("Other study")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="studies")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.MINERALISATION)
    title = models.CharField(_("title"), max_length=255)
    author = models.CharField(_("author"), max_length=255, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    document = models.FileField(_("document"), upload_to="sites/studies/", blank=True)
    url = models.URLField(_("link"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ZEA study")
        verbose_name_plural = _("ZEA studies")
        ordering = ["-published_on", "title"]

    def __str__(self) -> str:
        return self.title


class Site(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(
        _("code"), max_length=32, unique=True, help_text=_("IPIS code (codmineNNNNN) or Kinga code.")
    )
    name = models.CharField(_("name"), max_length=200)
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="sites")
    # Derived from the place tree (the ADM2 above `place`), stored so lists and maps filter on one column.
    territory = models.ForeignKey(
        Place, verbose_name=_("territory"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    site_type = models.CharField(
        _("type"), max_length=16, choices=SiteType.choices, default=SiteType.INFORMAL
    )
    zone = models.ForeignKey(
        Zone, verbose_name=_("ZEA"), null=True, blank=True, on_delete=models.SET_NULL, related_name="sites"
    )
    minerals = models.JSONField(_("minerals"), default=list, blank=True)
    workers_count = models.PositiveIntegerField(_("number of workers"), null=True, blank=True)
    operator = models.ForeignKey(
        Organisation,
        verbose_name=_("operator or cooperative"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="operated_sites",
    )
    state_services = models.JSONField(_("state services present"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=16, default="kinga")  # "ipis" or "kinga"
    place_warning = models.CharField(_("place warning"), max_length=255, blank=True)
    # Set when a user corrects the place: later IPIS imports then leave it alone.
    place_corrected = models.BooleanField(_("place corrected by a user"), default=False)
    # Official qualification: as given, with its date and source; never computed by Kinga.
    qualification = models.CharField(
        _("official qualification"), max_length=8, choices=Qualification.choices, blank=True, default=""
    )
    qualification_date = models.DateField(_("qualification date"), null=True, blank=True)
    qualification_source = models.CharField(_("qualification source"), max_length=100, blank=True)
    # Kinga's child-labour status, as last computed (kinga.sites.status); "expired" and "overdue" also
    # depend on today's date, so readers use selectors that compare status_date with today.
    status = models.CharField(
        _("child-labour status"), max_length=8, choices=Status.choices, default=Status.BLUE
    )
    status_date = models.DateField(_("status date"), null=True, blank=True)
    status_reason = models.TextField(_("status reason"), blank=True)
    red_since = models.DateField(_("red since"), null=True, blank=True)
    correction_deadline = models.DateField(_("correction deadline"), null=True, blank=True)
    children_seen = models.BooleanField(_("children seen"), default=False)
    last_inspection_date = models.DateField(_("last inspection"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mine site")
        verbose_name_plural = _("mine sites")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | (Q(latitude__gte=-90) & Q(latitude__lte=90)),
                name="site_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | (Q(longitude__gte=-180) & Q(longitude__lte=180)),
                name="site_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(status="blue") | Q(status_date__isnull=False), name="site_status_has_date"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "territory"]),
            models.Index(fields=["territory", "name"]),
            models.Index(
                fields=["name", "id"], name="site_name_id_idx"
            ),  # the list's order, read 50 at a time
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Safety(models.TextChoices):
    NONE = "none", _("No incident")
    MINOR = "minor", _("Minor incident")
    SERIOUS = "serious", _("Serious incident (death, injury, collapse)")


class DocumentCheck(models.TextChoices):
    NOT_CHECKED = "", _("Not checked")
    PRESENT = "present", _("Present")
    MISSING = "missing", _("Missing")


class Inspection(models.Model):
    """An inspection by a Kinga team, or an IPIS visit (historical evidence; off-site visits are not inspections).

    Child counts are null when unknown (IPIS only says whether children under 15 were seen).
    """

    class Source(models.TextChoices):
        KINGA = "kinga", _("Kinga inspection")
        IPIS = "ipis", _("IPIS visit")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="inspections")
    date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.KINGA)
    onsite = models.BooleanField(_("on site"), default=True)
    offsite_reason = models.CharField(_("reason for not visiting"), max_length=255, blank=True)
    ipis_vid = models.PositiveIntegerField(_("IPIS visit id"), null=True, blank=True, unique=True)
    ipis_project = models.CharField(_("IPIS project"), max_length=100, blank=True)
    ipis_source = models.CharField(_("survey source"), max_length=100, blank=True)
    qualification = models.CharField(
        _("qualification recorded"), max_length=8, choices=Qualification.choices, blank=True, default=""
    )
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("team (organisations)"), blank=True, related_name="+"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Children observed: by sex and age band; null = not known.
    boys_under_15 = models.PositiveIntegerField(_("boys under 15"), null=True, blank=True)
    girls_under_15 = models.PositiveIntegerField(_("girls under 15"), null=True, blank=True)
    boys_15_17 = models.PositiveIntegerField(_("boys 15–17"), null=True, blank=True)
    girls_15_17 = models.PositiveIntegerField(_("girls 15–17"), null=True, blank=True)
    children_seen = models.BooleanField(_("children seen"), null=True, blank=True)
    children_in_workings = models.BooleanField(
        _("children working or in the workings"), null=True, blank=True
    )
    children_tasks = models.CharField(_("what the children did"), max_length=255, blank=True)
    women_seen = models.BooleanField(_("women working"), null=True, blank=True)
    women_tasks = models.CharField(_("what the women did"), max_length=255, blank=True)
    pregnant_women_working = models.BooleanField(_("pregnant women working"), default=False)
    armed_group_present = models.BooleanField(_("armed group present"), null=True, blank=True)
    armed_groups = models.JSONField(_("armed groups and security forces"), default=list, blank=True)
    security_forces_present = models.BooleanField(_("public security forces present"), null=True, blank=True)
    security_forces_interfering = models.BooleanField(
        _("public security forces taxing, digging or controlling the site"), default=False
    )
    armed_activity = models.CharField(_("what they did"), max_length=255, blank=True)
    illegal_taxation = models.BooleanField(_("illegal taxation by state agents"), default=False)
    safety = models.CharField(
        _("safety incidents"), max_length=8, choices=Safety.choices, default=Safety.NONE
    )
    safety_notes = models.CharField(_("safety notes"), max_length=255, blank=True)
    cooperative_registration = models.CharField(
        _("cooperative registration"), max_length=8, choices=DocumentCheck.choices, blank=True, default=""
    )
    management_documents = models.CharField(
        _("management documents"), max_length=8, choices=DocumentCheck.choices, blank=True, default=""
    )
    production_records = models.CharField(
        _("production records"), max_length=8, choices=DocumentCheck.choices, blank=True, default=""
    )
    state_services = models.JSONField(_("state services present"), default=list, blank=True)
    minerals = models.JSONField(_("minerals"), default=list, blank=True)
    workers_count = models.PositiveIntegerField(_("number of workers"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-date", "-id"]
        # The newest first (every list, the API's pages) and a period's inspections (the agents' involvement by
        # month) from the index, not a sort of the 200,000 inspections of the country.
        indexes = [
            models.Index(fields=["site", "date"]),
            models.Index(fields=["date", "id"], name="sites_inspection_date_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(source="ipis") | Q(ipis_vid__isnull=True), name="inspection_vid_only_ipis"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.code} {self.date}"

    @property
    def children_count(self) -> int | None:
        counts = [getattr(self, f) for f in CHILD_COUNTS]
        if all(c is None for c in counts):
            return None
        return sum(c or 0 for c in counts)


# The inspection's fields, listed once: record_inspection, its form, the API and the IPIS import are built from
# these. The children counted on site, by sex and age band (the status engine reads them as evidence).
CHILD_COUNTS = ("boys_under_15", "girls_under_15", "boys_15_17", "girls_15_17")
# What an inspector's visit and an IPIS visit both record: the people at work and the armed presence.
SHARED_OBSERVATIONS = (
    "children_tasks",
    "women_seen",
    "women_tasks",
    "armed_group_present",
    "security_forces_present",
    "security_forces_interfering",
    "workers_count",
)
# Everything an inspector records on site besides the date, the team and the corrective actions.
INSPECTION_FIELDS = (
    *CHILD_COUNTS,
    *SHARED_OBSERVATIONS,
    "pregnant_women_working",
    "armed_activity",
    "illegal_taxation",
    "safety",
    "safety_notes",
    "cooperative_registration",
    "management_documents",
    "production_records",
    "findings",
)


class CorrectiveAction(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("corrective action"), max_length=255)
    deadline = models.DateField(_("deadline"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["deadline"]

    def __str__(self) -> str:
        return self.description


class InspectionPhoto(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to="sites/photos/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")

    def __str__(self) -> str:
        return self.caption or self.image.name


class SiteEvidence(models.Model):
    """A child identified at the site (from a case) or a verified alert about it: counts only, no identity."""

    class Kind(models.TextChoices):
        CHILD_CASE = "child_case", _("Child identified at the site")
        ALERT = "alert", _("Verified alert")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    date = models.DateField()
    # The id of the case or alert in its own app: the idempotency key, never shown to aggregate-only roles.
    ref = models.UUIDField()
    children = models.PositiveIntegerField(default=1)
    sex = models.CharField(max_length=1, blank=True)
    age_band = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("site evidence")
        verbose_name_plural = _("site evidence")
        constraints = [models.UniqueConstraint(fields=["kind", "ref"], name="site_evidence_unique_ref")]
        indexes = [models.Index(fields=["site", "date"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.date}"


class StatusChange(models.Model):
    """One change of a site's child-labour status, with its reason and its evidence: the site's timeline."""

    class Evidence(models.TextChoices):
        INSPECTION = "inspection", _("Inspection")
        CHILD_CASE = "child_case", _("Child identified at the site")
        ALERT = "alert", _("Verified alert")
        RULES = "rules", _("Rules change")
        TIME = "time", _("Time elapsed")
        IMPORT = "import", _("IPIS import")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="status_changes")
    effective_on = models.DateField(_("effective on"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    old_status = models.CharField(max_length=8, choices=Status.choices)
    new_status = models.CharField(max_length=8, choices=Status.choices)
    reason = models.TextField(_("reason"))
    evidence = models.CharField(_("evidence"), max_length=16, choices=Evidence.choices)
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    site_evidence = models.ForeignKey(
        SiteEvidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-effective_on", "-id"]
        indexes = [models.Index(fields=["site", "effective_on"])]

    def __str__(self) -> str:
        return f"{self.site_id} {self.old_status}→{self.new_status}"


class StatusRule(models.Model):
    """One line of the rules table: a condition the engine knows, and the status it gives."""

    class Outcome(models.TextChoices):
        RED = "red", _("Red")
        YELLOW = "yellow", _("Yellow")
        IGNORE = "ignore", _("No effect")

    condition = models.CharField(_("condition"), max_length=40, unique=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    position = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("status rule")
        verbose_name_plural = _("status rules")
        ordering = ["position", "condition"]

    def __str__(self) -> str:
        return f"{self.condition} → {self.outcome}"


class StatusPolicy(models.Model):
    """The rules table's durations (one row)."""

    correction_months = models.PositiveSmallIntegerField(_("months to correct a yellow finding"), default=3)
    red_clearance_months = models.PositiveSmallIntegerField(
        _("months before a re-inspection can clear red"), default=6
    )
    expiry_months = models.PositiveSmallIntegerField(_("months before a status expires"), default=12)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("status policy")
        verbose_name_plural = _("status policy")
        constraints = [
            models.CheckConstraint(condition=Q(correction_months__gte=1), name="policy_correction_min"),
            models.CheckConstraint(condition=Q(red_clearance_months__gte=1), name="policy_clearance_min"),
            models.CheckConstraint(condition=Q(expiry_months__gte=1), name="policy_expiry_min"),
        ]

    def __str__(self) -> str:
        return "status policy"


# The movements' models live in their own module; imported here so that Django finds them with the app's.
from kinga.sites.models_movements import MovementObservation, ObservationSource, Relocation  # noqa: E402, F401

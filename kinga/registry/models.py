"""The children's registry: matching profiles (blind indexes only), candidate pairs, merges.

A MatchProfile holds, for one child, keyed 63-bit hashes of the normalised and phonetic codes of the
names and of their parts (kinga.registry.profiles), the birth date's parts, sex and place ids: everything the matcher
needs to block and to score, and nothing from which a name can be read back without the key.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import In
from django.utils.translation import gettext_lazy as _

from kinga.core.fields import EncryptedJSONField


class MatchProfile(models.Model):
    child = models.OneToOneField("cases.Child", on_delete=models.CASCADE, related_name="match_profile")
    given_exact = models.BigIntegerField(null=True)
    given_phon = models.BigIntegerField(null=True)
    family_exact = models.BigIntegerField(null=True)
    family_phon = models.BigIntegerField(null=True)
    carer1 = models.BigIntegerField(null=True)
    carer2 = models.BigIntegerField(null=True)
    place1 = models.BigIntegerField(null=True)  # the child's place (residence, else origin)
    place2 = models.BigIntegerField(null=True)  # that place's parent (town, territory)
    sex = models.PositiveSmallIntegerField(default=0)  # 0 unknown, 1 M, 2 F
    birth_year = models.PositiveSmallIntegerField(default=0)
    birth_month = models.PositiveSmallIntegerField(default=0)
    birth_day = models.PositiveSmallIntegerField(default=0)
    approximate = models.BooleanField(default=False)
    # Name parts (issue 17), for names written short or with a part more or less: the keyed phonetic codes of
    # each name's first two tokens as written, the keyed codes of the first token's leading 1..6 letters
    # (kinga.registry.matching.normalise.LEAD_LETTERS; missing when the token is shorter) and that token's
    # length (7 for any longer one, 0 no name). An initial's code says no more than a name's: both are keyed.
    given_part1 = models.BigIntegerField(null=True)
    given_part2 = models.BigIntegerField(null=True)
    family_part1 = models.BigIntegerField(null=True)
    family_part2 = models.BigIntegerField(null=True)
    given_lead1 = models.BigIntegerField(null=True)
    given_lead2 = models.BigIntegerField(null=True)
    given_lead3 = models.BigIntegerField(null=True)
    given_lead4 = models.BigIntegerField(null=True)
    given_lead5 = models.BigIntegerField(null=True)
    given_lead6 = models.BigIntegerField(null=True)
    family_lead1 = models.BigIntegerField(null=True)
    family_lead2 = models.BigIntegerField(null=True)
    family_lead3 = models.BigIntegerField(null=True)
    family_lead4 = models.BigIntegerField(null=True)
    family_lead5 = models.BigIntegerField(null=True)
    family_lead6 = models.BigIntegerField(null=True)
    given_lead_len = models.PositiveSmallIntegerField(default=0)
    family_lead_len = models.PositiveSmallIntegerField(default=0)
    # False once the child has been merged into another: it is no longer matched
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(sex__lte=2), name="registry_profile_sex"),
            models.CheckConstraint(condition=Q(birth_month__lte=12), name="registry_profile_month"),
            models.CheckConstraint(condition=Q(birth_day__lte=31), name="registry_profile_day"),
            models.CheckConstraint(
                condition=Q(given_lead_len__lte=7) & Q(family_lead_len__lte=7),
                name="registry_profile_lead_len",
            ),
        ]
        # the lookups of the suggestions at registration: both names (either order), or one name and the
        # full birth date; and the counts of a name or a place among the active profiles (its term frequency),
        # read from the index alone (partial: merged children are not counted)
        indexes = [
            *(
                models.Index(fields=[column], condition=Q(active=True), name=f"registry_profile_{column}")
                for column in ("given_phon", "family_phon", "place1")
            ),
            models.Index(fields=["given_phon", "family_phon"], name="registry_profile_names"),
            models.Index(fields=["birth_year", "birth_month", "birth_day"], name="registry_profile_birth"),
            # a name of two parts or more is also found by either part, with the other name (a part more or less):
            # partial indexes, on the few names of several parts only
            *(
                models.Index(
                    fields=[f"{name}_part{k}", f"{other}_phon"],
                    condition=Q(**{f"{name}_part2__isnull": False}),
                    name=f"registry_profile_{name[0]}part{k}",
                )
                for name, other in (("given", "family"), ("family", "given"))
                for k in (1, 2)
            ),
        ]

    def __str__(self) -> str:
        return f"profile of child {self.child_id}"


class AnyOf(In):
    """`column__any=codes`: `column IN codes`, sent to PostgreSQL as one array (= ANY(%s)), not one placeholder a
    code. The suggestions look up hundreds of keyed codes at once; the client spent more time writing and parsing
    the placeholders than the server spent answering."""

    lookup_name = "any"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, [int(v) for v in self.rhs if v is not None])


class NameVariant(models.Model):
    """Deletion-neighbourhood of each phonetic code, keyed: two codes one edit apart share a variant."""

    code = models.BigIntegerField()
    variant = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "variant"], name="registry_variant_unique")]

    def __str__(self) -> str:
        return f"{self.code}~{self.variant}"


class PairStatus(models.TextChoices):
    OPEN = "open", _("To review")
    AWAITING_OTHER = "awaiting_other", _("Awaiting the other organisation")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Not the same child")


class PairSource(models.TextChoices):
    REGISTRATION = "registration", _("At registration")
    BATCH = "batch", _("Registry-wide search")


class CandidatePair(models.Model):
    """Two children the matcher thinks may be one: reviewed by supervisors, never proposed twice."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child_a = models.ForeignKey("cases.Child", on_delete=models.CASCADE, related_name="+")
    child_b = models.ForeignKey("cases.Child", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    source = models.CharField(_("found"), max_length=16, choices=PairSource.choices)
    possible_relapse = models.BooleanField(_("possible relapse"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=PairStatus.choices, default=PairStatus.OPEN)
    # organisations that agreed the two records are one child (both must, when they differ)
    agreed_by = models.ManyToManyField("core.Organisation", blank=True, related_name="+")
    found_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child_a", "child_b"], name="registry_pair_unique"),
            models.CheckConstraint(condition=Q(child_a__lt=F("child_b")), name="registry_pair_ordered"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="registry_pair_score"),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="registry_pair_queue")]

    def __str__(self) -> str:
        return f"pair {str(self.uuid)[:8]}"

    @property
    def audit_label(self) -> str:
        return str(self)


class Merge(models.Model):
    """One child absorbed into another; holds what unmerging needs to restore both exactly."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pair = models.ForeignKey(CandidatePair, on_delete=models.PROTECT, related_name="merges")
    survivor = models.ForeignKey("cases.Child", on_delete=models.PROTECT, related_name="+")
    absorbed = models.ForeignKey("cases.Child", on_delete=models.PROTECT, related_name="+")
    moved_case_ids = models.JSONField(default=list)  # cases moved from the absorbed child to the survivor
    # the survivor's identity fields before the merge, and the values the reviewer did not keep
    survivor_before = EncryptedJSONField(default=dict)
    choices = models.JSONField(default=dict)  # field → "survivor" | "absorbed"
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unmerged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["absorbed"],
                condition=Q(unmerged_at__isnull=True),
                name="registry_merge_absorbed_once",
            ),
        ]

    def __str__(self) -> str:
        return f"merge {str(self.uuid)[:8]}"

    @property
    def audit_label(self) -> str:
        return str(self)


class LearntParameters(models.Model):
    """What the matcher learnt from the registry's own pairs (kinga.registry.matching.learn): m and u per field
    and level, and the estimated share of duplicates. The latest row is the one used; older ones are its
    history. Aggregates only: no child, no name, no code."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    learnt_at = models.DateTimeField(auto_now_add=True)
    learnt_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=40)  # command, import
    records = models.PositiveIntegerField()
    pairs = models.PositiveBigIntegerField()  # blocked pairs learnt from
    match_share = models.FloatField()  # λ: chance that two records taken at random are one child
    converged = models.BooleanField()
    parameters = models.JSONField()  # Learnt.as_json()

    class Meta:
        ordering = ["-learnt_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(match_share__gte=0) & Q(match_share__lte=1), name="registry_learnt_share"
            )
        ]

    def __str__(self) -> str:
        return f"learnt {self.learnt_at:%Y-%m-%d}"


for _model, _columns in (
    (
        MatchProfile,
        ("given_phon", "family_phon", *(f"{n}_part{k}" for n in ("given", "family") for k in (1, 2))),
    ),
    (NameVariant, ("code", "variant")),
):
    for _column in _columns:
        _model._meta.get_field(_column).register_lookup(AnyOf)

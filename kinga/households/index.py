"""The household vulnerability index: its items, how one household's score is explained, and the
set-based computation for every household (one INSERT … SELECT in the database, no Python loop).

Definition (docs/vulnerability-index.md): each item is true or false for the household's latest survey;
score = 100 × Σ(weight of true items) / Σ(weights), from 0 (no item) to 100 (every item). Weights and
thresholds belong to a version (VulnerabilityIndexVersion); a stored score names the version it used.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kinga.households.models import Survey, VulnerabilityIndexVersion

DEFAULT_WEIGHTS = {
    "low_income": 1,
    "hunger": 1,
    "child_mine_work": 1,
    "child_out_of_school": 1,
    "vulnerable_head": 1,
    "disability_or_illness": 1,
    "no_productive_assets": 1,
}
DEFAULT_THRESHOLDS = {
    # USD 1.90 a day (the international poverty line of 2017) ≈ USD 57 a month per person.
    "income_per_person_usd_month": 57,
    "hunger_scale_min": 2,
    "child_head_max_age": 17,
}


@dataclass(frozen=True)
class Item:
    code: str
    label: object  # lazy translation
    # SQL condition on the survey row `s`; %(name)s are thresholds passed as query parameters.
    sql: str
    thresholds: tuple[str, ...] = ()

    def holds(self, survey: Survey, thresholds: dict) -> bool:
        return bool(_PY[self.code](survey, thresholds))

    def reason(self, survey: Survey, thresholds: dict) -> str:
        return str(_REASONS[self.code](survey, thresholds))


ITEMS: tuple[Item, ...] = (
    Item(
        "low_income",
        _("Income per person below the threshold"),
        "s.monthly_income_usd < %(income_per_person_usd_month)s * s.household_size",
        ("income_per_person_usd_month",),
    ),
    Item(
        "hunger",
        _("Moderate or severe hunger"),
        "s.hunger_scale >= %(hunger_scale_min)s",
        ("hunger_scale_min",),
    ),
    Item("child_mine_work", _("A child aged 5–17 works at a mine"), "s.children_working_at_mine > 0"),
    Item("child_out_of_school", _("A school-age child is out of school"), "s.school_age_out_of_school > 0"),
    Item(
        "vulnerable_head",
        _("Household headed by a woman or a child"),
        "(s.head_sex = 'F' OR s.head_age <= %(child_head_max_age)s)",
        ("child_head_max_age",),
    ),
    Item(
        "disability_or_illness",
        _("A member lives with a disability or chronic illness"),
        "s.members_disabled_or_ill > 0",
    ),
    Item("no_productive_assets", _("No productive assets"), "NOT s.has_productive_assets"),
)
ITEM_CODES = tuple(item.code for item in ITEMS)
THRESHOLD_LABELS = {
    "income_per_person_usd_month": _("Income threshold (USD per person per month)"),
    "hunger_scale_min": _("Hunger counts from (0–6)"),
    "child_head_max_age": _("A head this age or younger is a child"),
}


def described(values: dict) -> list[tuple[object, object]]:
    """A version's weights or thresholds as (label, value): a page names the item, never its code."""
    labels = {item.code: item.label for item in ITEMS} | THRESHOLD_LABELS
    return [(labels.get(code, code), value) for code, value in values.items()]


_PY = {
    "low_income": lambda s, t: (
        s.monthly_income_usd < Decimal(str(t["income_per_person_usd_month"])) * s.household_size
    ),
    "hunger": lambda s, t: s.hunger_scale >= int(t["hunger_scale_min"]),
    "child_mine_work": lambda s, t: s.children_working_at_mine > 0,
    "child_out_of_school": lambda s, t: s.school_age_out_of_school > 0,
    "vulnerable_head": lambda s, t: s.head_sex == "F" or s.head_age <= int(t["child_head_max_age"]),
    "disability_or_illness": lambda s, t: s.members_disabled_or_ill > 0,
    "no_productive_assets": lambda s, t: not s.has_productive_assets,
}
_REASONS = {
    "low_income": lambda s, t: (
        _("USD %(value)s per person a month (threshold USD %(threshold)s)")
        % {"value": s.income_per_person, "threshold": t["income_per_person_usd_month"]}
    ),
    "hunger": lambda s, t: (
        _("Hunger scale %(value)s (counts from %(threshold)s)")
        % {"value": s.hunger_scale, "threshold": t["hunger_scale_min"]}
    ),
    "child_mine_work": lambda s, t: (
        ngettext(
            "%(n)s child working at a mine", "%(n)s children working at a mine", s.children_working_at_mine
        )
        % {"n": s.children_working_at_mine}
    ),
    "child_out_of_school": lambda s, t: (
        ngettext(
            "%(n)s school-age child out of school",
            "%(n)s school-age children out of school",
            s.school_age_out_of_school,
        )
        % {"n": s.school_age_out_of_school}
    ),
    "vulnerable_head": lambda s, t: (
        _("Head: %(sex)s, %(age)s years") % {"sex": s.get_head_sex_display(), "age": s.head_age}
    ),
    "disability_or_illness": lambda s, t: (
        ngettext("%(n)s member concerned", "%(n)s members concerned", s.members_disabled_or_ill)
        % {"n": s.members_disabled_or_ill}
    ),
    "no_productive_assets": lambda s, t: (
        _("Productive assets: %(answer)s") % {"answer": _("yes") if s.has_productive_assets else _("none")}
    ),
}


def current_version() -> VulnerabilityIndexVersion:
    version = VulnerabilityIndexVersion.objects.filter(is_current=True).first()
    if version is None:  # the migration creates v1; a database without it gets it back
        version, _created = VulnerabilityIndexVersion.objects.get_or_create(
            code="v1",
            defaults={"weights": DEFAULT_WEIGHTS, "thresholds": DEFAULT_THRESHOLDS, "is_current": True},
        )
    return version


def _total_weight(version: VulnerabilityIndexVersion) -> Decimal:
    return sum((Decimal(str(version.weights.get(code, 0))) for code in ITEM_CODES), Decimal(0))


@dataclass(frozen=True)
class ExplainedItem:
    code: str
    label: str
    holds: bool
    weight: Decimal
    points: Decimal
    reason: str


@dataclass(frozen=True)
class Explanation:
    version: VulnerabilityIndexVersion
    survey: Survey
    score: Decimal
    items: list[ExplainedItem]


def explain(survey: Survey, version: VulnerabilityIndexVersion) -> Explanation:
    """The score of one survey item by item (computed on demand, when a page shows it)."""
    total = _total_weight(version)
    rows = []
    score = Decimal(0)
    for item in ITEMS:
        weight = Decimal(str(version.weights.get(item.code, 0)))
        holds = item.holds(survey, version.thresholds)
        points = (Decimal(100) * weight / total) if (holds and total) else Decimal(0)
        score += points
        rows.append(
            ExplainedItem(
                code=item.code,
                label=str(item.label),
                holds=holds,
                weight=weight,
                points=points.quantize(Decimal("0.01"), ROUND_HALF_UP),
                reason=item.reason(survey, version.thresholds),
            )
        )
    return Explanation(
        version=version, survey=survey, score=score.quantize(Decimal("0.01"), ROUND_HALF_UP), items=rows
    )


def score_sql(version: VulnerabilityIndexVersion) -> tuple[str, dict]:
    total = _total_weight(version) or Decimal(1)
    params: dict = {"version_id": version.pk, "total": total}
    terms = []
    for i, item in enumerate(ITEMS):
        params[f"w{i}"] = Decimal(str(version.weights.get(item.code, 0)))
        terms.append(f"(CASE WHEN {item.sql} THEN %(w{i})s ELSE 0 END)")
        for name in item.thresholds:
            params[name] = Decimal(str(version.thresholds[name]))
    survey, rnd = Survey._meta.db_table, "households_surveyround"
    # Table names and item conditions are constants of this module; values are query parameters.
    select = f"""
        SELECT s.household_id, %(version_id)s, s.id,
               ROUND(CAST(100.0 * ({" + ".join(terms)}) / %(total)s AS NUMERIC), 2), %(now)s
        FROM (
            SELECT sv.*, ROW_NUMBER() OVER (PARTITION BY sv.household_id ORDER BY r.number DESC) AS latest
            FROM {survey} sv JOIN {rnd} r ON r.id = sv.round_id
        ) s
        WHERE s.latest = 1
    """  # noqa: S608
    return select, params

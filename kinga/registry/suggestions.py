"""Possible matches of one identity, at registration: across all organisations, from blind indexes.

The identity typed in the form is turned into keyed codes in memory (kinga.registry.profiles); the
candidates are found by indexed lookups on those codes (names one edit away through the keyed
deletion-variant table, swapped order included); each candidate is scored by the same model as the
batch search, with term frequencies counted in the registry. Only the few candidates shown are
decrypted, in memory, and a candidate of another organisation is shown as minimal fields only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from kinga.cases.matching import Suggestion
from kinga.cases.models import Case, CaseStatus, Child
from kinga.core import access, clock
from kinga.core.access import Actor

from .batch import current_learnt
from .matching import Frame, scoring
from .matching.blocking import WINDOW
from .matching.learn import apply as apply_learnt
from .models import MatchProfile, NameVariant
from .profiles import PROFILE_COLUMNS, caregiver_names, frame_of_columns, profile_values

SHOW_FROM = 0.3  # lowest score shown at registration
MAX_CANDIDATES = 3000
EXPECTED_DUPLICATES_PER_RECORD = 0.5


@dataclass
class Match:
    """A registered child that may be the identity typed, as the registry scores it (the cases app's
    registration screen shows it as a kinga.cases.matching.Suggestion)."""

    child_id: int
    score: float
    levels: dict[str, str]
    possible_relapse: bool = False
    same_organisation: bool = False
    display: dict = field(default_factory=dict)


def _near(code: int | None, variant_rows) -> set[int]:
    """Phonetic codes of the registry one edit away from `code` (itself included), found through the
    keyed deletion variants computed in memory for the typed name."""
    if code is None:
        return set()
    mine = {v for c, v in variant_rows if c == code}
    return set(NameVariant.objects.filter(variant__any=mine).values_list("code", flat=True)) | {code}


def _typed_parts(values: dict, name: str) -> set[int]:
    """The keyed codes of a typed name's parts, when it has several ("Jean Pierre": "Jean" and "Pierre")."""
    if values.get(f"{name}_part2") is None:
        return set()
    return {values[f"{name}_part1"], values[f"{name}_part2"]} - {None}


def _stored_names(given: set[int], family: set[int]) -> Q:
    """Stored profiles whose given name is one of `given` and family name one of `family`; or, for a name of
    several parts, one of whose parts is (a part more or less: the partial indexes on the parts)."""
    query = Q(given_phon__any=given, family_phon__any=family)
    for name, other, codes, other_codes in (
        ("given", "family", given, family),
        ("family", "given", family, given),
    ):
        query |= (
            Q(**{f"{name}_part2__isnull": False})
            & (Q(**{f"{name}_part1__any": codes}) | Q(**{f"{name}_part2__any": codes}))
            & Q(**{f"{other}_phon__any": other_codes})
        )
    return query


def candidate_profiles(values: dict, variant_rows, *, exclude_child_id: int | None = None):
    # a typed name of several parts also looks for each part alone ("Jean Pierre" finds "Jean")
    near_given = _near(values["given_phon"], variant_rows) | _typed_parts(values, "given")
    near_family = _near(values["family_phon"], variant_rows) | _typed_parts(values, "family")
    either = near_given | near_family
    if not either:
        return MatchProfile.objects.none()
    if near_given and near_family:  # both names close, in either order, each perhaps with a part more or less
        query = _stored_names(near_given, near_family) | _stored_names(near_family, near_given)
    else:
        query = Q(given_phon__any=either) | Q(family_phon__any=either)
    year = values["birth_year"]
    if year:
        query &= Q(birth_year=0) | Q(birth_year__gte=year - WINDOW, birth_year__lte=year + WINDOW)
    if year and values["birth_month"] and values["birth_day"] and not values["approximate"]:
        # one name and the exact birth date: the other name may be further than one edit (an initial, a name
        # written short, another name)
        query |= (Q(given_phon__any=either) | Q(family_phon__any=either)) & Q(
            birth_year=year, birth_month=values["birth_month"], birth_day=values["birth_day"]
        )
    qs = MatchProfile.objects.filter(query, active=True)
    if exclude_child_id:
        qs = qs.exclude(child_id=exclude_child_id)
    return qs[:MAX_CANDIDATES]


def frame_of(values: dict, variant_rows, profiles: list[dict]) -> tuple[Frame, dict[str, np.ndarray]]:
    """The typed identity (`values`, row 0) and stored profiles as one frame, with the raw columns term
    frequencies are counted on."""
    rows = [{"child_id": 0, **values}, *profiles]

    def column(name):
        return np.array([(-1 if r[name] is None else int(r[name])) for r in rows], dtype=np.int64)

    codes = {r[k] for r in rows for k in ("given_phon", "family_phon") if r[k] is not None}
    stored = list(NameVariant.objects.filter(code__any=codes).values_list("code", "variant"))
    variants = np.array(sorted(set(stored) | set(variant_rows)) or np.zeros((0, 2)), dtype=np.int64).reshape(
        -1, 2
    )
    frame = frame_of_columns({name: column(name) for name in PROFILE_COLUMNS}, variants)
    return frame, {
        k: column(k) for k in ("given_exact", "given_phon", "family_exact", "family_phon", "place1", "carer1")
    }


def _registry_counts(column: str, codes: set[int]) -> dict[int, int]:
    codes = {c for c in codes if c is not None and c != -1}
    if not codes:
        return {}
    # COUNT(*) over the partial index of active profiles: the index alone answers (COUNT(id) read 20,000 table
    # pages for a common name at 1 M children)
    rows = (
        MatchProfile.objects.filter(**{f"{column}__in": codes}, active=True)
        .values_list(column)
        .annotate(n=Count("*"))
    )
    return dict(rows)


def _registry_size() -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'registry_matchprofile'")
            row = cursor.fetchone()
            if row and row[0] and row[0] > 10_000:
                return int(row[0])
    return MatchProfile.objects.filter(active=True).count()


def _model(frame: Frame, raw: dict[str, np.ndarray], n_total: int) -> scoring.Model:
    """The batch model's defaults, with term frequencies counted in the whole registry."""
    model = scoring.fit(frame)  # u from defaults (the frame is tiny), TF replaced below
    learnt = current_learnt()  # m as the registry learnt it, like the batch search
    if learnt:
        apply_learnt(learnt, model)
    n = max(n_total, 1)
    prior_n, typical = scoring.TF_PRIOR_RECORDS, scoring.TF_TYPICAL

    def tf(size, dense_cols, raw_cols, counts_of, kind):
        out = np.full(size, typical[kind], dtype=np.float64)
        for dense, codes in zip(dense_cols, raw_cols, strict=True):
            for d, c in zip(dense.tolist(), codes.tolist(), strict=True):
                if d >= 0:
                    out[d] = (counts_of.get(c, 0) + prior_n * typical[kind]) / (n + prior_n)
        return out

    # Every comparison is of the typed identity (row 0) with a candidate, and the term-frequency weights are
    # looked up by row 0's codes only (kinga.registry.matching.scoring): counting the registry for the
    # candidates' codes too (thousands of them for a common name) cost most of a suggestion at 1 M children.
    phon_codes = {int(raw["given_phon"][0]), int(raw["family_phon"][0])}
    phon_counts = {}
    for col in ("given_phon", "family_phon"):
        for code, count in _registry_counts(col, phon_codes).items():
            phon_counts[code] = phon_counts.get(code, 0) + count
    model.tf_phon = tf(
        frame.n_phon,
        [frame.given_phon, frame.family_phon],
        [raw["given_phon"], raw["family_phon"]],
        phon_counts,
        "name",
    )
    # exact codes have no index of their own: their phonetic code's frequency bounds them
    model.tf_exact = tf(
        len(model.tf_exact),
        [frame.given_exact, frame.family_exact],
        [raw["given_phon"], raw["family_phon"]],
        phon_counts,
        "name",
    )
    model.tf_place = tf(
        len(model.tf_place),
        [frame.place1],
        [raw["place1"]],
        _registry_counts("place1", {int(raw["place1"][0])}),
        "place",
    )
    model.match_share = min(EXPECTED_DUPLICATES_PER_RECORD / n, 0.5)
    return model


def score_identity(
    values: dict, variant_rows, *, exclude_child_id: int | None = None, threshold: float = SHOW_FROM
) -> list[tuple[int, float, dict]]:
    """(child id, score, levels) of the registry's children that may be this identity, best first."""
    profiles = list(
        candidate_profiles(values, variant_rows, exclude_child_id=exclude_child_id).values(*PROFILE_COLUMNS)
    )
    if not profiles:
        return []
    frame, raw = frame_of(values, variant_rows, profiles)
    model = _model(frame, raw, _registry_size())
    b = np.arange(1, len(frame))
    a = np.zeros(len(b), dtype=np.int64)
    scores = scoring.probability(scoring.weights(frame, model, a, b), model.match_share)
    found = [
        (int(frame.ids[j]), float(s), scoring.explain(frame, 0, int(j)))
        for j, s in zip(b.tolist(), scores.tolist(), strict=True)
        if s >= threshold
    ]
    found.sort(key=lambda x: -x[1])
    return found


def suggest(*, actor: Actor, limit: int = 5, exclude_child_id: int | None = None, **identity) -> list[Match]:
    """Possible matches of an identity being registered, shown to the actor (minimal fields across
    organisations). Requires registry.match."""
    access.require(actor, "registry.match")
    values, variant_rows = profile_values(**identity_arguments(identity))
    if values["given_phon"] is None and values["family_phon"] is None:
        return []
    found = score_identity(values, variant_rows, exclude_child_id=exclude_child_id)[:limit]
    if not found:
        return []
    ids = [f[0] for f in found]
    visible = set(
        access.scoped(actor, Child, perm="cases.view_identity")
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    children = {
        c.pk: c for c in Child.objects.filter(pk__in=ids).select_related("registered_by_organisation")
    }
    latest = {}
    for case in (
        Case.objects.filter(child_id__in=ids)
        .select_related("organisation", "territory")
        .order_by("created_at")
    ):
        latest[case.child_id] = case
    closed = set(
        Case.objects.filter(child_id__in=ids, status=CaseStatus.CLOSED).values_list("child_id", flat=True)
    )
    open_ = set(
        Case.objects.filter(child_id__in=ids)
        .exclude(status=CaseStatus.CLOSED)
        .values_list("child_id", flat=True)
    )
    out = []
    for child_id, score, levels in found:
        child = children.get(child_id)
        if child is None:
            continue
        out.append(
            Match(
                child_id=child_id,
                score=score,
                levels=levels,
                possible_relapse=child_id in closed and child_id not in open_,
                same_organisation=child_id in visible,
                display=display_fields(child, latest.get(child_id), full=child_id in visible),
            )
        )
    return out


def identity_arguments(identity: dict) -> dict:
    """The matcher's arguments from the fields of a registration (kinga.cases.services.register_case)."""
    born = identity.get("date_of_birth")
    estimated = bool(identity.get("estimated") or identity.get("date_of_birth_estimated"))
    age = identity.get("estimated_age")
    if born is None and age not in (None, ""):
        born = datetime.date(clock.today().year - int(age), 7, 1)
        estimated = True
    return {
        "given_name": identity.get("given_name") or "",
        "family_name": identity.get("family_name") or "",
        "middle_name": identity.get("middle_name") or "",
        "sex": identity.get("sex") or "",
        "date_of_birth": born,
        "estimated": estimated,
        "place": identity.get("place") or identity.get("residence") or identity.get("place_of_origin"),
        "caregiver": identity.get("caregiver")
        or identity.get("caregiver_name")
        or caregiver_names(identity.get("caregivers")),
    }


def initials(*names: str) -> str:
    return " ".join(f"{n.strip()[0].upper()}." for n in names if n and n.strip())


def display_fields(child, case, *, full: bool) -> dict:
    """What a reviewer sees of a child: everything for their own organisation's child, otherwise the
    minimal identifying fields (initials, sex, birth year, territory, owning organisation)."""
    organisation = case.organisation if case else child.registered_by_organisation
    minimal = {
        "uuid": str(child.uuid),
        "initials": initials(child.given_name or "", child.family_name or ""),
        "sex": child.sex,
        "birth_year": child.date_of_birth.year if child.date_of_birth else None,
        "territory": case.territory.name if case and case.territory_id else "",
        "organisation": organisation.name if organisation else "",
        "full": False,
    }
    if not full:
        return minimal
    return {
        **minimal,
        "full": True,
        "name": child.full_name,
        "date_of_birth": child.date_of_birth,
        "case_uuid": str(case.uuid) if case else "",
        "case_number": case.number if case else "",
        "case_status": case.get_status_display() if case else "",
    }


_LEVEL_TEXT = {
    "exact": _("same"),
    "phonetic": _("same sound"),
    "one_edit": _("one letter apart"),
    "part_in_common": _("one name part in common"),
    "written_short": _("one written short"),
    "initial": _("an initial"),
    "year_off_by_one": _("year off by one"),
    "day_month_swapped": _("day and month swapped"),
    "year_typo": _("one digit of the year mistyped"),
    "day_typo": _("one digit of the day mistyped"),
    "same_month": _("same month and year"),
    "same_year": _("same year"),
    "within_1_year": _("within a year"),
    "within_2_years": _("within two years"),
    "estimated_same_year": _("same year (an estimated date)"),
    "estimated_within_1_year": _("within a year (an estimated date)"),
    "estimated_within_2_years": _("within two years (an estimated date)"),
}


_FIELD_TEXT = {
    "given_name": _("given name"),
    "family_name": _("family name"),
    "names_swapped": _("names in the other order"),
    "sex": _("sex"),
    "birth_date": _("birth date"),
    "place": _("place"),
    "caregiver": _("caregiver"),
}
_OTHER_LEVEL_TEXT = {
    "same": _("same"),
    "different": _("different"),
    "missing": _("not recorded"),
    "partly": _("partly the same"),
    "yes": _("yes"),
    "no": _("no"),
}


def comparison_rows(levels: dict[str, str]) -> list[tuple[str, str]]:
    """The comparison levels as a reviewer reads them: (what is compared, how it compares), in words."""
    texts = {**_LEVEL_TEXT, **_OTHER_LEVEL_TEXT}
    return [
        (str(_FIELD_TEXT.get(field, field)), str(texts.get(level, level))) for field, level in levels.items()
    ]


def reason_text(levels: dict[str, str]) -> str:
    """Why a pair matched, in words, from the comparison levels (never a value)."""
    parts = []
    for key, label in (
        ("given_name", _("given name")),
        ("family_name", _("family name")),
        ("birth_date", _("birth date")),
    ):
        level = levels.get(key)
        if level in _LEVEL_TEXT:
            parts.append(_("%(field)s: %(level)s") % {"field": label, "level": _LEVEL_TEXT[level]})
    if levels.get("names_swapped") == "yes":
        parts.append(str(_("names in the other order")))
    if levels.get("place") in ("same", "partly"):
        parts.append(str(_("same place")))
    if levels.get("caregiver") in ("same", "partly"):
        parts.append(str(_("same caregiver")))
    return ", ".join(str(p) for p in parts)


def cases_suggester(actor: Actor, data: dict) -> list:
    """The cases registration screen's suggester (kinga.cases.matching): another organisation's child
    is labelled by minimal fields only."""
    if not actor.has("registry.match"):
        return []
    out = []
    for s in suggest(actor=actor, **data):
        d = s.display
        if d["full"]:
            label = f"{d['name']} · {d['sex']} · {d.get('date_of_birth') or '?'} · {d.get('case_number', '')}"
        else:
            label = " · ".join(
                str(x)
                for x in (
                    d["initials"] or "—",
                    d["sex"] or "?",
                    d["birth_year"] or "?",
                    d["territory"] or "—",
                    d["organisation"] or "—",
                )
            )
        reason = reason_text(s.levels)
        if s.possible_relapse:
            relapse = _("possible relapse: earlier case closed")
            reason = f"{relapse} — {reason}"
        if not s.same_organisation:
            elsewhere = _("registered by another organisation")
            reason = f"{reason} ({elsewhere})"
        out.append(
            Suggestion(
                child_uuid=d["uuid"],
                label=label,
                score=round(s.score, 2),
                reason=reason,
                pickable=s.same_organisation,
            )
        )
    return out

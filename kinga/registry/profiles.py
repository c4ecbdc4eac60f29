"""Matching profiles: a child's identity turned into keyed integer codes, at the moment it is saved.

The plaintext is in memory only while the child is being saved; what is stored is HMAC-SHA256 under the
blind-index key, truncated to 63 bits (an integer column PostgreSQL indexes and numpy loads fast). The
batch search and the suggestions at registration work on these codes alone.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
from django.conf import settings

from .matching import Frame
from .matching.normalise import deletion_variants, make_record
from .models import MatchProfile, NameVariant

_MASK = (1 << 63) - 1

# A stored profile's columns as the matcher reads them (MatchProfile's fields), the child's id first.
PROFILE_COLUMNS = (
    "child_id",
    "given_exact",
    "given_phon",
    "family_exact",
    "family_phon",
    "sex",
    "birth_year",
    "birth_month",
    "birth_day",
    "approximate",
    "place1",
    "place2",
    "carer1",
    "carer2",
)


def frame_of_columns(columns: dict[str, np.ndarray], variants: np.ndarray) -> Frame:
    """The matcher's frame from profile columns (integers, -1 for a missing code) and (code, variant) rows."""
    return Frame.from_codes(
        columns["child_id"],
        given_exact=columns["given_exact"],
        given_phon=columns["given_phon"],
        family_exact=columns["family_exact"],
        family_phon=columns["family_phon"],
        sex=columns["sex"],
        year=columns["birth_year"],
        month=columns["birth_month"],
        day=columns["birth_day"],
        approximate=columns["approximate"].astype(bool),
        place1=columns["place1"],
        place2=columns["place2"],
        carer1=columns["carer1"],
        carer2=columns["carer2"],
        variant_code=variants[:, 0],
        variant_key=variants[:, 1],
    )


def keyed(kind: str, code: str) -> int | None:
    if not code:
        return None
    return _keyed(settings.KINGA_BLIND_INDEX_KEY, kind, code)


# Names repeat (a thousand family names cover most children): a registry load or reindex computes each
# code's HMAC once. The key is part of the cache key, so a rotated key never meets a stale code.
@lru_cache(maxsize=262_144)
def _keyed(key: str, kind: str, code: str) -> int:
    digest = hmac.digest(key.encode("utf-8"), f"registry:{kind}:{code}".encode(), hashlib.sha256)
    return int.from_bytes(digest[:8], "big") & _MASK


@lru_cache(maxsize=65_536)
def _variant_rows(key: str, phon: str) -> tuple[tuple[int, int], ...]:
    code = _keyed(key, "phon", phon)
    return tuple((code, _keyed(key, "variant", v)) for v in deletion_variants(phon))


def caregiver_names(caregivers) -> str:
    for carer in caregivers or ():
        name = (carer or {}).get("name") if isinstance(carer, dict) else None
        if name:
            return str(name)
    return ""


def place_ids(place) -> tuple[int | None, int | None]:
    if place is None:
        return None, None
    return place.pk, place.parent_id


def profile_values(
    *,
    given_name: str = "",
    family_name: str = "",
    middle_name: str = "",
    sex: str = "",
    date_of_birth=None,
    estimated: bool = False,
    place=None,
    caregiver: str = "",
) -> tuple[dict, list[tuple[int, int]]]:
    """The profile columns of one identity, and the (code, variant) rows of its name vocabulary."""
    record = make_record(
        "",
        given_name=given_name,
        family_name=family_name or middle_name,
        sex=sex,
        birth_date=date_of_birth,
        caregiver=caregiver,
    )
    p1, p2 = place_ids(place)
    values = {
        "given_exact": keyed("exact", record.given_exact),
        "given_phon": keyed("phon", record.given_phon),
        "family_exact": keyed("exact", record.family_exact),
        "family_phon": keyed("phon", record.family_phon),
        "carer1": keyed("phon", record.caregiver[0]) if record.caregiver else None,
        "carer2": keyed("phon", record.caregiver[1]) if len(record.caregiver) > 1 else None,
        "place1": p1,
        "place2": p2,
        "sex": record.sex,
        "birth_year": record.year,
        "birth_month": record.month,
        "birth_day": record.day,
        "approximate": bool(estimated or record.approximate),
    }
    variants = []
    key = settings.KINGA_BLIND_INDEX_KEY
    for phon in {record.given_phon, record.family_phon} - {""}:
        variants.extend(_variant_rows(key, phon))
    return values, variants


def child_profile_values(child) -> tuple[dict, list[tuple[int, int]]]:
    return profile_values(
        given_name=child.given_name or "",
        family_name=child.family_name or "",
        middle_name=child.middle_name or "",
        sex=child.sex or "",
        date_of_birth=child.date_of_birth,
        estimated=child.date_of_birth_estimated,
        place=child.residence or child.place_of_origin,
        caregiver=caregiver_names(child.caregivers),
    )


def save_profiles(children: Iterable, *, batch_size: int = 2000) -> int:
    """Create or refresh the profiles of these children (bulk; used on save, by synth and by reindex)."""
    count = 0
    profiles, variants = [], set()
    fields = None
    for child in children:
        values, child_variants = child_profile_values(child)
        fields = fields or list(values)
        profiles.append(MatchProfile(child_id=child.pk, **values))
        variants.update(child_variants)
        if len(profiles) >= batch_size:
            count += _flush(MatchProfile, NameVariant, profiles, variants, fields)
            profiles, variants = [], set()
    if profiles:
        count += _flush(MatchProfile, NameVariant, profiles, variants, fields)
    return count


def _flush(MatchProfile, NameVariant, profiles, variants, fields) -> int:
    MatchProfile.objects.bulk_create(
        profiles, update_conflicts=True, unique_fields=["child"], update_fields=[*fields, "updated_at"]
    )
    NameVariant.objects.bulk_create(
        [NameVariant(code=c, variant=v) for c, v in variants], ignore_conflicts=True, batch_size=5000
    )
    return len(profiles)

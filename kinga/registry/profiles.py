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
from django.db import connection as default_connection

from kinga.cases.models import Child

from .matching import Frame
from .matching.normalise import LEAD_LETTERS, Record, deletion_variants, make_record, name_parts
from .models import MatchProfile, NameVariant

_MASK = (1 << 63) - 1

# The name parts' columns (MatchProfile): what the name levels below one edit compare (an initial, a name written
# short, a part more or less; kinga.registry.matching.scoring).
NAME_PART_COLUMNS = tuple(
    f"{name}_{what}"
    for name in ("given", "family")
    for what in ("part1", "part2", *(f"lead{k}" for k in range(1, LEAD_LETTERS + 1)), "lead_len")
)

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
    *NAME_PART_COLUMNS,
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
        name_parts=name_parts_of_columns(columns),
    )


def name_parts_of_columns(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The frame's name parts (Frame.from_codes) from the profile columns: the same comparison as a file's."""
    out = {}
    for name in ("given", "family"):
        out[f"{name}_part1"] = columns[f"{name}_part1"]
        out[f"{name}_part2"] = columns[f"{name}_part2"]
        out[f"{name}_lead"] = np.column_stack(
            [columns[f"{name}_lead{k}"] for k in range(1, LEAD_LETTERS + 1)]
        ).reshape(-1, LEAD_LETTERS)
        out[f"{name}_lead_len"] = columns[f"{name}_lead_len"]
    return out


def name_part_values(record: Record) -> dict:
    """The name parts' profile columns of a normalised record: the keyed codes of the same parts and leading
    letters that the file path compares as plaintext codes (kinga.registry.matching.frame.FrameBuilder)."""
    values = {}
    for name, parts, lead in (
        ("given", record.given_parts, record.given_lead),
        ("family", record.family_parts, record.family_lead),
    ):
        values[f"{name}_part1"] = keyed("phon", parts[0]) if parts else None
        values[f"{name}_part2"] = keyed("phon", parts[1]) if len(parts) > 1 else None
        for k in range(1, LEAD_LETTERS + 1):
            values[f"{name}_lead{k}"] = keyed("lead", lead[:k]) if len(lead) >= k else None
        values[f"{name}_lead_len"] = len(lead)
    return values


def name_part_values_of(given_name: str, family_name: str, middle_name: str = "") -> dict:
    """name_part_values of a child's names (as profile_values reads them), without the rest of the record."""
    g_parts, g_lead = name_parts(given_name or "")
    f_parts, f_lead = name_parts(family_name or middle_name or "")
    return name_part_values(
        Record("", given_parts=g_parts, given_lead=g_lead, family_parts=f_parts, family_lead=f_lead)
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
        **name_part_values(record),
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


def fill_name_parts(child_model=None, *, connection=None, batch_size: int = 20_000) -> int:
    """Compute the name parts' columns of every stored profile (after the migration that added them, or to
    repair them): the names are decrypted in memory a chunk of children at a time, their parts keyed, and the
    profiles updated by one statement per chunk (PostgreSQL: COPY into a temporary table, then UPDATE … FROM;
    no statement per child). `child_model` and `connection`: the migration's historical model and connection."""
    child_model = child_model or Child
    connection = connection or default_connection
    columns = NAME_PART_COLUMNS
    children = (
        child_model.objects.filter(match_profile__isnull=False)
        .order_by("pk")
        .values_list("pk", "given_name", "family_name", "middle_name")
    )
    done = 0
    chunk: list[tuple] = []

    def flush() -> None:
        nonlocal done
        if not chunk:
            return
        if connection.vendor == "postgresql":
            _update_postgresql(connection, columns, chunk)
        else:
            _update_portable(connection, columns, chunk)
        done += len(chunk)
        chunk.clear()

    for pk, given, family, middle in children.iterator(chunk_size=batch_size):
        values = name_part_values_of(given or "", family or "", middle or "")
        chunk.append((pk, *(values[c] for c in columns)))
        if len(chunk) >= batch_size:
            flush()
    flush()
    return done


def _update_postgresql(connection, columns, rows) -> None:
    types = ", ".join(f"{c} {'smallint' if c.endswith('_len') else 'bigint'}" for c in columns)
    assignments = ", ".join(f"{c} = t.{c}" for c in columns)
    with connection.cursor() as wrapper:
        wrapper.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS registry_name_parts (child_id bigint, {types})"
        )
        wrapper.execute("TRUNCATE registry_name_parts")
        with wrapper.cursor.copy(
            f"COPY registry_name_parts (child_id, {', '.join(columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        wrapper.execute(
            f"UPDATE registry_matchprofile p SET {assignments} FROM registry_name_parts t "  # noqa: S608
            "WHERE p.child_id = t.child_id"
        )


def _update_portable(connection, columns, rows) -> None:
    # SQLite (development, tests): one executemany per chunk
    assignments = ", ".join(f"{c} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE registry_matchprofile SET {assignments} WHERE child_id = %s",  # noqa: S608
            [(*row[1:], row[0]) for row in rows],
        )

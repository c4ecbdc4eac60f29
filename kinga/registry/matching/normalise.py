"""Record normalisation: one plaintext record → the comparable keys of the matcher.

Names go through kinga.core.crypto (the same normalisation and Congolese phonetic code as the blind
indexes), so that a record normalised here from a file and a child indexed in the database yield the
same keys. Nothing here logs or stores a value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from kinga.core import clock
from kinga.core.crypto import name_tokens, normalise
from kinga.core.crypto import phonetic as _phonetic

# The same few thousand name tokens come back in every record (caregivers' full names do not, their
# tokens do): the phonetic code of each is computed once.
phonetic = lru_cache(maxsize=100_000)(_phonetic)

# Words that say what kind of place it is, not which one: "Village Kanina" and "Kanina" are one place.
PLACE_STOPWORDS = frozenset(
    [
        "village",
        "quartier",
        "cite",
        "camp",
        "site",
        "centre",
        "center",
        "carriere",
        "chantier",
        "localite",
        "groupement",
        "secteur",
        "chefferie",
        "commune",
        "avenue",
        "av",
        "rue",
        "q",
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "l",
        "d",
        "et",
        "a",
        "au",
        "aux",
        "sur",
        "pres",
        "mine",
        "puits",
    ]
)


@dataclass(slots=True)
class Record:
    """A normalised record. Codes are strings here; the frame turns them into integers."""

    id: str
    given_exact: str = ""
    given_phon: str = ""
    family_exact: str = ""
    family_phon: str = ""
    sex: int = 0  # 0 unknown, 1 male, 2 female
    year: int = 0  # 0 unknown
    month: int = 0
    day: int = 0
    approximate: bool = False  # year estimated from an age: compared with a tolerance, never exactly
    place: tuple[str, ...] = ()  # phonetic codes of the significant tokens, at most two
    caregiver: tuple[str, ...] = ()  # phonetic codes of the caregiver's name tokens, at most two
    # Name parts, for names written short or with a part more or less: the phonetic codes of the first two
    # tokens as written, and the first token's leading letters (an initial, a truncation, a shortened form).
    given_parts: tuple[str, ...] = ()
    given_lead: str = ""
    family_parts: tuple[str, ...] = ()
    family_lead: str = ""


@lru_cache(maxsize=200_000)
def name_codes(text: str) -> tuple[str, str]:
    """(exact, phonetic) codes of a name field; token order inside one field does not matter."""
    tokens = name_tokens(text or "")
    if not tokens:
        return "", ""
    return " ".join(sorted(tokens)), " ".join(sorted(phonetic(t) for t in tokens))


LEAD_LETTERS = 6  # a name written shorter than another is compared on at most this many leading letters


@lru_cache(maxsize=200_000)
def name_parts(text: str) -> tuple[tuple[str, ...], str]:
    """(phonetic codes of the first two tokens as written, the first token's first LEAD_LETTERS letters and
    its length) of a name field: "Jean-Pierre" shares a part with "Jean"; "J." and "Kab" are written short."""
    tokens = name_tokens(text or "")
    if not tokens:
        return (), ""
    return tuple(phonetic(t) for t in tokens[:2]), tokens[0][: LEAD_LETTERS + 1]


@lru_cache(maxsize=100_000)
def place_codes(text: str) -> tuple[str, ...]:
    tokens = [t for t in normalise(text or "").split() if t not in PLACE_STOPWORDS and len(t) > 1]
    codes = sorted({phonetic(t) for t in tokens}, key=lambda c: (-len(c), c))
    return tuple(codes[:2])


@lru_cache(maxsize=200_000)
def person_codes(text: str) -> tuple[str, ...]:
    codes = sorted({phonetic(t) for t in name_tokens(text or "") if len(t) > 1}, key=lambda c: (-len(c), c))
    return tuple(codes[:2])


def parse_sex(value: str | None) -> int:
    value = (value or "").strip().upper()[:1]
    return {"M": 1, "H": 1, "F": 2}.get(value, 0)


_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[ T])")
_FRENCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")


def read_birth_date(value) -> tuple[int, int, int, bool]:
    """(year, month, day, damaged) of a birth date as registries write it: ISO (2014-03-07, with or without a
    time), French (07/03/2014), a bare year, or a date. A part that cannot be one (month 13, 30 February) is kept
    as unknown and the date marked damaged, its other parts still compared: a typo makes two records of one child
    less alike, not strangers. Text that holds no date at all gives an unknown date, damaged."""
    if value is None or value == "":
        return 0, 0, 0, False
    if isinstance(value, dt.date):
        return value.year, value.month, value.day, False
    return _read_date_text(str(value).strip())


@lru_cache(maxsize=100_000)  # a few thousand distinct dates fill a registry of a million children
def _read_date_text(text: str) -> tuple[int, int, int, bool]:
    if not text:
        return 0, 0, 0, False
    if found := _ISO_DATE.match(text):
        year, month, day = (int(x) for x in found.groups())
    elif found := _FRENCH_DATE.match(text):
        day, month, year = (int(x) for x in found.groups())
    elif found := _YEAR.match(text):
        return int(found.group(1)), 0, 0, False
    else:
        return 0, 0, 0, True
    if not 1800 <= year <= 2200:
        return 0, 0, 0, True
    if not 1 <= month <= 12:
        return year, 0, 0, True
    try:
        dt.date(year, month, day)
    except ValueError:
        return year, month, 0, True
    return year, month, day, False


def parse_birth_date(value) -> tuple[int, int, int]:
    """(year, month, day) of a birth date (`read_birth_date`), unknown parts 0."""
    return read_birth_date(value)[:3]


def make_record(
    id: str,
    *,
    given_name: str = "",
    family_name: str = "",
    sex: str | int | None = None,
    birth_date=None,
    age: int | float | str | None = None,
    place: str = "",
    caregiver: str = "",
    reference_year: int | None = None,
) -> Record:
    """Normalise one record. Raises ValueError on a value that cannot be read (a bad date or age)."""
    g_exact, g_phon = name_codes(given_name or "")
    f_exact, f_phon = name_codes(family_name or "")
    g_parts, g_lead = name_parts(given_name or "")
    f_parts, f_lead = name_parts(family_name or "")
    year, month, day, damaged = read_birth_date(birth_date)
    approximate = damaged and year > 0  # a damaged date's year is compared with a tolerance, like an estimate
    if not year and age not in (None, ""):
        years = float(str(age).replace(",", "."))
        if not 0 <= years < 120:
            raise ValueError(f"age out of range: {years:g}")
        year = (reference_year or clock.today().year) - int(years)
        approximate = True
    elif year and month == 0:
        approximate = True
    return Record(
        id=str(id),
        given_exact=g_exact,
        given_phon=g_phon,
        family_exact=f_exact,
        family_phon=f_phon,
        sex=sex if isinstance(sex, int) else parse_sex(sex),
        year=year,
        month=month,
        day=day,
        approximate=approximate,
        place=place_codes(place or ""),
        caregiver=person_codes(caregiver or ""),
        given_parts=g_parts,
        given_lead=g_lead,
        family_parts=f_parts,
        family_lead=f_lead,
    )


def deletion_variants(code: str) -> set[str]:
    """The code and every code with one letter removed: two codes within one edit share one of them."""
    code = code.replace(" ", "")
    variants = {code}
    if len(code) > 2:  # below that, one edit turns any short name into another
        variants.update(code[:i] + code[i + 1 :] for i in range(len(code)))
    return variants

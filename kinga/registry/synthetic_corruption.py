"""A second synthetic registry, its errors designed apart from synthetic.py's: the corruption models of the
record-linkage literature rather than our own field notes.

Sources of the error types (none tuned on Kinga's matcher): Christen & Vatsalan, "Flexible and extensible
generation and corruption of personal data" (GeCo, CIKM 2013) — keyboard, OCR and phonetic corruptors, missing
values, swapped attributes; Christen, "Data Matching" (Springer 2012), ch. 5 — nicknames, initials, truncation,
name-part changes; Tran, Vatsalan & Christen, "GeCo: an online personal data generator and corruptor" (2013) —
date digit errors; and the practice of merging case registers kept by several agencies (each agency collects
its own fields: one has no caregiver, one writes ages instead of birth dates, one scans paper forms).

The population (names, places, their Zipf frequencies) is the first generator's, so that the two registries
differ only by how their duplicates were damaged. Each duplicate is written by one of four organisations (its
field practice applies to all its records) and receives one to three corruptions drawn from ERRORS.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from .synthetic import PARAMETERS as FIRST_PARAMETERS
from .synthetic import family_names, given_names, place_names

PARAMETERS = {
    "share_registered_more_than_once": 0.20,
    "extra_registrations": {1: 0.7, 2: 0.3},
    "corruptions_per_duplicate": {1: 0.5, 2: 0.35, 3: 0.15},
    # relative weights of the corruption types (GeCo's attribute-level corruptors and Christen 2012, ch. 5)
    "errors": {
        "keyboard_typo": 0.16,  # AZERTY neighbour substituted, letter dropped, doubled or two letters transposed
        "ocr_confusion": 0.06,  # rn/m, cl/d, li/h, u/v, e/c...
        "phonetic_substitution": 0.10,  # ph/f, c/k, qu/k, s/z, é/e...
        "truncation": 0.05,  # a name cut after 3 to 5 letters
        "initial": 0.04,  # the given name as its initial
        "nickname": 0.05,  # Emmanuel/Manu, Joseph/Jojo...
        "extra_name_part": 0.07,  # a second given name or a postnom added, or dropped
        "names_swapped": 0.07,
        "missing_value": 0.14,  # one of given name, family name, sex, birth date, place, caregiver left blank
        "date_digit": 0.12,  # two digits of the year or of the day transposed, or one digit of the year wrong
        "date_day_month": 0.04,  # day and month swapped
        "date_near": 0.05,  # a few days or one month off
        "place_other": 0.05,  # another place (the child moved, or the mine site was written instead of the village)
    },
    "organisations": {
        "full": 0.4,  # every field
        "no_caregiver": 0.2,  # this organisation's form has no caregiver
        "ages": 0.2,  # writes an age in years for 80 % of its children, not a birth date
        "scanned": 0.2,  # paper forms read by OCR: one more OCR confusion in a name, half the time
    },
    "population": "as in synthetic.py: "
    + ", ".join(f"{k} {FIRST_PARAMETERS[k]}" for k in ("family_names", "given_names", "places")),
}

NICKNAMES = {
    "Emmanuel": "Manu",
    "Joseph": "Jojo",
    "Jean": "Jeannot",
    "Dieudonné": "Dido",
    "Bienvenu": "Bibi",
    "Christian": "Chris",
    "Patrick": "Pat",
    "Pascal": "Pasco",
    "Jonathan": "Jojo",
    "Alphonse": "Fofo",
    "Espérance": "Espe",
    "Marie": "Mimi",
    "Joséphine": "Fifi",
    "Gracia": "Gracie",
    "Grâce": "Gracia",
    "Daniel": "Dany",
    "Daniella": "Dany",
    "Nathalie": "Nath",
    "Augustin": "Gusto",
    "Benjamin": "Benji",
    "Élisabeth": "Babeth",
    "Bernadette": "Detty",
    "Christophe": "Chris",
    "Mireille": "Mimi",
    "Merveille": "Mervie",
    "Héritier": "Ritier",
    "Blaise": "Blaizo",
    "Trésor": "Tresso",
    "Prince": "Prinz",
    "Alain": "Alino",
}
_AZERTY = ["azertyuiop", "qsdfghjklm", "wxcvbn"]
_OCR = [("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl"), ("li", "h"), ("h", "li"), ("u", "v"), ("v", "u"),
        ("e", "c"), ("c", "e"), ("i", "l"), ("l", "i"), ("o", "a"), ("n", "ri")]  # fmt: skip
_PHONETIC = [("ph", "f"), ("f", "ph"), ("c", "k"), ("k", "c"), ("qu", "k"), ("s", "z"), ("z", "s"), ("é", "e"),
             ("è", "e"), ("e", "é"), ("ou", "w"), ("w", "ou"), ("y", "ie"), ("ch", "sh"), ("sh", "ch"), ("j", "dj"),
             ("g", "gu"), ("x", "ks"), ("th", "t"), ("au", "o")]  # fmt: skip


def _neighbours(letter: str) -> str:
    for r, row in enumerate(_AZERTY):
        if letter in row:
            c = row.index(letter)
            near = [row[c - 1] if c else "", row[c + 1] if c + 1 < len(row) else ""]
            for other in (r - 1, r + 1):
                if 0 <= other < len(_AZERTY) and c < len(_AZERTY[other]):
                    near.append(_AZERTY[other][c])
            return "".join(near)
    return "aeiou"


def keyboard_typo(name: str, rng: random.Random) -> str:
    if len(name) < 3:
        return name
    chars = list(name)
    pos = rng.randrange(len(chars))
    kind = rng.random()
    if kind < 0.45:
        near = _neighbours(chars[pos].lower())
        chars[pos] = rng.choice(near) if near else chars[pos]
    elif kind < 0.65:
        del chars[pos]
    elif kind < 0.8:
        chars.insert(pos, chars[pos])
    elif pos + 1 < len(chars):
        chars[pos], chars[pos + 1] = chars[pos + 1], chars[pos]
    return "".join(chars).capitalize()


def _substitute(name: str, table, rng: random.Random) -> str:
    lower = name.lower()
    options = [(a, b) for a, b in table if a in lower]
    if not options:
        return keyboard_typo(name, rng)
    a, b = rng.choice(options)
    starts = [i for i in range(len(lower)) if lower.startswith(a, i)]
    at = rng.choice(starts)
    return (lower[:at] + b + lower[at + len(a) :]).capitalize()


def ocr_confusion(name: str, rng: random.Random) -> str:
    return _substitute(name, _OCR, rng)


def phonetic_substitution(name: str, rng: random.Random) -> str:
    return _substitute(name, _PHONETIC, rng)


@dataclass
class CorruptedRecord:
    id: str
    child: int
    given_name: str
    family_name: str
    sex: str
    birth_date: dt.date | None
    place: str
    caregiver: str
    age: int | None = None
    organisation: str = "full"


def _corrupt_date(born: dt.date, rng: random.Random) -> dt.date:
    y, m, d = born.year, born.month, born.day
    kind = rng.random()
    if kind < 0.4:  # two digits of the year transposed (2012/2021), or of the day (12/21)
        if rng.random() < 0.6 and y % 100 // 10 != y % 10:
            y = y // 100 * 100 + (y % 10) * 10 + y % 100 // 10
        elif d >= 10 and d // 10 != d % 10:
            d = (d % 10) * 10 + d // 10
    else:  # one digit of the year wrong (the last, or the tens)
        if rng.random() < 0.7:
            y = y // 10 * 10 + rng.choice([x for x in range(10) if x != y % 10])
        else:
            y = y // 100 * 100 + rng.choice([x for x in range(3) if x != y % 100 // 10]) * 10 + y % 10
    try:
        return dt.date(y, m, d)
    except ValueError:
        return dt.date(y, m, min(d, 28))


def generate(records: int, *, seed: int = 1, today: dt.date = dt.date(2026, 1, 1)) -> list[CorruptedRecord]:
    rng = random.Random(seed * 7919 + 17)
    p = PARAMETERS
    families = family_names(FIRST_PARAMETERS["family_names"])
    givens = given_names(FIRST_PARAMETERS["given_names"])
    places = place_names(FIRST_PARAMETERS["places"])

    def weights(n, s, q):
        return list(itertools.accumulate(1.0 / (k + q) ** s for k in range(1, n + 1)))

    fw = weights(len(families), **FIRST_PARAMETERS["family_name_skew"])
    gw = weights(len(givens), **FIRST_PARAMETERS["given_name_skew"])
    pw = weights(len(places), **FIRST_PARAMETERS["place_skew"])
    orgs, org_w = zip(*p["organisations"].items(), strict=True)
    kinds, kind_w = zip(*p["errors"].items(), strict=True)
    counts, count_w = zip(*p["corruptions_per_duplicate"].items(), strict=True)
    start = dt.date(2008, 1, 1).toordinal()
    span = dt.date(2021, 12, 31).toordinal() - start
    out: list[CorruptedRecord] = []
    child = 0

    def written_by(org: str, r: CorruptedRecord) -> CorruptedRecord:
        r.organisation = org
        if org == "no_caregiver":
            r.caregiver = ""
        elif org == "ages" and r.birth_date and r.birth_date < today and rng.random() < 0.8:
            r.age = (today - r.birth_date).days // 365
            r.birth_date = None
        elif org == "scanned" and rng.random() < 0.5:
            if rng.random() < 0.5:
                r.given_name = ocr_confusion(r.given_name, rng) if r.given_name else r.given_name
            else:
                r.family_name = ocr_confusion(r.family_name, rng) if r.family_name else r.family_name
        return r

    while len(out) < records:
        child += 1
        given = rng.choices(givens, cum_weights=gw)[0]
        family = rng.choices(families, cum_weights=fw)[0]
        sex = rng.choice("MF")
        born = dt.date.fromordinal(start + rng.randrange(span))
        place = rng.choices(places, cum_weights=pw)[0]
        carer = (
            ""
            if rng.random() < 0.1
            else f"{rng.choices(givens, cum_weights=gw)[0]} "
            f"{family if rng.random() < 0.5 else rng.choices(families, cum_weights=fw)[0]}"
        )
        original = CorruptedRecord(f"r{len(out) + 1}", child, given, family, sex, born, place, carer)
        out.append(written_by(rng.choices(orgs, weights=org_w)[0], original))
        if rng.random() >= p["share_registered_more_than_once"]:
            continue
        extra = 1 if rng.random() < p["extra_registrations"][1] else 2
        for _ in range(extra):
            r = CorruptedRecord(f"r{len(out) + 1}", child, given, family, sex, born, place, carer)
            for kind in rng.choices(kinds, weights=kind_w, k=rng.choices(counts, weights=count_w)[0]):
                _apply(kind, r, rng, places, pw, givens, gw, families, fw)
            out.append(written_by(rng.choices(orgs, weights=org_w)[0], r))
    del out[records:]
    rng.shuffle(out)
    return out


def _apply(kind, r: CorruptedRecord, rng, places, pw, givens, gw, families, fw) -> None:
    name_field = "given_name" if rng.random() < 0.5 else "family_name"
    name = getattr(r, name_field)
    if kind in ("keyboard_typo", "ocr_confusion", "phonetic_substitution") and name:
        setattr(r, name_field, {"keyboard_typo": keyboard_typo, "ocr_confusion": ocr_confusion,
                                "phonetic_substitution": phonetic_substitution}[kind](name, rng))  # fmt: skip
    elif kind == "truncation" and len(name) > 5:
        setattr(r, name_field, name[: rng.randint(3, 5)])
    elif kind == "initial" and r.given_name:
        r.given_name = r.given_name[0] + "."
    elif kind == "nickname" and r.given_name:
        r.given_name = NICKNAMES.get(r.given_name, r.given_name[: max(3, len(r.given_name) // 2)])
    elif kind == "extra_name_part":
        if " " in name:
            setattr(r, name_field, name.split(" ")[0])
        elif name_field == "given_name":
            r.given_name = f"{name} {rng.choices(givens, cum_weights=gw)[0]}"
        else:
            r.family_name = f"{name} {rng.choices(families, cum_weights=fw)[0]}"
    elif kind == "names_swapped":
        r.given_name, r.family_name = r.family_name, r.given_name
    elif kind == "missing_value":
        setattr(r, rng.choice(["given_name", "family_name", "sex", "birth_date", "place", "caregiver"]), None)
        for f in ("given_name", "family_name", "sex", "place", "caregiver"):
            if getattr(r, f) is None:
                setattr(r, f, "")
    elif kind == "date_digit" and r.birth_date:
        r.birth_date = _corrupt_date(r.birth_date, rng)
    elif (
        kind == "date_day_month"
        and r.birth_date
        and r.birth_date.day <= 12
        and r.birth_date.day != r.birth_date.month
    ):
        r.birth_date = r.birth_date.replace(month=r.birth_date.day, day=r.birth_date.month)
    elif kind == "date_near" and r.birth_date:
        r.birth_date += dt.timedelta(days=rng.choice([-1, 1]) * rng.choice([1, 2, 3, 30, 31]))
    elif kind == "place_other":
        r.place = rng.choices(places, cum_weights=pw)[0]

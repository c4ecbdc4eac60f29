"""The seeded synthetic registry: children registered one to three times, with the mistakes of the field.

Used by the benchmark (bench/bench_registry.py, side by side with splink) and by `kinga synth`.
Every parameter is in PARAMETERS and published in docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from kinga.core.synth import FAMILY_NAMES, GIVEN_NAMES

PARAMETERS = {
    "share_registered_more_than_once": 0.20,
    "extra_registrations": {1: 0.7, 2: 0.3},  # a duplicated child has 2 or 3 records
    "errors_per_duplicate": {
        "names_swapped": 0.10,
        "one_letter_edit": 0.30,
        "spelling_variant": 0.30,
        "birth_date_missing": 0.20,
        "birth_year_off_by_one": 0.15,
        "day_month_swapped": 0.05,
        "place_variant": 0.20,
    },
    "family_names": 1000,
    "given_names": 400,
    "places": 600,
    # Zipf–Mandelbrot p(k) ∝ 1/(k+q)^s by rank k: a few names are common, most are rare.
    "family_name_skew": {"s": 1.0, "q": 10},
    "given_name_skew": {"s": 1.0, "q": 5},
    "place_skew": {"s": 0.8, "q": 5},
    "birth_dates": "uniform 2008-01-01 … 2021-12-31",
    "caregiver_missing": 0.10,
    "caregiver_same_family_name": 0.5,
}

MORE_GIVEN = [
    "Alain",
    "Albert",
    "Alice",
    "Alphonse",
    "André",
    "Angèle",
    "Anne",
    "Antoine",
    "Arlette",
    "Astrid",
    "Augustin",
    "Bernadette",
    "Bernard",
    "Béatrice",
    "Benjamin",
    "Bienvenu",
    "Bijou",
    "Brigitte",
    "Carine",
    "Caroline",
    "Céline",
    "Charles",
    "Christian",
    "Christophe",
    "Claude",
    "Claudine",
    "Clément",
    "Colette",
    "Constant",
    "Daniella",
    "Delphine",
    "Denis",
    "Désiré",
    "Dorcas",
    "Dorothée",
    "Edith",
    "Élie",
    "Élise",
    "Emery",
    "Emmanuella",
    "Éric",
    "Ernest",
    "Estelle",
    "Étienne",
    "Eugène",
    "Évariste",
    "Fabrice",
    "Félicité",
    "Félix",
    "Fernand",
    "Florence",
    "Francis",
    "François",
    "Gabriel",
    "Gaston",
    "Gédéon",
    "Georges",
    "Gérard",
    "Germain",
    "Gertrude",
    "Gilbert",
    "Gisèle",
    "Guy",
    "Hélène",
    "Henri",
    "Hervé",
    "Honoré",
    "Hortense",
    "Hugues",
    "Innocent",
    "Irène",
    "Isaac",
    "Jacqueline",
    "Jérémie",
    "Joachim",
    "Joëlle",
    "Jonas",
    "Jonathan",
    "Josée",
    "Judith",
    "Jules",
    "Julie",
    "Julien",
    "Justin",
    "Laurent",
    "Léa",
    "Léon",
    "Léonard",
    "Lucie",
    "Lydie",
    "Madeleine",
    "Marc",
    "Marcel",
    "Marthe",
    "Martin",
    "Mathieu",
    "Michel",
    "Micheline",
    "Mireille",
    "Modeste",
    "Monique",
    "Nadine",
    "Nicolas",
    "Noël",
    "Odette",
    "Olivier",
    "Pascal",
    "Patience",
    "Pauline",
    "Philippe",
    "Placide",
    "Prisca",
    "Rebecca",
    "Régine",
    "Richard",
    "Robert",
    "Roger",
    "Rose",
    "Sandrine",
    "Sylvain",
    "Sylvie",
    "Thérèse",
    "Thomas",
    "Victor",
    "Vincent",
    "Virginie",
    "Yannick",
    "Yves",
    "Zoé",
    "Gloria",
    "Précieux",
    "Destin",
    "Béni",
    "Bénie",
    "Christ",
    "Divine",
    "Dorcas",
    "Elikia",
    "Fidèle",
    "Jonathan",
]

# Syllables of Luba, Lunda, Bemba and Swahili names, to extend the real lists combinatorially.
_PREFIXES = [
    "Ka",
    "Ki",
    "Ku",
    "Ma",
    "Mu",
    "Mwa",
    "Ba",
    "Bu",
    "Lu",
    "Lwa",
    "Ngo",
    "Nku",
    "Tshi",
    "Chi",
    "I",
    "Mbu",
    "Nga",
    "Ya",
    "Si",
    "Sa",
    "Ke",
    "Ntu",
    "Mpa",
    "Kya",
    "Ilu",
]
_STEMS = [
    "bamba",
    "songo",
    "lenga",
    "tumba",
    "yembe",
    "bangu",
    "lunda",
    "bwe",
    "pinga",
    "sanga",
    "lala",
    "nyinda",
    "bemba",
    "konde",
    "mbala",
    "langa",
    "tembo",
    "seba",
    "fumu",
    "lombo",
    "yoyo",
    "wawa",
    "kuta",
    "mina",
    "nzaji",
    "landa",
    "nsele",
    "tanda",
    "lemba",
    "kole",
    "yumba",
    "pasa",
    "jinga",
    "tamba",
    "lungu",
    "nkole",
    "sela",
    "mbo",
    "dinga",
    "shala",
]
_GIVEN_STEMS = [
    "furaha",
    "neema",
    "baraka",
    "amani",
    "zawadi",
    "sifa",
    "tumaini",
    "faraja",
    "riziki",
    "bahati",
    "upendo",
    "imani",
    "kheri",
    "rehema",
    "shukuru",
    "tabu",
    "uzima",
    "wema",
]


def _unique(names) -> list[str]:
    seen, out = set(), []
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out


def family_names(count: int) -> list[str]:
    generated = (p + s for s, p in itertools.product(_STEMS, _PREFIXES))
    return _unique(itertools.chain(FAMILY_NAMES, generated))[:count]


def given_names(count: int) -> list[str]:
    bantu = (p + s for s, p in itertools.product(_STEMS[1::2], _PREFIXES[::2]))
    swahili = (s.capitalize() for s in _GIVEN_STEMS)
    return _unique(itertools.chain(GIVEN_NAMES, MORE_GIVEN, swahili, bantu))[:count]


def place_names(count: int) -> list[str]:
    generated = (p + s for s, p in itertools.product(_STEMS[::-1], _PREFIXES[::-1]))
    real = [
        "Kolwezi",
        "Kanina",
        "Kasulo",
        "Musompo",
        "Mutshatsha",
        "Lualaba",
        "Kapata",
        "Mwangeji",
        "Kisanfu",
        "Luilu",
        "Fungurume",
        "Tenke",
        "Kakanda",
        "Lubudi",
        "Bunkeya",
        "Dilala",
        "Manika",
        "Kasaji",
        "Dilolo",
        "Sandoa",
        "Kapanga",
        "Tshala",
        "Mulundu",
        "Kando",
        "Mupanja",
        "Kabulungu",
    ]
    return _unique(itertools.chain(real, (g.replace("wa", "ka") for g in generated)))[:count]


def _zipf_weights(n: int, s: float, q: float) -> list[float]:
    return [1.0 / (k + q) ** s for k in range(1, n + 1)]


# Congolese spelling variants, both directions.
_VARIANTS = [
    ("tsh", "ch"),
    ("ch", "tsh"),
    ("ou", "u"),
    ("u", "ou"),
    ("w", "u"),
    ("y", "i"),
    ("i", "y"),
    ("mb", "mmb"),
    ("ng", "nng"),
    ("l", "ll"),
    ("k", "kk"),
    ("sh", "ch"),
]
_LETTERS = "abcdefghijklmnoprstuvwyz"


def spelling_variant(name: str, rng: random.Random) -> str:
    lower = name.lower()
    options = [(a, b) for a, b in _VARIANTS if a in lower]
    if not options:
        return name
    a, b = rng.choice(options)
    at = lower.index(a)
    result = lower[:at] + b + lower[at + len(a) :]
    return result.capitalize()


def one_letter_edit(name: str, rng: random.Random) -> str:
    if len(name) < 3:
        return name
    chars = list(name.lower())
    pos = rng.randrange(1, len(chars))  # the first letter is the one people get right
    op = rng.random()
    if op < 0.5:
        chars[pos] = rng.choice([c for c in _LETTERS if c != chars[pos]])
    elif op < 0.75:
        del chars[pos]
    else:
        chars.insert(pos, rng.choice(_LETTERS))
    return "".join(chars).capitalize()


def place_variant(place: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.35:
        return rng.choice(["Village ", "Quartier ", "Cité ", "Site "]) + place
    if r < 0.55:
        return place + rng.choice([" centre", " village", " (carrière)"])
    if r < 0.8:
        return spelling_variant(place, rng) if spelling_variant(place, rng) != place else place.upper()
    return one_letter_edit(place, rng)


@dataclass
class SyntheticRecord:
    id: str
    child: int  # the truth: records of one child share it
    given_name: str
    family_name: str
    sex: str
    birth_date: dt.date | None
    place: str
    caregiver: str


def generate(records: int, *, seed: int = 1) -> list[SyntheticRecord]:
    """About `records` records; ~20 % of children registered 2–3 times with field errors."""
    rng = random.Random(seed)
    p = PARAMETERS
    families = family_names(p["family_names"])
    givens = given_names(p["given_names"])
    places = place_names(p["places"])
    assert len(families) >= p["family_names"] and len(givens) >= p["given_names"], "name lists too short"
    fw = list(itertools.accumulate(_zipf_weights(len(families), **p["family_name_skew"])))
    gw = list(itertools.accumulate(_zipf_weights(len(givens), **p["given_name_skew"])))
    pw = list(itertools.accumulate(_zipf_weights(len(places), **p["place_skew"])))
    start = dt.date(2008, 1, 1).toordinal()
    span = dt.date(2021, 12, 31).toordinal() - start
    errors = p["errors_per_duplicate"]
    out: list[SyntheticRecord] = []
    child = 0
    while len(out) < records:
        child += 1
        given = rng.choices(givens, cum_weights=gw)[0]
        family = rng.choices(families, cum_weights=fw)[0]
        sex = rng.choice("MF")
        born = dt.date.fromordinal(start + rng.randrange(span))
        place = rng.choices(places, cum_weights=pw)[0]
        if rng.random() < p["caregiver_missing"]:
            carer = ""
        else:
            carer_family = (
                family
                if rng.random() < p["caregiver_same_family_name"]
                else rng.choices(families, cum_weights=fw)[0]
            )
            carer = f"{rng.choices(givens, cum_weights=gw)[0]} {carer_family}"
        out.append(SyntheticRecord(f"r{len(out) + 1}", child, given, family, sex, born, place, carer))
        if rng.random() >= p["share_registered_more_than_once"]:
            continue
        extra = 1 if rng.random() < p["extra_registrations"][1] else 2
        for _ in range(extra):
            g, f, b, pl = given, family, born, place
            if rng.random() < errors["one_letter_edit"]:
                if rng.random() < 0.5:
                    g = one_letter_edit(g, rng)
                else:
                    f = one_letter_edit(f, rng)
            if rng.random() < errors["spelling_variant"]:
                if rng.random() < 0.5:
                    f2 = spelling_variant(f, rng)
                    f, g = (f2, g) if f2 != f else (f, spelling_variant(g, rng))
                else:
                    g2 = spelling_variant(g, rng)
                    g, f = (g2, f) if g2 != g else (g, spelling_variant(f, rng))
            if rng.random() < errors["names_swapped"]:
                g, f = f, g
            if b is not None and rng.random() < errors["birth_year_off_by_one"]:
                try:
                    b = b.replace(year=b.year + rng.choice((-1, 1)))
                except ValueError:  # 29 February
                    b = b.replace(day=28, year=b.year + 1)
            if (
                b is not None
                and rng.random() < errors["day_month_swapped"]
                and b.day <= 12
                and b.day != b.month
            ):
                b = b.replace(month=b.day, day=b.month)
            if rng.random() < errors["birth_date_missing"]:
                b = None
            if rng.random() < errors["place_variant"]:
                pl = place_variant(pl, rng)
            out.append(SyntheticRecord(f"r{len(out) + 1}", child, g, f, sex, b, pl, carer))
    del out[records:]
    rng.shuffle(out)
    return out


def true_pairs(records: list[SyntheticRecord]) -> set[tuple[str, str]]:
    by_child: dict[int, list[str]] = {}
    for r in records:
        by_child.setdefault(r.child, []).append(r.id)
    pairs = set()
    for ids in by_child.values():
        for a, b in itertools.combinations(sorted(ids), 2):
            pairs.add((a, b))
    return pairs

"""`kinga synth`: realistic synthetic data at a named scale, for demos and benchmarks.

Generators are registered by each app (kinga.core.plugins.register_synth_generator) and run in order.
They bulk-insert and write no audit rows: synthetic data is not user activity.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from kinga.core.synth_clone import CLONED_KEYS, factor_for

# Sizes at each scale; each app reads the ones it needs and may add its own keys.
SCALES: dict[str, dict[str, int]] = {
    "demo": {
        "organisations": 8,
        "users_per_org": 6,
        "children": 300,
        "case_follow_ups": 1_500,
        "households": 200,
        "sites": 60,
        "inspections": 300,
        "networks": 10,
        "alerts": 80,
        "sessions": 40,
        "fourw": 100,
        "cooperatives": 10,
        "lots": 500,
        "budget_transactions": 100,
        "progress_reports": 60,
        "household_members": 1_000,
        "household_enrolments": 150,
    },
    "province": {
        "organisations": 40,
        "users_per_org": 20,
        "children": 50_000,
        "case_follow_ups": 250_000,
        "households": 25_000,
        "sites": 1_000,
        "inspections": 20_000,
        "networks": 200,
        "alerts": 5_000,
        "sessions": 2_000,
        "fourw": 10_000,
        "cooperatives": 200,
        "lots": 100_000,
        "budget_transactions": 2_000,
        "progress_reports": 1_000,
        "household_members": 125_000,
        "household_enrolments": 15_000,
    },
    "national": {
        "organisations": 200,
        "users_per_org": 40,
        "children": 1_000_000,
        "case_follow_ups": 5_000_000,
        "households": 500_000,
        "sites": 10_000,
        "inspections": 200_000,
        "networks": 2_000,
        "alerts": 50_000,
        "sessions": 20_000,
        "fourw": 100_000,
        "cooperatives": 2_000,
        "lots": 1_000_000,
        "budget_transactions": 10_000,
        "progress_reports": 5_000,
        "household_members": 2_500_000,
        "household_enrolments": 300_000,
    },
}

# Names heard in Lualaba (Luba, Lunda, Chokwe, Swahili, Bemba). Given names mix Christian and Bantu names.
FAMILY_NAMES = [
    "Ilunga",
    "Kabwe",
    "Mwamba",
    "Tshibangu",
    "Kasongo",
    "Mutombo",
    "Kalala",
    "Ngoy",
    "Mbuyu",
    "Kabila",
    "Mukendi",
    "Nday",
    "Kazadi",
    "Banza",
    "Mulumba",
    "Kayembe",
    "Tshisekedi",
    "Lukusa",
    "Kapinga",
    "Musonda",
    "Mwansa",
    "Chanda",
    "Mulenga",
    "Bwalya",
    "Kalenga",
    "Kitenge",
    "Mpanga",
    "Numbi",
    "Kyungu",
    "Mumba",
    "Katanga",
    "Kahilu",
    "Mukalay",
    "Sangwa",
    "Mwape",
    "Kapend",
    "Tshiamo",
    "Yav",
    "Mwanza",
    "Katumba",
    "Kilolo",
    "Mbayo",
    "Lenge",
    "Kabamba",
    "Kaumba",
    "Mwilambwe",
    "Kasanda",
    "Kanyinda",
    "Tshilombo",
    "Muteba",
    "Kabongo",
    "Mpoyi",
    "Kalonji",
    "Tshimanga",
    "Mbala",
    "Kabeya",
    "Ngandu",
    "Kashala",
    "Mujinga",
    "Masengo",
    "Kanku",
    "Kibambe",
    "Lumbala",
    "Mulopo",
    "Mwenze",
    "Kasole",
    "Mukadi",
    "Tshiyoyo",
    "Muyumba",
    "Kamwanya",
    "Kaseba",
    "Ngoie",
    "Kiluba",
    "Kambaj",
    "Mukanz",
    "Muland",
    "Chiwaya",
    "Samutumba",
    "Katshunga",
    "Mayamba",
    "Kyabu",
    "Nkulu",
    "Mpiana",
    "Tshikala",
    "Ilunga",
]
GIVEN_NAMES = [
    "Jean",
    "Marie",
    "Joseph",
    "Pierre",
    "Paul",
    "Jacques",
    "Patrick",
    "Didier",
    "Serge",
    "Trésor",
    "Grâce",
    "Espoir",
    "Merveille",
    "Joël",
    "Fiston",
    "Dieudonné",
    "Christelle",
    "Rachel",
    "Esther",
    "Sarah",
    "Ruth",
    "Deborah",
    "Naomie",
    "Chantal",
    "Francine",
    "Jeanine",
    "Bénédicte",
    "Gloire",
    "Héritier",
    "Exaucé",
    "Prince",
    "Josué",
    "David",
    "Daniel",
    "Samuel",
    "Moïse",
    "Aaron",
    "Emmanuel",
    "Junior",
    "Cédric",
    "Blaise",
    "Arsène",
    "Rodrigue",
    "Kevin",
    "Glodi",
    "Mamie",
    "Nathalie",
    "Sifa",
    "Furaha",
    "Neema",
    "Baraka",
    "Amani",
    "Imani",
    "Riziki",
    "Zawadi",
    "Tumaini",
    "Bahati",
    "Faraja",
    "Kisimba",
    "Mbuyi",
    "Mwadi",
    "Kapinga",
    "Ngalula",
    "Mujinga",
    "Kanyinda",
    "Mbombo",
    "Tshiala",
    "Kabedi",
    "Ntumba",
    "Ngoyi",
    "Mwamini",
    "Kalenga",
    "Mutumba",
]


@dataclass
class SynthContext:
    scale: str
    seed: int
    append: bool = False
    stdout: Any = None
    rng: random.Random = field(init=False)
    shared: dict[str, Any] = field(default_factory=dict)  # what one generator leaves for the next
    counts: dict[str, int] = field(default_factory=dict)  # rows inserted, by table

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def size(self, key: str) -> int:
        # At national scale the bulk records are generated as a base and multiplied in SQL (synth_clone).
        if key in CLONED_KEYS:
            return SCALES[self.scale][key] // factor_for(self.scale)
        return SCALES[self.scale][key]

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    def inserted(self, table: str, rows: int) -> None:
        self.counts[table] = self.counts.get(table, 0) + rows

    def family_name(self) -> str:
        # Zipf-like skew: a few names are very common, as in real registers.
        idx = min(int(self.rng.paretovariate(1.2)) - 1, len(FAMILY_NAMES) - 1)
        return FAMILY_NAMES[(idx * 7 + self.rng.randrange(3)) % len(FAMILY_NAMES)]

    def given_name(self) -> str:
        idx = min(int(self.rng.paretovariate(1.1)) - 1, len(GIVEN_NAMES) - 1)
        return GIVEN_NAMES[(idx * 5 + self.rng.randrange(2)) % len(GIVEN_NAMES)]


def batched(iterable, size: int = 5000):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch

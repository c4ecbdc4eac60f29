"""Reading a short coded SMS/USSD alert in French or Kiswahili into the community app's alert payload.

    ALERTE site 123, 3 enfants, urgent
    ALERTE site codmine00123 2 filles 1 garçon lavage
    TAHADHARI machimbo 123, watoto 3, dharura
    TAHADHARI mahali CD7201 wasichana 2

The keyword (ALERTE / ALERT / TAHADHARI) gives the language of the answer. Whatever is not understood is left to
the alert services, which check the payload exactly as they check the public form's (unknown site, no child,
too many children…)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

KEYWORDS = {"alerte": "fr", "alert": "fr", "signal": "fr", "tahadhari": "sw", "ripoti": "sw"}
# "SUIVI ABCD234567" / "FUATILIA ABCD234567": the reporter asks what became of an alert.
FOLLOW_UP_WORDS = {"suivi": "fr", "follow": "fr", "fuatilia": "sw", "ufuatiliaji": "sw"}
SITE_WORDS = {"site", "mine", "machimbo", "mgodi", "chimbo"}
PLACE_WORDS = {"lieu", "territoire", "mahali", "eneo", "wilaya"}
# (word, sex): "enfants" and "watoto" have no sex; the rest count girls and boys.
CHILD_WORDS = {
    "enfant": "",
    "enfants": "",
    "mtoto": "",
    "watoto": "",
    "fille": "F",
    "filles": "F",
    "msichana": "F",
    "wasichana": "F",
    "garcon": "M",
    "garcons": "M",
    "mvulana": "M",
    "wavulana": "M",
    "child": "",
    "children": "",
    "girl": "F",
    "girls": "F",
    "boy": "M",
    "boys": "M",
}
URGENCY_WORDS = {
    "urgent": "urgent",
    "urgence": "urgent",
    "danger": "urgent",
    "dharura": "urgent",
    "haraka": "urgent",
    "hatari": "urgent",
    "eleve": "high",
    "elevee": "high",
    "grave": "high",
    "juu": "high",
}
ACTIVITY_WORDS = {
    "creusage": "digging",
    "creuser": "digging",
    "kuchimba": "digging",
    "lavage": "washing",
    "laver": "washing",
    "kuosha": "washing",
    "transport": "carrying",
    "portage": "carrying",
    "kubeba": "carrying",
    "vente": "selling",
    "kuuza": "selling",
}
WORD = re.compile(r"[a-z0-9]+")


def _fold(text: str) -> str:
    """Lower case without accents: "Garçons ÉLEVÉE" → "garcons elevee"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass
class Parsed:
    language: str = "fr"
    has_keyword: bool = False
    follow_up_code: str = ""
    site: str = ""
    place: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    urgency: str = ""
    activity: str = ""

    @property
    def understood(self) -> bool:
        return self.has_keyword and bool(self.site or self.place) and sum(self.counts.values()) > 0

    def payload(self, text: str) -> dict[str, Any]:
        """The alert as the community services read it (children by sex, age band unknown)."""
        payload: dict[str, Any] = {
            "children": [
                {"sex": sex, "age_band": "", "count": count} for sex, count in sorted(self.counts.items())
            ],
            "description": text.strip()[:1000],
            "language": self.language,
        }
        if self.site:
            payload["site"] = self.site
        if self.place:
            payload["place"] = self.place
        if self.urgency:
            payload["urgency"] = self.urgency
        if self.activity:
            payload["activity"] = self.activity
        return payload


def parse(text: str) -> Parsed:
    words = WORD.findall(_fold(text))
    result = Parsed()
    if len(words) >= 2 and words[0] in FOLLOW_UP_WORDS:
        result.language = FOLLOW_UP_WORDS[words[0]]
        result.follow_up_code = "".join(words[1:]).upper()[:20]
        return result
    if words and words[0] in KEYWORDS:
        result.has_keyword = True
        result.language = KEYWORDS[words[0]]
        words = words[1:]
    elif any(w in ("watoto", "mtoto", "machimbo", "dharura", "mahali") for w in words):
        result.language = "sw"
    i = 0
    while i < len(words):
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else ""
        if word in SITE_WORDS and following:
            result.site = following
            i += 2
            continue
        if word in PLACE_WORDS and following:
            result.place = following
            i += 2
            continue
        if word.isdigit() and following in CHILD_WORDS:  # "3 enfants"
            sex = CHILD_WORDS[following]
            result.counts[sex] = result.counts.get(sex, 0) + int(word)
            i += 2
            continue
        if word in CHILD_WORDS and following.isdigit():  # "watoto 3"
            sex = CHILD_WORDS[word]
            result.counts[sex] = result.counts.get(sex, 0) + int(following)
            i += 2
            continue
        if word in URGENCY_WORDS:
            result.urgency = URGENCY_WORDS[word]
        elif word in ACTIVITY_WORDS:
            result.activity = ACTIVITY_WORDS[word]
        i += 1
    return result

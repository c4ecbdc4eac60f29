"""The forms' internal choice lists, built from the models' own choices so that a value the service accepts is a
value the form offers (and nothing else). French and English labels are the models' labels through their
translation catalogues; Kiswahili labels are written here, and a list value without one fails the tests."""

from __future__ import annotations

from django.db import models
from django.utils import translation

from kinga.cases.models import (
    Disability,
    Hazard,
    IdentificationMethod,
    RiskLevel,
    SchoolStatus,
    WorkActivity,
)
from kinga.community.models import Activity, Audience, SessionKind, Theme, Urgency
from kinga.core.people import Sex
from kinga.households.models import HousingType, IncomeSourceKind
from kinga.sites.models import DocumentCheck, Safety

from .spec import Label

# The list name in the XLSForm → the model's choices it offers.
ENUMS: dict[str, type[models.Choices]] = {
    "sex": Sex,
    "identification_method": IdentificationMethod,
    "work_activity": WorkActivity,
    "hazard": Hazard,
    "disability": Disability,
    "school_status": SchoolStatus,
    "risk": RiskLevel,
    "safety": Safety,
    "document_check": DocumentCheck,
    "housing": HousingType,
    "income_source": IncomeSourceKind,
    "urgency": Urgency,
    "activity": Activity,
    "session_kind": SessionKind,
    "theme": Theme,
    "audience": Audience,
}

# Answers that are not a model's choices: yes/no questions (the intake reads `yes` as True, `no` as False and
# `unknown` or no answer as None).
FIXED: dict[str, list[tuple[str, Label]]] = {
    "yes_no": [
        ("yes", Label("Oui", "Yes", "Ndiyo")),
        ("no", Label("Non", "No", "Hapana")),
    ],
    "yes_no_unknown": [
        ("yes", Label("Oui", "Yes", "Ndiyo")),
        ("no", Label("Non", "No", "Hapana")),
        ("unknown", Label("Ne sait pas", "Don't know", "Sijui")),
    ],
}

SWAHILI: dict[str, dict[str, str]] = {
    "sex": {"F": "Kike", "M": "Kiume"},
    "identification_method": {
        "site_inspection": "Ukaguzi wa machimbo",
        "community_alert": "Taarifa ya jamii",
        "self_referral": "Amejileta mwenyewe",
        "police": "Polisi au polisi wa migodi",
        "school": "Shule",
        "other": "Nyingine",
    },
    "work_activity": {
        "digging": "Kuchimba",
        "underground": "Kazi chini ya ardhi",
        "washing": "Kuosha madini",
        "sorting": "Kuchagua madini",
        "carrying": "Kubeba mizigo",
        "trading": "Biashara",
        "crushing": "Kuponda mawe",
        "other": "Nyingine",
    },
    "hazard": {
        "heavy_loads": "Mizigo mizito",
        "pits": "Mashimo na mahandaki",
        "dust": "Vumbi na kemikali zenye sumu",
        "water": "Maji machafu",
        "night_work": "Kazi ya usiku",
        "violence": "Ukatili au unyanyasaji",
        "drugs": "Pombe au madawa ya kulevya",
        "other": "Nyingine",
    },
    "disability": {
        "none": "Hakuna inayojulikana",
        "physical": "Ya kimwili",
        "sensory": "Ya kuona au kusikia",
        "intellectual": "Ya akili",
        "multiple": "Nyingi",
    },
    "school_status": {
        "never": "Hajawahi kwenda shule",
        "dropped_out": "Aliacha shule",
        "irregular": "Anahudhuria mara kwa mara tu",
        "attending": "Anahudhuria shule",
        "training": "Yuko katika mafunzo ya ufundi",
        "unknown": "Haijulikani",
    },
    "risk": {"low": "Chini", "medium": "Wastani", "high": "Juu"},
    "safety": {
        "none": "Hakuna tukio",
        "minor": "Tukio dogo",
        "serious": "Tukio kubwa (kifo, jeraha, kuporomoka)",
    },
    "document_check": {"present": "Ipo", "missing": "Haipo"},
    "housing": {
        "durable": "Imara (matofali, paa la bati)",
        "semi_durable": "Nusu imara (udongo, paa la bati)",
        "precarious": "Duni (nyasi, turubai)",
    },
    "income_source": {
        "artisanal_mining": "Uchimbaji mdogo wa madini",
        "mineral_trade": "Biashara ya madini",
        "agriculture": "Kilimo",
        "livestock": "Ufugaji",
        "trade": "Biashara ndogo",
        "craft": "Ufundi",
        "wages": "Mshahara",
        "transfers": "Misaada na zawadi",
        "other": "Nyingine",
    },
    "urgency": {"urgent": "Ya dharura (mtoto yuko hatarini)", "high": "Juu", "normal": "Kawaida"},
    "activity": {
        "digging": "Kuchimba",
        "washing": "Kuosha au kuchagua madini",
        "carrying": "Kubeba mizigo",
        "selling": "Kuuza au biashara ndogo machimboni",
        "present": "Yupo machimboni",
        "at_risk": "Yuko hatarini (hasomi, anaenda machimboni)",
        "other": "Nyingine",
    },
    "session_kind": {
        "session": "Kikao cha uhamasishaji",
        "meeting": "Mkutano wa jamii",
        "radio": "Kipindi cha redio",
    },
    "theme": {
        "child_labour_risks": "Hatari za ajira ya watoto migodini",
        "parents_responsibility": "Wajibu wa wazazi",
        "children_rights": "Haki za watoto na sheria ya ulinzi wa mtoto",
        "mining_code": "Sheria ya madini",
        "due_diligence": "Uangalifu unaostahili (makampuni)",
        "rse_guide": "Mwongozo wa uwajibikaji wa makampuni kwa jamii (RSE)",
        "schooling": "Kurudi shuleni",
        "savings": "Akiba na kipato (kaya)",
        "other": "Nyingine",
    },
    "audience": {
        "parents": "Wazazi",
        "leaders": "Viongozi wa jamii",
        "children": "Watoto",
        "companies": "Makampuni",
        "state_agents": "Watumishi wa serikali",
        "miners": "Wachimbaji wadogo",
        "general": "Umma kwa ujumla",
    },
}


def _label_in(language: str, choices: type[models.Choices], value: str) -> str:
    with translation.override(language):
        return str(choices(value).label)


def choice_list(list_name: str) -> list[tuple[str, Label]]:
    """[(value, label)] of one internal list. An empty value (a model's "not recorded") is not offered: the
    question is left unanswered instead."""
    if list_name in FIXED:
        return FIXED[list_name]
    choices = ENUMS[list_name]
    swahili = SWAHILI[list_name]
    return [
        (
            str(value),
            Label(_label_in("fr", choices, value), _label_in("en", choices, value), swahili[str(value)]),
        )
        for value in choices.values
        if value != ""
    ]


def values(list_name: str) -> list[str]:
    return [value for value, _label in choice_list(list_name)]

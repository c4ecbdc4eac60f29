"""A household's socio-economic survey in a round (households.services.record_survey); the household is found by
its place's p-code and its survey identifier, the round by its code."""

from __future__ import annotations

from kinga.households.models.households import MAX_HOUSEHOLD_SIZE
from kinga.households.models.surveys import MAX_MONTHLY_INCOME_USD
from kinga.households.services.households import MAX_AGE
from kinga.households.services.surveys import SURVEY_COUNTS, SURVEY_FLAGS

from ..choices import choice_list
from ..spec import Field, FormDefinition, L, Label, all_of, at_most, between, not_after_today
from .common import place, territory, text, yes_no

_COUNT_LABELS = {
    "children_working": L("Enfants qui travaillent", "Children working", "Watoto wanaofanya kazi"),
    "children_working_at_mine": L(
        "Enfants de 5 à 17 ans qui travaillent dans une mine",
        "Children 5 to 17 working at a mine",
        "Watoto wa miaka 5 hadi 17 wanaofanya kazi mgodini",
    ),
    "school_age_out_of_school": L(
        "Enfants d'âge scolaire hors de l'école",
        "School-age children out of school",
        "Watoto wa umri wa shule wasiosoma",
    ),
    "members_disabled_or_ill": L(
        "Membres handicapés ou malades chroniques",
        "Members disabled or chronically ill",
        "Wanakaya walemavu au wagonjwa wa muda mrefu",
    ),
}
_FLAG_LABELS = {
    "has_productive_assets": L(
        "Possède des biens productifs (terre, bétail, outils, boutique, vélo)",
        "Has productive assets (land, livestock, tools, a shop, a bicycle)",
        "Ina mali za uzalishaji (shamba, mifugo, zana, duka, baiskeli)",
    ),
    "access_to_water": L("Accès à l'eau potable", "Access to drinking water", "Upatikanaji wa maji safi"),
    "access_to_health": L(
        "Accès aux soins de santé", "Access to health care", "Upatikanaji wa huduma za afya"
    ),
    "access_to_school": L("Accès à une école", "Access to a school", "Upatikanaji wa shule"),
    "access_to_credit": L("Accès au crédit", "Access to credit", "Upatikanaji wa mkopo"),
}

_HOUSEHOLD_SIZE_RULE = between(1, MAX_HOUSEHOLD_SIZE)
_WITHIN_HOUSEHOLD = between(
    0,
    "${household_size}",
    L("le nombre de personnes du ménage", "the number of people in the household", "idadi ya watu wa kaya"),
)
_AT_MINE_RULE = all_of(
    _WITHIN_HOUSEHOLD,
    at_most(
        "children_working",
        L(
            "Plus d'enfants à la mine que d'enfants qui travaillent.",
            "More children at a mine than children working.",
            "Watoto wengi mgodini kuliko watoto wanaofanya kazi.",
        ),
    ),
)


def _income(kind: str, source: Label) -> Field:
    return Field(
        f"income_{kind}",
        "decimal",
        L(
            f"Revenu mensuel (USD) : {source.fr}",
            f"Monthly income (USD): {source.en}",
            f"Mapato ya mwezi (USD): {source.sw}",
        ),
        relevant=f"selected(${{income_sources}}, '{kind}')",
        rule=between(0, int(MAX_MONTHLY_INCOME_USD)),
    )


HOUSEHOLD_SURVEY = FormDefinition(
    form_id="kinga_household_survey",
    title=L(
        "Enquête socio-économique du ménage",
        "Household socio-economic survey",
        "Utafiti wa kiuchumi na kijamii wa kaya",
    ),
    service="kinga.households.services.record_survey",
    notes="The household is (place, survey_id) as in households.models.Household; the round is its code.",
    fields=(
        Field(
            "round",
            "select_one_from_file rounds.csv",
            L("Passage de l'enquête", "Survey round", "Awamu ya utafiti"),
            required=True,
        ),
        territory(),
        place("place", L("Lieu du ménage", "Place of the household", "Mahali pa kaya"), required=True),
        text(
            "survey_id",
            L(
                "Identifiant du ménage dans l'enquête",
                "Household's survey identifier",
                "Kitambulisho cha kaya katika utafiti",
            ),
            required=True,
            hint=L("Par exemple KZI-0042.", "For example KZI-0042.", "Kwa mfano KZI-0042."),
        ),
        Field(
            "surveyed_on",
            "date",
            L("Date de l'enquête", "Date of the survey", "Tarehe ya utafiti"),
            required=True,
            rule=not_after_today(),
            default="today()",
        ),
        Field(
            "household_size",
            "integer",
            L("Nombre de personnes du ménage", "Number of people in the household", "Idadi ya watu wa kaya"),
            required=True,
            rule=_HOUSEHOLD_SIZE_RULE,
        ),
        Field(
            "head_sex",
            "select_one sex",
            L("Sexe du chef de ménage", "Sex of the head", "Jinsia ya mkuu wa kaya"),
            required=True,
        ),
        Field(
            "head_age",
            "integer",
            L("Âge du chef de ménage", "Age of the head", "Umri wa mkuu wa kaya"),
            required=True,
            rule=between(1, MAX_AGE),
        ),
        Field(
            "hunger_scale",
            "integer",
            L(
                "Échelle de la faim (0 à 6)",
                "Household Hunger Scale (0 to 6)",
                "Kipimo cha njaa ya kaya (0 hadi 6)",
            ),
            required=True,
            rule=between(0, 6),
            hint=L(
                "0–1 peu ou pas de faim, 2–3 modérée, 4–6 sévère.",
                "0–1 little or no hunger, 2–3 moderate, 4–6 severe.",
                "0–1 njaa kidogo au hakuna, 2–3 ya wastani, 4–6 kali.",
            ),
        ),
        Field("housing", "select_one housing", L("Logement", "Housing", "Makazi"), required=True),
        Field(
            "income_sources",
            "select_multiple income_source",
            L("Sources de revenu", "Income sources", "Vyanzo vya mapato"),
        ),
        *(_income(kind, label) for kind, label in choice_list("income_source")),
        *(
            Field(
                name,
                "integer",
                _COUNT_LABELS[name],
                rule=_AT_MINE_RULE if name == "children_working_at_mine" else _WITHIN_HOUSEHOLD,
            )
            for name in SURVEY_COUNTS
        ),
        *(yes_no(name, _FLAG_LABELS[name]) for name in SURVEY_FLAGS),
        text(
            "assets",
            L("Biens du ménage", "Household assets", "Mali za kaya"),
            hint=L("Séparés par des virgules.", "Separated by commas.", "Zitenganishe kwa koma."),
        ),
        text(
            "business_opportunities",
            L("Possibilités d'activité économique", "Business opportunities", "Fursa za biashara"),
            multiline=True,
        ),
    ),
)

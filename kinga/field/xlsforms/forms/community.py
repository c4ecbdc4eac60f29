"""Community forms: an alert by a network member (community.services.receive_alert, read by
community.alert_payloads.interpret) and an awareness session (community.services.record_session)."""

from __future__ import annotations

from kinga.community.alert_payloads import MAX_CHILDREN_PER_ALERT, MAX_TEXT
from kinga.community.models import Audience, SessionKind

from ..choices import choice_list
from ..spec import (
    Field,
    FormDefinition,
    L,
    Label,
    Rule,
    all_of,
    at_least,
    between,
    max_length,
    not_after_today,
)
from .common import notes, place, site, territory, text, yes_no

# interpret() reads children's counts from columns named <girls|boys>_<low>_<high> (its _COUNT_FIELD), and
# `enfants` for children whose sex and age the reporter could not tell.
ALERT_COUNTS = {
    "girls_0_4": L("Filles de 0 à 4 ans", "Girls 0 to 4", "Wasichana wa miaka 0 hadi 4"),
    "boys_0_4": L("Garçons de 0 à 4 ans", "Boys 0 to 4", "Wavulana wa miaka 0 hadi 4"),
    "girls_5_11": L("Filles de 5 à 11 ans", "Girls 5 to 11", "Wasichana wa miaka 5 hadi 11"),
    "boys_5_11": L("Garçons de 5 à 11 ans", "Boys 5 to 11", "Wavulana wa miaka 5 hadi 11"),
    "girls_12_14": L("Filles de 12 à 14 ans", "Girls 12 to 14", "Wasichana wa miaka 12 hadi 14"),
    "boys_12_14": L("Garçons de 12 à 14 ans", "Boys 12 to 14", "Wavulana wa miaka 12 hadi 14"),
    "girls_15_17": L("Filles de 15 à 17 ans", "Girls 15 to 17", "Wasichana wa miaka 15 hadi 17"),
    "boys_15_17": L("Garçons de 15 à 17 ans", "Boys 15 to 17", "Wavulana wa miaka 15 hadi 17"),
    "enfants": L(
        "Enfants dont on ne sait ni le sexe ni l'âge",
        "Children whose sex and age are not known",
        "Watoto ambao jinsia na umri wao havijulikani",
    ),
}
_ALERT_TOTAL = " + ".join(f"coalesce(${{{name}}}, 0)" for name in ALERT_COUNTS)

ALERT = FormDefinition(
    form_id="kinga_alert",
    title=L("Alerte communautaire", "Community alert", "Taarifa ya jamii"),
    service="kinga.community.services.receive_alert",
    notes="Submitted as the alert's payload (channel kobo or odk); interpret() reads these names.",
    fields=(
        Field(
            "observed_at",
            "date",
            L(
                "Date où les enfants ont été vus",
                "Date the children were seen",
                "Tarehe watoto walipoonekana",
            ),
            required=True,
            rule=not_after_today(),
            default="today()",
        ),
        territory(),
        site(),
        place(
            "place",
            L("Lieu", "Place", "Mahali"),
            required="${site} = ''",
            hint=L(
                "Obligatoire sans site minier.",
                "Required when no mine site is given.",
                "Inahitajika kama machimbo hayajatajwa.",
            ),
        ),
        text(
            "location_text",
            L("Précisions sur l'endroit", "Where exactly", "Mahali hasa"),
            rule=max_length(300),
        ),
        Field("gps", "geopoint", L("Position GPS", "GPS position", "Mahali kwa GPS")),
        *(
            Field(name, "integer", label, rule=between(0, MAX_CHILDREN_PER_ALERT))
            for name, label in ALERT_COUNTS.items()
        ),
        Field(
            "activity",
            "select_one activity",
            L(
                "Ce que faisaient les enfants",
                "What the children were doing",
                "Watoto walikuwa wakifanya nini",
            ),
        ),
        Field(
            "urgency",
            "select_one urgency",
            L("Urgence", "Urgency", "Uharaka"),
            required=True,
            default="normal",
            # Checked here, on a question always answered, because a phone checks a rule only on an answer.
            rule=Rule(
                f"{_ALERT_TOTAL} >= 1 and {_ALERT_TOTAL} <= {MAX_CHILDREN_PER_ALERT}",
                L(
                    f"Dites combien d'enfants ont été vus (de 1 à {MAX_CHILDREN_PER_ALERT}).",
                    f"Say how many children were seen (1 to {MAX_CHILDREN_PER_ALERT}).",
                    f"Sema watoto wangapi walionekana (1 hadi {MAX_CHILDREN_PER_ALERT}).",
                ),
            ),
        ),
        text(
            "description",
            L("Description", "Description", "Maelezo"),
            rule=max_length(MAX_TEXT),
            multiline=True,
        ),
    ),
)

# Participants by audience and sex: participants_<audience>_<f|m>, read back as participants=[{audience, sex,
# count}] by the intake.
MAX_PARTICIPANTS = 100_000
_SEX = (("f", Label("femmes", "women", "wanawake")), ("m", Label("hommes", "men", "wanaume")))


def participant_fields() -> list[Field]:
    fields = []
    for audience, label in choice_list("audience"):
        for sex, sex_label in _SEX:
            fields.append(
                Field(
                    f"participants_{audience}_{sex}",
                    "integer",
                    L(
                        f"{label.fr} : {sex_label.fr}",
                        f"{label.en}: {sex_label.en}",
                        f"{label.sw}: {sex_label.sw}",
                    ),
                    relevant=f"${{kind}} != '{SessionKind.RADIO}'",
                    rule=between(0, MAX_PARTICIPANTS),
                )
            )
    return fields


_PARTICIPANTS_TOTAL = " + ".join(
    f"coalesce(${{participants_{a}_{s}}}, 0)" for a in Audience.values for s, _label in _SEX
)


def _committed(sex: str, label: Label) -> Field:
    present = f"participants_{Audience.PARENTS}_{sex}"
    return Field(
        f"parents_committed_{sex}",
        "integer",
        label,
        relevant=f"${{kind}} != '{SessionKind.RADIO}'",
        rule=all_of(
            at_least(0),
            Rule(
                f". <= coalesce(${{{present}}}, 0)",
                L(
                    "Plus de parents engagés que de parents présents.",
                    "More parents committed than parents who took part.",
                    "Wazazi waliojitolea ni wengi kuliko wazazi waliohudhuria.",
                ),
            ),
        ),
    )


AWARENESS_SESSION = FormDefinition(
    form_id="kinga_awareness_session",
    title=L("Séance de sensibilisation", "Awareness session", "Kikao cha uhamasishaji"),
    service="kinga.community.services.record_session",
    fields=(
        Field(
            "kind",
            "select_one session_kind",
            L("Type d'activité", "Kind of activity", "Aina ya shughuli"),
            required=True,
            default=SessionKind.SESSION,
        ),
        Field("theme", "select_one theme", L("Thème", "Theme", "Mada"), required=True),
        Field("audience", "select_one audience", L("Public visé", "Audience", "Walengwa"), required=True),
        Field(
            "date",
            "date",
            L("Date", "Date", "Tarehe"),
            required=True,
            rule=not_after_today(),
            default="today()",
        ),
        territory(),
        place("place", L("Lieu", "Place", "Mahali"), required=True),
        site(),
        text(
            "radio_station",
            L("Station de radio", "Radio station", "Kituo cha redio"),
            required=f"${{kind}} = '{SessionKind.RADIO}'",
            relevant=f"${{kind}} = '{SessionKind.RADIO}'",
        ),
        Field(
            "broadcasts",
            "integer",
            L("Nombre de diffusions", "Number of broadcasts", "Idadi ya matangazo"),
            relevant=f"${{kind}} = '{SessionKind.RADIO}'",
            rule=at_least(1),
            default="1",
        ),
        *participant_fields(),
        _committed("f", L("Mères qui se sont engagées", "Mothers who committed", "Mama waliojitolea")),
        _committed("m", L("Pères qui se sont engagés", "Fathers who committed", "Baba waliojitolea")),
        yes_no(
            "report_written",
            L("Rapport rédigé", "Report written", "Ripoti imeandikwa"),
            required=True,
            default="no",
            # Checked here, on a question always answered: a session has participants, a broadcast needs none.
            rule=Rule(
                f"${{kind}} = '{SessionKind.RADIO}' or {_PARTICIPANTS_TOTAL} >= 1",
                L(
                    "Donnez le nombre de participants.",
                    "Give the number of participants.",
                    "Toa idadi ya washiriki.",
                ),
            ),
        ),
        notes(),
    ),
)

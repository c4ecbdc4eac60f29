"""A site inspection (sites.services.record_inspection): the children seen by sex and age band, the people at
work, armed presence, safety, documents, and the corrective actions asked for."""

from __future__ import annotations

from kinga.sites.models import CHILD_COUNTS

from ..spec import Field, FormDefinition, L, all_of, at_least, max_length, not_after_today, not_before
from .common import notes, site, territory, text, yes_no

# Inspection's CharFields are 255 characters long (sites.models.Inspection).
SHORT_TEXT = 255

_COUNT_LABELS = {
    "boys_under_15": L("Garçons de moins de 15 ans", "Boys under 15", "Wavulana chini ya miaka 15"),
    "girls_under_15": L("Filles de moins de 15 ans", "Girls under 15", "Wasichana chini ya miaka 15"),
    "boys_15_17": L("Garçons de 15 à 17 ans", "Boys 15 to 17", "Wavulana wa miaka 15 hadi 17"),
    "girls_15_17": L("Filles de 15 à 17 ans", "Girls 15 to 17", "Wasichana wa miaka 15 hadi 17"),
}

SITE_INSPECTION = FormDefinition(
    form_id="kinga_site_inspection",
    title=L("Inspection d'un site minier", "Mine site inspection", "Ukaguzi wa machimbo"),
    service="kinga.sites.services.record_inspection",
    fields=(
        territory(),
        site(required=True),
        Field(
            "date",
            "date",
            L("Date de l'inspection", "Date of the inspection", "Tarehe ya ukaguzi"),
            required=True,
            rule=not_after_today(),
            default="today()",
        ),
        Field(
            "organisations",
            "select_multiple_from_file organisations.csv",
            L("Organisations de l'équipe", "Organisations of the team", "Mashirika ya timu"),
            appearance="autocomplete",
            hint=L(
                "Sans réponse : votre organisation.",
                "Left empty: your organisation.",
                "Ukiacha wazi: shirika lako.",
            ),
        ),
        *(Field(name, "integer", _COUNT_LABELS[name], rule=at_least(0)) for name in CHILD_COUNTS),
        text(
            "children_tasks",
            L("Ce que faisaient les enfants", "What the children did", "Watoto walikuwa wakifanya nini"),
            rule=max_length(SHORT_TEXT),
        ),
        yes_no("women_seen", L("Femmes au travail", "Women working", "Wanawake kazini"), unknown=True),
        text(
            "women_tasks",
            L("Ce que faisaient les femmes", "What the women did", "Wanawake walikuwa wakifanya nini"),
            rule=max_length(SHORT_TEXT),
            relevant="${women_seen} = 'yes'",
        ),
        yes_no(
            "pregnant_women_working",
            L("Femmes enceintes au travail", "Pregnant women working", "Wanawake wajawazito kazini"),
        ),
        yes_no(
            "armed_group_present",
            L("Groupe armé présent", "Armed group present", "Kikundi cha kijeshi kipo"),
            unknown=True,
        ),
        yes_no(
            "security_forces_present",
            L(
                "Forces de sécurité publiques présentes",
                "Public security forces present",
                "Vikosi vya usalama vya umma vipo",
            ),
            unknown=True,
        ),
        yes_no(
            "security_forces_interfering",
            L(
                "Forces de sécurité qui taxent, creusent ou contrôlent le site",
                "Security forces taxing, digging or controlling the site",
                "Vikosi vya usalama vinatoza kodi, vinachimba au vinadhibiti machimbo",
            ),
        ),
        text(
            "armed_activity",
            L("Ce qu'ils faisaient", "What they did", "Walikuwa wakifanya nini"),
            rule=max_length(SHORT_TEXT),
        ),
        yes_no(
            "illegal_taxation",
            L(
                "Taxes illégales par des agents de l'État",
                "Illegal taxation by state agents",
                "Ushuru haramu wa maafisa wa serikali",
            ),
        ),
        Field(
            "safety",
            "select_one safety",
            L("Incidents de sécurité", "Safety incidents", "Matukio ya usalama"),
            default="none",
        ),
        text(
            "safety_notes",
            L("Notes sur la sécurité", "Safety notes", "Maelezo kuhusu usalama"),
            rule=max_length(SHORT_TEXT),
        ),
        Field(
            "cooperative_registration",
            "select_one document_check",
            L("Enregistrement de la coopérative", "Cooperative registration", "Usajili wa ushirika"),
        ),
        Field(
            "management_documents",
            "select_one document_check",
            L("Documents de gestion", "Management documents", "Nyaraka za usimamizi"),
        ),
        Field(
            "production_records",
            "select_one document_check",
            L("Registres de production", "Production records", "Rejista za uzalishaji"),
        ),
        Field(
            "workers_count",
            "integer",
            L("Nombre de travailleurs", "Number of workers", "Idadi ya wafanyakazi"),
            rule=at_least(0),
        ),
        notes("findings", L("Constats", "Findings", "Matokeo")),
        Field(
            "actions",
            "begin_repeat",
            L("Actions correctives", "Corrective actions", "Hatua za kurekebisha"),
            children=(
                text(
                    "action_description",
                    L("Action demandée", "Action asked for", "Hatua inayotakiwa"),
                    required=True,
                    rule=max_length(SHORT_TEXT),
                ),
                Field(
                    "action_deadline",
                    "date",
                    L("Échéance", "Deadline", "Tarehe ya mwisho"),
                    required=True,
                    rule=all_of(
                        not_before(
                            "date",
                            L(
                                "L'échéance ne peut pas précéder l'inspection.",
                                "The deadline cannot precede the inspection.",
                                "Tarehe ya mwisho haiwezi kuwa kabla ya ukaguzi.",
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
)

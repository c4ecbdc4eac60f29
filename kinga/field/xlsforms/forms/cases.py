"""Case management in the field: a child identified (cases.services.register_case), a follow-up visit
(cases.services.record_follow_up), a retention check after closure (cases.services.record_retention_check)."""

from __future__ import annotations

from ..spec import Field, FormDefinition, L, Rule, all_of, between, not_after, not_after_today, not_before
from .common import case_number, notes, place, site, territory, text, yes_no

# Years of age: the service refuses a person 18 or older at identification (people.age_on). An XPath form has no
# calendar arithmetic on years, so the phone counts days: 18 years of 365.25 days (a day's tolerance).
ADULT_DAYS = 6574.5

IDENTIFICATION = FormDefinition(
    form_id="kinga_identification",
    title=L("Identification d'un enfant", "Identification of a child", "Utambuzi wa mtoto"),
    service="kinga.cases.services.register_case",
    fields=(
        Field(
            "identification_date",
            "date",
            L("Date de l'identification", "Date of identification", "Tarehe ya utambuzi"),
            required=True,
            rule=not_after_today(),
            default="today()",
        ),
        Field(
            "identification_method",
            "select_one identification_method",
            L(
                "Comment l'enfant a été identifié",
                "How the child was identified",
                "Jinsi mtoto alivyotambuliwa",
            ),
            required=True,
            default="site_inspection",
        ),
        territory(),
        site(
            "identification_site",
            label=L(
                "Site minier où l'enfant travaillait",
                "Mine site where the child worked",
                "Machimbo ambapo mtoto alifanya kazi",
            ),
        ),
        place(
            "identification_place",
            L("Lieu de l'identification", "Place of identification", "Mahali pa utambuzi"),
            required="${identification_site} = ''",
            hint=L(
                "Obligatoire sans site minier.",
                "Required when no mine site is given.",
                "Inahitajika kama machimbo hayajatajwa.",
            ),
        ),
        text("given_name", L("Prénom", "Given name", "Jina la kwanza"), required=True),
        text("middle_name", L("Post-nom", "Middle name (post-name)", "Jina la kati")),
        text("family_name", L("Nom", "Family name", "Jina la ukoo"), required=True),
        text(
            "other_names", L("Autres noms ou surnoms", "Other names or nicknames", "Majina mengine au lakabu")
        ),
        Field("sex", "select_one sex", L("Sexe", "Sex", "Jinsia"), required=True),
        Field(
            "date_of_birth",
            "date",
            L("Date de naissance", "Date of birth", "Tarehe ya kuzaliwa"),
            rule=all_of(
                not_after(
                    "identification_date",
                    L(
                        "La date de naissance est après l'identification.",
                        "The date of birth is after the identification.",
                        "Tarehe ya kuzaliwa ni baada ya utambuzi.",
                    ),
                ),
                Rule(
                    f"decimal-date-time(${{identification_date}}) - decimal-date-time(.) < {ADULT_DAYS}",
                    L(
                        "La personne avait 18 ans ou plus : ce n'est pas un enfant.",
                        "The person was 18 or older: not a child.",
                        "Mtu huyu alikuwa na miaka 18 au zaidi: si mtoto.",
                    ),
                ),
            ),
        ),
        Field(
            "estimated_age",
            "integer",
            L("Âge estimé (années)", "Estimated age (years)", "Umri unaokadiriwa (miaka)"),
            relevant="${date_of_birth} = ''",
            rule=between(0, 17),
        ),
        place(
            "place_of_origin",
            L("Lieu d'origine", "Place of origin", "Mahali anapotoka"),
            in_territory=False,
        ),
        place(
            "residence", L("Lieu de résidence", "Place of residence", "Mahali anapoishi"), in_territory=False
        ),
        text(
            "languages",
            L("Langues parlées", "Languages spoken", "Lugha anazozungumza"),
            hint=L("Séparées par des virgules.", "Separated by commas.", "Zitenganishe kwa koma."),
        ),
        Field("disability", "select_one disability", L("Handicap", "Disability", "Ulemavu"), default="none"),
        Field(
            "school_status",
            "select_one school_status",
            L("Scolarité", "Schooling", "Masomo"),
            default="unknown",
        ),
        text("last_grade", L("Dernière classe suivie", "Last grade attended", "Darasa la mwisho alilosoma")),
        Field(
            "caregivers",
            "begin_repeat",
            L("Personnes qui prennent soin de l'enfant", "Caregivers", "Walezi wa mtoto"),
            children=(
                text("caregiver_name", L("Nom", "Name", "Jina"), required=True),
                text(
                    "caregiver_relationship",
                    L("Lien avec l'enfant", "Relationship to the child", "Uhusiano na mtoto"),
                ),
                text("caregiver_phone", L("Téléphone", "Phone", "Simu")),
                text("caregiver_address", L("Adresse ou repère", "Address or landmark", "Anwani au alama")),
            ),
        ),
        Field(
            "photo",
            "image",
            L("Photo de l'enfant", "Photo of the child", "Picha ya mtoto"),
            # Phones take 12-megapixel photos; the case file needs a face, and the upload crosses a slow network.
            parameters="max-pixels=1024",
        ),
        yes_no(
            "photo_consent",
            L(
                "La personne qui prend soin de l'enfant accepte la photo",
                "The caregiver agrees to the photo",
                "Mlezi wa mtoto anakubali picha",
            ),
            # Kinga keeps a child's photo only with the caregiver's consent to photos (the case file's rule).
            required=True,
            relevant="${photo} != ''",
        ),
        Field(
            "work_activities",
            "select_multiple work_activity",
            L("Travail fait par l'enfant", "Work done by the child", "Kazi aliyofanya mtoto"),
        ),
        Field("hazards", "select_multiple hazard", L("Dangers", "Hazards", "Hatari")),
        Field(
            "hours_per_week",
            "integer",
            L("Heures de travail par semaine", "Hours of work per week", "Saa za kazi kwa wiki"),
            rule=between(0, 168),
        ),
        Field(
            "working_since",
            "date",
            L("Travaille depuis le", "Working since", "Amefanya kazi tangu"),
            rule=all_of(
                not_after(
                    "identification_date",
                    L(
                        "Cette date est après l'identification.",
                        "This date is after the identification.",
                        "Tarehe hii ni baada ya utambuzi.",
                    ),
                ),
                not_before(
                    "date_of_birth",
                    L(
                        "L'enfant ne peut pas avoir travaillé avant sa naissance.",
                        "The child cannot have worked before birth.",
                        "Mtoto hawezi kufanya kazi kabla ya kuzaliwa.",
                    ),
                    optional=True,
                ),
            ),
        ),
        Field("risk", "select_one risk", L("Niveau de risque", "Risk level", "Kiwango cha hatari")),
        notes(),
    ),
)

FOLLOW_UP = FormDefinition(
    form_id="kinga_follow_up",
    title=L("Visite de suivi", "Follow-up visit", "Ziara ya ufuatiliaji"),
    service="kinga.cases.services.record_follow_up",
    fields=(
        case_number(),
        Field(
            "visit_date",
            "date",
            L("Date de la visite", "Date of the visit", "Tarehe ya ziara"),
            required=True,
            rule=not_after_today(),
            default="today()",
        ),
        yes_no("child_seen", L("L'enfant a été vu", "The child was seen", "Mtoto ameonekana"), required=True),
        yes_no(
            "in_school_or_training",
            L(
                "Inscrit à l'école ou en formation",
                "Enrolled in school or training",
                "Ameandikishwa shuleni au mafunzoni",
            ),
            unknown=True,
        ),
        yes_no(
            "attending",
            L("Y va régulièrement", "Attends regularly", "Anahudhuria mara kwa mara"),
            unknown=True,
            relevant="${in_school_or_training} = 'yes'",
        ),
        yes_no(
            "found_working",
            L(
                "Trouvé en train de travailler dans une mine",
                "Found working in a mine",
                "Amekutwa akifanya kazi mgodini",
            ),
            required=True,
        ),
        yes_no(
            "seen_at_site",
            L("Vu sur un site minier", "Seen at a mine site", "Ameonekana machimboni"),
            required=True,
        ),
        territory(relevant="${seen_at_site} = 'yes'"),
        site(relevant="${seen_at_site} = 'yes'"),
        text(
            "household_situation",
            L("Situation du ménage", "Household situation", "Hali ya kaya"),
            multiline=True,
        ),
        text("risks", L("Risques", "Risks", "Hatari"), multiline=True),
        notes(),
    ),
)

RETENTION_CHECK = FormDefinition(
    form_id="kinga_retention_check",
    title=L("Contrôle de maintien", "Retention check", "Ukaguzi wa kudumu"),
    service="kinga.cases.services.record_retention_check",
    notes="The case's oldest pending check of its last closure (3, 6 or 12 months) is the one recorded.",
    fields=(
        case_number(),
        Field(
            "date",
            "date",
            L("Date du contrôle", "Date of the check", "Tarehe ya ukaguzi"),
            required=True,
            rule=not_after_today(),
            default="today()",
        ),
        yes_no(
            "found_working",
            L(
                "Trouvé en train de travailler dans une mine",
                "Found working in a mine",
                "Amekutwa akifanya kazi mgodini",
            ),
            required=True,
        ),
        yes_no(
            "seen_at_site",
            L("Vu sur un site minier", "Seen at a mine site", "Ameonekana machimboni"),
            required=True,
        ),
        yes_no(
            "in_school_or_training",
            L("À l'école ou en formation", "In school or training", "Yuko shuleni au mafunzoni"),
            unknown=True,
        ),
        territory(relevant="${found_working} = 'yes' or ${seen_at_site} = 'yes'"),
        site(relevant="${found_working} = 'yes' or ${seen_at_site} = 'yes'"),
        notes(),
    ),
)

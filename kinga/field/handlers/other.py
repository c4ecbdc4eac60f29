"""Site inspection, household survey and awareness session forms, through kinga.sites, kinga.households and
kinga.community services as the submitting account. Answers are converted by the type of the model field they
fill (yes/no, whole number, choice by name or label, text), so a form and its model cannot drift apart."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.community import services as community_services
from kinga.community.models import Audience, AwarenessSession, SessionKind, Theme
from kinga.core import access
from kinga.core.access import Actor
from kinga.core.models import Organisation
from kinga.core.people import Sex
from kinga.households import services as household_services
from kinga.households.models import Household, HousingType, IncomeSourceKind, SurveyRound
from kinga.households.services.surveys import SURVEY_COUNTS, SURVEY_FLAGS
from kinga.sites import services as site_services
from kinga.sites.models import CHILD_COUNTS, INSPECTION_FIELDS, Inspection

from ..reading import Answers
from . import Handler, Previous, register
from .cases import find_place, find_site


def typed(answers: Answers, model: type[models.Model], names) -> dict:
    """The answers to `names`, each read as its model field's type; unanswered ones are left out."""
    values = {}
    for name in names:
        if answers.path_of(name) is None:
            continue
        field = model._meta.get_field(name)
        if isinstance(field, models.BooleanField):
            value = answers.boolean(name)
            if value is None and not field.null:
                continue
        elif isinstance(field, models.IntegerField):
            value = answers.integer(name)
        elif field.choices:
            value = answers.choice(type("Choices", (), {"choices": field.choices}), name)
        else:
            value = answers.text(name, limit=field.max_length or 2000)
        values[name] = value
    return values


def _no_edit(previous: Previous | None) -> None:
    if previous is not None:
        raise ValidationError(
            {
                "submission": [
                    _(
                        "This is an edit of a submission already applied: correct the record in Kinga, "
                        "then reject this version."
                    )
                ]
            }
        )


# --- site inspection ------------------------------------------------------------------------------------


def apply_site_inspection(*, actor: Actor, answers: Answers, previous: Previous | None, source: str):
    _no_edit(previous)
    site = find_site(answers, "site")
    if site is None:
        raise ValidationError({"site": [_("Give the mine site.")]})
    organisations = None
    ids = answers.text("organisations", limit=2000).split()
    if ids:
        found = list(Organisation.objects.filter(uuid__in=ids))
        if len(found) != len(set(ids)):
            raise ValidationError({"organisations": [_("Unknown organisation.")]})
        organisations = found
    actions = [
        (row.text("action_description", limit=255), row.date("action_deadline"))
        for row in answers.rows("actions")
    ]
    return site_services.record_inspection(
        actor=actor,
        site=site,
        date=answers.date("date"),
        organisations=organisations,
        actions=actions,
        # An unanswered count is no child seen in that band, as on the web form.
        **({name: None for name in CHILD_COUNTS} | typed(answers, Inspection, INSPECTION_FIELDS)),
    )


# --- household survey -----------------------------------------------------------------------------------


def apply_household_survey(*, actor: Actor, answers: Answers, previous: Previous | None, source: str):
    # A second recording of the same round replaces the first: an edit is applied like the first version.
    code = answers.text("round", limit=32)
    survey_round = SurveyRound.objects.filter(code=code).first() if code else None
    if survey_round is None:
        raise ValidationError({"round": [_("Unknown survey round “%(code)s”.") % {"code": code}]})
    place = find_place(answers, "place")
    survey_id = answers.text("survey_id", limit=64)
    household = (
        access.scoped(actor, Household, perm="households.edit")
        .filter(place=place, survey_id=survey_id)
        .first()
        if place is not None and survey_id
        else None
    )
    if household is None:
        raise ValidationError(
            {
                "survey_id": [
                    _("Unknown household, or a household of another organisation: “%(id)s”.")
                    % {"id": survey_id}
                ]
            }
        )
    incomes = {}
    for kind in answers.choices(IncomeSourceKind, "income_sources"):
        amount = answers.text(f"income_{kind}", limit=20)
        try:
            incomes[kind] = Decimal(amount) if amount else None
        except InvalidOperation:
            raise ValidationError({f"income_{kind}": [_("Enter an amount.")]}) from None
    values = {
        "surveyed_on": answers.date("surveyed_on"),
        "household_size": answers.integer("household_size"),
        "head_sex": answers.choice(Sex, "head_sex"),
        "head_age": answers.integer("head_age"),
        "hunger_scale": answers.integer("hunger_scale"),
        "housing": answers.choice(HousingType, "housing"),
        "income_sources": {k: v for k, v in incomes.items() if v is not None},
        "assets": [x.strip() for x in answers.text("assets", limit=500).split(",") if x.strip()],
        "business_opportunities": answers.text("business_opportunities"),
        **{name: answers.integer(name) or 0 for name in SURVEY_COUNTS},
        **{name: bool(answers.boolean(name)) for name in SURVEY_FLAGS},
    }
    return household_services.record_survey(actor=actor, household=household, round=survey_round, **values)


# --- awareness session ----------------------------------------------------------------------------------


def apply_awareness_session(*, actor: Actor, answers: Answers, previous: Previous | None, source: str):
    _no_edit(previous)
    participants = []
    for audience in Audience.values:
        for sex in (Sex.FEMALE, Sex.MALE):
            count = answers.integer(f"participants_{audience}_{sex.lower()}")
            if count:
                participants.append({"audience": audience, "sex": sex, "count": count})
    place = find_place(answers, "place")
    if place is None:
        raise ValidationError({"place": [_("Give the place.")]})
    date = answers.date("date")
    if date is None:
        raise ValidationError({"date": [_("This date is required.")]})
    fields = typed(
        answers,
        AwarenessSession,
        (
            "radio_station",
            "broadcasts",
            "parents_committed_f",
            "parents_committed_m",
            "report_written",
            "notes",
        ),
    )
    site = find_site(answers, "site")
    if site is not None:
        fields["site"] = site
    return community_services.record_session(
        actor=actor,
        kind=answers.choice(SessionKind, "kind") or SessionKind.SESSION,
        theme=answers.choice(Theme, "theme"),
        audience=answers.choice(Audience, "audience"),
        date=date,
        place=place,
        participants=participants,
        **{k: v for k, v in fields.items() if v is not None},
    )


register(Handler("kinga_site_inspection", apply_site_inspection, label=gettext_lazy("Site inspection")))
register(Handler("kinga_household_survey", apply_household_survey, label=gettext_lazy("Household survey")))
register(Handler("kinga_awareness_session", apply_awareness_session, label=gettext_lazy("Awareness session")))

"""Case management forms: follow-up visit, retention check, identification of a child at a site. Each goes
through kinga.cases.services as the submitting account, with its organisation's access rules and audit trail."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kinga.cases import matching, selectors, services
from kinga.cases.models import (
    Case,
    ConsentKind,
    Disability,
    Hazard,
    IdentificationMethod,
    RiskLevel,
    SchoolStatus,
    WorkActivity,
)
from kinga.core import access
from kinga.core.access import Actor
from kinga.core.models import Place
from kinga.core.people import Sex
from kinga.sites.models import Site

from ..reading import Answers
from . import Handler, Previous, register

_UUID = re.compile(r"^[0-9a-fA-F-]{32,36}$")

CASE_FIELDS = ("case", "case_number", "numero_dossier")


def find_case(actor: Actor, answers: Answers) -> Case:
    """The case a form names by its number (LUA-KZI-2026-000123) or its UUID, among those the account works on."""
    path = answers.path_of(*CASE_FIELDS)
    if path is None:
        raise ValidationError({"case": [_("Give the case number.")]})
    ref = answers.text(path, limit=64)
    lookup = Q(number__iexact=ref)
    if _UUID.match(ref):
        lookup |= Q(uuid=ref)
    case = access.scoped(actor, Case, perm="cases.work").filter(lookup).first()
    if case is None:
        raise ValidationError(
            {path: [_("Unknown case, or a case your account does not work on: “%(ref)s”.") % {"ref": ref}]}
        )
    return case


def find_site(answers: Answers, *names: str) -> Site | None:
    path = answers.path_of(*names)
    if path is None:
        return None
    ref = str(answers.values[path]).strip()
    site = Site.objects.filter(code__iexact=ref).first()
    if site is None and _UUID.match(ref):
        site = Site.objects.filter(uuid=ref).first()
    if site is None:
        raise ValidationError({path: [_("Unknown mine site “%(ref)s”.") % {"ref": ref[:60]}]})
    return site


def find_place(answers: Answers, *names: str) -> Place | None:
    path = answers.path_of(*names)
    if path is None:
        return None
    ref = str(answers.values[path]).strip()
    place = Place.objects.filter(pcode__iexact=ref).first()
    if place is None and _UUID.match(ref):
        place = Place.objects.filter(uuid=ref).first()
    if place is None:
        raise ValidationError({path: [_("Unknown place “%(ref)s”.") % {"ref": ref[:60]}]})
    return place


def _refuse_edit(previous: Previous | None) -> None:
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


# --- follow-up visit ------------------------------------------------------------------------------------


def apply_follow_up(*, actor: Actor, answers: Answers, previous: Previous | None, source: str):
    _refuse_edit(previous)
    case = find_case(actor, answers)
    visit_date = answers.date("visit_date", "date")
    if visit_date is None:
        raise ValidationError({"visit_date": [_("This date is required.")]})
    child_seen = answers.boolean("child_seen")
    if child_seen is None:
        raise ValidationError({"child_seen": [_("Say whether the child was seen.")]})
    return services.record_follow_up(
        actor=actor,
        case=case,
        visit_date=visit_date,
        child_seen=child_seen,
        in_school_or_training=answers.boolean("in_school_or_training"),
        attending=answers.boolean("attending"),
        found_working=bool(answers.boolean("found_working")),
        seen_at_site=bool(answers.boolean("seen_at_site")),
        site=find_site(answers, "site"),
        household_situation=answers.text("household_situation"),
        risks=answers.text("risks"),
        notes=answers.text("notes"),
    )


# --- retention check ------------------------------------------------------------------------------------


def apply_retention_check(*, actor: Actor, answers: Answers, previous: Previous | None, source: str):
    _refuse_edit(previous)
    case = find_case(actor, answers)
    months = answers.integer("months_after", "months")
    open_checks = case.retention_checks.filter(done_on__isnull=True, closure_date=case.closed_on)
    if months is not None:
        open_checks = open_checks.filter(months_after=months)
    check = open_checks.order_by("due_date").first()
    if check is None:
        raise ValidationError(
            {"months_after": [_("No retention check of this case is waiting to be recorded.")]}
        )
    date = answers.date("date", "check_date")
    if date is None:
        raise ValidationError({"date": [_("This date is required.")]})
    found_working = answers.boolean("found_working")
    if found_working is None:
        raise ValidationError({"found_working": [_("Say whether the child was found working.")]})
    return services.record_retention_check(
        actor=actor,
        check=check,
        date=date,
        found_working=found_working,
        seen_at_site=bool(answers.boolean("seen_at_site")),
        in_school_or_training=answers.boolean("in_school_or_training"),
        site=find_site(answers, "site"),
        notes=answers.text("notes"),
    )


# --- identification of a child --------------------------------------------------------------------------

IDENTITY = frozenset(
    {
        "given_name",
        "family_name",
        "middle_name",
        "other_names",
        "date_of_birth",
        "caregivers",
        "caregiver_name",
        "caregiver_phone",
        "caregiver_address",
        "notes",
        "photo",
    }
)
PHOTO = "photo"
# What the review screen adds to an identification that matched children already registered.
SAME_CHILD = "kinga/same_child"
CONFIRM_NEW = "kinga/confirm_new"


def _caregivers(answers: Answers) -> list[dict]:
    rows = answers.rows("caregivers")
    if not rows and answers.text("caregiver_name"):
        rows = [answers]
    return [
        {
            "name": row.text("caregiver_name", "name", limit=200),
            "relationship": row.text("caregiver_relationship", "relationship", limit=60),
            "phone": row.text("caregiver_phone", "phone", limit=40),
            "address": row.text("caregiver_address", "address", limit=300),
        }
        for row in rows
    ]


def identification_kwargs(answers: Answers) -> dict:
    method = (
        answers.choice(IdentificationMethod, "identification_method") or IdentificationMethod.SITE_INSPECTION
    )
    identified = answers.date("identification_date", "date")
    if identified is None:
        raise ValidationError({"identification_date": [_("This date is required.")]})
    return {
        "identification_method": method,
        "identification_date": identified,
        "given_name": answers.text("given_name", limit=100),
        "family_name": answers.text("family_name", limit=100),
        "middle_name": answers.text("middle_name", limit=100),
        "other_names": answers.text("other_names", limit=200),
        "sex": answers.choice(Sex, "sex"),
        "date_of_birth": answers.date("date_of_birth"),
        "estimated_age": answers.integer("estimated_age", "age"),
        "place_of_origin": find_place(answers, "place_of_origin"),
        "residence": find_place(answers, "residence"),
        "disability": answers.choice(Disability, "disability") or Disability.NONE,
        "school_status": answers.choice(SchoolStatus, "school_status") or SchoolStatus.UNKNOWN,
        "last_grade": answers.text("last_grade", limit=60),
        "languages": [x.strip() for x in answers.text("languages", limit=200).split(",") if x.strip()],
        "risk": answers.choice(RiskLevel, "risk"),
        "caregivers": _caregivers(answers),
        "notes": answers.text("notes"),
        "identification_site": find_site(answers, "identification_site", "site"),
        "identification_place": find_place(answers, "identification_place", "place"),
        "work_activities": answers.choices(WorkActivity, "work_activities"),
        "hazards": answers.choices(Hazard, "hazards"),
        "hours_per_week": answers.integer("hours_per_week"),
        "working_since": answers.date("working_since"),
    }


def apply_identification(*, actor: Actor, answers: Answers, previous: Previous | None, source: str):
    kwargs = identification_kwargs(answers)
    if previous is not None:
        # An edit corrects the identity of the child the first version registered.
        case = selectors.get_case(actor, previous.record_uuid, perm="cases.work")
        changes = {
            key: kwargs[key]
            for key in (
                "given_name",
                "family_name",
                "middle_name",
                "other_names",
                "sex",
                "caregivers",
                "notes",
            )
            if kwargs[key] not in ("", [], None)
        }
        if kwargs["date_of_birth"] is not None:
            changes["date_of_birth"] = kwargs["date_of_birth"]
        services.update_child(actor=actor, case=case, **changes)
        _keep_photo(actor, case, answers, kwargs)
        return case
    same_child = answers.text(SAME_CHILD, limit=64)
    if same_child:
        child = selectors.child_for_registration(actor, same_child)
        case_kwargs = {k: v for k, v in kwargs.items() if k in services.CASE_FIELDS}
        case = services.register_case(actor=actor, child=child, **case_kwargs)
        _keep_photo(actor, case, answers, kwargs)
        return case
    if not answers.boolean(CONFIRM_NEW):
        found = matching.suggestions(actor, kwargs)
        if found:
            raise ValidationError(
                {
                    "given_name": [
                        ngettext(
                            "This child may already be registered: %(n)d possible match. Choose the child or confirm a new one.",
                            "This child may already be registered: %(n)d possible matches. Choose the child or confirm a new one.",
                            len(found),
                        )
                        % {"n": len(found)}
                    ]
                },
                code="possible_duplicate",
            )
    case = services.register_case(actor=actor, **kwargs)
    _keep_photo(actor, case, answers, kwargs)
    return case


def _keep_photo(actor: Actor, case, answers: Answers, kwargs: dict) -> None:
    """The photo taken at the identification, in the case file, with the caregiver's consent to photos recorded
    as the case file asks (cases.services.set_photo refuses a photo without it)."""
    content = answers.files.get(PHOTO)
    if not content:
        return
    if not answers.boolean("photo_consent"):
        raise ValidationError(
            {"photo_consent": [_("A child's photo is kept only with the caregiver's consent to photos.")]}
        )
    consented = case.consents.filter(
        withdrawn_on__isnull=True, for_photos=True, kind=ConsentKind.CAREGIVER_CONSENT
    ).exists()
    if consented:  # an edit, or a child already registered whose caregiver agreed
        services.set_photo(actor=actor, case=case, content=content)
        return
    caregivers = [c for c in kwargs["caregivers"] if c["name"]]
    if not caregivers:
        raise ValidationError({"caregiver_name": [_("Say which caregiver agreed to the photo.")]})
    services.record_consent(
        actor=actor,
        case=case,
        kind=ConsentKind.CAREGIVER_CONSENT,
        given_by=caregivers[0]["name"],
        relationship=caregivers[0]["relationship"],
        date=kwargs["identification_date"],
        for_photos=True,
    )
    services.set_photo(actor=actor, case=case, content=content)


register(Handler("kinga_follow_up", apply_follow_up, label=gettext_lazy("Follow-up visit")))
register(Handler("kinga_retention_check", apply_retention_check, label=gettext_lazy("Retention check")))
register(
    Handler(
        "kinga_identification",
        apply_identification,
        identity_fields=IDENTITY,
        label=gettext_lazy("Identification of a child"),
        attachment_fields=frozenset({PHOTO}),
    )
)

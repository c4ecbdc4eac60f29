"""Writes on an open case outside its workflow steps: a child's identity changes, assignment, consent, the case
file's PDF export."""

from __future__ import annotations

import base64
import datetime
import io
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock, uploads
from kinga.core.access import Actor
from kinga.core.models import Membership, Organisation, User
from kinga.core.roles import Role

from ..models import (
    Case,
    Child,
    Consent,
    ConsentKind,
)
from .common import (
    active_staff,
    check_date,
    clean_caregivers,
    log_event,
    photo_consented,
    publish_case_assigned,
    publish_child_saved,
    require_case_team,
)
from .registration import NAME_FIELDS, index_child_names

# --- a child's identity -------------------------------------------------------------------------


@transaction.atomic
def update_child(*, actor: Actor, case: Case, **changes) -> Child:
    """Corrects a child's record (names are re-indexed; the trail says which protected fields changed)."""
    access.require(actor, "cases.work")
    require_case_team(actor, case)
    child = case.child
    before = audit.snapshot(child)
    allowed = set(NAME_FIELDS) | {
        "sex",
        "date_of_birth",
        "place_of_origin",
        "residence",
        "languages",
        "disability",
        "school_status",
        "last_grade",
        "caregivers",
        "photo",
        "notes",
    }
    for key, value in changes.items():
        if key not in allowed:
            raise ValidationError({key: [_("This field cannot be changed here.")]})
        if key == "caregivers":
            value = clean_caregivers(value)
        setattr(child, key, value)
    if not child.given_name or not child.family_name:
        raise ValidationError({"given_name": [_("The given and family names are required.")]})
    if child.date_of_birth and child.date_of_birth > case.identification_date:
        raise ValidationError(
            {"date_of_birth": [_("The date of birth is after the identification or registration date.")]}
        )
    if "date_of_birth" in changes:
        child.date_of_birth_estimated = False
    child.save()
    publish_child_saved(child, created=False)
    if set(changes) & set(NAME_FIELDS):
        index_child_names(child)
    audit.record_update(actor=actor, obj=child, before=before)
    return child


@transaction.atomic
def assign_case(
    *,
    actor: Actor,
    case: Case,
    caseworker: User,
    supervisor: User | None = None,
    today: datetime.date | None = None,
) -> Case:
    """A supervisor or organisation manager gives the case to a caseworker of the organisation."""
    access.require(actor, "cases.assign")
    if not actor.is_system and actor.organisation_id != case.organisation_id:
        raise PermissionDenied(_("This case belongs to another organisation."))
    today = today or clock.today()
    caseworker = active_staff(case.organisation, caseworker, {Role.CASEWORKER, Role.SUPERVISOR}, "caseworker")
    if supervisor is None:
        membership = (
            Membership.objects.filter(user=caseworker, organisation=case.organisation, is_active=True)
            .select_related("supervisor")
            .first()
        )
        supervisor = (
            membership.supervisor.user if membership and membership.supervisor_id else case.supervisor
        )
    supervisor = active_staff(case.organisation, supervisor, {Role.SUPERVISOR}, "supervisor")
    before = audit.snapshot(case)
    case.caseworker, case.supervisor = caseworker, supervisor
    case.save(update_fields=["caseworker", "supervisor", "updated_at"])
    audit.record_update(actor=actor, obj=case, before=before)
    log_event(
        case,
        actor=actor,
        kind="assigned",
        date=today,
        params={"name": caseworker.full_name or caseworker.email},
    )
    publish_case_assigned(case, actor=actor)
    return case


# --- consent -----------------------------------------------------------------------------------------


@transaction.atomic
def record_consent(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    given_by: str,
    date: datetime.date,
    relationship: str = "",
    for_services: bool = False,
    for_data_sharing: bool = False,
    share_with: Iterable[Organisation] = (),
    for_photos: bool = False,
    today: datetime.date | None = None,
) -> Consent:
    access.require(actor, "cases.work")
    require_case_team(actor, case)
    today = today or clock.today()
    check_date("date", date, today=today)
    if date < case.identification_date:
        raise ValidationError({"date": [_("This date is before the child was identified.")]})
    if kind not in ConsentKind.values:
        raise ValidationError({"kind": [_("Choose caregiver consent or child assent.")]})
    if not given_by.strip():
        raise ValidationError({"given_by": [_("Say who gave it.")]})
    share_with = list(share_with)
    if share_with and not for_data_sharing:
        raise ValidationError({"share_with": [_("Tick data sharing to name organisations.")]})
    consent = Consent.objects.create(
        case=case,
        kind=kind,
        given_by=given_by.strip(),
        relationship=relationship.strip(),
        date=date,
        for_services=for_services,
        for_data_sharing=for_data_sharing,
        for_photos=for_photos,
        recorded_by=actor.user,
    )
    consent.share_with.set(share_with)
    audit.record_create(
        actor=actor, obj=consent, note=f"share_with={','.join(str(o.uuid) for o in share_with)}"
    )
    log_event(case, actor=actor, kind="consent", date=date, params={"kind": kind})
    return consent


@transaction.atomic
def withdraw_consent(
    *, actor: Actor, consent: Consent, date: datetime.date, today: datetime.date | None = None
) -> Consent:
    access.require(actor, "cases.work")
    require_case_team(actor, consent.case)
    today = today or clock.today()
    check_date("date", date, today=today)
    if date < consent.date:
        raise ValidationError({"date": [_("Consent cannot be withdrawn before it was given.")]})
    before = audit.snapshot(consent)
    consent.withdrawn_on = date
    consent.save(update_fields=["withdrawn_on"])
    audit.record_update(actor=actor, obj=consent, before=before)
    log_event(consent.case, actor=actor, kind="consent_withdrawn", date=date)
    return consent


@transaction.atomic
def set_photo(*, actor: Actor, case: Case, content: bytes, content_type: str = "") -> Child:
    """The child's photo, encrypted like the names; only with the caregiver's consent to photos. A JPEG or PNG
    image by its content; `content_type` (what the browser claimed) is not trusted."""
    access.require(actor, "cases.work")
    require_case_team(actor, case)
    if not photo_consented(case):
        raise ValidationError({"photo": [_("Record the caregiver's consent to photos first.")]})
    # By its content, never by the type or the name the browser sent (kinga.core.uploads): a page or a script
    # named photo.png is refused, and the stored type is the one Pillow read.
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png"}.get(
        uploads.image_format(io.BytesIO(content)) or ""
    )
    if content_type is None:
        raise ValidationError({"photo": [_("Use a JPEG or PNG image.")]})
    child = case.child
    before = audit.snapshot(child)
    child.photo = f"data:{content_type};base64,{base64.b64encode(content).decode('ascii')}"
    child.save(update_fields=["photo"])
    audit.record_update(actor=actor, obj=child, before=before)
    return child


def record_pdf_export(*, actor: Actor, case: Case) -> None:
    """The case file printed to PDF: an export of identities, in the access log."""
    access.require(actor, "cases.view_identity")
    audit.record_export(actor=actor, what="cases.case_file_pdf", rows=1, filters={"case": str(case.uuid)})

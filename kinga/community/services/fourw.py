"""Writes of the 4W matrix (who does what, where, when): records by hand, the import of a 4W CSV in the export's
format (kinga.community.fourw_io), and the initial set seeded from the plan's implementers (one row per organisation
the plan names for an action). Atomic, audited, ValidationError({field: [message]})."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import override

from kinga.core import access, audit, clock
from kinga.core.access import Actor
from kinga.core.models import Organisation, Place, PlaceLevel
from kinga.core.people import AGE_BANDS
from kinga.core.services import resolve_organisation
from kinga.plan.models import Action, Party, PartyRole

from ..models import FourW, FourWSource, FourWStatus
from .checks import full_clean, own_org_or_system

# ---------------------------------------------------------------------------------------------- 4W

FOURW_FIELDS = {
    "implementing_partner",
    "funder",
    "plan_action",
    "sector",
    "subsector",
    "activity",
    "place",
    "status",
    "start",
    "end",
    "targeted_f",
    "targeted_m",
    "reached_f",
    "reached_m",
    "reached_by_age",
}


def _check_reached_by_age(record: FourW) -> None:
    data = record.reached_by_age or {}
    if not isinstance(data, dict):
        raise ValidationError({"reached_by_age": [_("Give the figures by sex and age band.")]})
    for sex, total in (("F", record.reached_f), ("M", record.reached_m)):
        bands = data.get(sex) or {}
        if not isinstance(bands, dict) or set(bands) - set(AGE_BANDS):
            raise ValidationError({"reached_by_age": [_("Unknown age band.")]})
        try:
            values = [int(v) for v in bands.values()]
        except (TypeError, ValueError):
            raise ValidationError({"reached_by_age": [_("Enter whole numbers.")]}) from None
        if any(v < 0 for v in values) or sum(values) > total:
            raise ValidationError(
                {"reached_by_age": [_("The age bands add up to more than the children reached.")]}
            )
    if set(data) - {"F", "M"}:
        raise ValidationError({"reached_by_age": [_("Use F and M as keys.")]})


def _validate_fourw(record: FourW) -> None:
    if record.end and record.end < record.start:
        raise ValidationError({"end": [_("The end cannot be before the start.")]})
    if record.status == FourWStatus.PLANNED and (record.reached_f or record.reached_m):
        raise ValidationError({"status": [_("A planned activity has reached nobody yet.")]})
    _check_reached_by_age(record)
    full_clean(record)


@transaction.atomic
def create_fourw(
    *,
    actor: Actor,
    activity: str,
    place: Place,
    start: datetime.date,
    organisation: Organisation | None = None,
    source: str = "entered",
    **fields: Any,
) -> FourW:
    access.require(actor, "community.record_4w")
    unknown = set(fields) - FOURW_FIELDS
    if unknown:
        raise ValidationError({"non_field_errors": [_("Unknown fields: %(f)s") % {"f": ", ".join(unknown)}]})
    record = FourW(
        activity=activity.strip(),
        place=place,
        start=start,
        source=source,
        organisation=own_org_or_system(actor, organisation, "organisation"),
        **fields,
    )
    _validate_fourw(record)
    record.save()
    audit.record_create(actor=actor, obj=record)
    return record


@transaction.atomic
def update_fourw(*, actor: Actor, record: FourW, **changes: Any) -> FourW:
    access.require(actor, "community.record_4w")
    unknown = set(changes) - FOURW_FIELDS
    if unknown:
        raise ValidationError({"non_field_errors": [_("Unknown fields: %(f)s") % {"f": ", ".join(unknown)}]})
    before = audit.snapshot(record)
    for field, value in changes.items():
        setattr(record, field, value)
    _validate_fourw(record)
    record.save()
    audit.record_update(actor=actor, obj=record, before=before)
    return record


@transaction.atomic
def delete_fourw(*, actor: Actor, record: FourW) -> None:
    access.require(actor, "community.record_4w")
    audit.record_delete(actor=actor, obj=record)
    record.delete()


# ---------------------------------------------------------------------------------------------- import


def _parse_int(text: str, field: str) -> int:
    text = (text or "").strip()
    if not text:
        return 0
    try:
        value = int(float(text))
    except ValueError:
        raise ValidationError({field: [_("Enter a whole number.")]}) from None
    if value < 0:
        raise ValidationError({field: [_("Enter a whole number.")]})
    return value


def _status(text: str) -> str:
    text = (text or "").strip().lower()
    with override("fr"):
        labels = {str(v).lower(): k for k, v in FourWStatus.choices}
    if text in FourWStatus.values:
        return text
    if text in labels:
        return labels[text]
    if text in ("en cours", "ongoing"):
        return FourWStatus.ONGOING
    raise ValidationError({"status": [_("Unknown status “%(value)s”.") % {"value": text[:40]}]})


def _plan_action(code: str):
    """The plan action of a code such as "1.4" (axis 1, action 4); empty: none."""
    code = (code or "").strip()
    if not code:
        return None
    axis, _dot, number = code.partition(".")
    action = None
    if axis.isdigit() and number.isdigit():
        action = Action.objects.filter(axis__number=int(axis), number=int(number)).first()
    if action is None:
        raise ValidationError({"plan_action": [_("Unknown plan action “%(code)s”.") % {"code": code[:20]}]})
    return action


def import_fourw(*, actor: Actor, content: bytes) -> int:
    """Import a 4W CSV (the export's format, HXL row optional). All rows or none: errors name their line."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": [_("The file must be UTF-8 CSV.")]}) from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or "Organisation" not in header or "Activité" not in header:
        raise ValidationError(
            {"file": [_("This is not a 4W file: the first row must hold the column names.")]}
        )
    index = {name.strip(): i for i, name in enumerate(header)}
    pcodes = {p.pcode: p for p in Place.objects.filter(level__in=(PlaceLevel.PROVINCE, PlaceLevel.TERRITORY))}
    errors: list[str] = []
    created = 0
    with transaction.atomic():
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if row and row[0].startswith("#"):
                continue  # the HXL hashtag row

            def cell(name: str, row=row) -> str:
                i = index.get(name)
                return row[i].strip() if i is not None and i < len(row) else ""

            try:
                org = organisation_by_name(cell("Organisation"))
                if org is None:
                    raise ValidationError(
                        {
                            "organisation": [
                                _("Unknown organisation “%(name)s”.") % {"name": cell("Organisation")[:80]}
                            ]
                        }
                    )
                code = cell("Code territoire") or cell("Code province")
                place = pcodes.get(code)
                if place is None:
                    raise ValidationError({"place": [_("Unknown p-code.")]})
                partner = (
                    organisation_by_name(cell("Partenaire de mise en oeuvre"))
                    if cell("Partenaire de mise en oeuvre")
                    else None
                )
                funder = organisation_by_name(cell("Bailleur")) if cell("Bailleur") else None
                start = clock.parse_date(cell("Date début"), field="start")
                if start is None:
                    raise ValidationError({"start": [_("The start date is required.")]})
                with transaction.atomic():
                    create_fourw(
                        actor=actor,
                        organisation=org,
                        activity=cell("Activité"),
                        place=place,
                        start=start,
                        end=clock.parse_date(cell("Date fin"), field="end"),
                        status=_status(cell("Statut") or "ongoing"),
                        sector=cell("Cluster") or "Protection",
                        subsector=cell("Sous-cluster/AoR") or "Protection de l'enfance",
                        implementing_partner=partner,
                        funder=funder,
                        plan_action=_plan_action(cell("Action du plan")),
                        targeted_f=_parse_int(cell("Enfants ciblés (filles)"), "targeted_f"),
                        targeted_m=_parse_int(cell("Enfants ciblés (garçons)"), "targeted_m"),
                        reached_f=_parse_int(cell("Enfants atteints (filles)"), "reached_f"),
                        reached_m=_parse_int(cell("Enfants atteints (garçons)"), "reached_m"),
                        source=FourWSource.IMPORTED,
                    )
                created += 1
            except ValidationError as exc:
                detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
                errors.append(_("Line %(line)d: %(detail)s") % {"line": line, "detail": detail})
        if errors:
            transaction.set_rollback(True)
            raise ValidationError({"file": errors[:50]})
    return created


def organisation_by_name(name: str) -> Organisation | None:
    """An organisation by alias (as the reference data spells it), else by exact name or acronym."""
    name = (name or "").strip()
    if not name:
        return None
    return (
        resolve_organisation(name)
        or Organisation.objects.filter(Q(name__iexact=name) | Q(acronym__iexact=name)).first()
    )


# ---------------------------------------------------------------------------------------------- from the plan


@transaction.atomic
def seed_fourw_from_plan(*, actor, stdout=None) -> int:
    """Idempotent: an (organisation, action) pair already seeded is left as users changed it."""
    access.require(actor, "community.record_4w")
    province = Place.objects.filter(pcode="CD72").first()
    if province is None:
        return 0
    start = datetime.date.fromisoformat(str(settings.KINGA_PLAN_START_DATE))
    parties = (
        Party.objects.filter(role=PartyRole.IMPLEMENTER, organisation__isnull=False)
        .select_related("organisation", "action", "activity__action")
        .order_by("pk")
    )
    existing = set(
        FourW.objects.filter(source=FourWSource.PLAN).values_list("organisation_id", "plan_action_id")
    )
    created = 0
    for party in parties:
        action = party.action or (party.activity.action if party.activity_id else None)
        if action is None or (party.organisation_id, action.pk) in existing:
            continue
        months = action.duration_months or 36
        create_fourw(
            actor=actor,
            organisation=party.organisation,
            activity=(party.activity.title if party.activity_id else action.title)[:300],
            place=province,
            start=start,
            end=start + datetime.timedelta(days=int(months * 30.44)),
            status=FourWStatus.PLANNED,
            plan_action=action,
            source=FourWSource.PLAN,
        )
        existing.add((party.organisation_id, action.pk))
        created += 1
    if stdout is not None:
        stdout.write(f"4W : {created} fiche(s) créée(s) à partir des responsables du plan.")
    return created

"""4W export (CSV/XLSX with HXL hashtags on the second row) and import.

Columns follow the DRC child-protection 3W template (shared/reference/hxl/3w_drc_cp.csv), then the plan
action, then the children reached by sex and age band. French headers, ISO dates, "." decimals.
Exports stream: rows come from the database by chunks and are written as they come, so memory stays flat.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import override

from kinga.core import audit, spreadsheets
from kinga.core.access import Actor
from kinga.core.models import Organisation, OrganisationType, Place, PlaceLevel
from kinga.core.people import AGE_BANDS
from kinga.core.services import resolve_organisation

from .models import FourW, FourWSource, FourWStatus

_AGE_COLUMNS = [
    (
        sex,
        band,
        f"Enfants atteints ({'filles' if sex == 'F' else 'garçons'} {band} ans)",
        f"#reached+{sex.lower()}+children+age{band.replace('-', '_')}",
    )
    for sex in ("F", "M")
    for band in AGE_BANDS
]

COLUMNS: list[tuple[str, str]] = [
    ("Organisation", "#org+prog+name"),
    ("Organisation type", "#org+prog+type"),
    ("Partenaire de mise en oeuvre", "#org+impl+name"),
    ("Cluster", "#sector+cluster+name"),
    ("Sous-cluster/AoR", "#subsector+name"),
    ("Activité", "#activity+name"),
    ("Province", "#adm1+name"),
    ("Code province", "#adm1+code"),
    ("Territoire", "#adm2+name"),
    ("Code territoire", "#adm2+code"),
    ("Statut", "#status"),
    ("Date début", "#date+start"),
    ("Date fin", "#date+end"),
    ("Enfants ciblés (filles)", "#targeted+f+children"),
    ("Enfants ciblés (garçons)", "#targeted+m+children"),
    ("Enfants atteints (filles)", "#reached+f+children"),
    ("Enfants atteints (garçons)", "#reached+m+children"),
    ("Bailleur", "#org+funder+name"),
    ("Action du plan", "#activity+plan+code"),
    ("Axe du plan", "#sector+plan+code"),
    *[(header, tag) for _s, _b, header, tag in _AGE_COLUMNS],
]
HEADERS = [c[0] for c in COLUMNS]
HASHTAGS = [c[1] for c in COLUMNS]

_VALUES = (
    "organisation__name",
    "organisation__type",
    "implementing_partner__name",
    "sector",
    "subsector",
    "activity",
    "place__path",
    "status",
    "start",
    "end",
    "targeted_f",
    "targeted_m",
    "reached_f",
    "reached_m",
    "funder__name",
    "plan_action__axis__number",
    "plan_action__number",
    "reached_by_age",
)


def _admin_names() -> dict[int, tuple[str, str]]:
    """Provinces and territories by id (a few hundred rows): a row's path gives its ADM1 and ADM2."""
    return {
        pk: (name, pcode or "")
        for pk, name, pcode in Place.objects.filter(
            level__in=(PlaceLevel.PROVINCE, PlaceLevel.TERRITORY)
        ).values_list("pk", "name", "pcode")
    }


def rows(queryset: QuerySet[FourW], chunk_size: int = 2000) -> Iterator[list[Any]]:
    """Export rows (without headers), one database chunk at a time."""
    admin = _admin_names()
    with override("fr"):
        org_types = {k: str(v) for k, v in OrganisationType.choices}
        statuses = {k: str(v) for k, v in FourWStatus.choices}
    for values in queryset.order_by("pk").values_list(*_VALUES).iterator(chunk_size=chunk_size):
        (
            org,
            org_type,
            partner,
            sector,
            subsector,
            activity,
            path,
            status,
            start,
            end,
            tf,
            tm,
            rf,
            rm,
            funder,
            action,
            axis,
            by_age,
        ) = values
        ids = [int(p) for p in path.strip("/").split("/") if p]
        adm1 = admin.get(ids[1], ("", "")) if len(ids) > 1 else ("", "")
        adm2 = admin.get(ids[2], ("", "")) if len(ids) > 2 else ("", "")
        by_age = by_age or {}
        yield [
            org,
            org_types.get(org_type, org_type),
            partner or "",
            sector,
            subsector,
            activity,
            adm1[0],
            adm1[1],
            adm2[0],
            adm2[1],
            statuses.get(status, status),
            start.isoformat() if start else "",
            end.isoformat() if end else "",
            tf,
            tm,
            rf,
            rm,
            funder or "",
            action,
            axis if axis is not None else "",
            *[(by_age.get(sex) or {}).get(band, "") for sex, band, _h, _t in _AGE_COLUMNS],
        ]


def csv_chunks(queryset: QuerySet[FourW]) -> Iterator[str]:
    """CSV text by pieces, for a StreamingHttpResponse or a file."""
    return spreadsheets.csv_lines(itertools.chain([HEADERS, HASHTAGS], rows(queryset)), bom=True)


def write_xlsx(queryset: QuerySet[FourW], target) -> int:
    """Write the XLSX in constant-memory mode (rows flushed as written); returns the number of rows."""
    workbook = spreadsheets.Workbook(target, {"constant_memory": True})
    sheet = workbook.add_worksheet("4W")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, HEADERS, bold)
    sheet.write_row(1, 0, HASHTAGS)
    n = 0
    for n, row in enumerate(rows(queryset), start=1):
        sheet.write_row(n + 1, 0, row)
    workbook.close()
    return n


def xlsx_file(queryset: QuerySet[FourW]):
    """A temporary file holding the XLSX (XlsxWriter needs a seekable target); deleted when closed."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 — FileResponse closes it
    write_xlsx(queryset, handle)
    handle.seek(0)
    return handle


def export(*, actor: Actor, queryset: QuerySet[FourW], fmt: str, filters: dict) -> Iterable:
    audit.record_export(
        actor=actor, what="community.fourw", rows=queryset.count(), filters={**filters, "format": fmt}
    )
    return csv_chunks(queryset) if fmt == "csv" else xlsx_file(queryset)


# ---------------------------------------------------------------------------------------------- import


def _parse_date(text: str, field: str) -> datetime.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        raise ValidationError({field: [_("Use the date format YYYY-MM-DD.")]}) from None


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
    from kinga.plan.models import Action

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


def import_csv(*, actor: Actor, content: bytes) -> int:
    """Import a 4W CSV (the export's format, HXL row optional). All rows or none: errors name their line."""
    from . import services

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
                start = _parse_date(cell("Date début"), "start")
                if start is None:
                    raise ValidationError({"start": [_("The start date is required.")]})
                with transaction.atomic():
                    services.create_fourw(
                        actor=actor,
                        organisation=org,
                        activity=cell("Activité"),
                        place=place,
                        start=start,
                        end=_parse_date(cell("Date fin"), "end"),
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
    from django.db.models import Q

    return (
        resolve_organisation(name)
        or Organisation.objects.filter(Q(name__iexact=name) | Q(acronym__iexact=name)).first()
    )

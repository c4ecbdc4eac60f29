"""4W export (CSV/XLSX with HXL hashtags on the second row); its columns are also what the 4W import reads
(kinga.community.services.fourw).

Columns follow the DRC child-protection 3W template (shared/reference/hxl/3w_drc_cp.csv), then the plan
action, then the children reached by sex and age band. French headers, ISO dates, "." decimals.
Exports stream: rows come from the database by chunks and are written as they come, so memory stays flat.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import override

from kinga.core import audit, spreadsheets
from kinga.core.access import Actor
from kinga.core.models import OrganisationType, Place, PlaceLevel
from kinga.core.people import AGE_BANDS

from .models import FourW, FourWStatus

AGE_COLUMNS = [
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
    *[(header, tag) for _s, _b, header, tag in AGE_COLUMNS],
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
            axis,
            number,
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
            f"{axis}.{number}"
            if axis is not None
            else "",  # the action's code, "1.4", which the import reads
            axis if axis is not None else "",
            *[(by_age.get(sex) or {}).get(band, "") for sex, band, _h, _t in AGE_COLUMNS],
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

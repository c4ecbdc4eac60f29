"""The plan's indicators in the formats other systems read: DHIS2 dataValueSets (JSON), ADX (XML, IHE QRPH) and an
HXL-tagged CSV.

Values are computed for a period (kinga.core.periods, whose notation is DHIS2's: 2026Q3, 2026, 202609) at the
level DHIS2 expects: each mapped indicator by territory when its records know the territory, otherwise for the
province, and by sex / sex × age band as its data element's category combination says. A value that cannot be sent
(its territory or its sex × age cell has no DHIS2 counterpart in the mapping) is listed in `skipped` with the
reason, never dropped in silence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from kinga.core import access, audit, periods
from kinga.core import indicators as registry
from kinga.core.access import Actor
from kinga.core.models import Place, PlaceLevel
from kinga.core.spreadsheets import csv_text
from kinga.plan.indicators import computed_actual, manual_actuals
from kinga.plan.models import (
    Dhis2CategoryOptionCombo,
    Dhis2DataElement,
    Dhis2OrgUnit,
    Dhis2Settings,
    Disaggregation,
    Indicator,
    IndicatorSourceKind,
    Plan,
)
from kinga.plan.selectors import province_place

ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"
FORMATS = ("dhis2", "adx", "hxl")
_DISAGGREGATION_BREAKDOWNS = {
    Disaggregation.NONE: (),
    Disaggregation.SEX: ("sex",),
    Disaggregation.SEX_AGE: ("sex", "age_band"),
}
# Ages Kinga does not report to the plan (adults, unknown) have no category option: said in `skipped`.
CHILD_AGE_BANDS = ("0-4", "5-11", "12-14", "15-17")


@dataclass(frozen=True)
class ExportValue:
    indicator: Indicator
    place: Place
    value: Decimal
    sex: str = ""
    age_band: str = ""


@dataclass(frozen=True)
class Skipped:
    indicator: Indicator
    reason: str
    value: Decimal | None = None


@dataclass
class Export:
    period: periods.Period
    values: list[ExportValue] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _mapping(plan: Plan):
    settings = Dhis2Settings.objects.filter(plan=plan).first()
    elements = list(
        Dhis2DataElement.objects.filter(indicator__plan=plan)
        .select_related("indicator")
        .order_by("indicator__position")
    )
    org_units = {ou.place_id: ou for ou in Dhis2OrgUnit.objects.select_related("place")}
    combos = {(c.sex, c.age_band): c for c in Dhis2CategoryOptionCombo.objects.all()}
    return settings, elements, org_units, combos


def _number(value) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def collect(plan: Plan, period: periods.Period, *, indicators: Iterable[Indicator] | None = None) -> Export:
    """The values of the mapped indicators (or of `indicators`, mapped or not, for the HXL file) for the period.

    One aggregate query per indicator, grouped in the database by territory, sex and age band (never a query per
    cell)."""
    if period.kind == periods.PLAN:
        raise ValidationError(
            {
                "period": [
                    _("DHIS2 takes a month, a quarter or a year, not the whole plan: choose one of them.")
                ]
            }
        )
    _settings, elements, _org_units, _combos = _mapping(plan)
    if indicators is None:
        wanted = [
            (element.indicator, _DISAGGREGATION_BREAKDOWNS[element.disaggregation]) for element in elements
        ]
    else:
        wanted = [(indicator, ("sex", "age_band")) for indicator in indicators]
    export = Export(period=period)
    province = province_place()
    territories = {
        place.pcode: place for place in Place.objects.filter(level=PlaceLevel.TERRITORY).exclude(pcode=None)
    }
    manual = manual_actuals(
        [indicator for indicator, _b in wanted], start=period.start, end=period.end, area=None
    )
    for indicator, expected in wanted:
        if indicator.source == IndicatorSourceKind.MANUAL:
            if expected and indicators is None:
                export.skipped.append(
                    Skipped(indicator, _("entered by hand as a total: it has no values by sex or age band"))
                )
                continue
            actual = manual[indicator.pk]
            if actual.value is None:
                continue
            if province is None:
                export.skipped.append(
                    Skipped(indicator, _("the province is not in the places"), actual.value)
                )
                continue
            export.values.append(ExportValue(indicator, province, _number(actual.value)))
            continue
        source = registry.source_for(indicator.code)
        if source is None:
            export.skipped.append(Skipped(indicator, _("not computed by this installation")))
            continue
        missing = [b for b in expected if b not in source.breakdowns]
        if missing:
            export.skipped.append(
                Skipped(
                    indicator, _("its records do not give the breakdown DHIS2 expects (by sex or age band)")
                )
            )
            continue
        by_territory = "territory" in source.breakdowns
        breakdowns = (("territory",) if by_territory else ()) + tuple(expected)
        actual = computed_actual(
            indicator, start=period.start, end=period.end, area=province, breakdowns=breakdowns
        )
        rows = actual.breakdown if breakdowns else [registry.IndicatorValue(value=actual.value or 0)]
        for row in rows:
            value = _number(row.value)
            sex, age_band = row.breakdown.get("sex", ""), row.breakdown.get("age_band", "")
            if "age_band" in expected and age_band not in CHILD_AGE_BANDS:
                export.skipped.append(Skipped(indicator, _("age unknown or 18 or over"), value))
                continue
            if "sex" in expected and sex not in ("F", "M"):
                export.skipped.append(Skipped(indicator, _("sex not recorded"), value))
                continue
            if by_territory:
                place = territories.get(row.breakdown.get("territory", ""))
                if place is None:
                    export.skipped.append(Skipped(indicator, _("territory not recorded"), value))
                    continue
            elif province is None:
                export.skipped.append(Skipped(indicator, _("the province is not in the places"), value))
                continue
            else:
                place = province
            export.values.append(ExportValue(indicator, place, value, sex, age_band))
    return export


def _text(value: Decimal) -> str:
    """DHIS2 reads values as text; a whole number without its decimals ("275", not "275.0000")."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def _require_settings(settings: Dhis2Settings | None, *fields: str) -> Dhis2Settings:
    if settings is None or any(not getattr(settings, f) for f in fields):
        raise ValidationError(
            _("The DHIS2 mapping is not complete: an administrator sets the data set first (page “DHIS2”).")
        )
    return settings


def _resolve(
    export: Export, plan: Plan
) -> list[tuple[ExportValue, Dhis2DataElement, Dhis2OrgUnit, Dhis2CategoryOptionCombo]]:
    """Each value with its data element, org unit and category option combo; the unmapped ones go to skipped."""
    _settings, elements, org_units, combos = _mapping(plan)
    by_indicator = {element.indicator_id: element for element in elements}
    resolved = []
    for item in export.values:
        element = by_indicator.get(item.indicator.pk)
        org_unit = org_units.get(item.place.pk)
        combo = combos.get((item.sex, item.age_band))
        if element is None:
            export.skipped.append(Skipped(item.indicator, _("no DHIS2 data element"), item.value))
        elif org_unit is None:
            export.skipped.append(
                Skipped(
                    item.indicator,
                    _("%(place)s has no DHIS2 unit") % {"place": item.place.name},
                    item.value,
                )
            )
        elif combo is None:
            export.skipped.append(
                Skipped(
                    item.indicator, _("no DHIS2 category option combination for this sex and age"), item.value
                )
            )
        else:
            resolved.append((item, element, org_unit, combo))
    return resolved


def data_value_set(export: Export, plan: Plan) -> dict:
    """DHIS2's dataValueSets JSON (POST /api/dataValueSets)."""
    settings = _require_settings(_mapping(plan)[0], "data_set")
    document = {
        "dataSet": settings.data_set,
        "completeDate": timezone.localdate().isoformat(),
        "period": export.period.iso,
        "dataValues": [],
    }
    if settings.attribute_option_combo:
        document["attributeOptionCombo"] = settings.attribute_option_combo
    for item, element, org_unit, combo in _resolve(export, plan):
        document["dataValues"].append(
            {
                "dataElement": element.uid,
                "period": export.period.iso,
                "orgUnit": org_unit.uid,
                "categoryOptionCombo": combo.uid,
                "value": _text(item.value),
            }
        )
    return document


def adx_period(period: periods.Period) -> str:
    """ADX periods are a start date and a duration: 2026-07-01/P3M, 2026-01-01/P1Y, 2026-09-01/P1M."""
    duration = {periods.YEAR: "P1Y", periods.QUARTER: "P3M", periods.MONTH: "P1M"}[period.kind]
    return f"{period.start.isoformat()}/{duration}"


def adx_document(export: Export, plan: Plan) -> bytes:
    """ADX data message (IHE QRPH, namespace urn:ihe:qrph:adx:2015): one group per organisation unit."""
    settings = _require_settings(_mapping(plan)[0], "data_set_code")
    root = etree.Element(
        f"{{{ADX_NAMESPACE}}}adx",
        nsmap={None: ADX_NAMESPACE},
        exported=timezone.now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    )
    groups: dict[int, etree._Element] = {}
    for item, element, org_unit, combo in _resolve(export, plan):
        group = groups.get(org_unit.pk)
        if group is None:
            group = etree.SubElement(
                root,
                f"{{{ADX_NAMESPACE}}}group",
                orgUnit=org_unit.code,
                period=adx_period(export.period),
                dataSet=settings.data_set_code,
            )
            groups[org_unit.pk] = group
        attributes = {"dataElement": element.code}
        if item.sex:
            attributes[settings.adx_sex_category] = combo.adx_sex_code or item.sex
        if item.age_band:
            attributes[settings.adx_age_category] = combo.adx_age_code or item.age_band
        attributes["value"] = _text(item.value)
        etree.SubElement(group, f"{{{ADX_NAMESPACE}}}dataValue", **attributes)
    if not groups:
        raise ValidationError(_("No value of this period can be sent: see the values left out."))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


HXL_HEADER = [
    ("Indicateur", "#indicator+name"),
    ("Code", "#indicator+code"),
    ("Période", "#date+period"),
    ("Début", "#date+start"),
    ("Fin", "#date+end"),
    ("Province", "#adm1+name"),
    ("Code province", "#adm1+code"),
    ("Territoire", "#adm2+name"),
    ("Code territoire", "#adm2+code"),
    ("Sexe", "#sex"),
    ("Tranche d'âge", "#age+range"),
    ("Valeur", "#indicator+value+num"),
    ("Cible", "#indicator+target+num"),
]


def hxl_csv(export: Export) -> str:
    """A CSV with an HXL hashtag row under its French header (humdata.org reads it as it is)."""
    rows = [[label for label, _tag in HXL_HEADER], [tag for _label, tag in HXL_HEADER]]
    places = {
        p.pk: p for p in Place.objects.filter(pk__in={v.place.parent_id for v in export.values} - {None})
    }
    sexes = {"F": _("Girls"), "M": _("Boys")}
    for item in export.values:
        if item.place.level == PlaceLevel.TERRITORY:
            province, territory = places.get(item.place.parent_id), item.place
        else:
            province, territory = item.place, None
        rows.append(
            [
                item.indicator.label_fr,
                item.indicator.code,
                export.period.iso,
                export.period.start.isoformat(),
                export.period.end.isoformat(),
                province.name if province else "",
                (province.pcode or "") if province else "",
                territory.name if territory else "",
                (territory.pcode or "") if territory else "",
                sexes.get(item.sex, ""),
                item.age_band,
                _csv_number(item.value),
                _csv_number(item.indicator.target) if item.indicator.target is not None else "",
            ]
        )
    return csv_text(rows)


def _csv_number(value: Decimal) -> int | Decimal:
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else value.normalize()


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str
    export: Export


FILE_TYPES = {
    "dhis2": ("application/json", "json"),
    "adx": ("application/adx+xml", "xml"),
    "hxl": ("text/csv; charset=utf-8", "csv"),
}


def export_file(*, actor: Actor, plan: Plan, fmt: str, period: periods.Period) -> ExportFile:
    """The file of one format for the period, audited as an export (counts only: no identity is in it)."""
    access.require(actor, "plan.export")
    if fmt not in FILE_TYPES:
        raise ValidationError({"format": [_("Choose DHIS2 (JSON), ADX (XML) or HXL (CSV).")]})
    if fmt == "hxl":
        export = collect(plan, period, indicators=Indicator.objects.filter(plan=plan).order_by("position"))
        content = hxl_csv(export).encode("utf-8")
        rows = len(export.values)
    else:
        export = collect(plan, period)
        if fmt == "dhis2":
            document = data_value_set(export, plan)
            content = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
            rows = len(document["dataValues"])
        else:
            content = adx_document(export, plan)
            rows = content.count(b"<dataValue ")
    content_type, extension = FILE_TYPES[fmt]
    audit.record_export(
        actor=actor,
        what=f"plan.indicators.{fmt}",
        rows=rows,
        filters={"plan": plan.code, "period": period.iso},
    )
    return ExportFile(
        content=content,
        content_type=content_type,
        filename=f"kinga-indicateurs-{period.iso}-{fmt}.{extension}",
        export=export,
    )

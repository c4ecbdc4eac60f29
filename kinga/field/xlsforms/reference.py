"""The choice lists drawn from Kinga's reference data, attached to the forms as CSV files (KoboToolbox) or held in
ODK Central as entity lists (kinga.field.xlsforms.entities): a new site, place or organisation reaches the phones
without a new form version.

Every list has the `name` and `label` columns XLSForm's `select_one_from_file` reads, then `code` (the value
submitted: the same as `name`), then the columns the forms filter on (`territory`: the p-code of the ADM2 the row
lies in; `level` for places). The forms submit `code` rather than `name` (parameter `value=code`) because in an ODK
Central entity list `name` is the entity's UUID: the same form then reads the attached CSV and the entity list.
`territory`, when given, keeps the sites, services and places below territory level of that territory only (a
team's phones then carry what they need); territories themselves are always listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kinga.cases.models import Service
from kinga.core import spreadsheets
from kinga.core.models import Organisation, Place, PlaceLevel, organisation_label
from kinga.households.models import SurveyRound
from kinga.sites.models import Site

from .spec import VALUE_COLUMN


@dataclass(frozen=True)
class Table:
    """One choice list: its columns (`name`, `label`, `code`, then the filters') and rows of strings."""

    header: list[str]
    rows: list[list[str]]

    def csv(self) -> bytes:
        # Kinga's one writer (kinga.core.spreadsheets): a name that starts like a formula stays text in a
        # spreadsheet.
        return spreadsheets.csv_text([self.header, *self.rows]).encode("utf-8")


def _table(extra: list[str], rows: Iterable[list]) -> Table:
    """The key repeated as `code`; every value a string (an entity's properties are strings)."""
    return Table(
        ["name", "label", VALUE_COLUMN, *extra],
        [
            [str(key), str(label), str(key), *("" if v is None else str(v) for v in rest)]
            for key, label, *rest in rows
        ],
    )


def _territories_by_place() -> dict[int, str]:
    """Each p-coded place's ADM2 p-code, from the materialised paths (one query, not one per place)."""
    rows = list(
        Place.objects.exclude(pcode__isnull=True)
        .exclude(pcode="")
        .values_list("id", "path", "level", "pcode")
    )
    territory_pcodes = {pk: pcode for pk, _path, level, pcode in rows if level == PlaceLevel.TERRITORY}
    result = {}
    for pk, path, level, _pcode in rows:
        if level < PlaceLevel.TERRITORY:
            continue
        ids = [int(part) for part in path.strip("/").split("/") if part]
        result[pk] = next((territory_pcodes[i] for i in ids if i in territory_pcodes), "")
    return result


def _territory_ids() -> dict[int, str]:
    return dict(Place.objects.filter(level=PlaceLevel.TERRITORY).values_list("id", "pcode"))


def _territory_of(path: str, territory_ids: dict[int, str]) -> str:
    for part in path.strip("/").split("/"):
        if part and int(part) in territory_ids:
            return territory_ids[int(part)]
    return ""


def places(territory: str | None = None) -> Table:
    territories = _territories_by_place()
    rows = []
    for pk, pcode, name, level in (
        Place.objects.exclude(pcode__isnull=True)
        .exclude(pcode="")
        .order_by("level", "name")
        .values_list("id", "pcode", "name", "level")
    ):
        place_territory = territories.get(pk, "")
        if territory and level > PlaceLevel.TERRITORY and place_territory != territory:
            continue
        rows.append([pcode, name, level, place_territory])
    return _table(["level", "territory"], rows)


def sites(territory: str | None = None) -> Table:
    # From the place's path rather than the stored territory column, which only some writers fill in.
    territory_ids = _territory_ids()
    rows = []
    for code, name, path in Site.objects.order_by("name").values_list("code", "name", "place__path"):
        site_territory = _territory_of(path or "", territory_ids)
        if territory and site_territory != territory:
            continue
        rows.append([code, f"{name} ({code})", site_territory])
    return _table(["territory"], rows)


def organisations(territory: str | None = None) -> Table:
    rows = Organisation.objects.filter(is_active=True).order_by("name").values_list("uuid", "name", "acronym")
    return _table([], ([u, organisation_label(name, acronym)] for u, name, acronym in rows))


def rounds(territory: str | None = None) -> Table:
    rows = SurveyRound.objects.order_by("-number").values_list("code", "name")
    return _table([], ([code, name] for code, name in rows))


def services(territory: str | None = None) -> Table:
    territory_ids = {
        pk: pcode for pk, pcode in Place.objects.filter(level=PlaceLevel.TERRITORY).values_list("id", "pcode")
    }
    rows = []
    for uuid, name, kind, path in (
        Service.objects.filter(is_active=True)
        .order_by("name")
        .values_list("uuid", "name", "service_type", "place__path")
    ):
        service_territory = _territory_of(path or "", territory_ids)
        if territory and service_territory != territory:
            continue
        rows.append([str(uuid), name, kind, service_territory or ""])
    return _table(["service_type", "territory"], rows)


BUILDERS: dict[str, Callable[[str | None], Table]] = {
    "places.csv": places,
    "sites.csv": sites,
    "organisations.csv": organisations,
    "rounds.csv": rounds,
    "services.csv": services,
}


def table(name: str, territory: str | None = None) -> Table:
    return BUILDERS[name](territory)


def build(name: str, territory: str | None = None) -> bytes:
    return table(name, territory).csv()

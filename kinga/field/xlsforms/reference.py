"""The choice lists drawn from Kinga's reference data, attached to the forms as CSV files: a new site, place or
organisation reaches the phones with the next attachment update, without a new form version.

Every file has the `name` (the value submitted) and `label` columns XLSForm's `select_one_from_file` reads, plus
the columns the forms filter on (`territory`: the p-code of the ADM2 the row lies in; `level` for places).
`territory`, when given, keeps the sites, services and places below territory level of that territory only (a
team's phones then carry what they need); territories themselves are always listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kinga.cases.models import Service
from kinga.core import spreadsheets
from kinga.core.models import Organisation, Place, PlaceLevel, organisation_label
from kinga.households.models import SurveyRound
from kinga.sites.models import Site


def _csv(header: list[str], rows: Iterable[list]) -> bytes:
    # Kinga's one writer (kinga.core.spreadsheets): a name that starts like a formula stays text in a spreadsheet.
    return spreadsheets.csv_text([header, *rows]).encode("utf-8")


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


def places_csv(territory: str | None = None) -> bytes:
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
    return _csv(["name", "label", "level", "territory"], rows)


def sites_csv(territory: str | None = None) -> bytes:
    # From the place's path rather than the stored territory column, which only some writers fill in.
    territory_ids = _territory_ids()
    rows = []
    for code, name, path in Site.objects.order_by("name").values_list("code", "name", "place__path"):
        site_territory = _territory_of(path or "", territory_ids)
        if territory and site_territory != territory:
            continue
        rows.append([code, f"{name} ({code})", site_territory])
    return _csv(["name", "label", "territory"], rows)


def organisations_csv(territory: str | None = None) -> bytes:
    rows = Organisation.objects.filter(is_active=True).order_by("name").values_list("uuid", "name", "acronym")
    return _csv(["name", "label"], ([str(u), organisation_label(name, acronym)] for u, name, acronym in rows))


def rounds_csv(territory: str | None = None) -> bytes:
    rows = SurveyRound.objects.order_by("-number").values_list("code", "name")
    return _csv(["name", "label"], ([code, name] for code, name in rows))


def services_csv(territory: str | None = None) -> bytes:
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
    return _csv(["name", "label", "service_type", "territory"], rows)


BUILDERS: dict[str, Callable[[str | None], bytes]] = {
    "places.csv": places_csv,
    "sites.csv": sites_csv,
    "organisations.csv": organisations_csv,
    "rounds.csv": rounds_csv,
    "services.csv": services_csv,
}


def build(name: str, territory: str | None = None) -> bytes:
    return BUILDERS[name](territory)

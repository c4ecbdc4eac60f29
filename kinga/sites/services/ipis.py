"""Import of the IPIS open data on artisanal mine sites (DR Congo): `kinga sites import-ipis FILE`.

One site per `pcode`, one visit per `vid` (the idempotency key: a site can have two visits on one date).
Visits made off site (`visit_onsite` = 0) are kept as records, not as inspections. `childunder15` is a 0/1
flag and `childunder15work` the tasks: counts by sex stay unknown (null). The official qualification
(Vert/Jaune/Rouge/Bleu) is kept on the site with its date and source, apart from Kinga's status.
Places: province and territory names matched to the p-code tree with accents and case folded; a territory
that does not match places the site at province level with a warning. IPIS files Kolwezi-area sites under
Mutshatsha: the import keeps what IPIS says, and never moves a site whose place a user corrected.

Source: IPIS open data (ipisresearch.be), ODC-BY 1.0.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from kinga.core import access, audit, clock, spreadsheets, tabular
from kinga.core.access import Actor
from kinga.core.models import AuditAction, Place, PlaceLevel
from kinga.sites import status as engine
from kinga.sites.bulk import fast_update
from kinga.sites.models import SHARED_OBSERVATIONS, Inspection, Qualification, Site, SiteType, StatusChange
from kinga.sites.services.sites import forget_cached_lists

IPIS_CREDIT = "Source : IPIS open data (ipisresearch.be)"
REQUIRED_COLUMNS = {"vid", "pcode", "name", "visit_date", "visit_onsite", "province", "territoire"}
PCODE_RE = re.compile(r"^codmine\d{3,}$")
QUALIFICATIONS = {
    "vert": Qualification.GREEN,
    "jaune": Qualification.YELLOW,
    "rouge": Qualification.RED,
    "bleu": Qualification.BLUE,
}
UNQUALIFIED = {"", "not class", "no class", "none"}
# Public security forces in IPIS's armed-group columns (the others are armed groups).
SECURITY_FORCES = ("fardc", "pnc", "pmh", "police", "anr", "garde republicaine")
ACTIVITY_FLAGS = {
    "taxation": "taxation",
    "commerce_taxation": "commerce taxation",
    "entrance_taxation": "entrance taxation",
    "monopoly": "monopoly",
    "buying_minerals": "buying minerals",
    "digging": "digging",
    "forced_labour": "forced labour",
    "pillaging": "pillaging",
    "pit_ownership": "pit ownership",
}
# Activities that mean taxing, digging or controlling the site.
CONTROL_FLAGS = {
    "taxation",
    "commerce_taxation",
    "entrance_taxation",
    "monopoly",
    "digging",
    "forced_labour",
    "pit_ownership",
    "pillaging",
}

VISIT_FIELDS = [
    "site_id",
    "date",
    "onsite",
    "offsite_reason",
    "ipis_project",
    "ipis_source",
    "qualification",
    "children_seen",
    "children_in_workings",
    "armed_groups",
    "state_services",
    "minerals",
    *SHARED_OBSERVATIONS,
]
SITE_FIELDS = [
    "name",
    "place_id",
    "territory_id",
    "latitude",
    "longitude",
    "minerals",
    "workers_count",
    "state_services",
    "place_warning",
    "qualification",
    "qualification_date",
    "qualification_source",
]


def fold(text: str) -> str:
    """Accents and case folded, punctuation to single spaces: "Kasaï-Oriental" → "kasai oriental"."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@dataclass
class ImportResult:
    rows: int = 0
    sites_created: int = 0
    sites_updated: int = 0
    visits_created: int = 0
    visits_updated: int = 0
    unchanged: int = 0
    statuses_changed: int = 0
    rejected: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Values already recorded that this file would blank ("codmine00012 qualification"...).
    blanked: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.sites_created or self.sites_updated or self.visits_created or self.visits_updated)

    def summary(self) -> str:
        return (
            ("Simulation, rien n'a été enregistré : " if self.dry_run else "")
            + f"{self.rows} lignes lues : {self.sites_created} sites créés, {self.sites_updated} mis à jour ; "
            f"{self.visits_created} visites créées, {self.visits_updated} mises à jour, {self.unchanged} inchangées ; "
            f"{len(self.rejected)} lignes rejetées ; {len(self.warnings)} avertissements ; "
            f"{self.statuses_changed} statuts modifiés ; {len(self.blanked)} valeurs déjà enregistrées effacées. "
            f"{IPIS_CREDIT}"
        )


class Rejected(Exception):
    pass


class PlaceMatcher:
    def __init__(self) -> None:
        self.provinces: dict[str, Place] = {}
        self.territories: dict[tuple[int, str], Place] = {}
        for place in Place.objects.filter(level__in=[PlaceLevel.PROVINCE, PlaceLevel.TERRITORY]).order_by(
            "level"
        ):
            if place.level == PlaceLevel.PROVINCE:
                self.provinces[fold(place.name)] = place
            else:
                self.territories[(place.parent_id, fold(place.name))] = place

    def match(self, province: str, territory: str) -> tuple[Place, Place | None, str]:
        """(place, territory, warning). Raises Rejected when the province is unknown."""
        prov = self.provinces.get(fold(province))
        if prov is None:
            raise Rejected(f"province inconnue : « {province} »" if province else "province manquante")
        terr = self.territories.get((prov.pk, fold(territory)))
        if terr is None:
            return (
                prov,
                None,
                f"territoire IPIS « {territory} » introuvable dans les p-codes : site placé au niveau de la province {prov.name}",
            )
        return terr, terr, ""


def _flag(value: str) -> bool | None:
    """0/1 in the IPIS file; TRUE/FALSE, oui/non... once R or Excel wrote it. Unknown text: unknown (None)."""
    try:
        return tabular.parse_bool(value)
    except ValueError:
        return None


def _int(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = int(float(value))
    except ValueError:
        return None
    return number if number >= 0 else None


def _coordinate(value: str, limit: int) -> Decimal | None:
    try:
        number = Decimal((value or "").strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) > limit:
        return None
    return number.quantize(Decimal("0.000001"))


def _armed_groups(row: dict) -> tuple[list[dict], bool | None, bool | None, bool]:
    groups = []
    armed = security = None
    interfering = False
    for i in (1, 2, 3):
        name = (row.get(f"armed_group{i}") or "").strip()
        kind = (row.get(f"type_armed_group{i}") or "").strip()
        if not name and not kind:
            continue
        if fold(name) in ("aucun", "none", "") and fold(kind) in ("aucun", ""):
            armed = bool(armed)
            security = bool(security)
            continue
        activities = [
            label
            for key, label in ACTIVITY_FLAGS.items()
            if _flag(row.get(f"{key}_armed_group{i}", "")) is True
        ]
        is_force = fold(name).startswith(SECURITY_FORCES) or fold(kind).startswith(SECURITY_FORCES)
        groups.append(
            {
                "name": name,
                "type": kind,
                "frequency": (row.get(f"frequency_armed_group{i}") or "").strip(),
                "security_force": is_force,
                "activities": activities,
            }
        )
        if is_force:
            security = True
            armed = bool(armed)
            if any(_flag(row.get(f"{key}_armed_group{i}", "")) for key in CONTROL_FLAGS):
                interfering = True
        else:
            armed = True
            security = bool(security)
    return groups, armed, security, interfering


def _visit_values(row: dict) -> dict:
    groups, armed, security, interfering = _armed_groups(row)
    child = _flag(row.get("childunder15", ""))
    qualification = (row.get("qualification") or "").strip()
    minerals = [
        m.strip() for m in (row.get("mineral1"), row.get("mineral2"), row.get("mineral3")) if m and m.strip()
    ]
    services = [s.strip() for s in (row.get(f"state_service{i}") for i in (1, 2, 3, 4)) if s and s.strip()]
    return {
        "onsite": _flag(row.get("visit_onsite", "")) is not False,
        "offsite_reason": (row.get("visit_onsite_novisitreason") or "").strip()[:255],
        "ipis_project": (row.get("project") or "").strip()[:100],
        "ipis_source": (row.get("source") or "").strip()[:100],
        "qualification": QUALIFICATIONS.get(fold(qualification), ""),
        "children_seen": child,
        "children_in_workings": child,
        "children_tasks": (row.get("childunder15work") or "").strip()[:255],
        "women_seen": _flag(row.get("women", "")),
        "women_tasks": (row.get("womenwork") or "").strip()[:255],
        "armed_group_present": armed,
        "armed_groups": groups,
        "security_forces_present": security,
        "security_forces_interfering": interfering,
        "state_services": services,
        "minerals": minerals,
        "workers_count": _int(row.get("workers_numb", "")),
    }


def _parse(row: dict, line: int, matcher: PlaceMatcher) -> dict:
    vid = (row.get("vid") or "").strip()
    pcode = (row.get("pcode") or "").strip()
    if not vid.isdigit():
        raise Rejected(f"identifiant de visite (vid) manquant ou invalide : « {vid} »")
    if not PCODE_RE.match(pcode):
        raise Rejected(f"code de site (pcode) manquant ou invalide : « {pcode} »")
    try:
        date = datetime.date.fromisoformat((row.get("visit_date") or "").strip()[:10])
    except ValueError:
        raise Rejected(f"date de visite invalide : « {row.get('visit_date', '')} »") from None
    if date > clock.today():
        raise Rejected(f"date de visite dans le futur : {date}")
    name = (row.get("name") or "").strip() or pcode
    qualification = (row.get("qualification") or "").strip()
    if fold(qualification) not in QUALIFICATIONS and fold(qualification) not in UNQUALIFIED:
        raise Rejected(f"qualification inconnue : « {qualification} »")
    place, territory, warning = matcher.match(row.get("province", ""), row.get("territoire", ""))
    lat = _coordinate(row.get("latitude", ""), 90)
    lon = _coordinate(row.get("longitude", ""), 180)
    coord_warning = ""
    if (lat is None) != (lon is None) or ((row.get("latitude") or row.get("longitude")) and lat is None):
        coord_warning = f"coordonnées invalides ({row.get('latitude')}, {row.get('longitude')}) : ignorées"
        lat = lon = None
    return {
        "vid": int(vid),
        "pcode": pcode,
        "date": date,
        "name": name[:200],
        "place": place,
        "territory": territory,
        "place_warning": warning,
        "coord_warning": coord_warning,
        "latitude": lat,
        "longitude": lon,
        "line": line,
        "visit": _visit_values(row),
    }


def _blank(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _note_blanked(result: ImportResult, label: str, obj, values: dict) -> None:
    """Values recorded on `obj` that `values` would blank (a later file that lost a column's content)."""
    for name, value in values.items():
        if _blank(value) and not _blank(getattr(obj, name)):
            result.blanked.append(f"{label} : {name}")


def _reject(result: ImportResult, line: int, row: dict, reason: str) -> None:
    result.rejected.append(
        {
            "line": line,
            "vid": row.get("vid", ""),
            "pcode": row.get("pcode", ""),
            "name": row.get("name", ""),
            "reason": reason,
        }
    )


class _Rollback(Exception):
    pass


def import_ipis(
    path: str | Path,
    *,
    actor: Actor,
    rejects_path: str | Path | None = None,
    dry_run: bool = False,
    accept_rejections: bool = False,
    threshold: float = tabular.DEFAULT_REJECTION_THRESHOLD,
) -> ImportResult:
    """Import the file; with `dry_run`, say what it would change and write nothing. A file whose rejected rows
    pass `threshold`, or that would blank values already recorded, writes nothing (ImportRefused, with the
    summary of what it would have done) unless `accept_rejections`."""
    access.require(actor, "sites.import")
    path = Path(path)
    table = tabular.read_path(path, allow_xlsx=True)
    table.require(sorted(REQUIRED_COLUMNS))
    try:
        with transaction.atomic():
            result = _import(table, path.name, actor=actor)
            result.dry_run = dry_run
            if rejects_path:
                write_rejects(result, rejects_path)
            if dry_run:
                raise _Rollback
            tabular.refuse_if_unsafe(
                rows=result.rows,
                rejected=len(result.rejected),
                blanked=result.blanked,
                accept=accept_rejections,
                threshold=threshold,
                summary=result.summary(),
            )
    except _Rollback:
        pass
    return result


def _import(table: tabular.Table, filename: str, *, actor: Actor) -> ImportResult:
    result = ImportResult()
    matcher = PlaceMatcher()
    parsed: dict[int, dict] = {}
    for line, row in table:
        result.rows += 1
        try:
            item = _parse(row, line, matcher)
        except Rejected as exc:
            _reject(result, line, row, str(exc))
            continue
        if item["vid"] in parsed:
            _reject(
                result,
                line,
                row,
                f"visite {item['vid']} en double (déjà à la ligne {parsed[item['vid']]['line']})",
            )
            continue
        parsed[item["vid"]] = item
        if item["coord_warning"]:
            result.warnings.append(f"ligne {line} ({item['pcode']}) : {item['coord_warning']}")

    # One site per pcode, described by its latest visit; qualification from its latest qualified visit.
    by_site: dict[str, list[dict]] = {}
    for item in parsed.values():
        by_site.setdefault(item["pcode"], []).append(item)
    existing = {s.code: s for s in Site.objects.filter(code__in=list(by_site))}
    new_sites, changed_sites = [], []
    for pcode, items in by_site.items():
        items.sort(key=lambda i: (i["date"], i["vid"]))
        latest = items[-1]
        located = [i for i in items if i["latitude"] is not None]
        qualified = [i for i in items if i["visit"]["qualification"]]
        values = {
            "name": latest["name"],
            "place_id": latest["place"].pk,
            "territory_id": latest["territory"].pk if latest["territory"] else None,
            "latitude": located[-1]["latitude"] if located else None,
            "longitude": located[-1]["longitude"] if located else None,
            "minerals": latest["visit"]["minerals"],
            "workers_count": next(
                (
                    i["visit"]["workers_count"]
                    for i in reversed(items)
                    if i["visit"]["workers_count"] is not None
                ),
                None,
            ),
            "state_services": latest["visit"]["state_services"],
            "place_warning": latest["place_warning"][:255],
            "qualification": qualified[-1]["visit"]["qualification"] if qualified else "",
            "qualification_date": qualified[-1]["date"] if qualified else None,
            "qualification_source": (
                f"IPIS — {qualified[-1]['visit']['ipis_project'] or qualified[-1]['visit']['ipis_source']}"
                if qualified
                else ""
            )[:100],
        }
        if latest["place_warning"]:
            result.warnings.append(f"{pcode} : {latest['place_warning']}")
        site = existing.get(pcode)
        if site is None:
            new_sites.append(Site(code=pcode, source="ipis", site_type=SiteType.INFORMAL, **values))
            continue
        if site.place_corrected:
            # A user corrected the place: IPIS does not move the site back.
            values.pop("place_id"), values.pop("territory_id"), values.pop("place_warning")
        if any(getattr(site, k) != v for k, v in values.items()):
            _note_blanked(result, pcode, site, values)
            for k, v in values.items():
                setattr(site, k, v)
            changed_sites.append(site)
    Site.objects.bulk_create(new_sites, batch_size=2000)
    if changed_sites:
        fast_update(
            Site,
            [{"id": s.pk, **{f: getattr(s, f) for f in SITE_FIELDS}} for s in changed_sites],
            SITE_FIELDS,
        )
    result.sites_created, result.sites_updated = len(new_sites), len(changed_sites)
    site_ids = dict(Site.objects.filter(code__in=list(by_site)).values_list("code", "id"))

    old_visits = {v.ipis_vid: v for v in Inspection.objects.filter(ipis_vid__in=list(parsed))}
    new_visits, changed_visits = [], []
    for vid, item in parsed.items():
        values = {"site_id": site_ids[item["pcode"]], "date": item["date"], **item["visit"]}
        visit = old_visits.get(vid)
        if visit is None:
            new_visits.append(Inspection(ipis_vid=vid, source=Inspection.Source.IPIS, **values))
        elif any(getattr(visit, k) != v for k, v in values.items()):
            _note_blanked(result, f"{item['pcode']} visite {vid}", visit, values)
            for k, v in values.items():
                setattr(visit, k, v)
            changed_visits.append(visit)
        else:
            result.unchanged += 1
    Inspection.objects.bulk_create(new_visits, batch_size=2000)
    if changed_visits:
        fast_update(
            Inspection,
            [{"id": v.pk, **{f: getattr(v, f) for f in VISIT_FIELDS}} for v in changed_visits],
            VISIT_FIELDS,
        )
    result.visits_created, result.visits_updated = len(new_visits), len(changed_visits)

    if result.changed:
        touched = list(site_ids.values())
        result.statuses_changed = engine.recompute(touched, default_evidence=StatusChange.Evidence.IMPORT)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if result.changed else AuditAction.OTHER,
        target_type="sites.ipis_import",
        target_id=table.digest[:16],
        changes={
            "file": filename,
            "rows": result.rows,
            "sites_created": result.sites_created,
            "sites_updated": result.sites_updated,
            "visits_created": result.visits_created,
            "visits_updated": result.visits_updated,
            "rejected": len(result.rejected),
            "warnings": len(result.warnings),
        },
        note=IPIS_CREDIT,
    )
    if result.changed:
        transaction.on_commit(forget_cached_lists)
    return result


def write_rejects(result: ImportResult, path: str | Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        spreadsheets.write_csv_dicts(handle, ["line", "vid", "pcode", "name", "reason"], result.rejected)

"""The sites' writes, one module per domain; this list is what views, the API and other apps may call.

sites: the sites; inspections: inspections, corrective actions, photos; statuses: status rules, refresh and
evidence; zones: artisanal zones (ZEA) and their studies; ipis: the IPIS open-data import; movements: arrivals and
departures of people at sites, relocations away from mining titles (counts).
"""

from kinga.sites.services.inspections import add_photo, complete_action, record_inspection
from kinga.sites.services.ipis import import_ipis
from kinga.sites.services.movements import correct_observation, record_observation, record_relocation
from kinga.sites.services.sites import create_site, update_site
from kinga.sites.services.statuses import (
    ensure_default_rules,
    on_alert_verified,
    on_child_identified,
    record_evidence,
    refresh_statuses,
    update_rules,
)
from kinga.sites.services.zones import add_study, advance_zone, create_zone, update_zone

__all__ = [
    "add_photo",
    "add_study",
    "advance_zone",
    "complete_action",
    "correct_observation",
    "create_site",
    "create_zone",
    "ensure_default_rules",
    "import_ipis",
    "on_alert_verified",
    "on_child_identified",
    "record_evidence",
    "record_inspection",
    "record_observation",
    "record_relocation",
    "refresh_statuses",
    "update_rules",
    "update_site",
    "update_zone",
]

"""The sites' writes, one module per domain; this list is what views, the API and other apps may call.

sites: sites, inspections, corrective actions, photos, status rules and evidence; zones: artisanal zones (ZEA)
and their studies; ipis: the IPIS open-data import.
"""

from kinga.sites.services.ipis import import_ipis
from kinga.sites.services.sites import (
    add_photo,
    complete_action,
    create_site,
    ensure_default_rules,
    on_alert_verified,
    on_child_identified,
    record_evidence,
    record_inspection,
    refresh_statuses,
    update_rules,
    update_site,
)
from kinga.sites.services.zones import add_study, advance_zone, create_zone, update_zone

__all__ = [
    "add_photo",
    "add_study",
    "advance_zone",
    "complete_action",
    "create_site",
    "create_zone",
    "ensure_default_rules",
    "import_ipis",
    "on_alert_verified",
    "on_child_identified",
    "record_evidence",
    "record_inspection",
    "refresh_statuses",
    "update_rules",
    "update_site",
    "update_zone",
]

"""The supply chain's writes, one module per domain; this list is what views, the API and other apps may call.

cooperatives: document types, a cooperative's documents, miners and production; lots: lots, evacuation
decisions and overrides; partners: agreements with child-labour clauses, their visits and breaches, and the
companies' sustainable-development commitments.
"""

from kinga.supply.services.cooperatives import (
    load_default_document_types,
    miner_leaves,
    record_document,
    record_production,
    register_miner,
    save_document_type,
)
from kinga.supply.services.lots import decide_evacuation, decide_override, record_lot, request_override
from kinga.supply.services.partners import (
    record_agreement,
    record_breach,
    record_commitment,
    record_visit,
    resolve_breach,
    update_commitment,
)

__all__ = [
    "decide_evacuation",
    "decide_override",
    "load_default_document_types",
    "miner_leaves",
    "record_agreement",
    "record_breach",
    "record_commitment",
    "record_document",
    "record_lot",
    "record_production",
    "record_visit",
    "register_miner",
    "request_override",
    "resolve_breach",
    "save_document_type",
    "update_commitment",
]

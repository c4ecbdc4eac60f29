"""The evacuation-authorisation rule, kept apart from its service so it can be previewed and measured.

Refused when the site's child-labour status is red, expired or blue (never inspected), or when the cooperative
lacks a valid required document (missing, or expired on the day of the decision). Yellow is allowed with a warning.
Reasons are codes with parameters, rendered in the reader's language by `reason_text`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import FilteredRelation, Q
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kinga.core.prepared import PreparedQuery
from kinga.sites import selectors as site_selectors
from kinga.sites.models import StatusChange
from kinga.supply.models import DocumentType, Lot, Outcome

RED, YELLOW, GREEN, BLUE, EXPIRED = "red", "yellow", "green", "blue", "expired"
REFUSING_STATUSES = (RED, EXPIRED, BLUE)


@dataclass(frozen=True)
class SiteStatus:
    status: str
    reason: str = ""
    since: datetime.date | None = None


@dataclass
class Decision:
    outcome: str
    site_status: SiteStatus
    reasons: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.outcome != Outcome.REFUSED


def site_status(site, day: datetime.date) -> SiteStatus:
    """The site's child-labour status on `day`, from the mine-sites status engine (kinga.sites)."""

    result = site_selectors.child_labour_status(site, at=day)
    if isinstance(result, str):
        return SiteStatus(status=str(result))
    status = getattr(result, "status", None) or getattr(result, "code", None)
    return SiteStatus(
        status=str(getattr(status, "value", status) or BLUE),
        reason=str(getattr(result, "reason", "") or ""),
        since=getattr(result, "since", None) or getattr(result, "date", None),
    )


def _status_on_record_query(site_id: int, day: datetime.date):
    return (
        StatusChange.objects.filter(site_id=site_id, effective_on__lte=day)
        .order_by("-effective_on", "-id")
        .values_list("new_status", "reason", "effective_on")[:1]
    )


def _documents_query(cooperative_id: int, day: datetime.date):
    # Each required type left-joined to the cooperative's documents issued by `day` (a type with none comes
    # back once, with empty document columns).
    return (
        DocumentType.objects.filter(is_active=True, is_required=True)
        .annotate(
            held=FilteredRelation(
                "documents",
                condition=Q(documents__cooperative_id=cooperative_id, documents__issued_on__lte=day),
            )
        )
        # Latest issue first within a type, as the documents' default ordering: it wins ties on validity.
        .order_by("order", "code", "pk", "-held__issued_on")
        .values_list(
            "pk",
            "code",
            "name_fr",
            "name_en",
            "held__id",
            "held__issued_on",
            "held__valid_until",
            "held__reference",
        )
    )


# Compiled once: these run for every lot decided, on a handful of indexed rows.
_status_on_record = PreparedQuery(_status_on_record_query, site_id=int, day=datetime.date)
_documents_on = PreparedQuery(_documents_query, cooperative_id=int, day=datetime.date)


def status_on_record(site_id: int, day: datetime.date) -> SiteStatus | None:
    """The status the site's timeline recorded as in force on `day` (one indexed query, not a replay): what was
    known then, under the rules of the time."""
    rows = _status_on_record(site_id=site_id, day=day)
    change = rows[0] if rows else None
    if change is None:
        return None
    return SiteStatus(status=change[0], reason=change[1], since=change[2])


def documents_state(cooperative_id: int, day: datetime.date) -> list[dict[str, Any]]:
    """Each active required document type with its state on `day`: valid, expired or missing."""
    rows = _documents_on(cooperative_id=cooperative_id, day=day)
    types: list[tuple[int, str, str, str]] = []
    held: dict[int, list[tuple[datetime.date, datetime.date | None, str]]] = {}
    for type_id, code, name_fr, name_en, doc_id, issued_on, valid_until, reference in rows:
        if not types or types[-1][0] != type_id:
            types.append((type_id, code, name_fr, name_en))
        if doc_id is not None:
            held.setdefault(type_id, []).append((issued_on, valid_until, reference))
    states = []
    for type_id, code, name_fr, name_en in types:
        docs = held.get(type_id, [])
        valid = [d for d in docs if d[1] is None or d[1] >= day]
        if valid:
            best = max(valid, key=lambda d: d[1] or datetime.date.max)
            state, until, reference = "valid", best[1], best[2]
        elif docs:
            best = max(docs, key=lambda d: d[1])
            state, until, reference = "expired", best[1], best[2]
        else:
            state, until, reference = "missing", None, ""
        states.append(
            {
                "type": code,
                "name_fr": name_fr,
                "name_en": name_en,
                "state": state,
                "valid_until": until.isoformat() if until else None,
                "reference": reference,
            }
        )
    return states


def evaluate(lot: Lot, day: datetime.date) -> Decision:
    status = site_status(lot.site, day)
    reasons: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    site_params = {
        "site": lot.site.name,
        "reason": status.reason,
        "since": status.since.isoformat() if status.since else None,
    }
    if status.status == RED:
        reasons.append({"code": "site_red", "params": site_params})
    elif status.status == EXPIRED:
        reasons.append({"code": "site_expired", "params": site_params})
    elif status.status == BLUE:
        reasons.append({"code": "site_blue", "params": site_params})
    elif status.status == YELLOW:
        warnings.append({"code": "site_yellow", "params": site_params})
    elif status.status != GREEN:
        reasons.append({"code": "site_unknown", "params": {**site_params, "status": status.status}})
    if lot.date < day and status.status != RED:
        # A lot extracted while children were found at the site stays tainted after the site is cleared.
        then = status_on_record(lot.site_id, lot.date)
        if then is not None and then.status == RED:
            reasons.append(
                {
                    "code": "site_red_at_lot_date",
                    "params": {
                        "site": lot.site.name,
                        "reason": then.reason,
                        "since": then.since.isoformat() if then.since else None,
                        "lot_date": lot.date.isoformat(),
                    },
                }
            )
    documents = documents_state(lot.cooperative_id, day)
    for doc in documents:
        if doc["state"] == "missing":
            reasons.append({"code": "document_missing", "params": doc})
        elif doc["state"] == "expired":
            reasons.append({"code": "document_expired", "params": doc})
    if reasons:
        outcome = Outcome.REFUSED
    elif warnings:
        outcome = Outcome.AUTHORISED_WITH_WARNING
    else:
        outcome = Outcome.AUTHORISED
    return Decision(
        outcome=outcome, site_status=status, reasons=reasons, warnings=warnings, documents=documents
    )


def _date(value: str | None) -> str:
    if not value:
        return "?"
    try:
        return date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except ValueError:
        return value


def _doc_name(params: dict[str, Any]) -> str:
    if (get_language() or "fr").startswith("en"):
        return params.get("name_en") or params.get("type", "")
    return params.get("name_fr") or params.get("type", "")


def _with_reason(text: str, reason: str) -> str:
    if not reason:
        return text
    # French puts a space before the colon: the separator is translated.
    return _("%(text)s: %(reason)s") % {"text": text, "reason": reason}


def reason_text(item: dict[str, Any]) -> str:
    """A reason or warning in the reader's language (French by default)."""
    code, p = item.get("code"), item.get("params", {})
    since = _date(p.get("since")) if p.get("since") else None
    reason = p.get("reason") or ""
    if code == "site_red":
        text = _("The site %(site)s is RED for child labour") % {"site": p.get("site", "")}
        if since:
            text += " " + _("since %(date)s") % {"date": since}
        return _with_reason(text, reason) + "."
    if code == "site_red_at_lot_date":
        text = _(
            "The site %(site)s was RED for child labour on the lot's date (%(date)s): the lot was produced while "
            "children were found there"
        ) % {"site": p.get("site", ""), "date": _date(p.get("lot_date"))}
        return _with_reason(text, reason) + "."
    if code == "site_expired":
        return _(
            "The child-labour status of the site %(site)s has expired: no inspection in the last 12 months. "
            "A new inspection is needed."
        ) % {"site": p.get("site", "")}
    if code == "site_blue":
        return _("The site %(site)s has never been inspected (blue): an inspection is needed first.") % {
            "site": p.get("site", "")
        }
    if code == "site_unknown":
        return _("The site %(site)s has an unknown status (%(status)s).") % {
            "site": p.get("site", ""),
            "status": p.get("status", ""),
        }
    if code == "site_yellow":
        text = _("Warning: the site %(site)s is YELLOW") % {"site": p.get("site", "")}
        if since:
            text += " " + _("since %(date)s") % {"date": since}
        return (
            _with_reason(text, reason)
            + ". "
            + _("Corrective actions are due; follow them up before the next lot.")
        )
    if code == "document_missing":
        return _("Required cooperative document missing: %(document)s.") % {"document": _doc_name(p)}
    if code == "document_expired":
        return _("Required cooperative document expired on %(date)s: %(document)s.") % {
            "document": _doc_name(p),
            "date": _date(p.get("valid_until")),
        }
    return str(code)

"""The case timeline in the reader's language: an event stores its code (`CaseEvent.kind`) and parameters
(`CaseEvent.params`: codes, numbers, names), never a sentence; `event_text` writes the sentence when the page
or the API shows it (docs/style.md, "Stored text"). Like supply's `reason_text(code, params)`.

`params["note"]` is text that no code says: a timeline line kept as it was written before events had codes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from .models import (
    CarePlanItemStatus,
    ClosureReason,
    ConsentKind,
    IdentificationMethod,
    RelapseSource,
    RiskLevel,
    ServiceType,
)


def _label(choices: type[models.TextChoices], code: str | None) -> str:
    return str(choices(code).label) if code in choices.values else (code or "")


def _with(text: str, flag: bool, addition: str) -> str:
    return f"{text} — {addition}" if flag else text


def _follow_up(p: dict) -> str:
    parts = [_("Follow-up visit: child seen") if p.get("seen") else _("Follow-up visit: child not seen")]
    if p.get("in_education") is True:
        parts.append(_("attending school or training"))
    elif p.get("in_education") is False:
        parts.append(_("not attending school or training"))
    if p.get("working"):
        parts.append(_("found working or at a mine site"))
    return ", ".join(parts)


def _plan_item(p: dict) -> str:
    if "status" in p:
        return _("Care plan item: %(status)s") % {"status": _label(CarePlanItemStatus, p["status"])}
    return _("Care plan: support by %(org)s due %(due)s") % {"org": p.get("org", ""), "due": p.get("due", "")}


TEXTS: dict[str, Callable[[dict], str]] = {
    "identified": lambda p: (
        _("Identified (%(how)s)") % {"how": _label(IdentificationMethod, p.get("method"))}
    ),
    "registered": lambda p: _("Registered as %(number)s") % {"number": p.get("number", "")},
    "assigned": lambda p: _("Assigned to %(name)s") % {"name": p.get("name", "")},
    "consent": lambda p: _label(ConsentKind, p.get("kind")),
    "consent_withdrawn": lambda p: _("Consent withdrawn"),
    "assessment": lambda p: (
        _("Assessed: score %(total)s/18, risk %(risk)s")
        % {"total": p.get("total", ""), "risk": _label(RiskLevel, p.get("risk"))}
    ),
    "plan_item": _plan_item,
    "care_plan": lambda p: _("Care plan submitted to the supervisor"),
    "care_plan_decision": lambda p: (
        _("Care plan approved by the supervisor")
        if p.get("approved")
        else _("Care plan returned by the supervisor")
    ),
    "referral": lambda p: _with(
        _("Referred to %(org)s (%(type)s)")
        % {"org": p.get("org", ""), "type": _label(ServiceType, p.get("service_type"))},
        p.get("emergency", False),
        _("without consent: emergency override"),
    ),
    "referral_answer": lambda p: (
        (_("Referral accepted by %(org)s") if p.get("accepted") else _("Referral declined by %(org)s"))
        % {"org": p.get("org", "")}
    ),
    "referral_done": lambda p: _("Service delivered by %(org)s") % {"org": p.get("org", "")},
    "referral_cancelled": lambda p: _("Referral cancelled"),
    "follow_up": _follow_up,
    "closure_requested": lambda p: _with(
        _("Closure proposed: %(reason)s") % {"reason": _label(ClosureReason, p.get("reason"))},
        p.get("overridden", False),
        _("exit rule overridden by the supervisor"),
    ),
    "closure_refused": lambda p: _("Closure refused by the supervisor"),
    "closed": lambda p: _("Closed: %(reason)s") % {"reason": _label(ClosureReason, p.get("reason"))},
    "retention_check": lambda p: (
        (
            _("Retention check at %(m)s months: child found working or at a mine site")
            if p.get("working")
            else _("Retention check at %(m)s months: child out of the mines")
        )
        % {"m": p.get("months", "")}
    ),
    "relapse": lambda p: _with(
        _("Relapse: found working again (%(source)s)") % {"source": _label(RelapseSource, p.get("source"))},
        p.get("reopened", False),
        _("case reopened"),
    ),
    "reopened": lambda p: _("Case reopened by the supervisor"),
}


def event_text(kind: str, params: dict[str, Any] | None) -> str:
    """The timeline line of an event, in the active language. A kept note (an event written before codes, or
    of a kind this module does not know) is shown as it was written."""
    params = params or {}
    if "note" in params or kind not in TEXTS:
        return str(params.get("note", kind))
    return TEXTS[kind](params)

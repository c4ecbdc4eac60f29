"""The texts of the messages, rendered when sent, in the recipient's language, from parameters that hold no
identity: case numbers, counts, site codes, tracking codes, dates and links.

An SMS stays short (one or two 160-character parts): no accents are needed for it to arrive, but French keeps
them; gateways send Unicode."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

from kinga.community.models import Alert
from kinga.community.selectors import feedback_for


def _date(value: str) -> str:
    return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT") if value else ""


def link(path: str) -> str:
    return settings.KINGA_BASE_URL.rstrip("/") + path


def _alert_urgent(p: dict[str, Any]) -> tuple[str, str]:
    where = p.get("site") or p.get("territory") or ""
    subject = _("Urgent alert %(ref)s") % {"ref": p["ref"]}
    body = _(
        "Kinga: urgent alert %(ref)s, %(children)d child(ren), %(where)s. Verify before %(due)s. %(link)s"
    ) % {
        "ref": p["ref"],
        "children": p["children"],
        "where": where,
        "due": _date(p["due"]),
        "link": p["link"],
    }
    return subject, body


def _case_assigned(p: dict[str, Any]) -> tuple[str, str]:
    subject = _("Case %(number)s assigned to you") % {"number": p["number"]}
    body = _("Kinga: case %(number)s is assigned to you. %(link)s") % p
    return subject, body


def _referral_overdue(p: dict[str, Any]) -> tuple[str, str]:
    subject = _("Referral of case %(number)s waiting for your answer") % {"number": p["number"]}
    body = _("Kinga: the referral of case %(number)s has waited for your answer since %(due)s. %(link)s") % {
        "number": p["number"],
        "due": _date(p["due"]),
        "link": p["link"],
    }
    return subject, body


def _alert_outcome(p: dict[str, Any]) -> tuple[str, str]:
    alert = Alert.objects.filter(pk=p["alert_id"]).first()
    message = feedback_for(alert).message if alert is not None else ""
    subject = _("Your alert %(code)s") % {"code": p["code"]}
    body = _("Kinga, alert %(code)s: %(message)s") % {"code": p["code"], "message": message}
    return subject, body


TEMPLATES: dict[str, Callable[[dict[str, Any]], tuple[str, str]]] = {
    "alert_urgent": _alert_urgent,
    "case_assigned": _case_assigned,
    "referral_overdue": _referral_overdue,
    "alert_outcome": _alert_outcome,
}


def render(template_key: str, params: dict[str, Any], language: str) -> tuple[str, str]:
    """(subject, body) of a message in `language`."""
    with translation.override(language):
        return TEMPLATES[template_key](params)


def mask_address(address: str) -> str:
    """+243970001234 → +243•••••••34; ami@ong.org → a•••@ong.org: enough to tell two apart in the log."""
    address = address.strip()
    if "@" in address:
        local, _at, domain = address.partition("@")
        return f"{local[:1]}•••@{domain}"[:80]
    digits = address.replace(" ", "")
    if len(digits) <= 6:
        return "•" * len(digits)
    return f"{digits[:4]}{'•' * (len(digits) - 6)}{digits[-2:]}"[:80]


def labels() -> dict[str, str]:
    """What each message is, for the person's list of messages received (never its text)."""
    return {
        "alert_urgent": _("Urgent alert in your territory"),
        "case_assigned": _("Case assigned to you"),
        "referral_overdue": _("Referral waiting for your answer"),
        "alert_outcome": _("Outcome of an alert"),
    }

"""What the SMS/USSD gateways post to /messages/sms/: RapidPro and TextIt flows' "Call webhook" JSON, and the
plain key=value form most gateways (and USSD aggregators) send. Each becomes one `Incoming`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

# Result names a flow author may give the step that collects the message; otherwise the only result is read.
RESULT_NAMES = ("alerte", "alert", "message", "text", "texte", "msg", "tahadhari", "ripoti")
SENDER_KEYS = ("from", "sender", "phone", "phoneNumber", "msisdn", "urn")
TEXT_KEYS = ("text", "message", "body", "content", "msg")
ID_KEYS = ("id", "message_id", "messageId", "sessionId", "uuid")


@dataclass
class Incoming:
    gateway_format: str  # "rapidpro" or "plain"
    channel: str  # "sms" or "ussd"
    sender: str
    text: str
    external_id: str | None


def _urn_address(urn: Any) -> str:
    """ "tel:+243970001234" → "+243970001234"."""
    text = str(urn or "").strip()
    return text.split(":", 1)[1] if ":" in text else text


def _result_text(results: Any) -> str:
    if not isinstance(results, dict) or not results:
        return ""
    lowered = {str(k).lower(): v for k, v in results.items()}
    for name in RESULT_NAMES:
        if name in lowered:
            value = lowered[name]
            return str(value.get("value", "") if isinstance(value, dict) else value)
    if len(results) == 1:
        (value,) = results.values()
        return str(value.get("value", "") if isinstance(value, dict) else value)
    return ""


def from_rapidpro(data: dict[str, Any], channel: str = "sms") -> Incoming:
    """The default body of a RapidPro/TextIt "Call webhook" step — {"contact": {"uuid", "name", "urn"},
    "flow": {...}, "results": {name: {"value", "category"}}} — and the fuller one some flows send with
    "input" ({"uuid", "urn", "text"}) and "run" ({"uuid"})."""
    contact = data.get("contact") if isinstance(data.get("contact"), dict) else {}
    given = data.get("input") if isinstance(data.get("input"), dict) else {}
    run = data.get("run") if isinstance(data.get("run"), dict) else {}
    text = str(given.get("text") or "") or _result_text(data.get("results"))
    ref = given.get("uuid") or run.get("uuid")
    return Incoming(
        gateway_format="rapidpro",
        channel=channel,
        sender=_urn_address(contact.get("urn") or given.get("urn")),
        text=text,
        external_id=f"rapidpro:{ref}" if ref else None,
    )


def from_plain(data: QueryDict | dict[str, Any], channel: str = "sms") -> Incoming:
    """`from=+243…&text=ALERTE …&id=…` (USSD aggregators: `phoneNumber`, `text`, `sessionId`)."""

    def first(keys: tuple[str, ...]) -> str:
        for key in keys:
            if data.get(key):
                return str(data.get(key))
        return ""

    ref = first(ID_KEYS)
    return Incoming(
        gateway_format="plain",
        channel="ussd" if data.get("sessionId") else channel,
        sender=_urn_address(first(SENDER_KEYS)),
        text=first(TEXT_KEYS),
        external_id=f"plain:{ref}" if ref else None,
    )


def parse_plain_body(body: str) -> dict[str, str]:
    """A text/plain body of key=value pairs, one a line (taken as written: a "+" stays a "+")."""
    pairs = {}
    for line in body.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            pairs[key.strip()] = value.strip()
    return pairs

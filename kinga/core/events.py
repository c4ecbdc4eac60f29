"""Domain events between apps, so that one app reacts to another without importing it.

A service publishes after its write, inside its transaction: `publish("cases.child_identified_at_site",
actor=actor, site_id=..., case_id=..., date=...)`; the app that cares subscribes in its AppConfig.ready():
`subscribe("cases.child_identified_at_site", on_child_found)`. Handlers run synchronously in the same
transaction (a failure rolls the whole write back: no half-applied rule). Payloads carry ids and counts,
never identities. Each event name is documented in docs/architecture.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

_HANDLERS: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def subscribe(event: str, handler: Callable[..., Any]) -> None:
    if handler not in _HANDLERS[event]:
        _HANDLERS[event].append(handler)


def publish(event: str, **payload: Any) -> None:
    for handler in list(_HANDLERS.get(event, ())):
        handler(**payload)


def handlers(event: str) -> list[Callable[..., Any]]:
    return list(_HANDLERS.get(event, ()))

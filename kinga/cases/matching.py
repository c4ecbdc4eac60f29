"""Extension point: duplicate suggestions on the registration screen.

The registry app plugs its matcher in from its AppConfig.ready():

    from kinga.cases.matching import register_suggester
    register_suggester(my_matcher)

A suggester is `fn(actor, data: dict) -> list[Suggestion]` where `data` is the registration form's
cleaned data (names, sex, date of birth or estimated age, places…). It must search through blind
indexes only and return children the registration may be about. With no suggester registered, the form
shows no suggestion and registers directly. When the user picks a suggestion, the registration goes to
that child (`services.register_case(child=...)`): a child whose earlier case is closed has that case
reopened as a relapse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Suggestion:
    child_uuid: str
    label: str  # what the registering user may see (case number, sex, age; names only for identity roles)
    score: float = 0.0
    reason: str = ""  # why it matched ("same name tokens, same year of birth")
    # False for another organisation's child: it is linked through the registry's review queue (both
    # organisations agree), not picked at registration
    pickable: bool = True


Suggester = Callable[[Any, dict], list[Suggestion]]
_SUGGESTERS: list[Suggester] = []


def register_suggester(fn: Suggester) -> None:
    if fn not in _SUGGESTERS:
        _SUGGESTERS.append(fn)


def unregister_suggester(fn: Suggester) -> None:
    if fn in _SUGGESTERS:
        _SUGGESTERS.remove(fn)


def suggestions(actor, data: dict) -> list[Suggestion]:
    found: dict[str, Suggestion] = {}
    for fn in _SUGGESTERS:
        for s in fn(actor, data) or []:
            if s.child_uuid not in found or found[s.child_uuid].score < s.score:
                found[s.child_uuid] = s
    return sorted(found.values(), key=lambda s: -s.score)

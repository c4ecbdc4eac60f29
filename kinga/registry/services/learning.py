"""The matcher learns the registry's own errors: m and u per field and level, the share of duplicates
(kinga.registry.matching.learn), kept in LearntParameters and used by the registry-wide search. Refreshed by
`kinga registry learn` and, in the background, after a large import (`kinga registry index`)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_noop

from kinga.core import access, audit
from kinga.core.access import Actor
from kinga.core.models import AuditAction

from ..batch import load_frame
from ..matching.blocking import candidate_codes
from ..matching.learn import learn
from ..models import LearntParameters

REASONS = ("command", "import", "page")


def learn_parameters(*, actor: Actor, reason: str = "command") -> LearntParameters:
    """Learn from every active profile and keep the result (the latest is the one the search uses). Reads keyed
    codes only: nothing is decrypted."""
    access.require(actor, "registry.learn")
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    frame = load_frame()
    learnt = learn(frame, candidate_codes(frame))
    with transaction.atomic():
        row = LearntParameters.objects.create(
            learnt_by=actor.user if actor.user and not actor.is_system else None,
            reason=reason,
            records=learnt.records,
            pairs=learnt.pairs,
            match_share=learnt.match_share,
            converged=learnt.converged,
            parameters=learnt.as_json(),
        )
        audit.record(
            actor=actor,
            action=AuditAction.OTHER,
            target=row,
            changes={"records": learnt.records, "pairs": learnt.pairs, "reason": reason},
            note=gettext_noop("registry parameters learnt"),
        )
    return row

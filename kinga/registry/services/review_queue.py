"""The review queue's intake: the registry-wide search's new pairs, and a newly registered child's probable
matches. Nothing is decrypted, nothing written but candidate pairs (two child ids and a score)."""

from __future__ import annotations

import time

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kinga.cases.models import Case, CaseStatus, Child
from kinga.core import access, audit
from kinga.core.access import Actor
from kinga.core.models import AuditAction

from ..batch import find_duplicates_in_database
from ..matching import REVIEW_THRESHOLD
from ..models import CandidatePair, PairSource, PairStatus
from ..profiles import child_profile_values
from ..suggestions import score_identity


def fill_review_queue(*, actor: Actor, threshold: float = REVIEW_THRESHOLD) -> dict:
    """Run the search and add new pairs to the review queue; pairs already known (open, dismissed or
    merged) are left as they are: a dismissed pair is never proposed again."""
    frame, result, timings = find_duplicates_in_database(threshold=threshold)
    t0 = time.perf_counter()
    ids = frame.ids
    a, b = ids[result.a], ids[result.b]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    with connection.cursor() as cursor:
        cursor.execute("SELECT child_a_id, child_b_id FROM registry_candidatepair")
        known = np.array(cursor.fetchall() or np.zeros((0, 2)), dtype=np.int64).reshape(-1, 2)
    new = ~np.isin(lo * (1 << 32) + hi, known[:, 0] * (1 << 32) + known[:, 1])
    pairs = [
        CandidatePair(child_a_id=int(x), child_b_id=int(y), score=float(s), source=PairSource.BATCH)
        for x, y, s in zip(lo[new].tolist(), hi[new].tolist(), result.score[new].tolist(), strict=True)
    ]
    with transaction.atomic():
        CandidatePair.objects.bulk_create(pairs, ignore_conflicts=True, batch_size=5000)
        summary = {
            "profiles": len(frame),
            "compared": result.candidates,
            "found": len(result.a),
            "added": len(pairs),
            "threshold": threshold,
        }
        audit.record(
            actor=actor,
            action=AuditAction.OTHER,
            target_type="registry.batch",
            changes=summary,
            note=gettext_noop("registry-wide duplicate search"),
        )
    timings["queue_seconds"] = time.perf_counter() - t0
    summary.update(timings)
    return summary


def record_registration_matches(child) -> int:
    """After a child is registered: its probable matches join the review queue (source: registration),
    flagged as possible relapses when the other child's cases are all closed."""
    values, variant_rows = child_profile_values(child)
    found = score_identity(values, variant_rows, exclude_child_id=child.pk, threshold=REVIEW_THRESHOLD)
    if not found:
        return 0
    ids = [f[0] for f in found]
    closed_only = set(
        Case.objects.filter(child_id__in=ids, status=CaseStatus.CLOSED).values_list("child_id", flat=True)
    )
    closed_only -= set(
        Case.objects.filter(child_id__in=ids)
        .exclude(status=CaseStatus.CLOSED)
        .values_list("child_id", flat=True)
    )
    pairs = [
        CandidatePair(
            child_a_id=min(child.pk, other),
            child_b_id=max(child.pk, other),
            score=score,
            source=PairSource.REGISTRATION,
            possible_relapse=other in closed_only,
        )
        for other, score, _levels in found
    ]
    CandidatePair.objects.bulk_create(pairs, ignore_conflicts=True)
    return len(pairs)


@transaction.atomic
def request_same_child(*, actor: Actor, child, other_uuid: str) -> CandidatePair | None:
    """At registration, the caseworker recognised their new child in another organisation's match: the pair goes
    to that organisation's review queue, already agreed by this one (both must agree before the records are
    merged). Nothing of the other child is shown or copied. Only a child the matcher itself proposed for this
    one can be asked about; otherwise nothing happens (None)."""
    access.require(actor, "cases.register")
    if not Case.objects.filter(child=child, organisation_id=actor.organisation_id).exists():
        raise PermissionDenied(_("This child is not registered by your organisation."))
    other = Child.objects.filter(uuid=other_uuid).exclude(pk=child.pk).first()
    if other is None:
        return None
    a, b = sorted((child.pk, other.pk))
    pair = CandidatePair.objects.select_for_update().filter(child_a_id=a, child_b_id=b).first()
    if pair is None:
        values, variant_rows = child_profile_values(child)
        found = {
            pk: score
            for pk, score, _levels in score_identity(values, variant_rows, exclude_child_id=child.pk)
        }
        if other.pk not in found:
            return None
        pair = CandidatePair.objects.create(
            child_a_id=a,
            child_b_id=b,
            score=min(max(found[other.pk], 0.0), 1.0),
            source=PairSource.REGISTRATION,
        )
    if pair.status not in (PairStatus.OPEN, PairStatus.AWAITING_OTHER):
        return pair
    pair.agreed_by.add(actor.organisation_id)
    if pair.status != PairStatus.AWAITING_OTHER:
        pair.status = PairStatus.AWAITING_OTHER
        pair.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=pair,
        changes={"status": [PairStatus.OPEN, PairStatus.AWAITING_OTHER]},
        note=gettext_noop("same child: asked at registration"),
    )
    return pair

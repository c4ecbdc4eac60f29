"""Keeping the matching profiles in step with the children: the registry listens to the cases app's
`cases.child_saved` (kinga.core.events), published wherever a child's identity is written."""

from __future__ import annotations

from kinga.cases.models import Child

from .models import MatchProfile, Merge
from .profiles import save_profiles
from .services import record_registration_matches, request_same_child


def on_child_saved(*, child_id: int, created: bool, **_payload) -> None:
    """A child registered or corrected: refresh its profile; a new child's probable matches join the review
    queue. Bulk inserts (synthetic data, imports) call kinga.registry.profiles.save_profiles themselves
    (`kinga registry index`), and the registry's own merges refresh the profiles they change."""
    child = Child.objects.select_related("residence", "place_of_origin").get(pk=child_id)
    absorbed = Merge.objects.filter(absorbed=child, unmerged_at__isnull=True).exists()
    save_profiles([child])
    if absorbed:
        MatchProfile.objects.filter(child=child).update(active=False)
        return
    if created:
        record_registration_matches(child)


def on_same_child_claimed(*, actor, child_id: int, other_uuid: str, **_payload) -> None:
    """The registration screen's « même enfant » for another organisation's child: a request to it."""
    request_same_child(actor=actor, child=Child.objects.get(pk=child_id), other_uuid=other_uuid)

"""Keeping the matching profiles in step with the children, whoever saves them."""

from __future__ import annotations

import logging

from .profiles import save_profiles

log = logging.getLogger(__name__)


def child_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A child saved through the ORM (registration, correction): refresh its profile; a new child's
    probable matches join the review queue. Bulk inserts (synthetic data, imports) call
    kinga.registry.profiles.save_profiles themselves (`kinga registry index`)."""
    if raw:
        return
    from .models import Merge

    absorbed = Merge.objects.filter(absorbed=instance, unmerged_at__isnull=True).exists()
    save_profiles([instance])
    if absorbed:
        from .models import MatchProfile

        MatchProfile.objects.filter(child=instance).update(active=False)
        return
    if created:
        from .services import record_registration_matches

        record_registration_matches(instance)

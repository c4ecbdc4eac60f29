"""Each person's notification channels."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import audit
from kinga.core.access import Actor

from ..models import NotificationPreference


@transaction.atomic
def save_preferences(*, actor: Actor, by_sms: bool, by_email: bool) -> NotificationPreference:
    """A person chooses how Kinga tells them (SMS, e-mail, both or neither) — for themselves only."""
    if not actor.is_authenticated or actor.user is None:
        raise PermissionDenied(_("You must be logged in."))
    preference, created = NotificationPreference.objects.get_or_create(user=actor.user)
    before = audit.snapshot(preference)
    preference.by_sms, preference.by_email = bool(by_sms), bool(by_email)
    preference.save(update_fields=["by_sms", "by_email", "updated_at"])
    if created:
        audit.record_create(actor=actor, obj=preference)
    else:
        audit.record_update(actor=actor, obj=preference, before=before)
    return preference

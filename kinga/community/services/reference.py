"""The initial 4W set: one row per organisation the plan names as implementer of an action."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction

from kinga.core import access
from kinga.core.models import Place

from ..models import FourW, FourWSource, FourWStatus


@transaction.atomic
def seed_fourw_from_plan(*, actor, stdout=None) -> int:
    """Idempotent: an (organisation, action) pair already seeded is left as users changed it."""
    from kinga.plan.models import Party, PartyRole

    from . import coordination as services_coordination

    access.require(actor, "community.record_4w")
    province = Place.objects.filter(pcode="CD72").first()
    if province is None:
        return 0
    start = datetime.date.fromisoformat(str(settings.KINGA_PLAN_START_DATE))
    parties = (
        Party.objects.filter(role=PartyRole.IMPLEMENTER, organisation__isnull=False)
        .select_related("organisation", "action", "activity__action")
        .order_by("pk")
    )
    existing = set(
        FourW.objects.filter(source=FourWSource.PLAN).values_list("organisation_id", "plan_action_id")
    )
    created = 0
    for party in parties:
        action = party.action or (party.activity.action if party.activity_id else None)
        if action is None or (party.organisation_id, action.pk) in existing:
            continue
        months = action.duration_months or 36
        services_coordination.create_fourw(
            actor=actor,
            organisation=party.organisation,
            activity=(party.activity.title if party.activity_id else action.title)[:300],
            place=province,
            start=start,
            end=start + datetime.timedelta(days=int(months * 30.44)),
            status=FourWStatus.PLANNED,
            plan_action=action,
            source=FourWSource.PLAN,
        )
        existing.add((party.organisation_id, action.pk))
        created += 1
    if stdout is not None:
        stdout.write(f"4W : {created} fiche(s) créée(s) à partir des responsables du plan.")
    return created

"""From a verified alert to registered cases, through the cases app's registration service.

The children's identities go to kinga.cases (encrypted there); this app keeps only the link
alert → case, so that a network's page can say "3 children registered" without naming anyone.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.cases import services as case_services
from kinga.cases.models import RiskLevel
from kinga.core import access, audit, clock

from ..models import Activity, Alert, AlertCase, AlertStatus, Urgency
from .alerts import MAX_CHILDREN_PER_ALERT, publish_outcome

# What the reporter saw → the work recorded on the case.
WORK_OF_ACTIVITY = {
    Activity.DIGGING: ["digging"],
    Activity.WASHING: ["washing", "sorting"],
    Activity.CARRYING: ["carrying"],
    Activity.SELLING: ["trading"],
}

CHILD_FIELDS = {
    "given_name",
    "family_name",
    "middle_name",
    "sex",
    "date_of_birth",
    "estimated_age",
    "residence",
}


@transaction.atomic
def register_children(
    *, actor, alert: Alert, children: Sequence[dict], today: datetime.date | None = None
) -> list:
    """Register each child found at the verified alert as a case linked to it. All or none.

    Errors come back keyed by the child's position ("children-0-given_name") so that forms and the API
    can show them next to the right child.
    """
    access.require(actor, "community.triage")
    access.require(actor, "cases.register")
    if alert.status not in (AlertStatus.VERIFIED, AlertStatus.CASES_REGISTERED):
        raise ValidationError(
            {"non_field_errors": [_("Verify the alert (visit) before registering children.")]}
        )
    if not children:
        raise ValidationError({"children": [_("Give at least one child.")]})
    already = alert.case_links.count()
    if already + len(children) > MAX_CHILDREN_PER_ALERT:
        raise ValidationError({"children": [_("Too many children for one alert.")]})
    identified_on = timezone.localdate(alert.verified_at or alert.received_at)
    # A child reported in danger is assessed within the high-risk deadline, not the ordinary one.
    risk = RiskLevel.HIGH if alert.urgency == Urgency.URGENT else ""
    cases = []
    errors: dict[str, list[str]] = {}
    for i, data in enumerate(children):
        unknown = set(data) - CHILD_FIELDS
        if unknown:
            errors[f"children-{i}"] = [_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))}]
            continue
        try:
            with transaction.atomic():
                case = case_services.register_case(
                    actor=actor,
                    identification_method="community_alert",
                    identification_date=identified_on,
                    identification_site=alert.site,
                    identification_place=alert.place if alert.site_id is None else None,
                    work_activities=WORK_OF_ACTIVITY.get(alert.activity, []),
                    risk=risk,
                    today=today,
                    **data,
                )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"children-{i}-{field}"] = messages
            continue
        if AlertCase.objects.filter(case=case).exists():
            errors[f"children-{i}"] = [_("This child's case is already linked to an alert.")]
            continue
        AlertCase.objects.create(alert=alert, case=case, created_by=actor.user)
        cases.append(case)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(alert)
    alert.status = AlertStatus.CASES_REGISTERED
    alert.closed_at = alert.closed_at or clock.now()
    alert.save(update_fields=["status", "closed_at"])
    audit.record_update(actor=actor, obj=alert, before=before, note=f"cases_registered={len(cases)}")
    publish_outcome(alert)
    return cases

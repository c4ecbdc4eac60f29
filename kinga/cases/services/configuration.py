"""Case management's configuration: the deadlines and exit rule, the risk scoring's thresholds."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.core.access import Actor

from ..models import CaseRules, ScoringVersion
from .common import active_scoring, current_rules


@transaction.atomic
def update_rules(*, actor: Actor, **values) -> CaseRules:
    """A new row of rules (the old ones stay, for the history of what applied when)."""
    access.require(actor, "cases.configure")
    before = current_rules()
    rules = CaseRules(
        **{
            f.name: getattr(before, f.name)
            for f in CaseRules._meta.concrete_fields
            if f.name not in {"id", "created_at", "created_by"}
        }
    )
    for key, value in values.items():
        if not hasattr(rules, key):
            raise ValidationError({key: [_("Unknown rule.")]})
        setattr(rules, key, value)
    if sorted(rules.retention_months) != rules.retention_months or any(m < 1 for m in rules.retention_months):
        raise ValidationError({"retention_months": [_("Give increasing numbers of months, e.g. 3, 6, 12.")]})
    rules.created_by = actor.user
    rules.full_clean()
    rules.save()
    audit.record_create(actor=actor, obj=rules)
    return rules


@transaction.atomic
def new_scoring_version(
    *, actor: Actor, high_from: int, medium_from: int, label: str = "", **_ignored
) -> ScoringVersion:
    access.require(actor, "cases.configure")
    if not 0 < medium_from < high_from <= 18:
        raise ValidationError({"high_from": [_("The thresholds must satisfy 0 < medium < high ≤ 18.")]})
    active_scoring()  # the default version 1 exists before any new one
    last = ScoringVersion.objects.order_by("-version").first()
    ScoringVersion.objects.filter(is_active=True).update(is_active=False)
    scoring = ScoringVersion.objects.create(
        version=(last.version + 1) if last else 1, high_from=high_from, medium_from=medium_from, label=label
    )
    audit.record_create(actor=actor, obj=scoring)
    return scoring

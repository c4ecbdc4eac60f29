"""Attribution of a result-producing record (training, awareness session, programme, referral, service) to a
plan activity and, where known, a funder's commitment: the two optional fields each such model declares, and
the one check every service that writes them calls.

Kept in the plan app (the layer below every domain app) so that the fields and the check are the same
everywhere; the cost per result (kinga.monitoring.selectors.cost_per_result) reads them back.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.plan.models import Activity, Commitment


def activity_field() -> models.ForeignKey:
    return models.ForeignKey(
        "plan.Activity",
        verbose_name=gettext_lazy("plan activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


def commitment_field() -> models.ForeignKey:
    return models.ForeignKey(
        "plan.Commitment",
        verbose_name=gettext_lazy("funder's commitment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


def check(
    activity: Activity | None, commitment: Commitment | None
) -> tuple[Activity | None, Commitment | None]:
    """Returns (activity, commitment) once checked: a commitment given alone sets the activity it names; a
    commitment must be for the activity's action (and, when it names an activity, for that one)."""
    if commitment is None:
        return activity, None
    if activity is None:
        return commitment.activity, commitment
    if commitment.action_id != activity.action_id or commitment.activity_id not in (None, activity.pk):
        raise ValidationError(
            {"commitment": [_("This commitment funds another action or activity of the plan.")]}
        )
    return activity, commitment


class AttributionFields(forms.Form):
    """The two optional fields, for the forms of the records that produce results (the plan is read by every
    member, so the choices are the whole current plan's)."""

    plan_activity = forms.ModelChoiceField(
        label=gettext_lazy("Plan activity (optional)"), queryset=Activity.objects.none(), required=False
    )
    commitment = forms.ModelChoiceField(
        label=gettext_lazy("Funder's commitment (optional)"),
        queryset=Commitment.objects.none(),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_activity"].queryset = Activity.objects.select_related("action__axis").order_by(
            "action__axis__number", "action__number", "position"
        )
        self.fields["commitment"].queryset = Commitment.objects.select_related(
            "funder", "action__axis"
        ).order_by("action__axis__number", "action__number", "-date")
        for name in ("plan_activity", "commitment"):  # last on the page, after the form's own fields
            self.fields[name] = self.fields.pop(name)

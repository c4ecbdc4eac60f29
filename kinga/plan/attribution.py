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
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kinga.core.pickers import PickerChoiceField
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
    # Thousands at national scale: searched (kinga.core.pickers), never all sent to the phone.
    commitment = PickerChoiceField(
        "commitments",
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


@extend_schema_field(OpenApiTypes.UUID)
class UuidOf(serializers.SlugRelatedField):
    """A related record by its uuid, typed for the OpenAPI schema even in a serializer without a model."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="uuid", **kwargs)


class AttributionRead(serializers.Serializer):
    """The two fields as an API shows them (uuids of /api/v1/plan-activities/ and /api/v1/plan-commitments/);
    a base of the read serializers of the records that produce results."""

    plan_activity = UuidOf(
        read_only=True, allow_null=True, help_text="the plan activity; null: not attributed"
    )
    commitment = UuidOf(read_only=True, allow_null=True, help_text="the funder's commitment; null: none")


class AttributionWrite(serializers.Serializer):
    """The two fields as an API writes them, by uuid; absent means unchanged (on an update) or none. The
    service checks the pair (`check` above) and answers 400 on `commitment` when they disagree."""

    plan_activity = serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=Activity.objects.all(),
        required=False,
        allow_null=True,
        help_text="uuid of the plan activity",
    )
    commitment = serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=Commitment.objects.all(),
        required=False,
        allow_null=True,
        help_text="uuid of a funder's commitment to the activity's action (sets the activity if absent)",
    )


def api_values(record) -> dict:
    """AttributionRead's shape for APIs that answer with plain dicts."""
    return {
        "plan_activity": record.plan_activity.uuid if record.plan_activity_id else None,
        "commitment": record.commitment.uuid if record.commitment_id else None,
    }

"""The community alert form: read here with its group paths kept and its choices read by name or label, then
handed, in Kinga's own keys, to the community app's intake (kinga.community.services.receive_alert and its
reader kinga.community.alert_payloads), as the submitting account."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.community import services
from kinga.community.models import Activity, Channel, Urgency
from kinga.core.access import Actor
from kinga.core.models import Place
from kinga.core.people import AgeBand, Sex

from ..reading import Answers, resolve_choice
from . import Handler, Previous, register

# The reporter's own details never describe where the children are.
REPORTER_GROUPS = ("signaleur", "reporter", "declarant")
_SEX_WORDS = {"fille": Sex.FEMALE, "filles": Sex.FEMALE, "garcon": Sex.MALE, "garcons": Sex.MALE}


def _children(answers: Answers) -> list[dict]:
    rows = answers.rows("children", "enfants")
    result = []
    for i, row in enumerate(rows, start=1):
        count = row.integer("count", "nombre")
        sex = row.raw("sex", "sexe")
        band = row.raw("age_band", "tranche_age")
        try:
            result.append(
                {
                    "sex": resolve_choice(Sex, sex, field="sex", extra=_SEX_WORDS) if sex else "",
                    "age_band": resolve_choice(AgeBand, band, field="age_band") if band else "",
                    "count": 1 if count is None else count,
                }
            )
        except ValidationError as error:
            raise ValidationError(
                {"children": [_("Child %(n)d: %(error)s") % {"n": i, "error": " ".join(error.messages)}]}
            ) from None
    return result


def kinga_payload(answers: Answers) -> dict:
    """The alert in the keys kinga.community.alert_payloads reads, each taken from one question."""
    exclude = REPORTER_GROUPS
    payload: dict = {}
    for key, names in {
        "site": ("site", "site_code"),
        "place": ("place", "pcode", "lieu"),
        "location_text": ("location_text", "precision"),
        "description": ("description",),
        "gps": ("gps", "position"),
    }.items():
        value = answers.text(*names, exclude_groups=exclude)
        if value:
            payload[key] = value
    territory = answers.text("territory", "territoire", exclude_groups=exclude)
    if territory and "place" not in payload and "site" not in payload:
        # The form's territory (a p-code in Kinga's forms, a name in older ones) places an alert without a site.
        known = Place.objects.filter(pcode__iexact=territory).exists()
        payload["place" if known else "territoire"] = territory
    observed = answers.date("observed_on", "date_observation") if not answers.raw("observed_at") else None
    if observed is not None:
        payload["observed_at"] = observed.isoformat()
    elif answers.raw("observed_at"):
        payload["observed_at"] = answers.text("observed_at")
    activity = answers.choice(Activity, "activity", "activite", exclude_groups=exclude)
    urgency = answers.choice(Urgency, "urgency", "urgence", exclude_groups=exclude)
    if activity:
        payload["activity"] = activity
    if urgency:
        payload["urgency"] = urgency
    children = _children(answers)
    if children:
        payload["children"] = children
    for path, value in answers.values.items():
        leaf = path.rpartition("/")[2]
        if isinstance(value, list):  # a repeat, read above
            continue
        if leaf in {"enfants", "children"} and not isinstance(value, list):
            leaf = "enfants"  # a count of children whose sex and age the reporter could not tell
        if leaf[:6] in {"filles", "garcon", "girls_", "boys_"} or leaf.startswith(("enfants", "children_")):
            if any(g in exclude for g in path.split("/")[:-1]):
                continue
            if leaf in payload:
                raise ValidationError({leaf: [_("Two questions have this name: say which group to read.")]})
            payload[leaf] = value
    return payload


def apply_alert(*, actor: Actor, answers: Answers, previous: Previous | None, source: str):
    if previous is not None:
        raise ValidationError(
            {
                "submission": [
                    _(
                        "This is an edit of an alert already received: the social worker completes the alert "
                        "in the triage; reject this version once done."
                    )
                ]
            }
        )
    alert, _created = services.receive_alert(
        actor=actor,
        channel=Channel.ODK if source == "odk" else Channel.KOBO,
        payload=kinga_payload(answers),
    )
    if alert.processing_error:
        # receive_alert keeps an unreadable alert for triage; the submission says why, field by field.
        raise ValidationError({"alert": [alert.processing_error]})
    return alert


register(Handler("kinga_alert", apply_alert, label=gettext_lazy("Community alert")))

"""The forms Kinga publishes, by their stable form id (submissions are routed by it; never rename one)."""

from __future__ import annotations

from .forms.cases import FOLLOW_UP, IDENTIFICATION, RETENTION_CHECK
from .forms.community import ALERT, AWARENESS_SESSION
from .forms.households import HOUSEHOLD_SURVEY
from .forms.sites import SITE_INSPECTION
from .spec import FormDefinition

FORMS: dict[str, FormDefinition] = {
    form.form_id: form
    for form in (
        IDENTIFICATION,
        FOLLOW_UP,
        RETENTION_CHECK,
        SITE_INSPECTION,
        HOUSEHOLD_SURVEY,
        ALERT,
        AWARENESS_SESSION,
    )
}


def get(form_id: str) -> FormDefinition:
    return FORMS[form_id]

"""The field app's registrations at start-up: wire() is called once by its AppConfig.ready().

The app sits at the top of the layers (pyproject.toml, import-linter) beside monitoring and messaging: it turns
what phones captured offline (KoboToolbox, ODK Collect) into records through the other apps' services, and builds
the XLSForms those phones fill in."""

from django.utils.translation import gettext_lazy as _

from kinga.core import access
from kinga.core.plugins import register_api, register_nav

from . import api, models
from .handlers import cases, community, other  # noqa: F401  (each registers its forms' handlers when imported)


def wire() -> None:
    access.register(
        models.Submission, scope=access.own_organisation("organisation"), view_permission="field.review"
    )
    access.register(
        models.FormAccess, scope=access.own_organisation("organisation"), view_permission="field.manage_keys"
    )
    register_api("field/submissions", api.SubmissionViewSet, basename="field-submission")
    register_nav(_("Field submissions"), "field:quarantine", permission="field.review", order=80)
    register_nav(_("Field forms"), "field:forms", permission="field.download_forms", order=81)

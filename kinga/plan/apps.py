from django.utils.translation import gettext_lazy as _

from kinga.core import app_wiring


class PlanConfig(app_wiring.KingaAppConfig):
    name = "kinga.plan"
    label = "plan"
    verbose_name = _("Operational plan")

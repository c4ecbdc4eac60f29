from django.utils.translation import gettext_lazy as _

from kinga.core import app_wiring


class CasesConfig(app_wiring.KingaAppConfig):
    name = "kinga.cases"
    label = "cases"
    verbose_name = _("Case management")

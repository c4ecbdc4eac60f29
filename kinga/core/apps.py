from django.utils.translation import gettext_lazy as _

from kinga.core import app_wiring


class CoreConfig(app_wiring.KingaAppConfig):
    name = "kinga.core"
    label = "core"
    verbose_name = _("Core")

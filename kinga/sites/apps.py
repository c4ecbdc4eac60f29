from django.utils.translation import gettext_lazy as _

from kinga.core import app_wiring


class SitesConfig(app_wiring.KingaAppConfig):
    name = "kinga.sites"
    label = "sites"
    verbose_name = _("Mine sites")

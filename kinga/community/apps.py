from django.utils.translation import gettext_lazy as _

from kinga.core import app_wiring


class CommunityConfig(app_wiring.KingaAppConfig):
    name = "kinga.community"
    label = "community"
    verbose_name = _("Community networks and coordination")

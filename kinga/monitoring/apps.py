from django.utils.translation import gettext_lazy as _

from kinga.core import app_wiring


class MonitoringConfig(app_wiring.KingaAppConfig):
    name = "kinga.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring and evaluation")
    url_prefix = "suivi"  # pages under /suivi/ (French paths)

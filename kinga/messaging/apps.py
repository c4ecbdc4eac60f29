from django.utils.translation import gettext_lazy as _

from kinga.core import app_wiring


class MessagingConfig(app_wiring.KingaAppConfig):
    name = "kinga.messaging"
    label = "messaging"
    verbose_name = _("Messages and notifications")
    url_prefix = "messages"  # pages under /messages/ (French paths)

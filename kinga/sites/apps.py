from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitesConfig(AppConfig):
    name = "kinga.sites"
    label = "sites"
    verbose_name = _("Mine sites")

    def ready(self) -> None:
        from kinga.core import access
        from kinga.sites.models import Site

        # Sites are public knowledge (IPIS publishes them); what is sensitive about a site is its children,
        # and those stay in the cases as counts.
        access.register(Site, scope=access.unscoped, view_permission="sites.view")

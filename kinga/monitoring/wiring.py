"""The monitoring app's registrations at start-up: wire() is called once by its AppConfig.ready().

The app sits above every other (pyproject.toml, import-linter layers): it reads their selectors and the
indicator registry, and writes nothing."""

from django.utils.translation import gettext_lazy as _

from kinga.core import plugins
from kinga.core.roles import Role
from kinga.monitoring import api, views


def wire() -> None:
    plugins.register_nav(
        _("Province dashboard"), "monitoring:dashboard", permission="monitoring.view_dashboard", order=5
    )
    plugins.register_api("monitoring/dashboard", api.DashboardViewSet, basename="monitoring-dashboard")
    plugins.register_home_panel(
        "province_dashboard", roles=[Role.COORDINATOR, Role.VIEWER], order=10, build=views.home_panel
    )

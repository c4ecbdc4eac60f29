from django.apps import apps
from django.conf import settings
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from kinga.core import api as core_api
from kinga.core import views as core_views
from kinga.core.plugins import api_routes

# A lost database connection answers a French 503 page (JSON under /api/), not a 500: kinga.core.outage.
handler500 = "kinga.core.outage.server_error"
handler400 = "kinga.core.outage.bad_request"


class Router(DefaultRouter):
    """No format-suffix routes (`/api/v1/cases/<uuid>.json` is a 404): custom actions written without a
    `format` argument crashed on them, and the API speaks JSON (`Accept` or `?format=` chooses otherwise)."""

    include_format_suffixes = False


router = Router()
router.register("places", core_api.PlaceViewSet, basename="place")
router.register("organisations", core_api.OrganisationViewSet, basename="organisation")
router.register("members", core_api.MemberViewSet, basename="member")
router.register("tokens", core_api.ApiTokenViewSet, basename="token")
router.register("audit", core_api.AuditEventViewSet, basename="audit")
for prefix, viewset, basename in api_routes():
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("health", core_views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/me/", core_api.me, name="api-me"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # The public anonymous alert form (community app): no login, no second factor.
    path("alerte/", include("kinga.community.public_urls")),
    path("", include("kinga.core.urls")),
]
for app in settings.KINGA_APPS[1:]:
    module = app.rsplit(".", 1)[1]
    # An app names its French URL prefix in its AppConfig (`url_prefix`); the older apps keep their module name.
    prefix = getattr(apps.get_app_config(module), "url_prefix", module)
    urlpatterns.append(path(f"{prefix}/", include(f"{app}.urls")))

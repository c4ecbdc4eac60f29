from django.urls import path

from kinga.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("lieux/", views.places, name="places"),
    path("lieux/ajouter/", views.place_add, name="place_add"),
    path("organisations/", views.organisations, name="organisations"),
    path("audit/", views.audit_log, name="audit"),
    path("profil/", views.profile, name="profile"),
    path("profil/jetons/", views.token_create, name="token_create"),
    path("profil/jetons/<uuid:token_uuid>/revoquer/", views.token_revoke, name="token_revoke"),
    path("profil/appartenance/", views.switch_membership, name="switch_membership"),
]

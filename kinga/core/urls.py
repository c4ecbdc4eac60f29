from django.urls import path

from kinga.core import views, views_organisations, views_pickers

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("lieux/", views.places, name="places"),
    path("choisir/<slug:kind>/", views_pickers.pick, name="pick"),
    path("lieux/ajouter/", views.place_add, name="place_add"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/ajouter/", views_organisations.organisation_add, name="organisation_add"),
    path("organisations/<uuid:org_uuid>/", views_organisations.organisation_detail, name="organisation"),
    path(
        "organisations/<uuid:org_uuid>/modifier/",
        views_organisations.organisation_edit,
        name="organisation_edit",
    ),
    path("organisations/<uuid:org_uuid>/membres/ajouter/", views_organisations.member_add, name="member_add"),
    path("membres/<uuid:member_uuid>/", views_organisations.member_edit, name="member"),
    path(
        "membres/<uuid:member_uuid>/activation/",
        views_organisations.member_set_active,
        name="member_set_active",
    ),
    path("audit/", views.audit_log, name="audit"),
    path("profil/", views.profile, name="profile"),
    path("profil/authentificateur/remplacer/", views.mfa_replace, name="mfa_replace"),
    path("profil/jetons/", views.token_create, name="token_create"),
    path("profil/jetons/<uuid:token_uuid>/revoquer/", views.token_revoke, name="token_revoke"),
    path("profil/appartenance/", views.switch_membership, name="switch_membership"),
]

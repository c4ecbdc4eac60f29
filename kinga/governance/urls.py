from django.urls import path

from kinga.governance import views

app_name = "governance"

urlpatterns = [
    path("", views.home, name="home"),
    path("implication/", views.involvement, name="involvement"),
    path("dotations/", views.donation_list, name="donations"),
    path("dotations/nouvelle/", views.donation_add, name="donation_add"),
    path("infrastructures/", views.infrastructure_list, name="infrastructures"),
    path("infrastructures/nouvelle/", views.infrastructure_add, name="infrastructure_add"),
    path(
        "infrastructures/<uuid:infrastructure_uuid>/mise-en-service/",
        views.infrastructure_in_service,
        name="infrastructure_in_service",
    ),
    path("plaidoyers/nouveau/", views.track_add, name="track_add"),
    path("plaidoyers/<uuid:track_uuid>/", views.track, name="track"),
    path("plaidoyers/<uuid:track_uuid>/etapes/", views.step_add, name="step_add"),
    path("plaidoyers/<uuid:track_uuid>/issue/", views.track_outcome, name="track_outcome"),
]

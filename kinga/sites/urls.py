from django.urls import path

from kinga.sites import views, views_movements

app_name = "sites"

urlpatterns = [
    path("", views.site_list, name="list"),
    path("ajouter/", views.site_add, name="add"),
    path("carte/", views.site_map, name="map"),
    path("carte/donnees.json", views.map_data, name="map_data"),
    path("regles/", views.rules, name="rules"),
    path("mouvements/", views_movements.movements_home, name="movements"),
    path("mouvements/observer/", views_movements.observation_add, name="observation_add"),
    path(
        "mouvements/<uuid:observation_uuid>/corriger/",
        views_movements.observation_edit,
        name="observation_edit",
    ),
    path("mouvements/relocalisations/ajouter/", views_movements.relocation_add, name="relocation_add"),
    path("zea/", views.zone_list, name="zones"),
    path("zea/ajouter/", views.zone_add, name="zone_add"),
    path("zea/<uuid:zone_uuid>/", views.zone_detail, name="zone"),
    path("zea/<uuid:zone_uuid>/modifier/", views.zone_edit, name="zone_edit"),
    path("zea/etudes/<uuid:study_uuid>/document/", views.study_document, name="study_document"),
    path("inspections/<uuid:inspection_uuid>/", views.inspection_detail, name="inspection"),
    path("inspections/<uuid:inspection_uuid>/photos/", views.photo_add, name="photo_add"),
    path("photos/<uuid:photo_uuid>/", views.photo_file, name="photo"),
    path("mesures/<uuid:action_uuid>/fait/", views.action_done, name="action_done"),
    path("<uuid:site_uuid>/", views.site_detail, name="detail"),
    path("<uuid:site_uuid>/modifier/", views.site_edit, name="edit"),
    path("<uuid:site_uuid>/inspecter/", views.inspection_add, name="inspect"),
]

from django.urls import path

from kinga.community import views
from kinga.community import views_activities as activities
from kinga.community import views_fourw_import as fourw_import

app_name = "community"

urlpatterns = [
    path("", views.home, name="home"),
    # networks
    path("reseaux/", views.networks, name="networks"),
    path("reseaux/ajouter/", views.network_add, name="network_add"),
    path("reseaux/<uuid:uuid>/", views.network_detail, name="network"),
    path("reseaux/<uuid:uuid>/modifier/", views.network_edit, name="network_edit"),
    path("reseaux/<uuid:uuid>/membres/ajouter/", views.member_add, name="member_add"),
    path("membres/<uuid:uuid>/modifier/", views.member_edit, name="member_edit"),
    path("membres/<uuid:uuid>/formations/ajouter/", views.member_training_add, name="member_training_add"),
    # alerts
    path("alertes/", views.triage, name="triage"),
    path("alertes/nouvelle/", views.alert_add, name="alert_add"),
    path("alertes/<uuid:uuid>/", views.alert_detail, name="alert"),
    path("alertes/<uuid:uuid>/verifier/", views.alert_start, name="alert_start"),
    path("alertes/<uuid:uuid>/visite/", views.alert_verify, name="alert_verify"),
    path("alertes/<uuid:uuid>/cloturer/", views.alert_close, name="alert_close"),
    path("alertes/<uuid:uuid>/referer/", views.alert_refer, name="alert_refer"),
    path("alertes/<uuid:uuid>/completer/", views.alert_repair, name="alert_repair"),
    path("alertes/<uuid:uuid>/enfants/", views.alert_register, name="alert_register"),
    # awareness
    path("sensibilisation/", activities.sessions, name="sessions"),
    path("sensibilisation/ajouter/", activities.session_add, name="session_add"),
    path("sensibilisation/<uuid:uuid>/", activities.session_detail, name="session"),
    path("campagnes/", activities.campaigns, name="campaigns"),
    path("campagnes/ajouter/", activities.campaign_add, name="campaign_add"),
    path("formations/", activities.trainings, name="trainings"),
    path("formations/ajouter/", activities.training_add, name="training_add"),
    path("formations/<uuid:uuid>/presences/", activities.training_attendance, name="training_attendance"),
    path("plaidoyer/", activities.advocacy, name="advocacy"),
    path("plaidoyer/ajouter/", activities.advocacy_add, name="advocacy_add"),
    # 4W
    path("4w/", activities.fourw, name="fourw"),
    path("4w/ajouter/", activities.fourw_add, name="fourw_add"),
    path("4w/importer/", fourw_import.fourw_import, name="fourw_import"),
    path("4w/importer/<uuid:uuid>/", fourw_import.fourw_import_detail, name="fourw_import_detail"),
    path("4w/importer/<uuid:uuid>/relancer/", fourw_import.fourw_import_again, name="fourw_import_again"),
    path(
        "4w/importer/<uuid:uuid>/rejets.csv", fourw_import.fourw_import_rejects, name="fourw_import_rejects"
    ),
    path("4w/importer/<uuid:uuid>/fichier/", fourw_import.fourw_import_file, name="fourw_import_file"),
    path("4w/export.<str:fmt>", activities.fourw_export, name="fourw_export"),
    path("4w/<uuid:uuid>/modifier/", activities.fourw_edit, name="fourw_edit"),
    path("4w/<uuid:uuid>/supprimer/", activities.fourw_delete, name="fourw_delete"),
    # coordination
    path("reunions/", activities.meetings, name="meetings"),
    path("reunions/ajouter/", activities.meeting_add, name="meeting_add"),
    path("reunions/<uuid:uuid>/", activities.meeting_detail, name="meeting"),
    path("reunions/<uuid:uuid>/modifier/", activities.meeting_edit, name="meeting_edit"),
    path("reunions/<uuid:uuid>/pv/", activities.meeting_minutes, name="meeting_minutes"),
    path("reunions/<uuid:uuid>/actions/", activities.item_add, name="item_add"),
    path("actions/<uuid:uuid>/statut/", activities.item_status, name="item_status"),
    path("mes-actions/", activities.my_items, name="my_items"),
]

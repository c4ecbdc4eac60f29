from django.urls import path

from kinga.field import views, views_push

app_name = "field"

urlpatterns = [
    path("quarantaine/", views.quarantine, name="quarantine"),
    path("quarantaine/<uuid:uuid>/", views.detail, name="submission"),
    path("quarantaine/<uuid:uuid>/rejouer/", views.replay, name="replay"),
    path("quarantaine/<uuid:uuid>/rejeter/", views.reject, name="reject"),
    # What KoboToolbox's REST services and ODK post to (a form's key authenticates).
    path("reception/kobo/<slug:form_id>/", views_push.kobo, name="push_kobo"),
    path("reception/odk/<slug:form_id>/submission", views_push.odk, name="push_odk"),
]

from django.urls import path

from kinga.field import views, views_forms, views_push

app_name = "field"

urlpatterns = [
    path("quarantaine/", views.quarantine, name="quarantine"),
    path("quarantaine/<uuid:uuid>/", views.detail, name="submission"),
    path("quarantaine/<uuid:uuid>/rejouer/", views.replay, name="replay"),
    path("quarantaine/<uuid:uuid>/rejeter/", views.reject, name="reject"),
    # The XLSForms Kinga builds and the CSV lists they read.
    path("formulaires/", views_forms.forms, name="forms"),
    path("formulaires/<slug:form_id>.xlsx", views_forms.form_xlsx, name="form_xlsx"),
    path("formulaires/listes/<str:name>", views_forms.choice_list, name="choice_list"),
    # What KoboToolbox's REST services and ODK post to (a form's key authenticates).
    path("reception/kobo/<slug:form_id>/", views_push.kobo, name="push_kobo"),
    path("reception/odk/<slug:form_id>/submission", views_push.odk, name="push_odk"),
]

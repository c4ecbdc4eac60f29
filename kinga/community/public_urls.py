"""The public, anonymous alert form, mounted at /alerte/ (no login, no second factor)."""

from django.urls import path

from kinga.community import views

app_name = "public_alert"

urlpatterns = [
    path("", views.public_alert, name="form"),
    path("suivi/", views.public_followup, name="followup"),
]

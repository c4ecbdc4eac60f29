from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("learnt/", views.learnt, name="learnt"),
    path("pairs/<uuid:uuid>/", views.pair_detail, name="pair"),
    path("pairs/<uuid:uuid>/decide/", views.pair_decide, name="decide"),
]

"""Kinga's URLs and one view that fails, to see the 500 page a real failure produces."""

from django.urls import path

from kinga.urls import handler400, handler500
from kinga.urls import urlpatterns as kinga_urlpatterns

__all__ = ["handler400", "handler500", "urlpatterns"]


def failing_view(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("tests/failing/", failing_view), *kinga_urlpatterns]

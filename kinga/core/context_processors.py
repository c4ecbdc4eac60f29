from django.conf import settings
from django.urls import NoReverseMatch, reverse

from kinga.core.middleware import translated_here
from kinga.core.plugins import nav_items


def kinga(request):
    actor = getattr(request, "actor", None)
    items = []
    if actor is not None and actor.is_authenticated:
        for item in nav_items():
            if actor.has(item.permission):
                try:
                    items.append({"label": item.label, "url": reverse(item.url_name)})
                except NoReverseMatch:
                    continue
    # The language switch offers a partially translated language (Kiswahili) only where it is translated.
    offered = [code for code, _name in settings.LANGUAGES if translated_here(code, request.path)]
    return {"actor": actor, "nav_items": items, "KINGA_DEBUG": settings.DEBUG, "languages_here": offered}

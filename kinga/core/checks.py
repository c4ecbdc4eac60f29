"""Deployment checks of Kinga (`kinga check --deploy`)."""

from django.conf import settings
from django.core import checks

from kinga.core.processes import PER_PROCESS_CACHES


@checks.register(checks.Tags.security, deploy=True)
def shared_cache(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in PER_PROCESS_CACHES:
        return [
            checks.Error(
                f"The default cache is per process ({backend}).",
                hint="allauth marks used TOTP codes in the cache: with several workers a code could be replayed "
                "once per worker, and the public alert limits would count per worker. Use the database cache "
                "(CACHE_URL=dbcache://kinga_cache after `kinga createcachetable`) or Redis.",
                id="kinga.E001",
            )
        ]
    return []

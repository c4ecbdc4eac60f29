"""Production: everything from the environment, HTTPS behind a reverse proxy, database task backend.

Required: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, and the encryption keys (KINGA_ENCRYPTION_KEYS and
KINGA_BLIND_INDEX_KEY, or KINGA_KEYS_FILE naming a JSON file that holds them). See docs/deploy.md.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import KINGA_BLIND_INDEX_KEY, KINGA_ENCRYPTION_KEYS, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if not KINGA_ENCRYPTION_KEYS or not KINGA_BLIND_INDEX_KEY:
    raise ImproperlyConfigured(
        "Set KINGA_ENCRYPTION_KEYS and KINGA_BLIND_INDEX_KEY, or KINGA_KEYS_FILE (see docs/deploy.md): "
        "production never generates keys."
    )
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
TASKS = {"default": {"BACKEND": env.str("KINGA_TASK_BACKEND", default="django_tasks_db.DatabaseBackend")}}
# Behind the reverse proxy, the client's address (lockouts, public alert limits) is the one it forwards.
KINGA_PROXY_COUNT = env.int("KINGA_PROXY_COUNT", default=1)  # trust only our own proxy's entry
# No SMS is written to a log in production: a gateway (http) or nothing until one is configured.
KINGA_SMS_BACKEND = env.str("KINGA_SMS_BACKEND", default="disabled")
if KINGA_SMS_BACKEND not in ("http", "disabled", "console"):
    raise ImproperlyConfigured(
        f"KINGA_SMS_BACKEND must be http, disabled or console, not {KINGA_SMS_BACKEND!r}."
    )
if KINGA_SMS_BACKEND == "http" and not KINGA_SMS_GATEWAY_URL:  # noqa: F405
    raise ImproperlyConfigured(
        "KINGA_SMS_BACKEND=http needs KINGA_SMS_GATEWAY_URL (and KINGA_SMS_GATEWAY_TOKEN): see "
        "docs/guide/notifications.md."
    )

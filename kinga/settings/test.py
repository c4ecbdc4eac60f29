"""Tests: fast hashing, fixed keys, in-memory SQLite unless DATABASE_URL names PostgreSQL."""

import os

os.environ.setdefault("KINGA_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "var", "test"))

from .base import *  # noqa: F403
from .base import env

DATABASES = {"default": env.db("DATABASE_URL", default="sqlite://:memory:")}
# With MIGRATION_DATABASE_URL (as .ci/run sets it), pytest-django creates and migrates the test databases as
# the owner, then conftest.py reconnects as the runtime role of DATABASE_URL: the tests run with the
# privileges the app servers have.
KINGA_TEST_RUNTIME_DB: dict = {}
if MIGRATION_DATABASE_URL and DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    KINGA_TEST_RUNTIME_DB = {key: DATABASES["default"][key] for key in ("USER", "PASSWORD")}
    DATABASES = {"default": env.db("MIGRATION_DATABASE_URL")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {}
else:
    # A test database is thrown away: its commits (transactional and browser tests commit thousands) need not
    # wait for the disk. Per session, which any role may set; the server's own settings are untouched.
    # No JIT either, as in production (settings/base.py).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off -c jit=off"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz"
KINGA_ENCRYPTION_KEYS = ["z1ZxPq8D3aOEXtmHgsPUyk8bw8C3L0y_9oB6z2b8gXY="]
KINGA_BLIND_INDEX_KEY = "test-blind-index-key"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
AXES_ENABLED = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LANGUAGE_CODE = "fr"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns about a missing directory)

"""The two PostgreSQL roles of a deployment (docs/deploy.md): the owner, which owns the tables and runs
`kinga migrate`, and the runtime role, with which the app servers and workers serve requests.

The runtime role reads and writes the records but owns nothing: it cannot alter a table, disable a trigger or
truncate, and on the audit trail it may only add and read rows. `kinga migrate`, run as the owner with
MIGRATION_DATABASE_URL set, (re)grants the runtime role after every migration (post_migrate), so a table that
a new release adds is reachable at once and the audit table never gains a write privilege.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections

AUDIT_TABLE = "core_auditevent"


def grant_statements(role: str, *, quote) -> list[str]:
    """What the owner grants the runtime role in the current database (each statement is idempotent)."""
    r = quote(role)
    return [
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {r}",
        # Tables and sequences the owner creates later (a new release's migrations) get the same grants.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {r}",
        # The audit trail: append and read only. The migrations' record is the owner's alone.
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {AUDIT_TABLE} FROM {r}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON django_migrations FROM {r}",
    ]


def runtime_role() -> str:
    return getattr(settings, "KINGA_DB_RUNTIME_ROLE", "") or ""


def grant_runtime_role(*, using: str = "default", role: str | None = None) -> bool:
    """Grant the runtime role its privileges, when connected as another role that may (the owner). Returns
    whether it granted: connected as the runtime role itself (a test database's flush), there is nothing to do."""
    role = role or runtime_role()
    connection = connections[using]
    if not role or connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", [role])
        current, exists = cursor.fetchone()
        if current == role:
            return False
        if not exists:
            raise RuntimeError(
                f"The runtime database role {role!r} does not exist: create it first (docs/deploy.md)."
            )
        for statement in grant_statements(role, quote=connection.ops.quote_name):
            cursor.execute(statement)
    return True


def grant_after_migrate(sender, *, using: str = "default", **kwargs) -> None:
    grant_runtime_role(using=using)

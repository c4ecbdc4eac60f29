"""`kinga backup` / `kinga restore`: a PostgreSQL dump with a manifest that lets a restore prove itself.

A backup is a directory holding `database.dump` (pg_dump, custom format) and `manifest.json`: the dump's
SHA-256, the fingerprints of the encryption and blind-index keys (never the keys: a backup must be useless to
whoever steals it without the keys, which are kept apart, see docs/deploy.md), and per table a row count and
an order-independent checksum. The counts and checksums are read in the very snapshot pg_dump copies
(`pg_export_snapshot` + `pg_dump --snapshot`), so they describe exactly what is in the file even while people
keep working.

A restore checks the dump's hash and the configured keys against the fingerprints before it writes anything
(wrong keys would give a database whose names can never be read), restores into an empty database in one
transaction, then checks every table's count and checksum, that every protected value decrypts with the
configured keys, and the audit trail. The audit trail has no hash chain (it is append-only by trigger and by
the runtime role's privileges): what is checked is its count, its highest id and its checksum like any table.

Only PostgreSQL: the embedded SQLite setup is one file, copied with `sqlite3 var/kinga.sqlite3 ".backup ..."`
(the message says so), and a second backup path with other guarantees is not worth its upkeep.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from kinga.core import audit, crypto
from kinga.core.fields import protected_fields
from kinga.core.models import AuditAction, AuditEvent

FORMAT = "kinga-backup/1"
DUMP_NAME = "database.dump"
MANIFEST_NAME = "manifest.json"
_FINGERPRINT_SALT = b"kinga key fingerprint\x00"
# The text form of a row depends on these session settings: both sides of a comparison use the same ones.
_STABLE_OUTPUT = (
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, MDY'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL extra_float_digits = 3",
    "SET LOCAL bytea_output = 'hex'",
)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (French)."""


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    protected_values: int = 0
    audit_events: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def fingerprint(key: str) -> str:
    """Identifies a key without revealing it (a SHA-256 of 256-bit random keys cannot be reversed)."""
    return hashlib.sha256(_FINGERPRINT_SALT + key.encode("utf-8")).hexdigest()[:16]


def key_fingerprints() -> dict:
    return {
        "encryption": [fingerprint(k) for k in settings.KINGA_ENCRYPTION_KEYS],
        "blind_index": fingerprint(settings.KINGA_BLIND_INDEX_KEY),
    }


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise BackupError(
            _(
                "Backup and restore need PostgreSQL (the production database). The embedded SQLite setup is "
                'one file: stop Kinga and copy it with sqlite3 var/kinga.sqlite3 ".backup copy.sqlite3", and '
                "keep var/secrets.json apart."
            )
        )
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            raise BackupError(
                _("%(tool)s is not installed (Debian package postgresql-client).") % {"tool": tool}
            )


def _libpq_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[name] = str(db[key])
    env["PGDATABASE"] = db["NAME"]
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env


def _tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    )
    return [row[0] for row in cursor.fetchall()]


def _table_figures(cursor) -> dict[str, dict]:
    """Row count and checksum of every table: the sum of a 60-bit piece of each row's MD5 (order-free)."""
    figures = {}
    quote = connection.ops.quote_name
    for table in _tables(cursor):
        cursor.execute(
            f"SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)::text "  # noqa: S608
            f"FROM {quote(table)} AS t"
        )
        rows, checksum = cursor.fetchone()
        figures[table] = {"rows": rows, "checksum": checksum}
    return figures


def _audit_figures(cursor) -> dict:
    cursor.execute(f"SELECT count(*), coalesce(max(id), 0) FROM {AuditEvent._meta.db_table}")  # noqa: S608
    events, max_id = cursor.fetchone()
    return {"events": events, "max_id": max_id, "hash_chain": False}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _migrations(cursor) -> dict[str, str]:
    cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
    return dict(cursor.fetchall())


def create_backup(*, actor, directory: Path) -> dict:
    """Dump the database into `directory` (created, must not exist) and write its manifest; returns it."""
    _require_postgresql()
    directory = Path(directory)
    if directory.exists():
        raise BackupError(_("%(path)s already exists: choose a new directory.") % {"path": directory})
    directory.mkdir(parents=True)
    directory.chmod(0o700)
    # Recorded before the snapshot, so the backup holds the trace of its own making.
    audit.record(actor=actor, action=AuditAction.EXPORT, target_type="core.backup", note=str(directory.name))
    started = time.perf_counter()
    dump_path = directory / DUMP_NAME
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        for statement in _STABLE_OUTPUT:
            cursor.execute(statement)
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version'), now()")
        snapshot, server_version, taken_at = cursor.fetchone()
        # pg_dump copies the same snapshot while this transaction stays open: counts and file agree.
        dump = subprocess.Popen(  # noqa: S603  (fixed arguments, no shell)
            [shutil.which("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={dump_path}"],
            env=_libpq_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            tables = _table_figures(cursor)
            audit_figures = _audit_figures(cursor)
            migrations = _migrations(cursor)
        finally:
            _out, errors = dump.communicate()
    if dump.returncode != 0:
        raise BackupError(_("pg_dump failed: %(errors)s") % {"errors": errors.strip()})
    manifest = {
        "format": FORMAT,
        "created_at": taken_at.astimezone(datetime.UTC).isoformat(),
        "database": connection.settings_dict["NAME"],
        "server_version": server_version,
        "dump": {"file": DUMP_NAME, "bytes": dump_path.stat().st_size, "sha256": _sha256(dump_path)},
        "keys": key_fingerprints(),
        "migrations": migrations,
        "tables": tables,
        "audit": audit_figures,
        "seconds": round(time.perf_counter() - started, 1),
    }
    manifest_path = directory / MANIFEST_NAME
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    for path in (dump_path, manifest_path):
        path.chmod(0o600)
    return manifest


def read_manifest(directory: Path) -> dict:
    path = Path(directory) / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise BackupError(
            _("No manifest.json in %(path)s: this is not a Kinga backup.") % {"path": directory}
        ) from None
    except (ValueError, UnicodeDecodeError):
        raise BackupError(_("%(path)s is damaged (not JSON).") % {"path": path}) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(_("%(path)s is not a Kinga backup manifest.") % {"path": path})
    return manifest


def check_keys(manifest: dict) -> None:
    """The configured keys must be the backup's: every key it was encrypted under, and its blind-index key."""
    configured = key_fingerprints()
    missing = [fp for fp in manifest["keys"]["encryption"] if fp not in configured["encryption"]]
    problems = []
    if missing:
        problems.append(
            _("encryption key(s) with fingerprint %(fingerprints)s missing from KINGA_ENCRYPTION_KEYS")
            % {"fingerprints": ", ".join(missing)}
        )
    if manifest["keys"]["blind_index"] != configured["blind_index"]:
        problems.append(
            _("KINGA_BLIND_INDEX_KEY differs (backup %(expected)s, configured %(configured)s)")
            % {"expected": manifest["keys"]["blind_index"], "configured": configured["blind_index"]}
        )
    if problems:
        raise BackupError(
            _(
                "The configured keys are not this backup's: %(problems)s. Nothing was written. Configure the keys "
                "kept with the backups (KINGA_ENCRYPTION_KEYS and KINGA_BLIND_INDEX_KEY, or KINGA_KEYS_FILE; see "
                "docs/deploy.md), then run the restore again."
            )
            % {"problems": "; ".join(problems)}
        )


def restore_backup(*, actor_factory, directory: Path) -> RestoreReport:
    """Check, restore into the configured (empty) database, verify. `actor_factory` gives the actor that
    records the restore in the audit trail once the data is there (its user lives in the restored data)."""
    _require_postgresql()
    directory = Path(directory)
    manifest = read_manifest(directory)
    dump_path = directory / manifest["dump"]["file"]
    if not dump_path.exists():
        raise BackupError(_("%(path)s is missing.") % {"path": dump_path})
    check_keys(manifest)
    if _sha256(dump_path) != manifest["dump"]["sha256"]:
        raise BackupError(
            _("%(path)s does not match its manifest (damaged or incomplete copy). Nothing was written.")
            % {"path": dump_path}
        )
    with connection.cursor() as cursor:
        if _tables(cursor):
            raise BackupError(
                _(
                    "The database %(name)s is not empty. Nothing was written. Restore into a new, empty database "
                    "(createdb), then point DATABASE_URL at it."
                )
                % {"name": connection.settings_dict["NAME"]}
            )
    connection.close()
    started = time.perf_counter()
    restored = subprocess.run(  # noqa: S603  (fixed arguments, no shell)
        [
            shutil.which("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump_path),
        ],
        env=_libpq_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if restored.returncode != 0:
        raise BackupError(
            _("pg_restore failed (nothing restored, it runs in one transaction): %(errors)s")
            % {"errors": restored.stderr.strip()}
        )
    report = verify(manifest)
    report.seconds = time.perf_counter() - started
    if not report.problems:
        audit.record(
            actor=actor_factory(),
            action=AuditAction.OTHER,
            target_type="core.backup",
            note=f"restored from {directory.name} ({manifest['created_at']})",
        )
    return report


def verify(manifest: dict) -> RestoreReport:
    """Compare the database with a manifest: counts and checksums, protected values, audit trail."""
    report = RestoreReport()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        for statement in _STABLE_OUTPUT:
            cursor.execute(statement)
        tables = _table_figures(cursor)
        audit_figures = _audit_figures(cursor)
    expected = manifest["tables"]
    for name in sorted(set(expected) | set(tables)):
        want, got = expected.get(name), tables.get(name)
        if want is None or got is None:
            report.problems.append(_("table %(table)s: present on one side only") % {"table": name})
        elif want != got:
            report.problems.append(
                _("table %(table)s: %(got)s rows (checksum %(got_sum)s), expected %(want)s (%(want_sum)s)")
                % {
                    "table": name,
                    "got": got["rows"],
                    "got_sum": got["checksum"],
                    "want": want["rows"],
                    "want_sum": want["checksum"],
                }
            )
    report.tables = len(tables)
    report.rows = sum(t["rows"] for t in tables.values())
    if audit_figures != manifest["audit"]:
        report.problems.append(
            _("audit trail: %(got)s, expected %(want)s") % {"got": audit_figures, "want": manifest["audit"]}
        )
    report.audit_events = audit_figures["events"]
    checked, failures = decrypt_everything()
    report.protected_values = checked
    for label, count in failures.items():
        report.problems.append(
            _("%(count)s protected value(s) of %(field)s do not decrypt with the configured keys")
            % {"count": count, "field": label}
        )
    return report


def decrypt_everything() -> tuple[int, dict[str, int]]:
    """Decrypt every stored protected value (identities, contacts, notes) as raw tokens, chunk by chunk."""
    checked, failures = 0, {}
    quote = connection.ops.quote_name
    for model in apps.get_models():
        fields = protected_fields(model)
        if not fields or model._meta.proxy:
            continue
        columns = ", ".join(quote(f.column) for f in fields)
        with transaction.atomic(), connection.chunked_cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {quote(model._meta.db_table)}")  # noqa: S608
            while rows := cursor.fetchmany(5000):
                for row in rows:
                    for f, token in zip(fields, row, strict=True):
                        if not token:
                            continue
                        checked += 1
                        try:
                            crypto.decrypt(token)
                        except ValueError:
                            label = f"{model._meta.label}.{f.name}"
                            failures[label] = failures.get(label, 0) + 1
    return checked, failures

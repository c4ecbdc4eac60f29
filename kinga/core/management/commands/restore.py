"""`kinga restore DIRECTORY`: a backup restored into the configured, empty database, then verified."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from kinga.core.actors import ActorCommand
from kinga.core.backup import BackupError, restore_backup


class Command(ActorCommand):
    help = (
        "Restaurer un répertoire de `kinga backup` dans la base vide de DATABASE_URL : clés vérifiées d'abord, "
        "puis pg_restore, puis vérification des comptages, des sommes de contrôle, du déchiffrement et du "
        "journal d'audit."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("directory", help="Répertoire écrit par `kinga backup`.")

    def handle(self, *args, **options):
        try:
            report = restore_backup(
                actor_factory=lambda: self.get_actor(options), directory=options["directory"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if report.problems:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(
                _("Restored, but %(count)s check(s) failed (above): do not put this database into service.")
                % {"count": len(report.problems)}
            )
        self.stdout.write(
            _(
                "Restore verified: %(tables)s tables and %(rows)s rows identical to the backup (counts and "
                "checksums), %(protected)s protected values decrypted, audit trail of %(events)s events intact "
                "(%(seconds).0f s)."
            )
            % {
                "tables": report.tables,
                "rows": report.rows,
                "protected": report.protected_values,
                "events": report.audit_events,
                "seconds": report.seconds,
            }
        )

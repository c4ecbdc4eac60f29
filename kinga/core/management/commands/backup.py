"""`kinga backup [DIRECTORY]`: the database dumped with its manifest (see kinga/core/backup.py)."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from kinga.core.actors import ActorCommand
from kinga.core.backup import BackupError, create_backup


class Command(ActorCommand):
    help = (
        "Sauvegarder la base PostgreSQL : pg_dump (format custom) + manifeste (empreintes des clés, comptages, "
        "sommes de contrôle)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "directory",
            nargs="?",
            help="Nouveau répertoire à écrire (par défaut : var/backups/kinga-AAAAMMJJ-HHMMSS).",
        )

    def handle(self, *args, **options):
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
        directory = Path(options["directory"] or Path(settings.VAR_DIR) / "backups" / f"kinga-{stamp}")
        try:
            manifest = create_backup(actor=self.get_actor(options), directory=directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            _(
                "Backup written to %(path)s: %(tables)s tables, %(rows)s rows, dump of %(mb).1f MB "
                "(%(seconds)s s). The encryption keys are NOT in it: keep them apart (docs/deploy.md)."
            )
            % {
                "path": directory,
                "tables": len(manifest["tables"]),
                "rows": rows,
                "mb": manifest["dump"]["bytes"] / 1e6,
                "seconds": manifest["seconds"],
            }
        )

"""`kinga sites import-ipis FILE [--rejects OUT.csv] [--dry-run] [--accept-rejections]` and
`kinga sites refresh-status`."""

import argparse
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils import translation

from kinga.core.actors import ActorCommand
from kinga.core.tabular import ImportRefused
from kinga.sites.models import Status
from kinga.sites.services import import_ipis, refresh_statuses


class Command(ActorCommand):
    help = "Sites miniers : importer les données ouvertes IPIS, recalculer le statut travail des enfants de chaque site."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-ipis", help="Charger le CSV des données ouvertes IPIS (idempotent).")
        imp.add_argument("file")
        imp.add_argument(
            "--rejects", metavar="OUT.csv", help="Écrire ici les lignes rejetées avec leur motif."
        )
        imp.add_argument(
            "--dry-run", action="store_true", help="Dire ce que l'import changerait, sans rien enregistrer."
        )
        imp.add_argument(
            "--accept-rejections",
            action="store_true",
            help="Importer même si beaucoup de lignes sont rejetées ou si des valeurs enregistrées seraient effacées (après une simulation).",
        )
        refresh = sub.add_parser(
            "refresh-status",
            help="Recalculer le statut de chaque site à la date du jour (consigne les expirations et les corrections en retard dans les historiques).",
        )
        for subparser in (imp, refresh):  # --actor also accepted after the sub-command
            subparser.add_argument("--actor", metavar="EMAIL", default=argparse.SUPPRESS)

    def handle(self, *args, **options):
        actor = self.get_actor(options)
        if options["action"] == "import-ipis":
            started = time.perf_counter()
            try:
                result = import_ipis(
                    options["file"],
                    actor=actor,
                    rejects_path=options.get("rejects"),
                    dry_run=options["dry_run"],
                    accept_rejections=options["accept_rejections"],
                )
            except FileNotFoundError:
                raise CommandError(f"Fichier introuvable : {options['file']}") from None
            except ImportRefused as exc:
                raise CommandError(f"{'; '.join(exc.messages)}\n{exc.summary}") from None
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
            for warning in result.warnings[:50]:
                self.stderr.write(f"avertissement : {warning}")
            if len(result.warnings) > 50:
                self.stderr.write(f"... et {len(result.warnings) - 50} autres avertissements")
            for reject in result.rejected[:50]:
                self.stderr.write(f"rejet ligne {reject['line']} (vid {reject['vid']}) : {reject['reason']}")
            for blanked in result.blanked[:50]:
                self.stderr.write(f"valeur effacée : {blanked}")
            self.stdout.write(result.summary() + f" ({time.perf_counter() - started:.1f} s)")
        elif options["action"] == "refresh-status":
            self.refresh_status(actor)

    def refresh_status(self, actor) -> None:
        try:
            result = refresh_statuses(actor=actor)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        # Read in the journal of a timer: the default language, whatever the environment's locale.
        with translation.override(settings.LANGUAGE_CODE):
            label = {code: str(name) for code, name in Status.choices}
            self.stdout.write(
                f"{len(result.changes)} statut(s) de site modifié(s) au {result.at.isoformat()}."
            )
            for (old, new), n in sorted(result.transitions().items()):
                self.stdout.write(f"  {label[old]} → {label[new]} : {n}")
            for code, name, old, new in result.changes[:50]:
                self.stdout.write(f"  {code} {name} : {label[old]} → {label[new]}")
            if len(result.changes) > 50:
                self.stdout.write(f"  ... et {len(result.changes) - 50} autres sites")

"""`kinga community export-4w --format csv|xlsx -o FILE [--territory P-CODE] [--from DATE --to DATE]`,
`kinga community import-4w FILE [--dry-run] [--accept-rejections] [--rejects OUT.csv]` and
`kinga community seed-4w` (the plan's implementers)."""

import argparse
import datetime
import shutil
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from kinga.community import fourw_io, selectors, services
from kinga.core import access, spreadsheets
from kinga.core.actors import ActorCommand
from kinga.core.models import Place
from kinga.core.tabular import ImportRefused


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date invalide : {text} (format AAAA-MM-JJ)") from None


class Command(ActorCommand):
    help = "Communauté : export (CSV/XLSX avec hashtags HXL) et import des 4W, 4W créés à partir des exécutants du plan."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export-4w", help="Exporter les 4W (hashtags HXL sur la deuxième ligne).")
        export.add_argument("--format", choices=("csv", "xlsx"), default="csv")
        export.add_argument("-o", "--output", required=True, metavar="FILE")
        export.add_argument(
            "--territory",
            metavar="P-CODE",
            help="Seulement ce territoire (ou cette province), par son p-code.",
        )
        export.add_argument("--from", dest="date_from", type=_date, metavar="DATE")
        export.add_argument("--to", dest="date_to", type=_date, metavar="DATE")
        imp = sub.add_parser("import-4w", help="Importer un fichier 4W (CSV ou XLSX, tel qu'exporté).")
        imp.add_argument("file")
        imp.add_argument(
            "--dry-run", action="store_true", help="Dire ce que l'import changerait, sans rien enregistrer."
        )
        imp.add_argument(
            "--accept-rejections",
            action="store_true",
            help="Importer même si beaucoup de lignes sont rejetées ou si des valeurs enregistrées seraient effacées (après une simulation).",
        )
        imp.add_argument(
            "--rejects", metavar="OUT.csv", help="Écrire ici les lignes rejetées et leurs motifs."
        )
        seed = sub.add_parser("seed-4w", help="Créer les lignes 4W des exécutants du plan (idempotent).")
        for subparser in (export, imp, seed):
            subparser.add_argument("--actor", metavar="EMAIL", default=argparse.SUPPRESS)

    def handle(self, *args, **options):
        actor = self.get_actor(options)
        try:
            if options["action"] == "export-4w":
                self._export(actor, options)
            elif options["action"] == "import-4w":
                self._import(actor, options)
            else:
                n = services.seed_fourw_from_plan(actor=actor)
                self.stdout.write(f"{n} fiche(s) 4W créée(s) à partir des responsables du plan.")
        except ImportRefused as exc:
            raise CommandError(f"{'; '.join(exc.messages)}\n{exc.summary}") from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None

    def _import(self, actor, options):
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"Fichier introuvable : {path}") from None
        except IsADirectoryError:
            raise CommandError(f"« {path} » est un dossier, pas un fichier.") from None
        result = services.import_fourw(
            actor=actor,
            content=content,
            filename=path.name,
            dry_run=options["dry_run"],
            accept_rejections=options["accept_rejections"],
        )
        for line in result.rejection_lines(limit=50):
            self.stderr.write(f"rejet : {line}")
        if len(result.rejected) > 50:
            self.stderr.write(f"... et {len(result.rejected) - 50} autres lignes rejetées")
        for blanked in result.blanked[:50]:
            self.stderr.write(f"valeur effacée : {blanked}")
        if options.get("rejects"):
            with open(options["rejects"], "w", encoding="utf-8", newline="") as out:
                out.writelines(spreadsheets.csv_lines(result.rejects_rows(), bom=True))
        self.stdout.write(result.summary())

    def _export(self, actor, options):
        access.require(actor, "community.export")
        territory = None
        if options.get("territory"):
            territory = Place.objects.filter(pcode=options["territory"]).first()
            if territory is None:
                raise CommandError(f"P-code inconnu : {options['territory']}")
        if options.get("date_from") and options.get("date_to") and options["date_to"] < options["date_from"]:
            raise CommandError("--to est avant --from.")
        qs = selectors.fourw(
            actor, territory=territory, start=options.get("date_from"), end=options.get("date_to")
        )
        filters = {k: str(options[k]) for k in ("territory", "date_from", "date_to") if options.get(k)}
        result = fourw_io.export(actor=actor, queryset=qs, fmt=options["format"], filters=filters)
        if options["format"] == "csv":
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                for piece in result:
                    out.write(piece)
        else:
            with result, open(options["output"], "wb") as out:
                shutil.copyfileobj(result, out)
        self.stdout.write(f"4W exporté dans {options['output']}.")

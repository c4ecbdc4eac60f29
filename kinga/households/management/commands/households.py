"""`kinga households score [--version V]`, `kinga households import FILE --round CODE`, `kinga households totals`."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from kinga.core.actors import ActorCommand
from kinga.core.tabular import ImportRefused
from kinga.households import services
from kinga.households.models import SurveyRound, VulnerabilityIndexVersion


class Command(ActorCommand):
    help = "Ménages : recalculer l'indice de vulnérabilité, importer un passage d'enquête, recalculer les totaux par passage."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        sub = parser.add_subparsers(dest="action", required=True)
        score = sub.add_parser("score", help="Recalculer l'indice de chaque ménage dans la base.")
        score.add_argument(
            "--version",
            dest="index_version",
            help="Code de la version de l'indice (par défaut : l'actuelle).",
        )
        imp = sub.add_parser("import", help="Importer un passage d'enquête (CSV ou XLSX).")
        imp.add_argument("file")
        imp.add_argument("--round", required=True, help="Code du passage.")
        imp.add_argument(
            "--dry-run", action="store_true", help="Dire ce que l'import changerait, sans rien enregistrer."
        )
        imp.add_argument(
            "--accept-rejections",
            action="store_true",
            help="Importer même si beaucoup de lignes sont rejetées ou si des réponses enregistrées seraient effacées (après une simulation).",
        )
        sub.add_parser("totals", help="Recalculer les totaux par passage à partir des enquêtes.")

    def handle(self, *args, **options):
        actor = self.get_actor(options)
        if options["action"] == "score":
            version = None
            if options.get("index_version"):
                version = VulnerabilityIndexVersion.objects.filter(code=options["index_version"]).first()
                if version is None:
                    raise CommandError(f"Version de l'indice inconnue : {options['index_version']}")
            scored, not_scored, seconds = services.score_every_household(actor=actor, version=version)
            self.stdout.write(
                f"{scored} ménage(s) noté(s), {not_scored} sans note (aucune enquête), en {seconds:.1f} s"
            )
            return
        if options["action"] == "totals":
            rows, seconds = services.rebuild_round_totals(actor=actor)
            self.stdout.write(f"{rows} total(s) par passage recalculé(s) en {seconds:.1f} s")
            return
        rnd = SurveyRound.objects.filter(code=options["round"]).first()
        if rnd is None:
            raise CommandError(f"Passage inconnu : {options['round']}")
        path = Path(options["file"])
        try:
            batch = services.import_round(
                actor=actor,
                round=rnd,
                content=path.read_bytes(),
                filename=path.name,
                dry_run=options["dry_run"],
                accept_rejections=options["accept_rejections"],
            )
        except FileNotFoundError:
            raise CommandError(f"Fichier introuvable : {path}") from None
        except IsADirectoryError:
            raise CommandError(f"« {path} » est un dossier, pas un fichier.") from None
        except ImportRefused as exc:
            raise CommandError(f"{'; '.join(exc.messages)}\n{exc.summary}") from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        for blanked in batch.blanked[:50]:
            self.stderr.write(f"réponse effacée : {blanked}")
        self.stdout.write(services.import_summary(batch))

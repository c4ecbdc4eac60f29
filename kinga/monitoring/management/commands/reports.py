"""`kinga reports build --period 2026Q3|2026 --format pdf|xlsx [--language fr|en] [--territory CD7201] -o FILE`;
`kinga reports prune --older-than DAYS` (the newest report of each period is kept)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import translation

from kinga.core import access
from kinga.core.actors import ActorCommand
from kinga.monitoring import reports, selectors, services


class Command(ActorCommand):
    help = "Les rapports du plan (trimestriels et annuels) : les établir en PDF ou en XLSX."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        sub = parser.add_subparsers(dest="subcommand", required=True)
        build = sub.add_parser(
            "build", help="Établir un rapport maintenant et l'écrire dans un fichier (sans file d'attente)."
        )
        build.add_argument("--period", required=True, help="Un trimestre (2026Q3) ou une année (2026).")
        build.add_argument("--format", required=True, choices=["pdf", "xlsx"], help="pdf ou xlsx.")
        build.add_argument(
            "--language", default="fr", choices=["fr", "en"], help="fr (par défaut) ou en (anglais)."
        )
        build.add_argument(
            "--territory", default="", help="Le p-code d'un territoire (CD7201) ; sans : toute la province."
        )
        build.add_argument("-o", "--output", required=True, help="Le fichier à écrire.")
        # Sub-parsers do not inherit --actor: accept it after the sub-command too.
        build.add_argument(
            "--actor", metavar="EMAIL", default=argparse.SUPPRESS, help="Agir en tant que cet utilisateur."
        )

        prune = sub.add_parser(
            "prune",
            help="Supprimer les rapports demandés il y a plus de N jours (le plus récent de chaque période est gardé).",
        )
        prune.add_argument("--older-than", type=int, required=True, metavar="JOURS", help="Nombre de jours.")
        prune.add_argument(
            "--actor", metavar="EMAIL", default=argparse.SUPPRESS, help="Agir en tant que cet utilisateur."
        )

    def handle(self, *args, **options):
        return getattr(self, "handle_" + options["subcommand"])(options)

    def handle_build(self, options):
        actor = self.get_actor(options)
        access.require(actor, services.PERMISSION)
        try:
            period = reports.parse_period(options["period"])
            territory = selectors.territory_by_pcode(actor, options["territory"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        started = time.monotonic()
        with translation.override(options["language"]):
            content = reports.build(
                period,
                options["format"],
                territory=territory,
                progress=lambda step: self.stdout.write(f"… {reports.step_label(step)}"),
            )
        path = Path(options["output"])
        path.write_bytes(content)
        services.record_file_export(actor=actor, period=period.iso, fmt=options["format"], size=len(content))
        self.stdout.write(
            f"Rapport {period.label} écrit dans {path} ({len(content)} octets, "
            f"{time.monotonic() - started:.1f} s)."
        )

    def handle_prune(self, options):
        actor = self.get_actor(options)
        try:
            deleted = services.prune_reports(actor=actor, older_than_days=options["older_than"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        what = "rapport supprimé" if deleted <= 1 else "rapports supprimés"
        self.stdout.write(
            f"{deleted} {what} ; le plus récent de chaque période et ceux en cours sont gardés."
        )

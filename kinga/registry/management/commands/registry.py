"""`kinga registry ...`: the children's registry from the command line (French, like every command).

kinga registry match --csv FILE [--threshold X] [-o OUT]   evaluate the matcher on a file
kinga registry batch [--enqueue]                          fill the review queue
kinga registry index                                      rebuild the matching profiles
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from kinga.cases.models import Child
from kinga.core.actors import ActorCommand
from kinga.registry.matching import REVIEW_THRESHOLD
from kinga.registry.matching.csvfile import match_rows, read_file, write_pairs
from kinga.registry.profiles import save_profiles
from kinga.registry.services import fill_review_queue
from kinga.registry.tasks import find_duplicates


def _threshold(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("un nombre entre 0 et 1") from None
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError("un nombre entre 0 et 1")
    return number


class Command(ActorCommand):
    help = "Registre des enfants : détection des doublons."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        sub = parser.add_subparsers(dest="action", required=True)
        batch = sub.add_parser(
            "batch", help="Chercher les doublons probables dans tout le registre (file de revue)."
        )
        batch.add_argument("--enqueue", action="store_true", help="Le faire en tâche de fond.")
        sub.add_parser(
            "index", help="Recalculer le profil de comparaison de chaque enfant (après un import en masse)."
        )
        match = sub.add_parser(
            "match",
            help="Trouver les doublons probables d'un fichier CSV (id, given_name, family_name, sex, birth_date, "
            "age, place, caregiver) et écrire id_a,id_b,score.",
        )
        match.add_argument(
            "--csv",
            required=True,
            metavar="FICHIER",
            help="CSV avec une ligne d'en-tête (UTF-8 ou Latin-1, virgules ou points-virgules ; « - » : "
            "l'entrée standard).",
        )
        match.add_argument(
            "--threshold",
            type=_threshold,
            default=REVIEW_THRESHOLD,
            help=f"Score le plus bas écrit (par défaut {REVIEW_THRESHOLD}, conseillé pour les files de revue).",
        )
        match.add_argument(
            "-o", "--output", metavar="SORTIE", help="Fichier de sortie (par défaut : la sortie standard)."
        )

    def handle(self, *args, **options):
        return getattr(self, "handle_" + options["action"])(options)

    def handle_match(self, options):
        path = options["csv"]
        try:
            content = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
            read = read_file(content, filename=Path(path).name)
        except FileNotFoundError:
            raise CommandError(f"Fichier introuvable : {path}") from None
        except IsADirectoryError:
            raise CommandError(f"« {path} » est un dossier, pas un fichier.") from None
        except OSError as exc:
            raise CommandError(f"Lecture impossible de {path} : {exc.strerror}") from None
        except ValidationError as exc:
            raise CommandError(f"{path} : {'; '.join(exc.messages)}") from None
        for line, reason in read.errors:
            self.stderr.write(f"{path}:{line}: {reason} ; ligne ignorée")
        if not read.records:
            raise CommandError(f"{path} : aucune ligne utilisable")
        rows = match_rows(read.records, threshold=options["threshold"])
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                write_pairs(rows, out)
        else:
            write_pairs(rows, self.stdout)
        self.stderr.write(
            f"{len(read.records)} fiche(s) lue(s), {len(rows)} paire(s) de score supérieur ou égal à "
            f"{options['threshold']}"
        )

    def handle_batch(self, options):
        if options["enqueue"]:
            result = find_duplicates.enqueue()
            self.stdout.write(f"registre, recherche des doublons : tâche {result.id} mise en attente")
            return

        summary = fill_review_queue(actor=self.get_actor(options))
        self.stdout.write(
            "registre, recherche des doublons : {profiles} profils, {compared} paires comparées, {found} doublons "
            "probables, {added} nouveaux dans la file de revue ({seconds:.1f} s)".format(
                seconds=summary["load_seconds"] + summary["match_seconds"] + summary["queue_seconds"],
                **summary,
            )
        )

    def handle_index(self, options):
        children = (
            Child.objects.select_related("residence", "place_of_origin")
            .order_by("pk")
            .iterator(chunk_size=2000)
        )
        self.stdout.write(f"registre, profils recalculés : {save_profiles(children)}")

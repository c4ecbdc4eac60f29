"""`kinga registry ...`: the children's registry from the command line (French, like every command).

kinga registry match --csv FILE [--threshold X] [-o OUT]   evaluate the matcher on a file
kinga registry batch [--enqueue]                          fill the review queue
kinga registry index                                      rebuild the matching profiles (then learn again)
kinga registry learn                                      learn the registry's errors (m, u, share of duplicates)
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
from kinga.registry.services import fill_review_queue, learn_parameters
from kinga.registry.tasks import find_duplicates, learn_registry_parameters


def _threshold(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("un nombre entre 0 et 1") from None
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError("un nombre entre 0 et 1")
    return number


MATCH_HELP = """Trouver les doublons probables parmi les fiches d'un fichier CSV.

Colonnes (ligne d'en-tête obligatoire, dans n'importe quel ordre ; seule « id » est requise) :
  id           identifiant unique de la fiche (une ligne dont l'id manque ou se répète est ignorée)
  given_name   prénom(s)
  family_name  nom(s) de famille (postnom compris)
  sex          M, F (ou H pour homme) ; vide si inconnu
  birth_date   date de naissance : AAAA-MM-JJ (2014-03-07, une heure après est ignorée), JJ/MM/AAAA
               (07/03/2014) ou l'année seule (2014) ; une date impossible (30/02/2014, mois 13) est gardée
               comme abîmée : ses parties lisibles sont comparées, la ligne est signalée, jamais ignorée
  age          âge en années (utilisé quand la date manque) ; un âge illisible est ignoré et signalé
  place        lieu de résidence ou d'origine (texte libre)
  caregiver    nom de la personne qui s'occupe de l'enfant

Fichier : UTF-8 (avec ou sans BOM) ou Latin-1, séparé par des virgules ou des points-virgules, comme
l'écrivent Excel, R (write.csv) et les exports de KoboToolbox ; « - » lit l'entrée standard.

Sortie : un CSV id_a,id_b,score (score de 0 à 1, quatre décimales), une paire par ligne, les id de chaque
paire dans l'ordre ; sur la sortie d'erreur, chaque ligne ignorée ou signalée avec son numéro.
"""


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
            "index",
            help="Recalculer le profil de comparaison de chaque enfant (après un import en masse), puis réapprendre "
            "les erreurs du registre en tâche de fond.",
        )
        sub.add_parser(
            "learn",
            help="Apprendre du registre ses propres erreurs de saisie : probabilités m et u de chaque champ, part "
            "estimée de doublons (utilisées ensuite par la recherche des doublons).",
        )
        match = sub.add_parser(
            "match",
            help="Trouver les doublons probables d'un fichier CSV et écrire id_a,id_b,score.",
            description=MATCH_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
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
        for line, what in read.warnings:
            self.stderr.write(f"{path}:{line}: {what} ; ligne lue")
        count = len(read.records)
        if not count:
            raise CommandError(f"{path} : aucune ligne utilisable")
        rows = match_rows(read.frame(), threshold=options["threshold"])
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                write_pairs(rows, out)
        else:
            write_pairs(rows, self.stdout)
        self.stderr.write(
            f"{count} fiche(s) lue(s), {len(rows)} paire(s) de score supérieur ou égal à "
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
        result = learn_registry_parameters.enqueue(reason="import")
        self.stdout.write(f"registre, apprentissage des erreurs : tâche {result.id} mise en attente")

    def handle_learn(self, options):
        row = learn_parameters(actor=self.get_actor(options), reason="command")
        duplicates = row.match_share * row.records * (row.records - 1) / 2
        self.stdout.write(
            f"registre, erreurs apprises : {row.records} profils, {row.pairs} paires, environ "
            f"{duplicates:.0f} paires de doublons estimées"
            + ("" if row.converged else " (l'estimation n'a pas convergé : paramètres par défaut en partie)")
        )

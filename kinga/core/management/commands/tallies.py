"""`kinga tallies rebuild [CODE ...]` and `kinga tallies check [--since DATE]`: the counts kept on write
(kinga.core.tallies) rebuilt from the records, or compared with them."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from kinga.core import memo, tallies


class Command(BaseCommand):
    help = (
        "Comptages tenus à jour à l'écriture : les reconstruire à partir des fiches (après un chargement en masse) "
        "ou les comparer aux fiches."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="Reconstruire les comptages (tous, ou ceux nommés).")
        rebuild.add_argument("codes", nargs="*")
        check = sub.add_parser(
            "check", help="Comparer chaque comptage aux fiches ; code de sortie 1 si écart."
        )
        check.add_argument("--since", type=datetime.date.fromisoformat, default=tallies.EVER[0])
        check.add_argument("codes", nargs="*")

    def handle(self, *args, **options):
        known = tallies.flows()
        codes = options["codes"] or list(known)
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise CommandError(
                f"Comptage inconnu : {', '.join(unknown)}. Connus : {', '.join(sorted(known))}."
            )
        if options["action"] == "rebuild":
            written = tallies.rebuild(codes, log=self.stdout.write)
            memo.forget_everything()  # a rebuild follows writes past the model signals: the memos forget them too
            self.stdout.write(f"{len(written)} comptage(s) reconstruit(s), {sum(written.values())} ligne(s).")
            return
        wrong = 0
        for code in codes:
            diffs = tallies.differences(code, start=options["since"], end=tallies.EVER[1])
            wrong += bool(diffs)
            state = "juste" if not diffs else f"{len(diffs)} groupe(s) en écart"
            self.stdout.write(f"  {code} : {state}")
            for group, kept, counted in diffs[:5]:
                self.stdout.write(f"    {group} : comptage {kept}, fiches {counted}")
        if wrong:
            raise CommandError(f"{wrong} comptage(s) en écart : `kinga tallies rebuild` les reconstruit.")
        self.stdout.write("Tous les comptages sont justes.")

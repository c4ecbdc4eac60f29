"""`kinga indicators values --period 2026Q3 [--territory P-CODE] [--by territory,sex,age_band] [--json]`."""

from __future__ import annotations

import argparse
import json

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from kinga.core import access, periods
from kinga.core.actors import ActorCommand
from kinga.core.models import Place
from kinga.plan import selectors
from kinga.plan.indicators import parse_breakdowns


class Command(ActorCommand):
    help = "Les indicateurs du plan : leurs valeurs par période, territoire, sexe et tranche d'âge."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        sub = parser.add_subparsers(dest="subcommand", required=True)
        values = sub.add_parser(
            "values", help="Les valeurs de chaque indicateur pour une période (calculées ou saisies)."
        )
        values.add_argument(
            "--period",
            required=True,
            help="2026Q3 (trimestre), 2026 (année), 202609 (mois) ou plan (depuis le début du plan).",
        )
        values.add_argument(
            "--territory", default="", help="P-code d'un territoire (CD7201) ; sinon la province."
        )
        values.add_argument(
            "--by", default="", help="Ventilations, séparées par des virgules : territory,sex,age_band."
        )
        values.add_argument("--json", action="store_true", help="Sortie lisible par une machine (JSON).")
        # Sub-parsers do not inherit --actor: accept it after the sub-command too.
        values.add_argument(
            "--actor", metavar="EMAIL", default=argparse.SUPPRESS, help="Agir en tant que cet utilisateur."
        )

    def handle(self, *args, **options):
        return getattr(self, "handle_" + options["subcommand"])(options)

    def handle_values(self, options):
        actor = self.get_actor(options)
        try:
            period = periods.parse(options["period"])
            by = parse_breakdowns(options["by"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        area = None
        if options["territory"]:
            area = access.scoped(actor, Place).filter(pcode=options["territory"]).first()
            if area is None:
                raise CommandError(f"Territoire inconnu : {options['territory']}.")
        cells = selectors.indicator_values(actor, period=period, area=area, by=by)
        if options["json"]:
            rows = [
                {
                    "code": c.indicator.code,
                    "libelle": c.indicator.label_fr,
                    "unite": c.indicator.unit,
                    "periode": c.period.iso,
                    "valeur": str(c.value.normalize()),
                    "ventilation": c.breakdown,
                    "cible": None if c.target is None else str(c.target.normalize()),
                    "provenance": c.source_text,
                    "non_ventile_par": list(c.not_broken_down),
                }
                for c in cells
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        where = area.name if area else "toute la province"
        self.stdout.write(f"{period.label} — {where} : {len(cells)} valeur(s)")
        for c in cells:
            parts = [f"{k}={v or 'inconnu'}" for k, v in c.breakdown.items()]
            target = f" (cible {c.target.normalize():f})" if c.target is not None else ""
            self.stdout.write(
                f"{c.indicator.code}  {' '.join(parts) or 'total'}  {c.value.normalize():f} "
                f"{c.indicator.unit}{target}"
            )

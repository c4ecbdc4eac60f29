"""`kinga indicators values --period 2026Q3 [--territory P-CODE] [--by territory,sex,age_band] [--json]`;
`kinga indicators export --format dhis2|adx|hxl --period 2026Q3 -o FILE [--push]`."""

from __future__ import annotations

import argparse
import json

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from kinga.core import access, periods
from kinga.core.actors import ActorCommand
from kinga.core.models import Place
from kinga.plan import dhis2, selectors, services
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

        export = sub.add_parser(
            "export",
            help="Les indicateurs d'une période pour DHIS2 (JSON dataValueSets), en ADX (XML) ou en HXL (CSV).",
        )
        export.add_argument("--format", required=True, choices=list(dhis2.FORMATS), help="dhis2, adx ou hxl.")
        export.add_argument(
            "--period", required=True, help="2026Q3 (trimestre), 2026 (année) ou 202609 (mois)."
        )
        export.add_argument("-o", "--output", required=True, help="Le fichier à écrire (- : la sortie).")
        export.add_argument(
            "--push",
            action="store_true",
            help="Envoyer aussi les valeurs à l'instance DHIS2 configurée (format dhis2 seulement).",
        )
        export.add_argument(
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

    def handle_export(self, options):
        actor = self.get_actor(options)
        plan = selectors.current_plan(actor)
        if plan is None:
            raise CommandError("Aucun plan n'est chargé : lancez « kinga plan load ».")
        if options["push"] and options["format"] != "dhis2":
            raise CommandError("--push n'envoie que le format dhis2.")
        try:
            period = periods.parse(options["period"])
            exported = dhis2.export_file(actor=actor, plan=plan, fmt=options["format"], period=period)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if options["output"] == "-":
            self.stdout.write(exported.content.decode("utf-8"))
        else:
            with open(options["output"], "wb") as handle:
                handle.write(exported.content)
        err = self.stderr
        err.write(f"{exported.filename} : {len(exported.export.values)} valeur(s) pour {period.label}.")
        for skipped in exported.export.skipped:
            value = "" if skipped.value is None else f" ({skipped.value.normalize():f})"
            err.write(f"  laissée de côté : {skipped.indicator.label_fr}{value} — {skipped.reason}")
        if options["push"]:
            try:
                push = services.push_period(actor=actor, plan=plan, period=period)
            except services.Dhis2PushFailed as failure:
                raise CommandError(f"DHIS2 n'a pas pris les valeurs : {failure.push.message}") from None
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stdout.write(
                f"Envoyé à DHIS2 : {push.values_sent} valeur(s), {push.imported} importée(s), "
                f"{push.updated} mise(s) à jour, {push.ignored} refusée(s) ({push.get_status_display()})."
            )
            for conflict in push.conflicts:
                self.stdout.write(f"  refusée : {conflict['object']} — {conflict['value']}")

"""`kinga plan load [FILE] [--force]`, `kinga plan reconcile [--json] [--current]`."""

from __future__ import annotations

import argparse
import json

from django.core.management.base import CommandError
from django.db import transaction

from kinga.core import access
from kinga.core.actors import ActorCommand
from kinga.plan import exports
from kinga.plan.models import Plan
from kinga.plan.planfile import PlanFileError
from kinga.plan.reconcile import reconcile
from kinga.plan.services.loading import PlanRevisedError, load_plan


class Command(ActorCommand):
    help = "Le plan opérationnel : charger le fichier du plan, rapprocher le budget, exporter."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        sub = parser.add_subparsers(dest="subcommand", required=True)
        load = sub.add_parser(
            "load", help="Charger le fichier du plan (par défaut : le plan du Lualaba livré avec Kinga)."
        )
        load.add_argument("file", nargs="?", help="Un fichier de plan (YAML).")
        load.add_argument(
            "--force",
            action="store_true",
            help="Recharger même si des utilisateurs ont révisé le plan depuis (consigné).",
        )
        load.add_argument(
            "--dry-run",
            action="store_true",
            help="Montrer ce que le chargement changerait, sans rien écrire.",
        )
        rec = sub.add_parser(
            "reconcile", help="Synthèse budgétaire comparée à la somme des lignes détaillées."
        )
        rec.add_argument("--json", action="store_true", help="Sortie lisible par une machine (JSON).")
        rec.add_argument(
            "--current", action="store_true", help="Le plan révisé en vigueur, pas le plan initial."
        )
        rec.add_argument("--plan", default=None, help="Code du plan (par défaut : le plan unique).")
        exp = sub.add_parser("export", help="Exporter le plan (xlsx, budget-xlsx ou iati).")
        exp.add_argument("--format", required=True, choices=["xlsx", "budget-xlsx", "iati"])
        exp.add_argument("-o", "--output", required=True, help="Fichier à écrire.")
        exp.add_argument("--plan", default=None, help="Code du plan (par défaut : le plan unique).")
        # Sub-parsers do not inherit --actor: accept it after the sub-command too (SUPPRESS keeps the
        # value given before the sub-command).
        for p in (load, rec, exp):
            p.add_argument(
                "--actor",
                metavar="EMAIL",
                default=argparse.SUPPRESS,
                help="Agir en tant que cet utilisateur.",
            )

    def handle(self, *args, **options):
        return getattr(self, "handle_" + options["subcommand"])(options)

    def handle_load(self, options):
        actor = self.get_actor(options)
        # A dry run is the real load, reported, then rolled back: what it says is what a load would do.
        with transaction.atomic():
            try:
                result = load_plan(actor=actor, path=options.get("file"), force=options["force"])
            except PlanFileError as exc:
                raise CommandError(f"Fichier du plan invalide, rien n'a été chargé : {exc}") from None
            except PlanRevisedError as exc:
                raise CommandError(str(exc)) from None
            plan = result.plan
            if result.created:
                self.stdout.write(f"plan {plan.code}: chargé ({plan.axes.count()} axes).")
            elif not result.changes:
                self.stdout.write(f"plan {plan.code}: déjà à jour, rien n'a changé.")
            else:
                self.stdout.write(f"plan {plan.code}: {len(result.changes)} changement(s) :")
                for line in result.changes:
                    self.stdout.write(f"  {line}")
            if options["dry_run"]:
                transaction.set_rollback(True)
                self.stdout.write("Essai (--dry-run) : rien n'a été écrit.")

    def _plan(self, options):
        plans = Plan.objects.all()
        if options.get("plan"):
            plans = plans.filter(code=options["plan"])
        plan = plans.order_by("pk").first()
        if plan is None:
            raise CommandError("Aucun plan chargé : lancez d'abord « kinga plan load ».")
        return plan

    def handle_export(self, options):
        actor = self.get_actor(options)
        plan = self._plan(options)
        with open(options["output"], "wb") as handle:
            rows = exports.export(actor=actor, plan=plan, fmt=options["format"], stream=handle)
        self.stdout.write(f"{options['format']}: {options['output']} ({rows} lignes)")

    def handle_reconcile(self, options):
        access.require(self.get_actor(options), "plan.view")
        report = reconcile(self._plan(options), current=options["current"])
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self.stdout.write("Axe  Synthèse (USD)  Lignes détaillées (USD)  Écart (USD)")
        for axis in report["axes"]:
            self.stdout.write(
                f"{axis['number']:>3}  {_usd(axis['synthesis_usd']):>14}  {_usd(axis['detail_usd']):>23}  "
                f"{_usd(axis['difference_usd'], sign=True):>11}  {axis['title']}"
            )
            for amb in axis["ambiguous"]:
                self.stdout.write(
                    f"       montant ambigu — {amb['where']} : « {amb['as_written']} » lu "
                    f"{_usd(amb['reading_usd'])} USD"
                )
        self.stdout.write(
            f"Tot  {_usd(report['synthesis_total_usd']):>14}  {_usd(report['detail_total_usd']):>23}  "
            f"{_usd(report['difference_total_usd'], sign=True):>11}"
        )


def _usd(value: int, sign: bool = False) -> str:
    return (f"{value:+,}" if sign else f"{value:,}").replace(",", "\u202f")

"""`kinga forms build [-o DIR] [--form ID] [--territory PCODE]`, `kinga forms publish --to kobo|odk [--form ID]`,
`kinga forms lists --to kobo|odk [--form ID]` (only the choice lists of forms already published: attached CSVs on
KoboToolbox, entity lists on ODK Central)."""

from __future__ import annotations

import argparse
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from kinga.core.actors import ActorCommand
from kinga.field.xlsforms import builder, publish, reference
from kinga.field.xlsforms.catalogue import FORMS


class Command(ActorCommand):
    help = (
        "Les formulaires de terrain (XLSForm) : les construire, les publier sur KoboToolbox ou ODK Central."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        sub = parser.add_subparsers(dest="subcommand", required=True)
        build = sub.add_parser("build", help="Écrire un fichier XLSX par formulaire et ses listes CSV.")
        build.add_argument(
            "-o", "--output", default="formulaires", help="Dossier à écrire (par défaut : formulaires)."
        )
        pub = sub.add_parser("publish", help="Déployer les formulaires sur le serveur de terrain.")
        pub.add_argument(
            "--to", required=True, choices=publish.TARGETS, help="kobo (KoboToolbox) ou odk (ODK Central)."
        )
        lists = sub.add_parser(
            "lists",
            help="Renvoyer seulement les listes de choix (sites, lieux, organisations…) des formulaires déjà "
            "publiés, sans nouvelle version des questions.",
        )
        lists.add_argument(
            "--to", required=True, choices=publish.TARGETS, help="kobo (KoboToolbox) ou odk (ODK Central)."
        )
        for p in (build, pub, lists):
            p.add_argument(
                "--form",
                action="append",
                metavar="ID",
                help="Seulement ce formulaire (répétable) ; par défaut : tous. " + ", ".join(FORMS),
            )
            p.add_argument(
                "--territory",
                metavar="PCODE",
                help="Listes des sites et des lieux d'un seul territoire (son p-code), pour les téléphones d'une équipe.",
            )
            p.add_argument(
                "--actor",
                metavar="EMAIL",
                default=argparse.SUPPRESS,
                help="Agir en tant que cet utilisateur.",
            )

    def handle(self, *args, **options):
        return getattr(self, "handle_" + options["subcommand"])(options)

    def _forms(self, options):
        wanted = options.get("form") or list(FORMS)
        unknown = [form_id for form_id in wanted if form_id not in FORMS]
        if unknown:
            raise CommandError(
                f"Formulaire inconnu : {', '.join(unknown)}. Les formulaires sont : {', '.join(FORMS)}."
            )
        return [FORMS[form_id] for form_id in wanted]

    def handle_build(self, options):
        forms = self._forms(options)
        folder = Path(options["output"])
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"Impossible de créer le dossier {folder} : {exc.strerror}.") from None
        lists = sorted({name for form in forms for name in form.attachments})
        for form in forms:
            content = builder.workbook_bytes(form)
            builder.to_xform(content)  # pyxform refuses a broken form here, before anyone loads it on a phone
            (folder / builder.filename(form)).write_bytes(content)
            self.stdout.write(f"{builder.filename(form)} : version {builder.version(form)}")
        for name in lists:
            (folder / name).write_bytes(reference.build(name, options.get("territory")))
            self.stdout.write(f"{name} : liste de choix")
        self.stdout.write(f"{len(forms)} formulaire(s) et {len(lists)} liste(s) écrits dans {folder}.")

    def handle_publish(self, options, *, lists_only: bool = False):
        forms = self._forms(options)
        actor = self.get_actor(options)
        write = publish.publish_lists if lists_only else publish.publish
        try:
            results = write(
                actor=actor, target=options["to"], forms=forms, territory=options.get("territory")
            )
        except publish.PublishError as exc:
            raise CommandError(f"Publication interrompue : {exc}") from None
        except PermissionDenied:
            raise CommandError("Cet utilisateur ne peut pas publier les formulaires de terrain.") from None
        self._report_entity_lists(results)
        for item in results:
            if item.entity_lists and not item.new_version:
                self.stdout.write(
                    _(
                        "%(form)s: choice lists up to date in ODK Central's entity lists, version %(version)s kept"
                    )
                    % {"form": item.form_id, "version": item.version}
                )
            elif lists_only:
                self.stdout.write(f"{item.form_id} : listes de choix envoyées (version {item.version})")
            else:
                self.stdout.write(f"{item.form_id} : publié (version {item.version}, {item.remote_id})")

    def _report_entity_lists(self, results) -> None:
        """Once per entity list (several forms read the same one), what it received."""
        if any(item.attached_csvs for item in results):
            self.stdout.write(
                _(
                    "ODK Central has no entity lists (a version older than 2024.1): the choice lists were sent as "
                    "attached CSV files, with a new form version."
                )
            )
        seen = {}
        for item in results:
            for synced in item.lists:
                seen[synced.dataset] = synced
        for synced in seen.values():
            self.stdout.write(
                _(
                    "Entity list %(dataset)s: %(count)d entities, %(created)d created, %(updated)d updated, "
                    "%(deleted)d removed"
                )
                % {
                    "dataset": synced.dataset,
                    "count": synced.entities,
                    "created": synced.created,
                    "updated": synced.updated,
                    "deleted": synced.deleted,
                }
            )

    def handle_lists(self, options):
        return self.handle_publish(options, lists_only=True)

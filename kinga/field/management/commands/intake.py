"""`kinga intake ...`: field submissions from the command line (French, like every command).

kinga intake import FICHIER [--formulaire ID] [--compte EMAIL]   a Kobo or ODK Central export, an ODK Collect
                                                                  instance (XML) or a folder of them
kinga intake key create --formulaire ID --compte EMAIL [--nom N]  a form's key for a server's pushes
kinga intake key revoke PREFIXE                                   revoke a key
kinga intake key list                                             the keys
kinga intake apply                                                apply what is still waiting
kinga intake pull ...                                             (kinga/field/pull.py) from a server's API
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from kinga.core.actors import ActorCommand
from kinga.core.models import Membership
from kinga.field import attachments, pull, reading, services
from kinga.field.cli import membership_of, summary
from kinga.field.models import Channel, FormAccess, Source, State, Submission

_ODATA_FORM = re.compile(r"/forms/([^/]+?)\.svc")  # Central's export names its form in @odata.context


def _head(path: Path) -> bytes:
    """A file's bytes, no further than one past the attachments' limit (a bigger one is refused as such)."""
    with path.open("rb") as handle:
        return handle.read(attachments.MAX_ATTACHMENT_BYTES + 1)


class Command(ActorCommand):
    help = "Soumissions de terrain (KoboToolbox, ODK) : import, clés de formulaire, application, collecte."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import",
            help="Importer un export Kobo (/data/ v2, JSON), un export ODK Central (OData, JSON), une instance "
            "ODK Collect (XML) ou un dossier d'instances.",
        )
        imp.add_argument("file", metavar="FICHIER")
        imp.add_argument("--formulaire", default="", help="Identifiant du formulaire (kinga_follow_up…).")
        imp.add_argument("--compte", default="", metavar="EMAIL", help="Appliquer au nom de ce compte.")
        key = sub.add_parser("key", help="Clés de formulaire (envoi par un serveur Kobo ou ODK).")
        key_sub = key.add_subparsers(dest="key_action", required=True)
        create = key_sub.add_parser("create", help="Créer une clé (affichée une seule fois).")
        create.add_argument("--formulaire", required=True)
        create.add_argument("--compte", required=True, metavar="EMAIL")
        create.add_argument("--nom", default="")
        revoke = key_sub.add_parser("revoke", help="Révoquer une clé.")
        revoke.add_argument("prefix", metavar="PREFIXE")
        key_sub.add_parser("list", help="Lister les clés.")
        sub.add_parser("apply", help="Appliquer les soumissions reçues qui attendent encore.")
        pull.add_arguments(sub)

    def handle(self, *args, **options):
        return getattr(self, "handle_" + options["action"])(options)

    # --- import ---------------------------------------------------------------------------------------------

    def _documents(self, path: Path):
        """(shape, form id or "", parsed, files) for each submission of the file or folder; an ODK Collect
        instance's files are those beside its XML."""
        files = (
            sorted(p for p in path.rglob("*") if p.suffix.lower() in {".xml", ".json"})
            if path.is_dir()
            else [path]
        )
        for file in files:
            content = file.read_bytes()
            if content.lstrip()[:1] == b"<":
                parsed = reading.from_xml(content)
                # ODK Collect keeps an instance's photos beside its XML, in the instance's folder.
                files = {
                    other.name: _head(other)
                    for other in sorted(file.parent.iterdir())
                    if other.is_file() and other.suffix.lower() not in {".xml", ".json"}
                }
                yield Source.ODK, parsed.form_id, parsed, files
                continue
            document = json.loads(content)
            context = document.get("@odata.context", "") if isinstance(document, dict) else ""
            match = _ODATA_FORM.search(context)
            for shape, item in reading.split_json(document):
                source = Source.ODK if shape == "odata" else Source.KOBO
                yield source, match.group(1) if match else "", reading.parse_json_item(shape, item), {}

    def handle_import(self, options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            documents = list(self._documents(path))
        except (ValueError, UnicodeDecodeError):
            raise CommandError(f"{path} : ni JSON ni XML lisible.") from None
        except ValidationError as exc:
            raise CommandError(f"{path} : {' '.join(exc.messages)}") from None
        counts: Counter = Counter()
        already = refused = 0
        accounts: dict[str, Membership] = {}
        for source, found_form, parsed, files in documents:
            form_id = options["formulaire"] or found_form
            if not form_id:
                raise CommandError("Dites de quel formulaire viennent ces soumissions (--formulaire ID).")
            if form_id not in accounts:
                accounts[form_id] = membership_of(options["compte"], form_id)
            try:
                received = services.receive(
                    source=source,
                    channel=Channel.FILE,
                    form_id=form_id,
                    parsed=parsed,
                    membership=accounts[form_id],
                    process=False,
                    files=files,
                )
            except ValidationError as exc:
                refused += 1
                self.stderr.write(f"{parsed.instance_id} : {' '.join(exc.messages)}")
                continue
            if not received.created:
                already += 1
                continue
            counts[services.process(submission_id=str(received.submission.pk))] += 1
        self.stdout.write(summary(counts, already, refused))

    # --- keys ----------------------------------------------------------------------------------------------

    def handle_key(self, options):
        actor = self.get_actor(options)
        try:
            if options["key_action"] == "create":
                membership = membership_of(options["compte"], options["formulaire"])
                access, key = services.create_form_access(
                    actor=actor, form_id=options["formulaire"], name=options["nom"], membership=membership
                )
                self.stdout.write(
                    f"Clé du formulaire {access.form_id} (au nom de {membership.user.email}) : {key}\n"
                    "Elle ne sera plus affichée : copiez-la maintenant dans le service REST (Kobo) ou le "
                    "serveur (ODK)."
                )
            elif options["key_action"] == "revoke":
                found = FormAccess.objects.filter(prefix=options["prefix"], revoked_at__isnull=True).first()
                if found is None:
                    raise CommandError(f"Aucune clé active ne commence par {options['prefix']}.")
                services.revoke_form_access(actor=actor, form_access=found)
                self.stdout.write(f"Clé {found.prefix}… révoquée.")
            else:
                for access in FormAccess.objects.select_related("membership__user").order_by("form_id"):
                    state = "révoquée" if access.revoked_at else "active"
                    self.stdout.write(
                        f"{access.prefix}…  {access.form_id}  {access.membership.user.email}  {state}"
                    )
        except (ValidationError, PermissionDenied) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(message) from None

    # --- apply ---------------------------------------------------------------------------------------------

    def handle_apply(self, options):
        counts: Counter = Counter()
        waiting = (
            Submission.objects.filter(state=State.RECEIVED)
            .order_by("received_at")
            .values_list("pk", flat=True)
        )
        for pk in list(waiting):
            counts[services.process(submission_id=str(pk))] += 1
        self.stdout.write(summary(counts, 0, 0))

    def handle_pull(self, options):
        pull.handle(self, options)

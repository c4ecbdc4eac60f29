"""`kinga messages send-due` (messages whose retry time has come) and `kinga messages referrals` (tell the
providers about referrals waiting past their answer date). Both for a timer (docs/deploy.md)."""

from django.core.management.base import BaseCommand

from kinga.messaging.services import notify_overdue_referrals, send_due


class Command(BaseCommand):
    help = (
        "Messages : renvoyer les messages en échec dont l'heure est venue, prévenir des références en retard."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "send-due", help="Retenter les messages en échec dont l'heure de nouvel essai est passée."
        )
        sub.add_parser(
            "referrals",
            help="Prévenir les prestataires des références qui attendent leur réponse au-delà du délai (une fois).",
        )

    def handle(self, *args, **options):
        if options["action"] == "send-due":
            count = send_due()
            self.stdout.write(f"{count} message(s) retenté(s).")
        else:
            count = notify_overdue_referrals()
            self.stdout.write(f"Références en retard : {count} message(s) à envoyer aux prestataires.")

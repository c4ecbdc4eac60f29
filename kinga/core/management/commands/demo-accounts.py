import os
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from kinga.core.models import Membership, Organisation, OrganisationType, User
from kinga.core.plugins import demo_handovers
from kinga.core.roles import Role

DEMO_ORG = ("Kinga Démo — ONG Mwana Lualaba", "MWANA", OrganisationType.NGO)
DEMO_OTHER_ORG = ("Kinga Démo — ONG Tumaini Kolwezi", "TUMAINI", OrganisationType.NGO)
DEMO_COMPANY = ("Kinga Démo — Société minière", "SMDEMO", OrganisationType.COMPANY)
DEMO_PARTNER = ("Kinga Démo — Bailleur", "PTFDEMO", OrganisationType.PARTNER)


def _org(name, acronym, kind):
    org, _ = Organisation.objects.get_or_create(name=name, defaults={"acronym": acronym, "type": kind})
    return org


class Command(BaseCommand):
    help = (
        "Créer un compte de démonstration par rôle (idempotent) ; les mots de passe sont affichés une seule fois, "
        "ou fixés par KINGA_DEMO_PASSWORD."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        ngo = _org(*DEMO_ORG)
        other_ngo = _org(*DEMO_OTHER_ORG)
        company = _org(*DEMO_COMPANY)
        partner = _org(*DEMO_PARTNER)
        idak = Organisation.objects.filter(acronym="IDAK").first() or ngo
        divas = Organisation.objects.filter(acronym="DIVAS").first() or ngo
        saesscam = Organisation.objects.filter(acronym="SAESSCAM").first() or ngo
        accounts = [
            ("admin", Role.ADMIN, idak),
            ("coordinateur", Role.COORDINATOR, idak),
            ("responsable", Role.ORG_MANAGER, ngo),
            ("superviseur", Role.SUPERVISOR, ngo),
            ("travailleur", Role.CASEWORKER, ngo),
            ("travailleur2", Role.CASEWORKER, other_ngo),
            ("pointfocal", Role.FOCAL_POINT, ngo),
            ("inspecteur", Role.SITE_INSPECTOR, saesscam),
            ("saisie", Role.DATA_CLERK, divas),
            ("bailleur", Role.VIEWER, partner),
            ("entreprise", Role.COMPANY_OFFICER, company),
        ]
        fixed = settings.KINGA_DEMO_PASSWORD or os.environ.get("KINGA_DEMO_PASSWORD", "")
        created = []
        members = {}
        supervisor = None
        for slug, role, org in accounts:
            email = f"{slug}@demo.kinga.cd"
            user = User.objects.filter(email=email).first()
            if user is None:
                password = fixed or secrets.token_urlsafe(9)
                user = User.objects.create_user(
                    email=email,
                    password=password,
                    full_name=f"Démo {Role(role).label}",
                    is_staff=role == Role.ADMIN,
                )
                created.append((email, role, password))
            membership, _ = Membership.objects.get_or_create(user=user, organisation=org, role=role)
            members[slug] = membership
            if role == Role.SUPERVISOR:
                supervisor = membership
            if role == Role.CASEWORKER and org == ngo and supervisor and membership.supervisor_id is None:
                membership.supervisor = supervisor
                membership.save(update_fields=["supervisor"])
        # Each app hands the demo accounts some synthetic work (cases, alerts, lots) for their home pages.
        for handover in demo_handovers():
            handover.run(accounts=members, stdout=self.stdout)
        if created:
            self.stdout.write("Comptes de démonstration (mots de passe affichés une seule fois) :")
            for email, role, password in created:
                self.stdout.write(f"  {Role(role).label:<45} {email:<32} {password}")
        else:
            self.stdout.write("Comptes de démonstration : déjà créés (mots de passe inchangés).")

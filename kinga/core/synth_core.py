"""Synthetic organisations and accounts for `kinga synth`."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from kinga.core.models import Membership, Organisation, OrganisationType, Place, PlaceLevel, User
from kinga.core.roles import Role
from kinga.core.synth import SynthContext

NGO_WORDS = [
    "Action",
    "Enfance",
    "Espoir",
    "Avenir",
    "Solidarité",
    "Lumière",
    "Bonne",
    "Semence",
    "Main",
    "Tendue",
    "Jeunesse",
    "Droits",
    "Paix",
    "Horizon",
    "Grandir",
    "Ensemble",
    "Mwana",
    "Tumaini",
    "Amani",
    "Upendo",
    "Furaha",
]
ROLE_MIX = [
    Role.CASEWORKER,
    Role.CASEWORKER,
    Role.CASEWORKER,
    Role.CASEWORKER,
    Role.SUPERVISOR,
    Role.FOCAL_POINT,
    Role.DATA_CLERK,
    Role.ORG_MANAGER,
]


def generate_core(ctx: SynthContext) -> None:
    lualaba_territories = list(Place.objects.filter(pcode__startswith="CD72", level=PlaceLevel.TERRITORY))
    existing = set(Organisation.objects.values_list("name", flat=True))
    orgs = []
    n = ctx.size("organisations")
    i = 0
    while len(orgs) < n:
        i += 1
        words = ctx.rng.sample(NGO_WORDS, 2)
        name = f"{words[0]} {words[1]} {'Lualaba' if i % 3 else 'Kolwezi'} {i}"
        if name in existing:
            continue
        kind = (
            OrganisationType.NGO
            if i % 5
            else ctx.rng.choice([OrganisationType.COMPANY, OrganisationType.PARTNER])
        )
        acronym = "".join(w[0] for w in words).upper() + str(i)
        orgs.append(Organisation(name=name, acronym=acronym, type=kind))
    Organisation.objects.bulk_create(orgs, batch_size=1000)
    orgs = list(Organisation.objects.filter(name__in=[o.name for o in orgs]))
    ctx.inserted("core_organisation", len(orgs))
    if lualaba_territories:
        through = Organisation.areas.through
        through.objects.bulk_create(
            [through(organisation_id=o.pk, place_id=ctx.rng.choice(lualaba_territories).pk) for o in orgs],
            ignore_conflicts=True,
        )
    # Synthetic accounts cannot log in (unusable password): demo accounts come from `kinga demo-accounts`.
    unusable = make_password(None)
    users = []
    plan = []
    for org in orgs:
        for j in range(ctx.size("users_per_org")):
            role = Role.ORG_MANAGER if j == 0 else ROLE_MIX[j % len(ROLE_MIX)]
            if org.type == OrganisationType.COMPANY:
                role = Role.COMPANY_OFFICER
            elif org.type == OrganisationType.PARTNER:
                role = Role.VIEWER
            email = f"synth.{org.pk}.{j}.{ctx.seed}@exemple.invalid"
            users.append(
                User(email=email, full_name=f"{ctx.given_name()} {ctx.family_name()}", password=unusable)
            )
            plan.append((org, role))
    User.objects.bulk_create(users, batch_size=2000)
    by_email = dict(User.objects.filter(email__in=[u.email for u in users]).values_list("email", "pk"))
    memberships = [
        Membership(user_id=by_email[u.email], organisation=org, role=role)
        for u, (org, role) in zip(users, plan, strict=True)
    ]
    Membership.objects.bulk_create(memberships, batch_size=2000)
    ctx.inserted("core_user", len(users))
    ctx.inserted("core_membership", len(memberships))
    # Caseworkers report to the organisation's first supervisor.
    for org in orgs:
        supervisor = Membership.objects.filter(organisation=org, role=Role.SUPERVISOR).order_by("pk").first()
        if supervisor:
            Membership.objects.filter(organisation=org, role=Role.CASEWORKER).update(supervisor=supervisor)
    ctx.shared["organisations"] = orgs

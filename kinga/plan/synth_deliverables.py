"""Synthetic deliverables for `kinga synth`: the communication plan of axis 1, action 4 (validated), and for about
a third of the other activities a document filed by one of their implementers — most validated, some awaiting the
coordination, a few sent back with the reason. The same few dozen at every scale: the plan has 28 activities,
and each file is a small real PDF written to the private storage."""

from __future__ import annotations

import datetime
import random

from django.core.files.base import ContentFile

from kinga.core import clock
from kinga.core.models import Organisation
from kinga.core.synth import SynthContext
from kinga.plan.models import Activity, Deliverable, DeliverableKind, DeliverableStatus, Party, PartyRole

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
KINDS = [
    DeliverableKind.STRATEGY,
    DeliverableKind.STUDY,
    DeliverableKind.TRAINING_MATERIAL,
    DeliverableKind.MINUTES,
    DeliverableKind.OTHER,
]


def generate(ctx: SynthContext) -> None:
    # Its own random stream: drawing from ctx.rng would change every later generator's data.
    rng = random.Random(f"{ctx.seed}-deliverables")
    if Deliverable.objects.filter(title__endswith=f"(synthétique {ctx.seed})").exists():
        ctx.log("livrables : déjà générés")
        return
    activities = list(Activity.objects.select_related("action__axis").order_by("pk"))
    if not activities:
        ctx.log("livrables : aucun plan chargé, rien n'est généré")
        return
    implementers = {}
    for party in Party.objects.filter(role=PartyRole.IMPLEMENTER, organisation__isnull=False):
        implementers.setdefault(party.activity_id or ("action", party.action_id), []).append(
            party.organisation_id
        )
    fallback = list(Organisation.objects.order_by("pk").values_list("pk", flat=True)[:5])
    today = clock.today()
    made = 0
    for activity in activities:
        code = (activity.action.axis.number, activity.action.number, activity.position)
        communication = code == (1, 4, 1)
        if not communication and rng.random() > 0.35:
            continue
        orgs = implementers.get(activity.pk) or implementers.get(("action", activity.action_id)) or fallback
        if not orgs:
            continue
        submitted = today - datetime.timedelta(days=rng.randint(5, 400))
        status = (
            DeliverableStatus.VALIDATED
            if communication
            else rng.choices(
                [DeliverableStatus.VALIDATED, DeliverableStatus.SUBMITTED, DeliverableStatus.REJECTED],
                [6, 3, 1],
            )[0]
        )
        kind = DeliverableKind.COMMUNICATION_PLAN if communication else rng.choice(KINDS)
        title = (
            "Plan de communication sur la responsabilité des parents"
            if communication
            else f"{DeliverableKind(kind).label} — activité {'.'.join(map(str, code))}"
        )
        deliverable = Deliverable(
            activity=activity,
            kind=kind,
            title=f"{title} (synthétique {ctx.seed})",
            description="Document de démonstration.",
            organisation_id=rng.choice(orgs),
            submitted_on=submitted,
            status=status,
            reviewed_on=None
            if status == DeliverableStatus.SUBMITTED
            else min(today, submitted + datetime.timedelta(days=rng.randint(3, 30))),
            review_note="Le budget de la diffusion radio manque : à compléter."
            if status == DeliverableStatus.REJECTED
            else "",
        )
        deliverable.file.save("document.pdf", ContentFile(PDF), save=False)
        deliverable.save()
        made += 1
    ctx.inserted("plan_deliverable", made)
    ctx.log(f"livrables : {made}")

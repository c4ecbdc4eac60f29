"""Synthetic community data for `kinga synth`: networks and members, alerts with their outcomes, awareness
sessions, trainings, advocacy, 4W records and coordination meetings (bulk inserts, no audit rows).

Sizes: SCALES keys networks, alerts, sessions, fourw (national: 2,000 / 50,000 / 20,000 / 100,000).
"""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.utils import timezone

from kinga.core import clock
from kinga.core.models import Organisation, Place, PlaceLevel
from kinga.core.synth import SynthContext, batched
from kinga.core.synth_clone import register_clone
from kinga.plan.models import Action
from kinga.sites.models import Site

from .models import (
    ActionItem,
    ActionItemStatus,
    Activity,
    AdvocacyAction,
    AdvocacyTarget,
    Alert,
    AlertChildren,
    AlertGroup,
    AlertStatus,
    AreaKind,
    Audience,
    AwarenessSession,
    Channel,
    FourW,
    FourWSource,
    FourWStatus,
    Meeting,
    MemberRole,
    Network,
    NetworkMember,
    Participation,
    SessionKind,
    Theme,
    TrainedGroup,
    Training,
    TrainingTopic,
    Urgency,
)
from .services.alerts import verification_hours

QUARTIERS = [
    "Kasulo",
    "Mutoshi",
    "Kanina",
    "Musonoi",
    "Manika",
    "Dilala",
    "Kapata",
    "Luilu",
    "Mwangeji",
    "Tshala",
]
ACTIVITIES_4W = [
    "Gestion de cas des enfants retirés des mines",
    "Réinsertion scolaire",
    "Espaces amis d'enfants",
    "Appui psychosocial",
    "Formation professionnelle des adolescents",
    "Sensibilisation communautaire",
    "Appui aux activités génératrices de revenus des ménages",
    "Réunification familiale",
]
BANDS = ["5-11", "12-14", "15-17", ""]


def generate_community(ctx: SynthContext) -> None:
    rng = ctx.rng
    lualaba = Place.objects.filter(pcode="CD72").first()
    if lualaba is None:
        ctx.log("community : le Lualaba n'est pas chargé, rien n'est généré")
        return
    territories = list(Place.objects.filter(level=PlaceLevel.TERRITORY, path__startswith=lualaba.path))
    orgs = ctx.shared.get("organisations") or list(Organisation.objects.filter(is_reference=False)[:50])
    if not orgs or not territories:
        ctx.log("community : ni organisations ni territoires, rien n'est généré")
        return
    all_orgs = list(Organisation.objects.all()[:500])
    sites = list(Site.objects.filter(place__path__startswith=lualaba.path).only("id", "place_id")[:20_000])
    now = clock.now()
    today = clock.today()
    rng_choice = rng.choice

    # --- networks and members
    n_networks = ctx.size("networks")
    existing_names = set(Network.objects.values_list("place_id", "name"))
    networks = []
    for i in range(n_networks):
        territory = rng_choice(territories)
        site = rng_choice(sites) if sites and rng.random() < 0.6 else None
        place_id = site.place_id if site else territory.pk
        name = f"Réseau {rng_choice(QUARTIERS)} {i + 1}-{ctx.seed}"
        if (place_id, name) in existing_names:
            continue
        networks.append(
            Network(
                name=name,
                area_kind=AreaKind.SITE_AREA if site else rng_choice([AreaKind.VILLAGE, AreaKind.QUARTIER]),
                place_id=place_id,
                site=site,
                organisation=rng_choice(orgs),
                is_active=rng.random() < 0.92,
                founded_on=today - datetime.timedelta(days=rng.randrange(60, 2000)),
            )
        )
    Network.objects.bulk_create(networks, batch_size=2000)
    networks = list(Network.objects.filter(name__endswith=f"-{ctx.seed}").order_by("pk"))
    ctx.inserted("community_network", len(networks))
    members = []
    for network in networks:
        for j in range(rng.randint(5, 12)):
            members.append(
                NetworkMember(
                    network=network,
                    full_name=f"{ctx.given_name()} {ctx.family_name()}",
                    sex=rng_choice("FM"),
                    role=MemberRole.PRESIDENT
                    if j == 0
                    else MemberRole.FOCAL_POINT
                    if j == 1
                    else MemberRole.MEMBER,
                    contact=f"+2439{rng.randrange(10_000_000, 99_999_999)}",
                    backing_organisation=network.organisation,
                    is_active=rng.random() < 0.9,
                )
            )
    for batch in batched(members, 5000):
        NetworkMember.objects.bulk_create(batch)
    ctx.inserted("community_networkmember", len(members))
    site_networks: dict[int, Network] = {}
    for network in networks:
        if network.site_id:
            site_networks.setdefault(network.site_id, network)
    network_place = {n.pk: n.place_id for n in networks}
    place_paths = dict(Place.objects.filter(path__startswith=lualaba.path).values_list("id", "path"))

    def territory_id(place_id: int | None) -> int | None:
        if place_id is None:
            return None
        ids = [int(p) for p in place_paths.get(place_id, "").strip("/").split("/") if p]
        return ids[2] if len(ids) > 2 else None

    # --- alerts with outcomes
    n_alerts = ctx.size("alerts")
    statuses = (
        [AlertStatus.CASES_REGISTERED] * 3
        + [AlertStatus.VERIFIED] * 2
        + [AlertStatus.UNFOUNDED] * 2
        + [AlertStatus.DUPLICATE, AlertStatus.REFERRED, AlertStatus.VERIFYING]
        + [AlertStatus.NEW] * 2
    )
    groups: dict[tuple[int, datetime.date], AlertGroup] = {}
    alert_rows = []
    for _i in range(n_alerts):
        received = now - datetime.timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
        urgency = rng_choice([Urgency.URGENT, Urgency.HIGH, Urgency.NORMAL, Urgency.NORMAL])
        due = received + datetime.timedelta(hours=verification_hours(urgency))
        status = rng_choice(statuses)
        if received > now - datetime.timedelta(days=3) and rng.random() < 0.7:
            status = rng_choice([AlertStatus.NEW, AlertStatus.VERIFYING])
        site = rng_choice(sites) if sites and rng.random() < 0.85 else None
        network = (
            site_networks.get(site.id)
            if site
            else (rng_choice(networks) if networks and rng.random() < 0.5 else None)
        )
        place_id = (
            site.place_id if site else (network_place[network.pk] if network else rng_choice(territories).pk)
        )
        channel = rng_choice(
            [Channel.PUBLIC_WEB, Channel.PHONE, Channel.PHONE, Channel.WEB, Channel.SMS, Channel.KOBO]
        )
        verified = None
        if status not in (
            AlertStatus.NEW,
            AlertStatus.VERIFYING,
            AlertStatus.DUPLICATE,
            AlertStatus.REFERRED,
        ):
            verified = received + datetime.timedelta(hours=rng.randrange(2, 200))
            verified = min(verified, now)
        observed = received - datetime.timedelta(hours=rng.randrange(0, 48))
        alert_rows.append(
            (
                Alert(
                    observed_at=observed,
                    site=site,
                    place_id=place_id,
                    territory_id=territory_id(place_id),
                    children_count=0,
                    activity=rng_choice(Activity.values),
                    urgency=urgency,
                    channel=channel,
                    network=network,
                    is_anonymous=channel == Channel.PUBLIC_WEB or rng.random() < 0.3,
                    organisation=network.organisation
                    if network
                    else (rng_choice(orgs) if status != AlertStatus.NEW else None),
                    status=status,
                    due_at=due,
                    verified_at=verified,
                    children_found=rng.randint(1, 6)
                    if verified and status != AlertStatus.UNFOUNDED
                    else (0 if verified else None),
                    outcome_reason="Personne trouvée sur place"
                    if status == AlertStatus.UNFOUNDED
                    else ("Même site, même jour" if status == AlertStatus.DUPLICATE else ""),
                    closed_at=verified
                    if status in (AlertStatus.UNFOUNDED, AlertStatus.CASES_REGISTERED)
                    else None,
                    referred_to=rng_choice(all_orgs) if status == AlertStatus.REFERRED else None,
                ),
                received,
            )
        )
    # received_at is auto_now_add: set after insertion in one UPDATE per batch would be slow; instead
    # insert with the field overridden (bulk_create keeps pre_save's value, so patch it).
    Alert._meta.get_field("received_at").auto_now_add = False
    try:
        for alert, received in alert_rows:
            alert.received_at = received
            if alert.site_id:
                key = (alert.site_id, timezone.localtime(alert.observed_at).date())
                if key not in groups:
                    groups[key] = AlertGroup(site_id=key[0], day=key[1])
        existing_groups = {
            (g.site_id, g.day): g for g in AlertGroup.objects.filter(site_id__in={k[0] for k in groups})
        }
        AlertGroup.objects.bulk_create(
            [g for k, g in groups.items() if k not in existing_groups], batch_size=5000, ignore_conflicts=True
        )
        saved = {
            (g.site_id, g.day): g.pk for g in AlertGroup.objects.filter(site_id__in={k[0] for k in groups})
        }
        alerts = []
        for alert, _received in alert_rows:
            if alert.site_id:
                alert.group_id = saved.get((alert.site_id, timezone.localtime(alert.observed_at).date()))
            alerts.append(alert)
        for batch in batched(alerts, 5000):
            Alert.objects.bulk_create(batch)
    finally:
        Alert._meta.get_field("received_at").auto_now_add = True
    ctx.inserted("community_alert", len(alerts))
    children = []
    updates = []
    for alert in (
        Alert.objects.filter(children_count=0).only("pk", "children_found").iterator(chunk_size=5000)
    ):
        total = 0
        for sex in "FM":
            n = rng.choice([0, 0, 1, 1, 2, 3])
            if n:
                children.append(
                    AlertChildren(alert_id=alert.pk, sex=sex, age_band=rng_choice(BANDS), count=n)
                )
                total += n
        if not total:
            children.append(AlertChildren(alert_id=alert.pk, sex="", age_band="", count=1))
            total = 1
        updates.append(Alert(pk=alert.pk, children_count=total))
    for batch in batched(children, 10_000):
        AlertChildren.objects.bulk_create(batch)
    for batch in batched(updates, 5000):
        Alert.objects.bulk_update(batch, ["children_count"])
    ctx.inserted("community_alertchildren", len(children))

    # --- awareness sessions, trainings, advocacy
    n_sessions = ctx.size("sessions")
    sessions = []
    for _i in range(n_sessions):
        kind = rng_choice([SessionKind.SESSION] * 6 + [SessionKind.MEETING, SessionKind.RADIO])
        network = rng_choice(networks) if networks and rng.random() < 0.6 else None
        place_id = network.place_id if network else rng_choice(territories).pk
        committed_f = rng.randrange(0, 15) if kind == SessionKind.SESSION else 0
        committed_m = rng.randrange(0, 10) if kind == SessionKind.SESSION else 0
        sessions.append(
            AwarenessSession(
                kind=kind,
                theme=rng_choice(Theme.values),
                audience=Audience.GENERAL if kind == SessionKind.RADIO else rng_choice(Audience.values),
                date=today - datetime.timedelta(days=rng.randrange(0, 3 * 365)),
                place_id=place_id,
                territory_id=territory_id(place_id),
                organisation=network.organisation if network else rng_choice(orgs),
                network=network,
                radio_station="Radio communautaire" if kind == SessionKind.RADIO else "",
                broadcasts=rng.randint(1, 6) if kind == SessionKind.RADIO else 0,
                parents_committed_f=committed_f,
                parents_committed_m=committed_m,
                report_written=rng.random() < 0.6,
            )
        )
    for batch in batched(sessions, 5000):
        AwarenessSession.objects.bulk_create(batch)
    ctx.inserted("community_awarenesssession", len(sessions))
    participations = []
    for session in (
        AwarenessSession.objects.filter(participations__isnull=True)
        .exclude(kind=SessionKind.RADIO)
        .only("pk", "audience", "parents_committed_f", "parents_committed_m")
        .iterator(chunk_size=5000)
    ):
        f = max(session.parents_committed_f, rng.randrange(5, 40))
        m = max(session.parents_committed_m, rng.randrange(3, 30))
        audience = (
            session.audience
            if session.parents_committed_f + session.parents_committed_m == 0
            else Audience.PARENTS
        )
        participations.append(Participation(session_id=session.pk, audience=audience, sex="F", count=f))
        participations.append(Participation(session_id=session.pk, audience=audience, sex="M", count=m))
    for batch in batched(participations, 10_000):
        Participation.objects.bulk_create(batch)
    ctx.inserted("community_participation", len(participations))

    trainings = []
    plan = [
        (TrainedGroup.COMMUNITY_LEADERS, TrainingTopic.LEADERSHIP),
        (TrainedGroup.SOCIAL_ANIMATORS, TrainingTopic.ANIMATION),
        (TrainedGroup.STATE_AGENTS, TrainingTopic.ETHICS),
        (TrainedGroup.SECURITY_AGENTS, TrainingTopic.ETHICS),
        (TrainedGroup.SOCIAL_SERVICE_PROVIDERS, TrainingTopic.REFRESHER),
        (TrainedGroup.NETWORK_MEMBERS, TrainingTopic.CHILD_PROTECTION),
    ]
    for _i in range(max(n_sessions // 10, 5)):
        group, topic = rng_choice(plan)
        territory = rng_choice(territories)
        trainings.append(
            Training(
                group=group,
                topic=topic,
                start=today - datetime.timedelta(days=rng.randrange(0, 3 * 365)),
                place=territory,
                territory=territory,
                organisation=rng_choice(orgs),
                trained_f=rng.randrange(1, 15),
                trained_m=rng.randrange(1, 25),
            )
        )
    Training.objects.bulk_create(trainings, batch_size=5000)
    ctx.inserted("community_training", len(trainings))
    advocacy = []
    for _i in range(max(n_sessions // 50, 3)):
        territory = rng_choice(territories)
        advocacy.append(
            AdvocacyAction(
                date=today - datetime.timedelta(days=rng.randrange(0, 3 * 365)),
                target=rng_choice(AdvocacyTarget.values),
                subject=rng_choice(
                    [
                        "Tribunal pour enfants à Kolwezi",
                        "Loi sur les mouvements de populations",
                        "Rémunération des agents de l'État",
                        "Plans de développement durable des entreprises",
                    ]
                ),
                place=territory,
                territory=territory,
                organisation=rng_choice(orgs),
            )
        )
    AdvocacyAction.objects.bulk_create(advocacy)
    ctx.inserted("community_advocacyaction", len(advocacy))

    # --- 4W

    actions = list(Action.objects.only("id"))
    fourw = []
    for _i in range(ctx.size("fourw")):
        territory = rng_choice(territories)
        start = today - datetime.timedelta(days=rng.randrange(0, 3 * 365))
        status = rng_choice(
            [
                FourWStatus.ONGOING,
                FourWStatus.ONGOING,
                FourWStatus.COMPLETED,
                FourWStatus.PLANNED,
                FourWStatus.SUSPENDED,
            ]
        )
        tf, tm = rng.randrange(20, 400), rng.randrange(20, 400)
        rf = 0 if status == FourWStatus.PLANNED else rng.randrange(0, tf)
        rm = 0 if status == FourWStatus.PLANNED else rng.randrange(0, tm)
        by_age = {}
        if rf or rm:
            by_age = {
                "F": {"5-11": rf // 2, "12-14": rf // 3, "15-17": rf - rf // 2 - rf // 3},
                "M": {"5-11": rm // 2, "12-14": rm // 3, "15-17": rm - rm // 2 - rm // 3},
            }
        fourw.append(
            FourW(
                organisation=rng_choice(orgs),
                implementing_partner=rng_choice(all_orgs) if rng.random() < 0.5 else None,
                funder=rng_choice(all_orgs) if rng.random() < 0.6 else None,
                plan_action_id=rng_choice(actions).pk if actions and rng.random() < 0.8 else None,
                activity=rng_choice(ACTIVITIES_4W),
                place=territory,
                status=status,
                start=start,
                end=start + datetime.timedelta(days=rng.randrange(90, 900)),
                targeted_f=tf,
                targeted_m=tm,
                reached_f=rf,
                reached_m=rm,
                reached_by_age=by_age,
                source=FourWSource.SYNTH,
            )
        )
    for batch in batched(fourw, 5000):
        FourW.objects.bulk_create(batch)
    ctx.inserted("community_fourw", len(fourw))

    # --- coordination meetings with action items carried over
    meetings = []
    convenors = [o for o in all_orgs if o.type in ("idak", "provincial_government")] or orgs
    meeting_count = max(n_networks // 20, 4)
    for k in range(meeting_count):
        meetings.append(
            Meeting(
                # k months back: the sessions are numbered in the order they were held, the latest last
                title=f"Cadre de concertation permanent — session {meeting_count - k}",
                date=today - datetime.timedelta(days=30 * k + rng.randrange(0, 10)),
                convening_organisation=rng_choice(convenors),
                place=territories[0],
                territory=territories[0],
                agenda="1. Alertes et cas\n2. Sites miniers\n3. Divers",
                minutes_text="Procès-verbal de la réunion." if rng.random() < 0.8 else "",
                decisions="Renforcer les réseaux communautaires." if rng.random() < 0.5 else "",
            )
        )
    Meeting.objects.bulk_create(meetings)
    meetings = list(
        Meeting.objects.filter(title__startswith="Cadre de concertation permanent").order_by("pk")
    )
    items = []
    for meeting in meetings:
        for _j in range(rng.randint(1, 4)):
            items.append(
                ActionItem(
                    meeting=meeting,
                    description=rng_choice(
                        [
                            "Cartographier les sites à risque",
                            "Transmettre le rapport trimestriel",
                            "Former les points focaux",
                            "Suivre les alertes en retard",
                        ]
                    ),
                    owner=rng_choice(orgs),
                    due_date=meeting.date + datetime.timedelta(days=rng.randrange(7, 90)),
                    status=rng_choice(ActionItemStatus.values),
                )
            )
    ActionItem.objects.bulk_create(items)
    ctx.inserted("community_meeting", len(meetings))
    ctx.inserted("community_actionitem", len(items))
    ctx.log(
        f"community : {len(networks)} réseaux, {len(alerts)} alertes, {len(sessions)} séances, {len(fourw)} 4W"
    )


# National scale: the base generated above is multiplied in SQL (kinga.core.synth_clone).
register_clone(
    Alert,
    order=30,
    sizes=("alerts",),
    expressions={
        # Codes from the copy's own id, in the code alphabet (no 0/O, 1/I): unique and still well-formed.
        "feedback_code": "'K' || translate(upper(lpad(to_hex(id + k * {stride}), 9, 'Z')), '01', 'WX')",
        "external_id": "external_id || '-' || k",
    },
)
register_clone(AlertChildren, order=31)
register_clone(AwarenessSession, order=30, sizes=("sessions",))
register_clone(Participation, order=31)
register_clone(FourW, order=30, sizes=("fourw",))


def demo_handover(*, accounts: dict, stdout=None) -> None:
    """The demo focal point joins the synthetic network with the most alerts, which passes, with its alerts, to
    the demo organisation (its social workers then have alerts to verify). Once only."""
    focal = accounts.get("pointfocal")
    if focal is None or NetworkMember.objects.filter(user=focal.user).exists():
        return
    network = (
        Network.objects.exclude(organisation=focal.organisation)
        .annotate(n=Count("alerts"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
        .first()
    )
    if network is None:
        return
    Alert.objects.filter(network=network, organisation=network.organisation).update(
        organisation=focal.organisation
    )
    network.organisation = focal.organisation
    network.save(update_fields=["organisation"])
    NetworkMember.objects.create(
        network=network, user=focal.user, full_name=focal.user.full_name, role=MemberRole.FOCAL_POINT
    )
    if stdout:
        stdout.write(
            f"community : réseau « {network.name} » confié au compte de démonstration {focal.user.email}"
        )

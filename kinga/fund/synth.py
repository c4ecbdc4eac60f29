"""Synthetic support fund for `kinga synth`: one provincial fund managed by the mines division, the 40 % rate,
its bank account and transaction account with the partners, monthly retrocessions over three years, the joint
commission (its members by category) meeting each quarter, and its decisions: grants and loans to the mining
cooperatives (about half of them), paid out while the fund holds the money, loans repaid monthly — some late."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kinga.community.models import Meeting
from kinga.core import clock
from kinga.core.models import Membership, Organisation, OrganisationType, Place, PlaceLevel
from kinga.core.roles import Role
from kinga.core.synth import SynthContext
from kinga.fund.models import (
    Account,
    AccountKind,
    Commission,
    CommissionMember,
    Decision,
    DecisionKind,
    Disbursement,
    Fund,
    Instalment,
    MemberCategory,
    Receipt,
    ReceiptSource,
    Repayment,
    RetrocessionRate,
    Session,
)

MONTHS = 36
RATE = Decimal("40.00")
CENT = Decimal("0.01")
MEMBERS = [
    (OrganisationType.PROVINCIAL_GOVERNMENT, MemberCategory.MINES_ADMINISTRATION, "Administration des mines"),
    (OrganisationType.PROVINCIAL_GOVERNMENT, MemberCategory.SAESSCAM, "SAESSCAM"),
    (OrganisationType.COMPANY, MemberCategory.COMPANY, "Entreprise minière partenaire"),
    (OrganisationType.NGO, MemberCategory.CIVIL_SOCIETY, "Société civile du secteur minier"),
    (OrganisationType.PARTNER, MemberCategory.PARTNER, "Partenaire technique et financier"),
]


def _month(start: datetime.date, n: int) -> datetime.date:
    y, m = divmod(start.month - 1 + n, 12)
    return datetime.date(start.year + y, m + 1, min(start.day, 28))


def _org(ctx: SynthContext, kind: str, name: str) -> Organisation:
    org, created = Organisation.objects.get_or_create(
        name=name, defaults={"type": kind, "acronym": name[:12]}
    )
    if created:
        ctx.inserted("core_organisation", 1)
    return org


def generate(ctx: SynthContext) -> None:
    rng = ctx.rng
    today = clock.today()
    tag = f"{ctx.seed}"
    name = f"Fonds d'appui à l'artisanat minier du Lualaba ({tag})"
    if Fund.objects.filter(name=name).exists():
        ctx.log("fonds : déjà généré")
        return
    province = (
        Place.objects.filter(pcode="CD72").first() or Place.objects.filter(level=PlaceLevel.PROVINCE).first()
    )
    if province is None:
        ctx.log("fonds : aucune province, rien n'est généré")
        return
    start = _month(today.replace(day=5), -MONTHS)
    mines = _org(
        ctx, OrganisationType.PROVINCIAL_GOVERNMENT, f"Division provinciale des mines, fonds d'appui ({tag})"
    )
    if not Membership.objects.filter(organisation=mines).exists():
        user_model = Membership._meta.get_field("user").related_model
        user = user_model.objects.create_user(
            email=f"fonds.{tag}@synth.kinga.cd", password=None, full_name="Gestionnaire du fonds"
        )
        Membership.objects.create(user=user, organisation=mines, role=Role.ORG_MANAGER)
    RetrocessionRate.objects.get_or_create(
        valid_from=start - datetime.timedelta(days=30),
        defaults={"rate_percent": RATE, "legal_reference": "Édit provincial (synthétique)"},
    )
    fund = Fund.objects.create(
        name=name,
        managed_by=mines,
        place=province,
        place_path=province.path,
        created_on=start - datetime.timedelta(days=20),
        target_usd=Decimal(5_000_000),
    )
    bank = Account.objects.create(
        fund=fund, kind=AccountKind.BANK, bank="Rawbank Kolwezi", number=f"FA-{tag}-001", opened_on=start
    )
    partner_orgs = [_org(ctx, OrganisationType.PARTNER, f"PTF du fonds {i} ({tag})") for i in (1, 2)]
    ptf = Account.objects.create(
        fund=fund,
        kind=AccountKind.PARTNER_TRANSACTION,
        bank="Equity BCDC Kolwezi",
        number=f"FA-{tag}-PTF",
        opened_on=_month(start, 6),
    )
    ptf.partners.set(partner_orgs)

    # Monthly retrocessions at the rate, two partner contributions a year on the transaction account.
    receipts = []
    for n in range(MONTHS):
        day = _month(start, n)
        if day > today:
            break
        base = Decimal(rng.randint(150_000, 450_000))
        receipts.append(
            Receipt(
                fund=fund,
                account=bank,
                source=ReceiptSource.RETROCESSION,
                received_on=day,
                payer="Trésor public (Gouvernement central)",
                reference=f"RET-{day:%Y%m}",
                surface_rights_usd=base,
                rate_percent=RATE,
                amount=(base * RATE / 100).quantize(CENT),
            )
        )
        if n >= 6 and n % 6 == 0:
            receipts.append(
                Receipt(
                    fund=fund,
                    account=ptf,
                    source=ReceiptSource.PARTNER,
                    received_on=day,
                    payer=partner_orgs[n // 6 % 2].name,
                    reference=f"PTF-{day:%Y%m}",
                    amount=Decimal(rng.randint(50_000, 200_000)),
                )
            )
    Receipt.objects.bulk_create(receipts)
    ctx.inserted("fund_receipt", len(receipts))

    commission = Commission.objects.create(
        fund=fund,
        name="Commission mixte de gestion du fonds d'appui",
        established_on=_month(start, 2),
        act_reference="Arrêté provincial (synthétique)",
    )
    members = [
        CommissionMember(
            commission=commission,
            organisation=_org(ctx, kind, f"{label} ({tag})")
            if kind != OrganisationType.PARTNER
            else partner_orgs[0],
            category=category,
            function="Président" if i == 0 else ("Secrétaire" if i == 1 else "Membre"),
            joined_on=commission.established_on,
        )
        for i, (kind, category, label) in enumerate(MEMBERS)
    ]
    members[0].organisation = mines
    CommissionMember.objects.bulk_create(members)
    members = list(commission.members.all())

    coops = list(
        Organisation.objects.filter(type=OrganisationType.COOPERATIVE).order_by("id")[
            : max(3, ctx.size("cooperatives") // 2)
        ]
    )
    sessions = []
    quarter = 3
    while _month(start, quarter) <= today and quarter < MONTHS:
        day = _month(start, quarter)
        meeting = Meeting.objects.create(
            title=f"Session de la commission mixte de gestion ({day:%m/%Y})",
            date=day,
            place=province,
            convening_organisation=mines,
            minutes_text="Procès-verbal de la session (synthétique).",
        )
        meeting.participant_organisations.set([m.organisation for m in members])
        session = Session.objects.create(commission=commission, meeting=meeting)
        session.members_present.set(members)
        sessions.append(session)
        quarter += 3
    ctx.inserted("fund_session", len(sessions))
    if not sessions or not coops:
        return

    # Decisions spread over the sessions; a disbursement when the fund holds the money on the next day.
    held = {}
    for r in receipts:
        held[r.received_on] = held.get(r.received_on, Decimal(0)) + r.amount
    decisions, payouts = [], []
    for i, coop in enumerate(coops):
        session = sessions[i % len(sessions)]
        loan = rng.random() < 0.6
        amount = Decimal(rng.randint(5, 60) * 1000)
        rejected = rng.random() < 0.1
        decisions.append(
            Decision(
                session=session,
                number=f"D{i + 1:04d}",
                subject=("Prêt" if loan else "Subvention") + f" pour l'équipement de {coop.name}",
                kind=DecisionKind.LOAN if loan else DecisionKind.GRANT,
                cooperative=coop,
                amount=amount,
                votes_for=1 if rejected else 4,
                votes_against=3 if rejected else 0,
                votes_abstaining=1,
                outcome="rejected" if rejected else "adopted",
            )
        )
    Decision.objects.bulk_create(decisions, batch_size=2000)
    ctx.inserted("fund_decision", len(decisions))
    balance = Decimal(0)
    movements = sorted(held.items())
    for n, decision in enumerate(sorted(decisions, key=lambda d: d.session.meeting.date)):
        if decision.outcome != "adopted":
            continue
        day = decision.session.meeting.date + datetime.timedelta(days=10)
        if day > today:
            continue
        balance = sum((a for d, a in movements if d <= day), Decimal(0)) - sum(
            (p.amount for p in payouts), Decimal(0)
        )
        if decision.amount > balance:
            continue
        payouts.append(
            Disbursement(
                fund=fund,
                decision=decision,
                cooperative=decision.cooperative,
                account=bank,
                kind=decision.kind,
                amount=decision.amount,
                purpose="Équipement et fonds de roulement de la coopérative",
                disbursed_on=day,
                reference=f"DEC-{n + 1:05d}",
            )
        )
    Disbursement.objects.bulk_create(payouts, batch_size=2000)
    ctx.inserted("fund_disbursement", len(payouts))
    instalments, repayments = [], []
    for d in payouts:
        if d.kind != DecisionKind.LOAN:
            continue
        share = (d.amount / 10).quantize(CENT)
        late = rng.random() < 0.3
        for k in range(1, 11):
            due = _month(d.disbursed_on, k)
            amount = share if k < 10 else d.amount - share * 9
            instalments.append(Instalment(disbursement=d, due_on=due, amount=amount))
            paid = due + datetime.timedelta(days=rng.randint(0, 10))
            if paid <= today and not (late and k > 4):
                repayments.append(
                    Repayment(
                        disbursement=d,
                        account=bank,
                        paid_on=paid,
                        amount=amount,
                        reference=f"{d.reference}-{k}",
                    )
                )
    Instalment.objects.bulk_create(instalments, batch_size=5000)
    Repayment.objects.bulk_create(repayments, batch_size=5000)
    ctx.inserted("fund_repayment", len(repayments))
    ctx.log(
        f"fonds : {len(receipts)} recettes, {len(sessions)} séances de la commission, {len(decisions)} décisions, "
        f"{len(payouts)} décaissements, {len(repayments)} remboursements"
    )

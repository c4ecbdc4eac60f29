"""Screens of the support fund: its page (balance, money over time, receipts, decisions, disbursements), the
forms that record its ledger and its commission, and a disbursement's page (schedule, repayments, documents)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinga.core import access, charts, clock
from kinga.core.forms import form_page, submit_and_redirect
from kinga.fund import forms, selectors, services
from kinga.fund.models import Commission, Disbursement, DisbursementDocument, Fund, Repayment, Session
from kinga.fund.scopes import manages


def _fund(request, fund_uuid, perm: str | None = None) -> Fund:
    return access.get_object_or_404(request.actor, Fund, perm=perm, uuid=fund_uuid)


def _fund_url(fund: Fund) -> str:
    return reverse("fund:detail", args=[fund.uuid])


@login_required
def home(request):
    actor = request.actor
    funds = list(selectors.funds(actor))
    if len(funds) == 1:
        return redirect(_fund_url(funds[0]))
    for fund in funds:
        fund.balance = selectors.balance(fund)
    # A cooperative reads the fund through what it received (it sees no fund's ledger).
    received = selectors.disbursements(actor).filter(cooperative_id=actor.organisation_id)[:50]
    return render(
        request,
        "fund/home.html",
        {
            "funds": funds,
            "received": received,
            "can_manage": actor.has("fund.manage"),
            "rates": selectors.rates()[:5],
        },
    )


def _chart(fund: Fund):
    months = selectors.monthly(fund)
    labels = [m["month"].strftime("%m/%Y") for m in months]
    return charts.line_chart(
        _("Money of the fund by month (USD)"),
        labels,
        [
            charts.Series(_("Money received"), [m["received"] + m["repaid"] for m in months]),
            charts.Series(_("Disbursed"), [m["disbursed"] for m in months]),
            charts.Series(_("Balance"), [m["balance"] for m in months]),
        ],
    )


@login_required
def detail(request, fund_uuid):
    actor = request.actor
    fund = _fund(request, fund_uuid)
    commission = access.scoped(actor, Commission).filter(fund=fund).first()
    writer = manages(actor, fund)
    context = {
        "fund": fund,
        "totals": selectors.totals(fund),
        "chart": _chart(fund),
        "rate": selectors.rate_on(clock.today()),
        "accounts": fund.accounts.prefetch_related("partners"),
        "receipts": selectors.receipts(actor, fund)[:10],
        "commission": commission,
        "members": commission.members.select_related("organisation") if commission else [],
        "sessions": selectors.sessions(actor, fund)[:5],
        "decisions": selectors.decisions(actor, fund)[:10],
        "disbursements": selectors.disbursements(actor, fund)[:10],
        "can_record": writer and actor.has("fund.record"),
        "can_manage": writer and actor.has("fund.manage"),
    }
    return render(request, "fund/detail.html", context)


@login_required
def rate_add(request):
    actor = request.actor
    access.require(actor, "fund.manage")
    return form_page(
        request,
        forms.RateForm(request.POST or None),
        title=_("Retrocession rate"),
        intro=_(
            "The share of the surface rights returned to the province, from a date on (40 % in the plan)."
        ),
        save=lambda data: services.set_retrocession_rate(actor=actor, **data),
        success=_("Rate recorded."),
        done=lambda _rate: reverse("fund:home"),
        cancel=reverse("fund:home"),
    )


@login_required
def fund_add(request):
    actor = request.actor
    access.require(actor, "fund.manage")
    form = forms.FundForm(
        request.POST or None, organisations=selectors.managing_organisations(actor), places=selectors.places()
    )
    return form_page(
        request,
        form,
        title=_("Create a support fund"),
        save=lambda data: services.create_fund(actor=actor, **data),
        success=_("Fund created."),
        done=_fund_url,
        cancel=reverse("fund:home"),
    )


@login_required
def account_add(request, fund_uuid):
    actor = request.actor
    fund = _fund(request, fund_uuid, "fund.manage")
    form = forms.AccountForm(request.POST or None, organisations=selectors.organisations())
    return form_page(
        request,
        form,
        title=_("Open an account"),
        save=lambda data: services.open_account(actor=actor, fund=fund, **data),
        success=_("Account recorded."),
        done=lambda _a: _fund_url(fund),
        cancel=_fund_url(fund),
    )


@login_required
def receipt_add(request, fund_uuid):
    actor = request.actor
    fund = _fund(request, fund_uuid, "fund.record")
    rate = selectors.rate_on(clock.today())
    return form_page(
        request,
        forms.ReceiptForm(request.POST or None, accounts=selectors.open_accounts(fund)),
        title=_("Record a receipt"),
        intro=(_("Rate in force today: %(rate)s %%.") % {"rate": formats.number_format(rate.rate_percent, 2)})
        if rate
        else "",
        save=lambda data: services.record_receipt(actor=actor, fund=fund, **data),
        success=lambda r: (
            _("Receipt %(ref)s recorded: %(amount)s USD.") % {"ref": r.reference, "amount": r.amount}
        ),
        done=lambda _r: _fund_url(fund),
        cancel=_fund_url(fund),
    )


@login_required
def commission_add(request, fund_uuid):
    actor = request.actor
    fund = _fund(request, fund_uuid, "fund.manage")
    return form_page(
        request,
        forms.CommissionForm(request.POST or None),
        title=_("Set up the joint management commission"),
        save=lambda data: services.establish_commission(actor=actor, fund=fund, **data),
        success=_("Commission recorded."),
        done=lambda _c: _fund_url(fund),
        cancel=_fund_url(fund),
    )


def _commission(request, commission_uuid, perm: str) -> Commission:
    return access.get_object_or_404(request.actor, Commission, perm=perm, uuid=commission_uuid)


@login_required
def member_add(request, commission_uuid):
    actor = request.actor
    commission = _commission(request, commission_uuid, "fund.manage")
    return form_page(
        request,
        forms.MemberForm(request.POST or None, organisations=selectors.organisations()),
        title=_("Add a member to the commission"),
        save=lambda data: services.add_member(actor=actor, commission=commission, **data),
        success=_("Member added."),
        done=lambda _m: _fund_url(commission.fund),
        cancel=_fund_url(commission.fund),
    )


@login_required
def session_add(request, commission_uuid):
    actor = request.actor
    commission = _commission(request, commission_uuid, "fund.manage")
    form = forms.SessionForm(request.POST or None, members=selectors.sitting_members(commission))
    return form_page(
        request,
        form,
        title=_("Record a session of the commission"),
        intro=_("The session is also listed among the coordination meetings."),
        save=lambda data: services.record_session(actor=actor, commission=commission, **data),
        success=_("Session recorded: now record its decisions."),
        done=lambda s: reverse("fund:decision_add", args=[s.uuid]),
        cancel=_fund_url(commission.fund),
    )


@login_required
def decision_add(request, session_uuid):
    actor = request.actor
    session = access.get_object_or_404(actor, Session, perm="fund.manage", uuid=session_uuid)
    fund = session.commission.fund
    return form_page(
        request,
        forms.DecisionForm(request.POST or None, cooperatives=selectors.cooperatives()),
        title=_("Decision of the session of %(date)s") % {"date": session.meeting.date.strftime("%d/%m/%Y")},
        intro=_("A decision is adopted when more members vote for it than against it."),
        save=lambda data: services.record_decision(actor=actor, session=session, **data),
        success=lambda d: (
            _("Decision %(n)s recorded: %(outcome)s.")
            % {"n": d.number, "outcome": d.get_outcome_display().lower()}
        ),
        done=lambda _d: _fund_url(fund),
        cancel=_fund_url(fund),
        submit_label=_("Save the decision"),
    )


@login_required
def disbursement_add(request, fund_uuid):
    actor = request.actor
    fund = _fund(request, fund_uuid, "fund.record")
    form = forms.DisbursementForm(
        request.POST or None,
        decisions=selectors.payable_decisions(actor, fund),
        accounts=selectors.open_accounts(fund),
    )

    def save(data):
        data = {k: v for k, v in data.items() if k not in {"first_due_on", "instalment_count"}}
        return services.record_disbursement(actor=actor, **data)

    return form_page(
        request,
        form,
        title=_("Record a disbursement"),
        intro=_("Only what the commission decided is paid out, and never more than the fund holds."),
        save=save,
        success=_("Disbursement recorded."),
        done=lambda d: reverse("fund:disbursement", args=[d.uuid]),
        cancel=_fund_url(fund),
    )


def _disbursement(request, disbursement_uuid, perm: str | None = None) -> Disbursement:
    return access.get_object_or_404(
        request.actor,
        Disbursement,
        perm=perm,
        queryset=selectors.disbursements(request.actor),
        uuid=disbursement_uuid,
    )


@login_required
def disbursement_detail(request, disbursement_uuid):
    actor = request.actor
    disbursement = _disbursement(request, disbursement_uuid)
    writer = manages(actor, disbursement.fund) and actor.has("fund.record")
    context = {
        "d": disbursement,
        "loan": selectors.loan_status(disbursement),
        "instalments": disbursement.instalments.all(),
        "repayments": access.scoped(actor, Repayment).filter(disbursement=disbursement),
        "documents": access.scoped(actor, DisbursementDocument).filter(disbursement=disbursement),
        "can_record": writer,
        "repayment_form": forms.RepaymentForm(accounts=selectors.open_accounts(disbursement.fund)),
        "document_form": forms.DocumentForm(),
    }
    return render(request, "fund/disbursement.html", context)


@login_required
@require_POST
def repayment_add(request, disbursement_uuid):
    actor = request.actor
    disbursement = _disbursement(request, disbursement_uuid, "fund.record")
    form = forms.RepaymentForm(request.POST, accounts=selectors.open_accounts(disbursement.fund))
    return submit_and_redirect(
        request,
        form,
        lambda data: services.record_repayment(actor=actor, disbursement=disbursement, **data),
        success=_("Repayment recorded."),
        back=reverse("fund:disbursement", args=[disbursement.uuid]),
    )


@login_required
@require_POST
def document_add(request, disbursement_uuid):
    actor = request.actor
    disbursement = _disbursement(request, disbursement_uuid, "fund.record")
    form = forms.DocumentForm(request.POST, request.FILES)
    return submit_and_redirect(
        request,
        form,
        lambda data: services.add_document(actor=actor, disbursement=disbursement, **data),
        success=_("Document added."),
        back=reverse("fund:disbursement", args=[disbursement.uuid]),
    )


@login_required
def document_download(request, document_uuid):
    document = access.get_object_or_404(request.actor, DisbursementDocument, uuid=document_uuid)
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1]
    )

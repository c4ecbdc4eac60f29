"""The home page's panels of case management (kinga.core.plugins.register_home_panel): what a caseworker, a
supervisor, an organisation manager and a provider organisation have to do next. Case numbers only, never a
child's name: a home page is read over a shoulder."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinga.core import clock, plugins
from kinga.core.access import Actor
from kinga.core.plugins import HomeCount, HomeLink, HomePanel, HomeRow
from kinga.core.roles import Role

from . import selectors
from .models import CaseStatus, ClosureReason, NextTask, ReferralStatus, ServiceType


def _case_url(case) -> str:
    return reverse("cases:case", args=[case.uuid])


def _task_rows(cases, today) -> list[HomeRow]:
    return [
        HomeRow(
            label=case.number,
            url=_case_url(case),
            detail=NextTask(case.next_task).label if case.next_task in NextTask.values else "",
            date=case.next_due,
            overdue=case.next_due is not None and case.next_due < today,
        )
        for case in cases
    ]


def caseworker_tasks(actor: Actor) -> HomePanel:
    today = clock.today()
    data = selectors.tasks_due(actor, today=today)
    referrals = reverse("cases:referrals_out")
    return HomePanel(
        title=_("My tasks for today"),
        action=HomeLink(_("Register a child"), reverse("cases:register"))
        if actor.has("cases.register")
        else None,
        counts=[
            HomeCount(_("overdue"), data["overdue"], overdue=True),
            HomeCount(_("due today"), data["due_today"]),
            HomeCount(
                ngettext(
                    "referral awaiting an answer", "referrals awaiting an answer", data["referrals_waiting"]
                ),
                data["referrals_waiting"],
                url=referrals,
            ),
            HomeCount(
                ngettext(
                    "referral unanswered past due", "referrals unanswered past due", data["referrals_late"]
                ),
                data["referrals_late"],
                url=f"{referrals}?overdue=1",
                overdue=True,
            ),
        ],
        rows=_task_rows(data["rows"], today),
        empty_text=_(
            "Nothing overdue or due today. Assessments, care plans, follow-up visits and retention checks "
            "of your cases appear here on the day they are due."
        ),
        more=HomeLink(_("See my whole caseload"), reverse("cases:caseload")),
    )


def _approval_detail(case) -> str:
    if case.status == CaseStatus.CARE_PLAN:
        return _("Care plan to approve")
    reason = ClosureReason(case.closure_reason).label if case.closure_reason in ClosureReason.values else ""
    text = _("Closure proposed: %(reason)s") % {"reason": reason}
    note = str(case.closure_note or "").strip()
    return f"{text} — {note}" if note else text


def supervisor(actor: Actor) -> list[HomePanel]:
    """The approvals first (with the team's overdue count beside them, on the first screen), then the team."""
    team = selectors.team_overview(actor, today=clock.today())
    overdue = sum(row["overdue"] for row in team)
    return [supervisor_approvals(actor, overdue), supervisor_team(team, overdue)]


def supervisor_approvals(actor: Actor, team_overdue: int) -> HomePanel:
    data = selectors.approvals_waiting(actor)
    team_url = reverse("cases:team")
    return HomePanel(
        title=_("Approvals waiting"),
        action=HomeLink(_("See my team"), team_url),
        counts=[
            HomeCount(
                ngettext("overdue task in the team", "overdue tasks in the team", team_overdue),
                team_overdue,
                url=team_url,
                overdue=True,
            ),
            HomeCount(ngettext("care plan", "care plans", data["care_plans"]), data["care_plans"]),
            HomeCount(ngettext("closure", "closures", data["closures"]), data["closures"]),
        ],
        rows=[
            HomeRow(
                label=case.number,
                url=_case_url(case),
                detail=_approval_detail(case),
                date=case.closure_requested_on if case.status == CaseStatus.READY_TO_CLOSE else None,
            )
            for case in data["rows"]
        ],
        empty_text=_(
            "No care plan or closure waiting. Care plans your caseworkers submit and closures they propose "
            "appear here."
        ),
        key="cases-approvals",
    )


def supervisor_team(rows: list[dict], overdue: int) -> HomePanel:
    team_url = reverse("cases:team")
    return HomePanel(
        title=_("My team's overdue tasks"),
        rows=[
            HomeRow(
                label=row["caseworker__full_name"] or row["caseworker__email"],
                url=team_url,
                detail=ngettext(
                    "%(overdue)s overdue of %(open)s open case",
                    "%(overdue)s overdue of %(open)s open cases",
                    row["open"],
                )
                % row,
                overdue=row["overdue"] > 0,
            )
            for row in rows[: selectors.HOME_ROWS]
        ],
        empty_text=_(
            "No caseworker has cases yet. Each caseworker of your team appears here with their overdue tasks."
        ),
        more=HomeLink(_("See my team"), team_url),
        key="cases-team",
    )


def organisation_work(actor: Actor) -> HomePanel:
    today = clock.today()
    data = selectors.organisation_figures(actor, today=today)
    caseload = reverse("cases:caseload")
    return HomePanel(
        title=_("My organisation"),
        action=HomeLink(_("See the organisation's cases"), caseload),
        counts=[
            HomeCount(ngettext("open case", "open cases", data["open"]), data["open"], url=caseload),
            HomeCount(
                ngettext("overdue task", "overdue tasks", data["overdue"]), data["overdue"], overdue=True
            ),
            HomeCount(_("awaiting a supervisor"), data["awaiting"]),
            HomeCount(
                ngettext(
                    "open case without a caseworker", "open cases without a caseworker", data["unassigned"]
                ),
                data["unassigned"],
                overdue=True,
            ),
        ],
        rows=[
            HomeRow(
                label=case.number,
                url=_case_url(case),
                detail=" · ".join(
                    str(part)
                    for part in (
                        NextTask(case.next_task).label if case.next_task in NextTask.values else "",
                        (case.caseworker.full_name or case.caseworker.email)
                        if case.caseworker
                        else _("no caseworker"),
                    )
                    if part
                ),
                date=case.next_due,
                overdue=True,
            )
            for case in data["rows"]
        ],
        empty_text=_(
            "No task overdue in the organisation. Tasks past their due date appear here, the oldest first."
        ),
        more=HomeLink(_("See every case"), caseload),
    )


def referrals_received(actor: Actor) -> HomePanel | None:
    today = clock.today()
    data = selectors.referrals_to_answer(actor, today=today)
    if data is None:
        return None
    url = reverse("cases:referrals_in")
    rows = []
    for referral in data["rows"]:
        pending = referral.status == ReferralStatus.PENDING
        rows.append(
            HomeRow(
                label=referral.case.number,
                url=reverse("cases:referral_in", args=[referral.uuid]),
                detail=" · ".join(
                    (
                        str(ServiceType(referral.service_type).label),
                        str(_("to accept or decline") if pending else _("service to report on")),
                    )
                ),
                date=referral.answer_due if pending else referral.referred_on,
                overdue=pending and referral.answer_due < today,
            )
        )
    return HomePanel(
        title=_("Referrals received"),
        counts=[
            HomeCount(_("to accept or decline"), data["pending"], url=f"{url}?status=pending"),
            HomeCount(_("unanswered past due"), data["late"], url=f"{url}?status=pending", overdue=True),
            HomeCount(
                ngettext(
                    "referral accepted, service to report on",
                    "referrals accepted, service to report on",
                    data["accepted"],
                ),
                data["accepted"],
                url=f"{url}?status=accepted",
            ),
        ],
        rows=rows,
        empty_text=_("No referral waiting. Children other organisations refer to your services appear here."),
        more=HomeLink(_("See every referral received"), url),
    )


def register_panels() -> None:
    plugins.register_home_panel("cases-tasks", roles=[Role.CASEWORKER], order=10, build=caseworker_tasks)
    plugins.register_home_panel("cases-supervisor", roles=[Role.SUPERVISOR], order=10, build=supervisor)
    plugins.register_home_panel(
        "cases-organisation", roles=[Role.ORG_MANAGER], order=10, build=organisation_work
    )
    plugins.register_home_panel(
        "cases-referrals-in",
        roles=[Role.CASEWORKER, Role.SUPERVISOR, Role.ORG_MANAGER],
        order=30,
        build=referrals_received,
    )

"""The quarantine review: submissions that could not be applied, their reasons per question, the data manager's
corrections and replay, or rejection."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinga.core import access

from . import handlers, selectors, services
from .handlers.cases import CONFIRM_NEW, SAME_CHILD
from .models import State

PREFIX = "c:"
MAX_VALUE = 2000


def _label(form_id: str) -> str:
    handler = handlers.handler_for(form_id)
    return str(handler.label) if handler and handler.label else form_id


@login_required
def quarantine(request):
    actor = request.actor
    access.require(actor, selectors.REVIEW)
    state = request.GET.get("etat", State.QUARANTINED)
    if state not in State.values:
        state = State.QUARANTINED
    page = Paginator(selectors.submissions(actor, state=state), 50).get_page(request.GET.get("page"))
    for submission in page:
        submission.form_label = _label(submission.form_id)
    return render(
        request,
        "field/quarantine.html",
        {"page": page, "state": state, "states": State.choices},
    )


@login_required
def detail(request, uuid):
    actor = request.actor
    submission = selectors.get_submission(actor, uuid)
    return render(
        request,
        "field/submission.html",
        {
            "submission": submission,
            "form_label": _label(submission.form_id),
            "rows": selectors.answer_rows(actor, submission),
            "general_reasons": selectors.general_reasons(submission),
            "refused_files": selectors.refused_files(submission),
            "suggestions": selectors.duplicate_suggestions(actor, submission),
            "same_child": PREFIX + SAME_CHILD,
            "confirm_new": PREFIX + CONFIRM_NEW,
            "can_decide": submission.state == State.QUARANTINED,
        },
    )


def _corrections(request, submission, rows) -> dict:
    """The values the reviewer changed: a masked answer left empty is not a change."""
    current = {row.path: (row.corrected or row.value) for row in rows}
    hidden = {row.path for row in rows if row.hidden}
    changes = {}
    for name, value in request.POST.items():
        if not name.startswith(PREFIX):
            continue
        path = name[len(PREFIX) :].strip()[:200]
        value = value.strip()[:MAX_VALUE]
        if not path or (path in hidden and not value):
            continue
        if value != current.get(path, ""):
            changes[path] = value
    return changes


@login_required
@require_POST
def replay(request, uuid):
    actor = request.actor
    submission = selectors.get_submission(actor, uuid)
    corrections = _corrections(request, submission, selectors.answer_rows(actor, submission))
    try:
        submission = services.replay(
            actor=actor,
            submission=submission,
            corrections=corrections,
            without_files=request.POST.get("sans_fichiers") == "oui",
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("field:submission", uuid=submission.pk)
    if submission.state == State.APPLIED:
        messages.success(request, _("Submission applied."))
        return redirect("field:quarantine")
    messages.error(request, _("The submission is still in quarantine: see the reasons."))
    return redirect("field:submission", uuid=submission.pk)


@login_required
@require_POST
def reject(request, uuid):
    actor = request.actor
    submission = selectors.get_submission(actor, uuid)
    try:
        services.reject(actor=actor, submission=submission, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("field:submission", uuid=submission.pk)
    messages.success(request, _("Submission rejected."))
    return redirect("field:quarantine")

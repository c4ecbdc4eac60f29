"""Screens of the activities' deliverables: filing a document with an activity's progress, its page (download,
the coordination's review), and the list of documents awaiting validation and delivered."""

from __future__ import annotations

import os

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinga.core import access
from kinga.core.forms import form_page, submit_and_redirect
from kinga.plan import forms, services
from kinga.plan import selectors_deliverables as selectors
from kinga.plan.models import Activity, Deliverable, DeliverableStatus
from kinga.plan.views import page_context, plan_or_404

RECENT = 30


def _deliverable(request, uuid, perm: str | None = None) -> Deliverable:
    return access.get_object_or_404(request.actor, Deliverable, perm=perm, uuid=uuid)


@login_required
def deliverable_list(request):
    actor = request.actor
    plan = plan_or_404(actor)
    context = {
        **page_context(actor, plan),
        "awaiting": selectors.awaiting_review(actor)[:RECENT],
        "validated": selectors.deliverables(actor)
        .filter(status=DeliverableStatus.VALIDATED)
        .select_related("activity__action__axis")[:RECENT],
        "can_validate": actor.has("plan.validate_deliverables"),
    }
    return render(request, "plan/deliverables.html", context)


@login_required
def deliverable_add(request, uuid):
    actor = request.actor
    activity = access.get_object_or_404(actor, Activity, perm="plan.report_progress", uuid=uuid)
    back = reverse("plan:activity", args=[activity.uuid])
    form = forms.DeliverableForm(
        request.POST or None, request.FILES or None, reports=activity.progress_reports.all()[:20]
    )
    return form_page(
        request,
        form,
        title=_("File a deliverable of the activity"),
        intro=str(activity),
        save=lambda data: services.submit_deliverable(actor=actor, activity=activity, **data),
        success=_("Document filed: it awaits the coordination's validation."),
        done=lambda d: reverse("plan:deliverable", args=[d.uuid]),
        back=(back, _("Back to the activity")),
        cancel=back,
    )


@login_required
def deliverable_detail(request, uuid):
    actor = request.actor
    deliverable = _deliverable(request, uuid)
    context = {
        "d": deliverable,
        "activity": deliverable.activity,
        "can_review": actor.has("plan.validate_deliverables")
        and deliverable.status == DeliverableStatus.SUBMITTED
        and deliverable.submitted_by_id != actor.user.pk,
        "review_form": forms.ReviewForm(),
    }
    return render(request, "plan/deliverable.html", context)


@login_required
@require_POST
def deliverable_review(request, uuid):
    actor = request.actor
    deliverable = _deliverable(request, uuid, "plan.validate_deliverables")
    return submit_and_redirect(
        request,
        forms.ReviewForm(request.POST),
        lambda data: services.review_deliverable(actor=actor, deliverable=deliverable, **data),
        success=_("Decision recorded."),
        back=reverse("plan:deliverable", args=[deliverable.uuid]),
    )


@login_required
def deliverable_file(request, uuid):
    """Uploaded files are never public media: each download passes the access check of its deliverable."""
    deliverable = _deliverable(request, uuid)
    response = FileResponse(
        deliverable.file.open("rb"), as_attachment=True, filename=os.path.basename(deliverable.file.name)
    )
    response["Cache-Control"] = "private, no-store"
    return response

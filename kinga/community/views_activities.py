"""Screens of awareness (sessions, campaigns, trainings, advocacy), the 4W, and coordination meetings."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kinga.core import access, clock
from kinga.core import selectors as core_selectors
from kinga.core.forms import form_page, submit_and_redirect
from kinga.core.models import OrganisationType

from . import forms, fourw_io, selectors, services
from .models import (
    ActionItem,
    AwarenessSession,
    FourW,
    FourWStatus,
    Meeting,
    SessionKind,
    Theme,
    TrainedGroup,
    Training,
)

# ---------------------------------------------------------------------------------------------- awareness


@login_required
def sessions(request):
    actor = request.actor
    theme, kind = request.GET.get("theme", ""), request.GET.get("kind", "")
    page = Paginator(selectors.sessions(actor, theme=theme, kind=kind), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "community/sessions.html",
        {
            "page": page,
            "theme": theme,
            "kind": kind,
            "themes": Theme.choices,
            "kinds": SessionKind.choices,
            "can_record": actor.has("community.record_awareness"),
        },
    )


def _session_choices(actor):
    return {
        "place": selectors.lualaba_places(actor),
        "campaign": selectors.campaigns(actor),
        "network": selectors.networks(actor, active="1"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def session_add(request):
    actor = request.actor
    access.require(actor, "community.record_awareness")
    form = forms.SessionForm(request.POST or None, choices=_session_choices(actor))
    return form_page(
        request,
        form,
        title=_("Record an awareness session or a radio broadcast"),
        template="community/session_form.html",
        save=lambda data: services.record_session(actor=actor, **form.service_kwargs()),
        success=_("Session recorded."),
        done=lambda session: reverse("community:session", args=[session.uuid]),
    )


@login_required
def session_detail(request, uuid):
    session = access.get_object_or_404(request.actor, AwarenessSession, uuid=uuid)
    return render(
        request,
        "community/session.html",
        {"session": session, "participations": session.participations.order_by("audience", "sex")},
    )


@login_required
def campaigns(request):
    actor = request.actor
    return render(
        request,
        "community/campaigns.html",
        {"campaigns": selectors.campaigns(actor), "can_record": actor.has("community.record_awareness")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_add(request):
    actor = request.actor
    access.require(actor, "community.record_awareness")
    form = forms.CampaignForm(request.POST or None)
    return form_page(
        request,
        form,
        title=_("New awareness campaign"),
        save=lambda data: services.create_campaign(actor=actor, **data),
        success=_("Campaign created."),
        done=lambda saved: redirect("community:campaigns"),
    )


@login_required
def trainings(request):
    actor = request.actor
    group = request.GET.get("group", "")
    page = Paginator(selectors.trainings(actor, group=group), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "community/trainings.html",
        {
            "page": page,
            "group": group,
            "groups": TrainedGroup.choices,
            "can_record": actor.has("community.record_awareness"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_add(request):
    actor = request.actor
    access.require(actor, "community.record_awareness")
    form = forms.TrainingForm(request.POST or None, choices={"place": selectors.lualaba_places(actor)})
    return form_page(
        request,
        form,
        title=_("New training"),
        save=lambda data: services.record_training(actor=actor, **data),
        success=_("Training recorded."),
        done=lambda saved: redirect("community:trainings"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_attendance(request, uuid):
    """The attendance list of a training: each person once, so that the plan counts people, not attendances."""
    actor = request.actor
    access.require(actor, "community.record_awareness")
    training = access.get_object_or_404(actor, Training, uuid=uuid)
    return form_page(
        request,
        forms.AttendanceForm(request.POST or None),
        title=_("Attendance list: %(training)s") % {"training": training},
        save=lambda data: services.record_attendance(actor=actor, training=training, people=data["people"]),
        success=_("Attendance list recorded."),
        done=lambda saved: redirect("community:trainings"),
    )


@login_required
def advocacy(request):
    actor = request.actor
    page = Paginator(selectors.advocacy(actor), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "community/advocacy.html",
        {"page": page, "can_record": actor.has("community.record_advocacy")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def advocacy_add(request):
    actor = request.actor
    access.require(actor, "community.record_advocacy")
    form = forms.AdvocacyForm(request.POST or None, choices={"place": selectors.lualaba_places(actor)})
    return form_page(
        request,
        form,
        title=_("New advocacy action"),
        save=lambda data: services.record_advocacy(actor=actor, **data),
        success=_("Advocacy action recorded."),
        done=lambda saved: redirect("community:advocacy"),
    )


# ---------------------------------------------------------------------------------------------- 4W


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _fourw_filters(request):
    actor = request.actor
    territory = None
    code = request.GET.get("territory", "").strip()
    if code:
        territory = core_selectors.places(actor).filter(pcode=code).first()
    filters = {
        "territory": territory,
        "axis": request.GET.get("axis", "").strip(),
        "organisation_type": request.GET.get("org_type", "").strip(),
        "status": request.GET.get("status", "").strip(),
        "start": _date(request.GET.get("from", "")),
        "end": _date(request.GET.get("to", "")),
        "q": request.GET.get("q", "").strip(),
    }
    return filters, code


@login_required
def fourw(request):
    actor = request.actor
    filters, code = _fourw_filters(request)
    qs = selectors.fourw(actor, **filters).select_related(
        "organisation", "place", "implementing_partner", "plan_action__axis"
    )
    page = Paginator(qs.order_by("-start", "id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "community/fourw.html",
        {
            "page": page,
            "filters": filters,
            "territory_code": code,
            "territories": forms.territory_choices(),
            "axes": selectors.fourw_axes(actor),
            "org_types": OrganisationType.choices,
            "statuses": FourWStatus.choices,
            "can_record": actor.has("community.record_4w"),
            "can_export": actor.has("community.export"),
            "query": request.GET.urlencode(),
            "editable": set(
                selectors.editable_fourw(actor)
                .filter(pk__in=[r.pk for r in page])
                .values_list("pk", flat=True)
            ),
        },
    )


@login_required
def fourw_export(request, fmt):
    actor = request.actor
    access.require(actor, "community.export")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    filters, code = _fourw_filters(request)
    qs = selectors.fourw(actor, **filters)
    logged = {k: (code if k == "territory" else str(v)) for k, v in filters.items() if v}
    result = fourw_io.export(actor=actor, queryset=qs, fmt=fmt, filters=logged)
    name = f"kinga-4w-{clock.today().isoformat()}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(result, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(
        result,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _fourw_choices(actor):
    return {
        "place": selectors.lualaba_places(actor),
        "implementing_partner": selectors.active_organisations(actor),
        "funder": selectors.active_organisations(actor),
        "plan_action": selectors.plan_actions(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def fourw_add(request):
    actor = request.actor
    access.require(actor, "community.record_4w")
    form = forms.FourWForm(request.POST or None, choices=_fourw_choices(actor))
    return form_page(
        request,
        form,
        title=_("New 4W record"),
        save=lambda data: services.create_fourw(actor=actor, **form.values()),
        success=_("4W record saved."),
        done=lambda saved: reverse("community:fourw"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def fourw_edit(request, uuid):
    actor = request.actor
    record = access.get_object_or_404(
        actor, FourW, perm="community.record_4w", queryset=selectors.editable_fourw(actor), uuid=uuid
    )
    initial = {name: getattr(record, name) for name in forms.FourWForm.base_fields}
    form = forms.FourWForm(request.POST or None, initial=initial, choices=_fourw_choices(actor))
    return form_page(
        request,
        form,
        title=_("Edit the 4W record"),
        save=lambda data: services.update_fourw(actor=actor, record=record, **form.values()),
        success=_("4W record saved."),
        done=lambda saved: reverse("community:fourw"),
    )


@login_required
@require_POST
def fourw_delete(request, uuid):
    actor = request.actor
    record = access.get_object_or_404(
        actor, FourW, perm="community.record_4w", queryset=selectors.editable_fourw(actor), uuid=uuid
    )
    services.delete_fourw(actor=actor, record=record)
    messages.success(request, _("4W record deleted."))
    return redirect("community:fourw")


# ---------------------------------------------------------------------------------------------- meetings


@login_required
def meetings(request):
    actor = request.actor
    page = Paginator(selectors.meetings(actor), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "community/meetings.html",
        {"page": page, "can_manage": actor.has("community.manage_meetings")},
    )


def _meeting_values(data: dict) -> dict:
    """The meeting form's data as the meeting services take it (no file: the stored minutes stay)."""
    values = dict(data)
    values["participant_organisations"] = list(values.get("participant_organisations") or [])
    if not values.get("minutes_file"):
        values.pop("minutes_file", None)
    return values


def _meeting_choices(actor):
    return {
        "place": selectors.lualaba_places(actor),
        "participant_organisations": selectors.active_organisations(actor),
    }


@login_required
@require_http_methods(["GET", "POST"])
def meeting_add(request):
    actor = request.actor
    access.require(actor, "community.manage_meetings")
    form = forms.MeetingForm(request.POST or None, request.FILES or None, choices=_meeting_choices(actor))
    return form_page(
        request,
        form,
        title=_("New coordination meeting"),
        save=lambda data: services.create_meeting(actor=actor, **_meeting_values(data)),
        success=_("Meeting recorded."),
        done=lambda meeting: reverse("community:meeting", args=[meeting.uuid]),
    )


@login_required
def meeting_detail(request, uuid):
    actor = request.actor
    meeting = access.get_object_or_404(actor, Meeting, uuid=uuid)
    can_manage = (
        actor.has("community.manage_meetings")
        and selectors.editable_meetings(actor).filter(pk=meeting.pk).exists()
    )
    return render(
        request,
        "community/meeting.html",
        {
            "meeting": meeting,
            "organisations": meeting.participant_organisations.all(),
            "items": meeting.items.select_related("owner"),
            "carried": selectors.carried_items(actor, meeting),
            "can_manage": can_manage,
            "item_form": forms.ActionItemForm(choices={"owner": selectors.active_organisations(actor)}),
            "status_form": forms.ItemStatusForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, uuid):
    actor = request.actor
    meeting = access.get_object_or_404(
        actor,
        Meeting,
        perm="community.manage_meetings",
        queryset=selectors.editable_meetings(actor),
        uuid=uuid,
    )
    fields = ("title", "date", "place", "participants", "agenda", "minutes_text", "decisions")
    initial = {f: getattr(meeting, f) for f in fields}
    initial["participant_organisations"] = list(meeting.participant_organisations.all())
    form = forms.MeetingForm(
        request.POST or None, request.FILES or None, initial=initial, choices=_meeting_choices(actor)
    )
    return form_page(
        request,
        form,
        title=_("Edit the meeting"),
        save=lambda data: services.update_meeting(actor=actor, meeting=meeting, **_meeting_values(data)),
        success=_("Meeting updated."),
        done=lambda saved: reverse("community:meeting", args=[meeting.uuid]),
    )


@login_required
def meeting_minutes(request, uuid):
    actor = request.actor
    meeting = access.get_object_or_404(actor, Meeting, uuid=uuid)
    if not meeting.minutes_file:
        raise Http404
    return FileResponse(
        meeting.minutes_file.open("rb"),
        as_attachment=True,
        filename=meeting.minutes_file.name.rsplit("/", 1)[-1],
    )


@login_required
@require_POST
def item_add(request, uuid):
    actor = request.actor
    meeting = access.get_object_or_404(
        actor,
        Meeting,
        perm="community.manage_meetings",
        queryset=selectors.editable_meetings(actor),
        uuid=uuid,
    )
    return submit_and_redirect(
        request,
        forms.ActionItemForm(request.POST, choices={"owner": selectors.active_organisations(actor)}),
        lambda d: services.add_action_item(actor=actor, meeting=meeting, **d),
        success=_("Action item added."),
        refused=_("Check the action item: description and owner are required."),
        back=reverse("community:meeting", args=[meeting.uuid]),
    )


@login_required
@require_POST
def item_status(request, uuid):
    actor = request.actor
    item = access.get_object_or_404(actor, ActionItem, uuid=uuid)
    meeting = None
    if request.POST.get("meeting"):
        meeting = access.get_object_or_404(actor, Meeting, uuid=request.POST["meeting"])
    return submit_and_redirect(
        request,
        forms.ItemStatusForm(request.POST),
        lambda d: services.update_action_item(actor=actor, item=item, meeting=meeting, **d),
        success=_("Action item updated."),
        refused=_("Choose a status."),
        back=request.POST.get("next")
        if request.POST.get("next", "").startswith("/community/")
        else "community:my_items",
    )


@login_required
def my_items(request):
    actor = request.actor
    access.require(actor, "community.view")
    items = selectors.action_items(actor, owner=actor.organisation) if actor.organisation else []
    return render(request, "community/my_items.html", {"items": items, "status_form": forms.ItemStatusForm()})

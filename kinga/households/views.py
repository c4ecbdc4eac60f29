"""Screens of the households app: thin, through kinga.core.access, selectors and services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kinga.core import access, audit, charts, clock, imports, search
from kinga.core.forms import apply_service_errors, form_page
from kinga.core.models import Place
from kinga.households import index, outcomes, selectors, services
from kinga.households import selectors_production as production
from kinga.households.forms import (
    DeliveryForm,
    DepositForm,
    EnrolForm,
    EnrolmentUpdateForm,
    HouseholdForm,
    ImportForm,
    IndexVersionForm,
    LinkCaseForm,
    MemberForm,
    RoundEditForm,
    RoundForm,
    SurveyForm,
)
from kinga.households.models import (
    Enrolment,
    Household,
    HouseholdMember,
    ImportBatch,
    ProgrammeKind,
    VulnerabilityIndexVersion,
)
from kinga.households.services.households import HOUSEHOLD_EDITABLE
from kinga.households.services.imports import COLUMNS, FRENCH_HEADERS, REQUIRED_COLUMNS, template_csv

IDENTITY = "households.view_identity"
COUNTS = "households.view_counts"


def _back_to(household) -> tuple[str, str]:
    """The link above a household's form pages, back to the household."""
    return reverse("households:detail", kwargs={"household_uuid": household.uuid}), household.survey_id


@login_required
def index_page(request):
    """Households list for those who see identities, counts for everyone else."""
    actor = request.actor
    if not actor.has(IDENTITY):
        return dashboard(request)
    data = search.params(request)  # a name search is posted: names stay out of URLs and access logs
    q = data.get("q", "").strip()
    place = None
    if data.get("place"):
        place = access.get_object_or_404(actor, Place, uuid=data["place"])
    priority = data.get("priority") == "1"
    qs = selectors.households(actor, q=q, place=place, priority=priority)
    page = Paginator(qs, 30).get_page(data.get("page"))
    template = "households/list.html#rows" if request.htmx else "households/list.html"
    context = {
        "page": page,
        "q": q,
        "priority": priority,
        "place": place,
        "search_fields": search.pager_fields(data, "priority", "place"),
    }
    return render(request, template, context)


@login_required
def dashboard(request):
    actor = request.actor
    data = outcomes.dashboard(actor)
    rounds = data["round_list"]
    labels = [r.name for r in rounds]
    chart = charts.line_chart(
        _("Income per person (USD a month)"),
        labels,
        [
            charts.Series(
                _("All surveyed households"),
                [round_value(data["rounds"], r.number, "income_pp") for r in rounds],
            )
        ],
    )
    hunger = charts.line_chart(
        _("Hunger scale (mean, 0–6)"),
        labels,
        [
            charts.Series(
                _("All surveyed households"),
                [round_value(data["rounds"], r.number, "hunger") for r in rounds],
            )
        ],
    )
    return render(
        request, "households/dashboard.html", {"data": data, "chart": chart, "hunger_chart": hunger}
    )


def round_value(rows: dict, number: int, key: str):
    """One figure of one round for a chart (None where the round has no survey, so the line has a gap)."""
    row = rows.get(number)
    return None if row is None or row[key] is None else float(row[key])


@login_required
def household_add(request):
    actor = request.actor
    access.require(actor, "households.edit")
    form = HouseholdForm(request.POST or None)
    return form_page(
        request,
        form,
        title=_("New household"),
        save=lambda data: services.create_household(
            actor=actor, **{k: v for k, v in data.items() if k != "version"}
        ),
        success=_("Household recorded."),
        done=lambda household: redirect("households:detail", household_uuid=household.uuid),
    )


@login_required
def household_detail(request, household_uuid):
    """The household page: index and its explanation, outcomes over rounds, support received."""
    actor = request.actor
    household = access.get_object_or_404(actor, Household, perm=IDENTITY, uuid=household_uuid)
    surveys = list(selectors.household_surveys(actor, household))
    version = index.current_version()
    explanation = index.explain(surveys[-1], version) if surveys else None
    enrolments = list(selectors.household_enrolments(actor, household))
    members = list(household.members.all())
    labels = [s.round.name for s in surveys]
    income_chart = charts.line_chart(
        _("Income per person (USD a month)"),
        labels,
        [charts.Series(_("Income"), [float(s.income_per_person) for s in surveys])],
    )
    hunger_chart = charts.line_chart(
        _("Hunger scale (0–6)"),
        labels,
        [charts.Series(_("Hunger"), [float(s.hunger_scale) for s in surveys])],
    )
    audit.record_read(actor=actor, obj=household)
    return render(
        request,
        "households/detail.html",
        {
            "household": household,
            "surveys": surveys,
            "explanation": explanation,
            "enrolments": enrolments,
            "members": members,
            "children_status": selectors.children_status(actor, household, members),
            "income_chart": income_chart,
            "hunger_chart": hunger_chart,
            "harvests": production.household_harvests(actor, household),
            "visits": production.household_visits(actor, household),
            "loans": production.household_loans(actor, household),
        },
    )


@login_required
def household_edit(request, household_uuid):
    actor = request.actor
    access.require(actor, "households.edit")
    household = access.get_object_or_404(actor, Household, perm=IDENTITY, uuid=household_uuid)
    initial = {
        "survey_id": household.survey_id,
        "place": household.place,
        "head_name": household.head_name,
        "size": household.size,
        "contact_phone": household.contact_phone,
        "address": household.address,
        "latitude": household.latitude,
        "longitude": household.longitude,
        "version": household.version,
    }
    form = HouseholdForm(request.POST or None, initial=initial)
    form.fields["survey_id"].disabled = True
    return form_page(
        request,
        form,
        title=_("Edit the household"),
        back=_back_to(household),
        save=lambda data: services.update_household(
            actor=actor,
            household=household,
            version=data["version"],
            **{k: v for k, v in data.items() if k in HOUSEHOLD_EDITABLE},
        ),
        success=_("Household updated."),
        done=lambda saved: redirect("households:detail", household_uuid=household.uuid),
    )


@login_required
def member_add(request, household_uuid):
    actor = request.actor
    access.require(actor, "households.edit")
    household = access.get_object_or_404(actor, Household, perm=IDENTITY, uuid=household_uuid)
    form = MemberForm(request.POST or None)
    return form_page(
        request,
        form,
        title=_("Add a member"),
        back=_back_to(household),
        save=lambda data: services.add_member(actor=actor, household=household, **data),
        success=_("Member added."),
        done=lambda saved: redirect("households:detail", household_uuid=household.uuid),
    )


@login_required
def member_case(request, member_uuid):
    """Link a child of the household to their case (by case number, among the cases the actor sees)."""
    actor = request.actor
    access.require(actor, "households.edit")
    member = access.get_object_or_404(actor, HouseholdMember, perm=IDENTITY, uuid=member_uuid)
    form = LinkCaseForm(request.POST or None)

    def link(data):
        case = selectors.case_by_number(actor, data["case_number"])
        if case is None:
            raise ValidationError({"case_number": [_("No case with this number among your cases.")]})
        return services.link_child_case(actor=actor, member=member, case=case)

    return form_page(
        request,
        form,
        title=_("Link to a case"),
        back=_back_to(member.household),
        save=link,
        success=_("Case linked."),
        done=lambda saved: redirect("households:detail", household_uuid=member.household.uuid),
    )


@login_required
def survey_record(request, household_uuid):
    actor = request.actor
    access.require(actor, "households.edit")
    household = access.get_object_or_404(actor, Household, perm=IDENTITY, uuid=household_uuid)
    today = clock.today()
    current = selectors.round_covering(actor, today)
    form = SurveyForm(
        request.POST or None,
        rounds=selectors.rounds(actor),
        initial={
            "household_size": household.size,
            "surveyed_on": today,
            "round": current.uuid if current else None,
        },
    )
    return form_page(
        request,
        form,
        title=_("Record a survey"),
        back=_back_to(household),
        save=lambda data: services.record_survey(
            actor=actor, household=household, round=data["round"], **form.answers()
        ),
        success=_("Survey recorded."),
        done=lambda saved: redirect("households:detail", household_uuid=household.uuid),
    )


@login_required
def enrol(request, household_uuid):
    actor = request.actor
    access.require(actor, "households.enrol")
    household = access.get_object_or_404(actor, Household, perm=IDENTITY, uuid=household_uuid)
    form = EnrolForm(
        request.POST or None,
        programmes=selectors.programmes(actor),
        members=household.members.all(),
        cooperatives=selectors.cooperatives(actor),
    )
    return form_page(
        request,
        form,
        title=_("Enrol in a programme"),
        back=_back_to(household),
        save=lambda data: services.enrol(
            actor=actor,
            programme=data["programme"],
            household=household,
            member=data.get("member"),
            enrolled_on=data["enrolled_on"],
            **form.details(),
        ),
        success=_("Household enrolled."),
        done=lambda saved: redirect("households:detail", household_uuid=household.uuid),
    )


def _enrolment(actor, enrolment_uuid) -> Enrolment:
    return access.get_object_or_404(
        actor,
        Enrolment,
        perm=IDENTITY,
        queryset=selectors.enrolments_with_programme(),
        uuid=enrolment_uuid,
    )


def _enrolment_page(request, enrolment: Enrolment, **bound) -> HttpResponse:
    """The enrolment's page with its three forms; a refused post comes back in `bound` (by its name), with its
    errors. Each form posts to its own small view, which shows this page again through form_page's `page`."""
    initial = {f: getattr(enrolment, f) for f in EnrolmentUpdateForm.base_fields}
    forms = {
        "update_form": EnrolmentUpdateForm(initial=initial),
        "delivery_form": DeliveryForm(),
        "deposit_form": DepositForm(),
        **bound,
    }
    if enrolment.programme.kind != ProgrammeKind.SAVINGS:
        forms["deposit_form"] = None
    page = {"enrolment": enrolment, "can_edit": request.actor.has("households.enrol"), **forms}
    return render(request, "households/enrolment.html", page)


def _enrolment_to_edit(request, enrolment_uuid) -> Enrolment:
    enrolment = _enrolment(request.actor, enrolment_uuid)
    access.require(request.actor, "households.enrol")
    return enrolment


@login_required
@require_GET
def enrolment_detail(request, enrolment_uuid):
    """Progress of one enrolment: status and details, deliveries, deposits."""
    return _enrolment_page(request, _enrolment(request.actor, enrolment_uuid))


@login_required
@require_POST
def enrolment_update(request, enrolment_uuid):
    enrolment = _enrolment_to_edit(request, enrolment_uuid)
    form = EnrolmentUpdateForm(request.POST)
    return form_page(
        request,
        form,
        save=lambda data: services.update_enrolment(
            actor=request.actor,
            enrolment=enrolment,
            status=data["status"],
            ended_on=data.get("ended_on"),
            **form.details(),
        ),
        success=_("Enrolment updated."),
        done=lambda saved: redirect("households:enrolment", enrolment_uuid=enrolment.uuid),
        page=lambda form: _enrolment_page(request, enrolment, update_form=form),
    )


@login_required
@require_POST
def delivery_add(request, enrolment_uuid):
    enrolment = _enrolment_to_edit(request, enrolment_uuid)
    return form_page(
        request,
        DeliveryForm(request.POST),
        save=lambda data: services.add_delivery(actor=request.actor, enrolment=enrolment, **data),
        success=_("Delivery recorded."),
        done=lambda saved: redirect("households:enrolment", enrolment_uuid=enrolment.uuid),
        page=lambda form: _enrolment_page(request, enrolment, delivery_form=form),
    )


@login_required
@require_POST
def deposit_add(request, enrolment_uuid):
    enrolment = _enrolment_to_edit(request, enrolment_uuid)
    return form_page(
        request,
        DepositForm(request.POST),
        save=lambda data: services.add_deposit(actor=request.actor, enrolment=enrolment, **data),
        success=_("Deposit recorded."),
        done=lambda saved: redirect("households:enrolment", enrolment_uuid=enrolment.uuid),
        page=lambda form: _enrolment_page(request, enrolment, deposit_form=form),
    )


@login_required
def import_round(request):
    """The import form: a POST queues the import and goes to its own page (POST, then redirect: refreshing
    that page never imports the file again)."""
    actor = request.actor
    access.require(actor, "households.import")
    form = ImportForm(request.POST or None, request.FILES or None, rounds=selectors.rounds(actor))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.queue_import(
                actor=actor,
                round=form.cleaned_data["round"],
                content=upload.read(),
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
                accept_rejections=form.cleaned_data["accept_rejections"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("households:import_detail", batch_uuid=batch.uuid)
    batches = access.scoped(actor, ImportBatch, perm="households.import").select_related("round")[:10]
    return render(
        request,
        "households/import.html",
        {
            "form": form,
            "batches": batches,
            "columns": [(FRENCH_HEADERS[c], c in REQUIRED_COLUMNS) for c in COLUMNS],
        },
        status=400 if form.errors else 200,
    )


@login_required
def import_detail(request, batch_uuid):
    """An import's page: its progress while the task runs (htmx asks again every two seconds), then what it
    did and the quarantined rows with their reasons."""
    actor = request.actor
    batch = access.get_object_or_404(actor, ImportBatch, perm="households.import", uuid=batch_uuid)
    rows = list(batch.rows.all()) if batch.is_finished and not request.htmx else []
    if rows:
        audit.record_read(actor=actor, obj=batch, note="quarantined rows")
    # The file's own column names (the template's French headers), never the fields' codes.
    quarantined = [
        {
            "line": row.line,
            "errors": [(_column_name(field), errors) for field, errors in (row.errors or {}).items()],
            "content": [(_column_name(key), value) for key, value in (row.content or {}).items()],
        }
        for row in rows
    ]
    return imports.status_page(request, batch, "households/import_detail.html", {"rows": quarantined})


def _column_name(key: str) -> str:
    if key in FRENCH_HEADERS:
        return str(FRENCH_HEADERS[key])
    return str(_("Row")) if key in ("__all__", "non_field_errors", "") else key


@login_required
def import_template(request):
    access.require(request.actor, "households.import")
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="enquete-menages.csv"'
    return response


@login_required
def rounds(request):
    actor = request.actor
    if request.method == "POST":
        access.require(actor, "households.configure")
    return form_page(
        request,
        RoundForm(request.POST or None),
        save=lambda data: services.create_round(actor=actor, **data),
        success=_("Round created."),
        done=lambda saved: redirect("households:rounds"),
        page=lambda form: render(
            request, "households/rounds.html", {"rounds": selectors.rounds(actor), "form": form}
        ),
    )


def _described(versions) -> list[VulnerabilityIndexVersion]:
    versions = list(versions)
    for version in versions:
        version.described_weights = index.described(version.weights)
        version.described_thresholds = index.described(version.thresholds)
    return versions


@login_required
def round_edit(request, round_uuid):
    """A round's name and dates (fieldwork that went on longer), for a manager; audited by the service."""
    actor = request.actor
    access.require(actor, "households.configure")
    rnd = selectors.survey_round(actor, round_uuid)
    form = RoundEditForm(
        request.POST or None, initial={"name": rnd.name, "starts_on": rnd.starts_on, "ends_on": rnd.ends_on}
    )
    return form_page(
        request,
        form,
        title=_("Round: %(name)s") % {"name": rnd.name},
        back=(reverse("households:rounds"), _("Survey rounds")),
        save=lambda data: services.update_round(actor=actor, round=rnd, **data),
        success=_("Round saved."),
        done=lambda saved: redirect("households:rounds"),
        cancel=reverse("households:rounds"),
    )


@login_required
def index_versions(request):
    """The index definition, its versions, and (for configurers) a new version."""
    actor = request.actor
    versions = access.scoped(actor, VulnerabilityIndexVersion, perm=COUNTS).order_by("-created_at")
    if request.method == "POST":
        access.require(actor, "households.configure")

    def publish(data) -> tuple[VulnerabilityIndexVersion, int]:
        """The new version, current at once, and how many households it scored."""
        version = services.create_index_version(
            actor=actor,
            code=data["code"],
            description=data["description"],
            weights={i.code: data[f"weight_{i.code}"] for i in index.ITEMS},
            thresholds={k: data[k] for k in index.DEFAULT_THRESHOLDS},
        )
        scored, _not_scored, _s = services.score_every_household(actor=actor, version=version)
        return version, scored

    return form_page(
        request,
        IndexVersionForm(request.POST or None),
        save=publish,
        success=lambda published: (
            _("Version %(code)s is current: %(n)s households scored.")
            % {"code": published[0].code, "n": published[1]}
        ),
        done=lambda published: redirect("households:index"),
        page=lambda form: render(
            request,
            "households/index.html",
            {"versions": _described(versions), "items": index.ITEMS, "form": form},
        ),
    )


# --- programmes -----------------------------------------------------------------------------------

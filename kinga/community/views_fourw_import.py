"""Screens of the 4W import: the form (its POST queues the import and goes to the import's own page: refreshing
that page never imports the file again), the import's page (progress, then result: what it did, the rejected rows
and their reasons), the file sent and the rejected rows to download, and the import of a dry run's file for real."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kinga.core import access, imports, spreadsheets
from kinga.core.forms import apply_service_errors

from . import forms, services
from .models import FourWImport

PERM = "community.record_4w"


@login_required
@require_http_methods(["GET", "POST"])
def fourw_import(request):
    actor = request.actor
    access.require(actor, PERM)
    form = forms.FourWImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.queue_fourw_import(
                actor=actor,
                content=upload.read(),
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
                accept_rejections=form.cleaned_data["accept_rejections"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("community:fourw_import_detail", uuid=batch.uuid)
    batches = access.scoped(actor, FourWImport, perm=PERM).select_related("imported_by")[:10]
    return render(
        request,
        "community/fourw_import.html",
        {"form": form, "batches": batches},
        status=400 if form.errors else 200,
    )


def _batch(request, uuid) -> FourWImport:
    return access.get_object_or_404(request.actor, FourWImport, perm=PERM, uuid=uuid)


@login_required
def fourw_import_detail(request, uuid):
    batch = _batch(request, uuid)
    return imports.status_page(
        request, batch, "community/fourw_import_detail.html", {"again": forms.FourWImportAgainForm()}
    )


@login_required
@require_POST
def fourw_import_again(request, uuid):
    """A dry run's (or a refused import's) file imported for real, without sending it again."""
    batch = _batch(request, uuid)
    form = forms.FourWImportAgainForm(request.POST)
    form.is_valid()
    try:
        again = services.import_fourw_again(
            actor=request.actor,
            batch=batch,
            accept_rejections=form.cleaned_data.get("accept_rejections", False),
        )
    except ValidationError as exc:
        return imports.status_page(
            request,
            batch,
            "community/fourw_import_detail.html",
            {"again": form, "again_errors": exc.messages},
            status=400,
        )
    return redirect("community:fourw_import_detail", uuid=again.uuid)


@login_required
def fourw_import_rejects(request, uuid):
    """The rejected rows with their line and reasons, in the file's columns: to correct and import again."""
    batch = _batch(request, uuid)
    response = HttpResponse(spreadsheets.csv_text(batch.rejects_rows(), bom=True), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="4w-lignes-rejetees-{batch.uuid}.csv"'
    return response


@login_required
def fourw_import_file(request, uuid):
    """The file as it was sent."""
    batch = _batch(request, uuid)
    response = HttpResponse(batch.file_content, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{batch.filename.replace(chr(34), "")}"'
    return response

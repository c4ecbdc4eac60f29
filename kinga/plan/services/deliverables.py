"""Writes of an activity's deliverables: an implementer files a document (checked by its content, stored as a
private file), a coordinator validates it or sends it back with the reason. Nothing is deleted: a document sent
back stays with its note, and the corrected version is a new deliverable. Atomic, audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock, uploads
from kinga.core.access import Actor
from kinga.plan.models import Activity, Deliverable, DeliverableKind, DeliverableStatus, ProgressReport
from kinga.plan.selectors import implements


@transaction.atomic
def submit_deliverable(
    *,
    actor: Actor,
    activity: Activity,
    kind: str,
    title: str,
    file: UploadedFile,
    description: str = "",
    progress_report: ProgressReport | None = None,
) -> Deliverable:
    access.require(actor, "plan.report_progress")
    if not actor.is_system_wide and not implements(actor.organisation_id, activity):
        raise PermissionDenied(_("Your organisation does not implement this activity."))
    if actor.organisation_id is None:
        raise PermissionDenied(_("Only a member of an organisation files a deliverable."))
    errors: dict[str, list[str]] = {}
    if kind not in DeliverableKind.values:
        errors["kind"] = [_("Unknown kind of document.")]
    if not title.strip():
        errors["title"] = [_("This field is required.")]
    if progress_report is not None and progress_report.activity_id != activity.pk:
        errors["progress_report"] = [_("This progress report is another activity's.")]
    if not file:
        errors["file"] = [_("Choose the file.")]
    else:
        try:
            uploads.validate_document(file)
        except ValidationError as exc:
            errors["file"] = exc.messages
    if errors:
        raise ValidationError(errors)
    deliverable = Deliverable(
        activity=activity,
        progress_report=progress_report,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        file=file,
        organisation=actor.organisation,
        submitted_by=actor.user,
        submitted_on=clock.today(),
    )
    deliverable.full_clean()
    deliverable.save()
    audit.record_create(actor=actor, obj=deliverable)
    return deliverable


@transaction.atomic
def review_deliverable(
    *, actor: Actor, deliverable: Deliverable, validated: bool, note: str = ""
) -> Deliverable:
    """The coordination's decision on a filed document: validated, or sent back with the reason."""
    access.require(actor, "plan.validate_deliverables")
    deliverable = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    if deliverable.status != DeliverableStatus.SUBMITTED:
        raise ValidationError({"validated": [_("This document has already been reviewed.")]})
    if deliverable.submitted_by_id is not None and deliverable.submitted_by_id == actor.user.pk:
        raise PermissionDenied(_("A document is validated by someone other than the person who filed it."))
    if not validated and not note.strip():
        raise ValidationError({"note": [_("Say why the document is sent back.")]})
    before = audit.snapshot(deliverable)
    deliverable.status = DeliverableStatus.VALIDATED if validated else DeliverableStatus.REJECTED
    deliverable.reviewed_by = actor.user
    deliverable.reviewed_on = clock.today()
    deliverable.review_note = note.strip()
    deliverable.full_clean()
    deliverable.save(update_fields=["status", "reviewed_by", "reviewed_on", "review_note"])
    audit.record_update(actor=actor, obj=deliverable, before=before)
    return deliverable

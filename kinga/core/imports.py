"""File imports that run as a background task (django-tasks), shared by every app that imports a file from a page.

A file of thousands of rows takes longer than a page may wait on a slow link. So the page's POST only checks that
the file can be read, stores it on a queued import (a concrete model of QueuedImport, in the importing app) and
redirects to that import's own page: refreshing it never imports the file twice. The task runs the app's import
through `run_queued()`, which keeps how far it got and, at the end, what it did or why nothing was saved (in
French). The page polls a small status fragment (htmx, `status_page()` and core/_import_status.html) and works
without JavaScript by reloading itself.
"""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kinga.core.fields import EncryptedTextField
from kinga.core.models import Membership, Organisation, User

logger = logging.getLogger(__name__)


class ImportStatus(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Waiting")
    RUNNING = "running", gettext_lazy("In progress")
    DONE = "done", pgettext_lazy("import", "Done")  # « l'import est fait », whatever other lists say
    REFUSED = "refused", gettext_lazy("Refused, nothing saved")
    FAILED = "failed", gettext_lazy("Failed, nothing saved")


class QueuedImport(models.Model):
    """An import of a file sent from a page: the file waits here, encrypted (rows may carry names), until the
    task has read it; the import's page shows `progress` while it runs, then `status` and `message`."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(gettext_lazy("file"), max_length=255)
    status = models.CharField(
        gettext_lazy("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.DONE
    )
    progress = models.PositiveSmallIntegerField(gettext_lazy("progress (%)"), default=100)
    rows_total = models.PositiveIntegerField(gettext_lazy("rows"), default=0)
    dry_run = models.BooleanField(gettext_lazy("dry run"), default=False)
    accept_rejections = models.BooleanField(default=False)
    message = models.TextField(gettext_lazy("result"), blank=True)
    content = EncryptedTextField(gettext_lazy("file content"))  # base64 of the file
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    # Whether the file is forgotten once read (its rows carry names) or kept with the import (a file of
    # organisations and counts: the person can download what they sent, and import it again after a dry run).
    KEEPS_FILE = False

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.filename

    @property
    def is_finished(self) -> bool:
        return self.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    @property
    def file_content(self) -> bytes:
        return base64.b64decode(self.content) if self.content else b""

    @staticmethod
    def encode(content: bytes) -> str:
        return base64.b64encode(content).decode("ascii")


def constraints(prefix: str) -> list[models.BaseConstraint]:
    """The checks every queued import's table carries, named after its app (`prefix`)."""
    return [
        models.CheckConstraint(condition=Q(progress__lte=100), name=f"{prefix}_progress"),
        models.CheckConstraint(condition=Q(status__in=ImportStatus.values), name=f"{prefix}_status"),
        # A refusal or a failure says why.
        models.CheckConstraint(
            condition=~Q(status__in=["refused", "failed"]) | ~Q(message=""),
            name=f"{prefix}_failure_reason",
        ),
    ]


Batch = TypeVar("Batch", bound=QueuedImport)


def run_queued(
    batch: Batch,
    *,
    work: Callable[[bytes, Callable[[int], None]], str],
    refused: Callable[[ValidationError], None] | None = None,
    nothing_saved: tuple[str, ...] = (),
    also_save: tuple[str, ...] = (),
) -> Batch:
    """The background task's part: run `work(content, progress)` once (it imports the file and returns what it
    did, in French); keep the outcome on the import. A ValidationError (a refused file, tabular.ImportRefused)
    or a PermissionDenied ends it refused, any other error failed; then `refused(exc)` may keep what the
    import found (its rejected rows), and the counts in `nothing_saved` return to 0 with created and updated.
    `also_save`: the app's own fields that `work` or `refused` set, saved with the outcome."""
    if batch.is_finished:
        return batch  # a task run twice (a worker restarted) imports once
    batch.status, batch.progress = ImportStatus.RUNNING, 1
    batch.save(update_fields=["status", "progress"])
    model = type(batch)

    def progress(percent: int) -> None:
        model.objects.filter(pk=batch.pk).update(progress=max(1, min(percent, 99)))

    with translation.override("fr"):
        try:
            batch.message = work(batch.file_content, progress)
        except ValidationError as exc:
            batch.status, batch.message = ImportStatus.REFUSED, " ".join(exc.messages)
            if getattr(exc, "summary", ""):
                batch.message += " " + _("What it would have done: %(summary)s") % {"summary": exc.summary}
            if refused is not None:
                refused(exc)
        except PermissionDenied:
            batch.status = ImportStatus.REFUSED
            batch.message = _("The person who sent the file may no longer import: nothing was saved.")
        except Exception:  # any failure ends the import, whatever its cause; nothing was saved
            logger.exception("import %s (%s) failed", batch.uuid, model._meta.label)
            batch.status = ImportStatus.FAILED
            batch.message = _(
                "The import failed and nothing was saved. The error is in the server's log; send the file "
                "again, or tell the administrator if it fails again."
            )
        else:
            batch.status = ImportStatus.DONE
    batch.progress = 100
    if not batch.KEEPS_FILE:
        batch.content = ""
    counts = ("created", "updated", *nothing_saved)
    if batch.status != ImportStatus.DONE:
        for name in counts:
            setattr(batch, name, 0)  # nothing was saved: the message says why
    batch.save(update_fields=sorted({"status", "progress", "message", "content", *counts, *also_save}))
    return batch


def status_page(
    request: HttpRequest, batch: QueuedImport, template: str, context: dict, *, status: int = 200
) -> HttpResponse:
    """An import's page (`template` extends core/import_page.html), or only its status fragment when htmx polls
    it: once the import has finished, the fragment asks htmx to reload the whole page, which shows the result."""
    if request.htmx:
        response = render(request, "core/import_page.html#status", {"batch": batch, **context})
        if batch.is_finished:
            response["HX-Refresh"] = "true"
        return response
    return render(request, template, {"batch": batch, **context}, status=status)

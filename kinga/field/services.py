"""The writes of field intake: store a submission as received (before anything reads it), apply it through its
form's handler, quarantine what cannot be applied with reasons per field, and the data manager's fixes,
replays and rejections. Every state change is in the audit trail."""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kinga.core import access, audit, tasks
from kinga.core.access import Actor
from kinga.core.models import AuditAction, Membership

from . import attachments, handlers
from .models import Channel, FormAccess, State, Submission
from .reading import Answers, Parsed

log = logging.getLogger(__name__)

REVIEW = "field.review"
MANAGE_KEYS = "field.manage_keys"
MAX_REASON = 500
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# --- form keys ----------------------------------------------------------------------------------------------


@transaction.atomic
def create_form_access(
    *, actor: Actor, form_id: str, name: str, membership: Membership
) -> tuple[FormAccess, str]:
    """A key with which a server pushes one form's submissions, applied as `membership` (of the actor's
    organisation). The key is returned once and only its digest stored."""
    access.require(actor, MANAGE_KEYS)
    form_id = (form_id or "").strip()
    if handlers.handler_for(form_id) is None:
        raise ValidationError({"form_id": [_("Unknown form.")]})
    if not actor.is_system_wide and membership.organisation_id != actor.organisation_id:
        raise PermissionDenied(_("This account belongs to another organisation."))
    if not membership.is_active:
        raise ValidationError({"membership": [_("This account is not active.")]})
    key = "kf_" + secrets.token_urlsafe(32)
    form_access = FormAccess.objects.create(
        form_id=form_id,
        name=(name or form_id).strip()[:100],
        membership=membership,
        organisation=membership.organisation,
        prefix=key[:10],
        digest=_digest(key),
        created_by=actor.user,
    )
    audit.record_create(actor=actor, obj=form_access)
    return form_access, key


@transaction.atomic
def revoke_form_access(*, actor: Actor, form_access: FormAccess) -> FormAccess:
    access.require(actor, MANAGE_KEYS)
    before = audit.snapshot(form_access)
    form_access.revoked_at = timezone.now()
    form_access.save(update_fields=["revoked_at"])
    audit.record_update(actor=actor, obj=form_access, before=before, note=gettext_noop("revoked"))
    return form_access


def authenticate(form_id: str, key: str) -> FormAccess:
    """The form key presented by a server, for this form; PermissionDenied otherwise."""
    if not key:
        raise PermissionDenied(_("A form key is required."))
    found = (
        FormAccess.objects.filter(digest=_digest(key), form_id=form_id, revoked_at__isnull=True)
        .select_related("membership__organisation", "membership__user")
        .first()
    )
    if found is None or not found.membership.is_active:
        raise PermissionDenied(_("Invalid form key."))
    # At most one write a minute per key: a commit that writes costs a disk flush on every push otherwise.
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_EVERY:
        FormAccess.objects.filter(pk=found.pk).update(last_used_at=now)
    return found


# --- receiving ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    submission: Submission
    created: bool


def _root_of(source: str, form_id: str, parsed: Parsed) -> str:
    if parsed.root_id:
        return parsed.root_id
    if parsed.deprecated_id:
        # ODK Collect's edits name the version they replace; that version knows the root.
        earlier = (
            Submission.objects.filter(source=source, form_id=form_id, instance_id=parsed.deprecated_id)
            .values_list("root_id", flat=True)
            .first()
        )
        return earlier or parsed.deprecated_id
    return parsed.instance_id


def receive(
    *,
    source: str,
    channel: str,
    form_id: str,
    parsed: Parsed,
    membership: Membership | None,
    form_access: FormAccess | None = None,
    process: bool = True,
    files: dict[str, bytes] | None = None,
) -> Received:
    """Store a submission as received, with the files that came with it (`files`, name → bytes, checked and
    kept) or the links the server listed, then queue its processing. The same instance again is the stored
    submission (created False), whether it comes twice in a row or twice at once."""
    if handlers.handler_for(form_id) is None:
        raise ValidationError({"form_id": [_("Unknown form.")]})
    if parsed.form_id and parsed.form_id != form_id:
        raise ValidationError(
            {"form_id": [_("This submission belongs to another form (%(id)s).") % {"id": parsed.form_id}]}
        )
    existing = Submission.objects.filter(
        source=source, form_id=form_id, instance_id=parsed.instance_id
    ).first()
    if existing is not None:
        # ODK Collect sends a submission with many photos in several posts, the same XML in each.
        for name, content in (files or {}).items():
            attachments.keep(submission=existing, name=name, content=content)
        return Received(existing, False)
    account = account_for(membership, parsed.submitter)
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                source=source,
                channel=channel,
                form_id=form_id,
                instance_id=parsed.instance_id,
                root_id=_root_of(source, form_id, parsed),
                deprecated_id=parsed.deprecated_id,
                raw=parsed.raw,
                answers=parsed.answers,
                submitted_at=parsed.submitted_at,
                submitter=parsed.submitter,
                form_access=form_access,
                account=account,
                organisation=account.organisation if account else None,
            )
            audit.record(
                actor=account.user if account else None,
                action=AuditAction.CREATE,
                target=submission,
                changes={"state": [None, State.RECEIVED], "channel": [None, channel]},
                organisation=account.organisation if account else None,
            )
            if parsed.attachments:
                attachments.links([(submission, parsed.attachments)])
            for name, content in (files or {}).items():
                attachments.keep(submission=submission, name=name, content=content)
            if process:
                # In the same transaction (one commit; with the database task backend the submission and its
                # task are stored together). A queue that fails costs the task, never the submission:
                # `kinga intake apply` applies what still waits.
                try:
                    with transaction.atomic():
                        queue(submission)
                except Exception:
                    log.exception(
                        "Submission %s stored but its processing could not be queued", submission.pk
                    )
    except IntegrityError:  # the same instance arrived twice at once: the other request stored it
        return Received(
            Submission.objects.get(source=source, form_id=form_id, instance_id=parsed.instance_id), False
        )
    return Received(submission, True)


def account_for(membership: Membership | None, submitter: str) -> Membership | None:
    """The account a submission acts as: the server account's namesake in the key's organisation (an enumerator
    whose Kinga e-mail is that user name, or starts with it), else the key's account."""
    if membership is None or not submitter:
        return membership
    namesakes = list(
        Membership.objects.filter(organisation_id=membership.organisation_id, is_active=True)
        .filter(Q(user__email__iexact=submitter) | Q(user__email__istartswith=f"{submitter}@"))
        .select_related("organisation", "user")[:2]
    )
    return namesakes[0] if len(namesakes) == 1 else membership


def queue(submission: Submission) -> None:
    from .tasks import process_submission_task  # noqa: PLC0415  (tasks import this module)

    tasks.enqueue(process_submission_task, submission_id=str(submission.pk))


# --- processing ---------------------------------------------------------------------------------------------


def _actor_of(submission: Submission) -> Actor:
    account = submission.account
    if account is None:
        return access.ANONYMOUS
    return Actor(user=account.user, membership=account)


def _reasons(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("submission" if key == "__all__" else key): [str(m)[:MAX_REASON] for m in messages]
            for key, messages in error.message_dict.items()
        }
    return {"submission": [str(m)[:MAX_REASON] for m in error.messages]}


def _previous(submission: Submission) -> Submission | None:
    if submission.root_id == submission.instance_id:
        return None
    return (
        Submission.objects.filter(
            source=submission.source,
            form_id=submission.form_id,
            root_id=submission.root_id,
            state__in=[State.APPLIED, State.REPLACED],
            record_uuid__isnull=False,
        )
        .exclude(pk=submission.pk)
        .order_by("-processed_at")
        .first()
    )


def process(*, submission_id: str) -> str:
    """Apply a stored submission through its form's handler; what cannot be applied is quarantined, its
    reasons written in French (the language of the people who review them), whoever's request ran this."""
    with translation.override("fr"), transaction.atomic():
        submission = (
            Submission.objects.select_for_update(of=("self",)).select_related(
                "account__user", "account__organisation"
            )
        ).get(pk=submission_id)
        if submission.state != State.RECEIVED:
            return submission.state
        if submission.root_id != submission.instance_id:
            _process_earlier_versions(submission)
        actor = _actor_of(submission)
        handler = handlers.handler_for(submission.form_id)
        previous = _previous(submission)
        before = audit.snapshot(submission, ["state", "reasons", "record_type", "record_uuid"])
        submission.attempts += 1
        submission.processed_at = timezone.now()
        record = None
        try:
            if handler is None:
                raise ValidationError({"form_id": [_("Unknown form.")]})
            if not actor.is_authenticated:
                raise PermissionDenied(_("No account to apply this submission as."))
            answers = Answers(submission.answers, submission.corrections)
            answers.files = attachments.gather(submission, answers)
            with transaction.atomic():
                record = handler.apply(
                    actor=actor,
                    answers=answers,
                    previous=handlers.Previous(previous.record_type, str(previous.record_uuid))
                    if previous
                    else None,
                    source=submission.source,
                )
        except ValidationError as error:
            submission.state, submission.reasons = State.QUARANTINED, _reasons(error)
        except (PermissionDenied, Http404) as error:
            message = str(error) if str(error) else _("Your account may not do this.")
            submission.state, submission.reasons = State.QUARANTINED, {"submission": [message[:MAX_REASON]]}
        except Exception as error:  # never lose a submission to a bug: keep it, with what happened
            log.exception("Submission %s could not be applied", submission.pk)
            submission.state = State.QUARANTINED
            submission.reasons = {
                "submission": [
                    _("Unexpected error while applying (%(kind)s).") % {"kind": type(error).__name__}
                ]
            }
        if record is not None:
            submission.state, submission.reasons = State.APPLIED, {}
            submission.record_type = record._meta.label_lower
            submission.record_uuid = getattr(record, "uuid", None)
        submission.save(
            update_fields=["state", "reasons", "attempts", "processed_at", "record_type", "record_uuid"]
        )
        audit.record_update(actor=actor if actor.is_authenticated else None, obj=submission, before=before)
        if record is not None and previous is not None:
            _mark_replaced(actor, previous, submission)
    return submission.state


def _process_earlier_versions(submission: Submission) -> None:
    """An edit whose earlier versions still wait (their task not run yet, or run by another worker later) is
    applied after them: applied first, it would find nothing to update and create a second record."""
    waiting = (
        Submission.objects.filter(
            source=submission.source,
            form_id=submission.form_id,
            root_id=submission.root_id,
            state=State.RECEIVED,
            received_at__lte=submission.received_at,
        )
        .exclude(pk=submission.pk)
        .order_by("received_at", "submitted_at")
        .values_list("pk", flat=True)
    )
    for pk in list(waiting):
        process(submission_id=str(pk))


def _mark_replaced(actor: Actor, previous: Submission, by: Submission) -> None:
    if previous.state != State.APPLIED:
        return
    before = audit.snapshot(previous, ["state"])
    previous.state = State.REPLACED
    previous.save(update_fields=["state"])
    audit.record_update(actor=actor, obj=previous, before=before, note=f"replaced by {by.instance_id}")


# --- review -------------------------------------------------------------------------------------------------


def _require_quarantined(submission: Submission) -> None:
    if submission.state != State.QUARANTINED:
        raise ValidationError({"state": [_("Only a submission in quarantine can be corrected or rejected.")]})


def _file_paths(submission: Submission) -> list[str]:
    """The paths of the answers that name a file (a photo) in this submission's form."""
    handler = handlers.handler_for(submission.form_id)
    fields = handler.attachment_fields if handler else frozenset()
    return [path for path in (submission.answers or {}) if path.rpartition("/")[2] in fields]


@transaction.atomic
def replay(
    *,
    actor: Actor,
    submission: Submission,
    corrections: dict[str, Any] | None = None,
    without_files: bool = False,
) -> Submission:
    """A data manager's corrections (question path → value; the raw submission is kept as received), then the
    submission applied again, as its submitting account. `without_files`: the files its answers name (a photo
    refused by its checks, or that never came) are left out and the rest applied; the refused file and its
    reason stay with the submission, and the audit trail says the reviewer chose so."""
    access.require(actor, REVIEW)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _require_quarantined(submission)
    before = audit.snapshot(submission, ["state", "corrections"])
    if corrections:
        repeats = [p for p in corrections if isinstance((submission.answers or {}).get(p), list)]
        if repeats:
            raise ValidationError(
                {
                    p: [_("A repeat's rows cannot be corrected here: correct them on the server.")]
                    for p in repeats
                }
            )
        merged = dict(submission.corrections or {})
        for path, value in corrections.items():
            if value in (None, ""):
                merged.pop(path, None)
            else:
                merged[str(path)[:200]] = value
        submission.corrections = merged
    if without_files:
        paths = _file_paths(submission)
        if not paths:
            raise ValidationError({"without_files": [_("This submission names no file.")]})
        # An empty answer, kept as a correction: the handlers then see no photo (an empty correction is
        # otherwise the reviewer going back to the answer as received).
        submission.corrections = {**(submission.corrections or {}), **dict.fromkeys(paths, "")}
    submission.state = State.RECEIVED
    submission.decided_by = actor.user
    submission.save(update_fields=["state", "corrections", "decided_by"])
    note = gettext_noop("replay without the files") if without_files else gettext_noop("replay")
    audit.record_update(actor=actor, obj=submission, before=before, note=note)
    process(submission_id=str(submission.pk))
    submission.refresh_from_db()
    return submission


@transaction.atomic
def reject(*, actor: Actor, submission: Submission, reason: str) -> Submission:
    access.require(actor, REVIEW)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _require_quarantined(submission)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the submission is rejected.")]})
    before = audit.snapshot(submission, ["state", "rejection_reason"])
    submission.state = State.REJECTED
    submission.rejection_reason = reason[:500]
    submission.decided_by = actor.user
    submission.save(update_fields=["state", "rejection_reason", "decided_by"])
    audit.record_update(actor=actor, obj=submission, before=before, note=gettext_noop("rejected"))
    return submission


__all__ = [
    "Channel",
    "Received",
    "account_for",
    "authenticate",
    "create_form_access",
    "process",
    "queue",
    "receive",
    "reject",
    "replay",
    "revoke_form_access",
]

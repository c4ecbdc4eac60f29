"""Reads of field intake: the review queue and one submission's answers as a role may see them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import ngettext

from kinga.cases import matching
from kinga.core import access
from kinga.core.access import Actor

from . import handlers
from .handlers.cases import identification_kwargs
from .models import Attachment, State, Submission
from .reading import Answers

REVIEW = "field.review"
HIDDEN = "•••"


def submissions(actor: Actor, *, state: str = State.QUARANTINED) -> QuerySet:
    qs = access.scoped(actor, Submission, perm=REVIEW).select_related("account__user", "organisation")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-received_at")


def get_submission(actor: Actor, uuid) -> Submission:
    return access.get_object_or_404(actor, Submission, perm=REVIEW, pk=uuid)


def quarantined_count(actor: Actor) -> int:
    return access.scoped(actor, Submission, perm=REVIEW).filter(state=State.QUARANTINED).count()


@dataclass(frozen=True)
class AnswerRow:
    path: str
    value: str
    corrected: str
    reasons: list[str]
    hidden: bool
    editable: bool = True  # a repeat's rows are corrected on the server, not here


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ngettext("%(n)d row", "%(n)d rows", len(value)) % {"n": len(value)}
    return "" if value is None else str(value)


def answer_rows(actor: Actor, submission: Submission) -> list[AnswerRow]:
    """Each answer with its correction and its reasons; identities masked for roles that do not see them."""
    handler = handlers.handler_for(submission.form_id)
    identity = handler.identity_fields if handler else frozenset()
    answers = submission.answers or {}
    corrections = submission.corrections or {}
    reasons = submission.reasons or {}
    paths = list(answers) + [p for p in corrections if p not in answers]
    paths += [p for p in reasons if p not in answers and p not in corrections and p != "submission"]
    rows = []
    for path in paths:
        leaf = path.rpartition("/")[2]
        hidden = leaf in identity and not actor.sees_identities
        rows.append(
            AnswerRow(
                path=path,
                value=HIDDEN if hidden and path in answers else _shown(answers.get(path)),
                corrected=HIDDEN if hidden and path in corrections else _shown(corrections.get(path)),
                reasons=list(reasons.get(path) or reasons.get(leaf) or []),
                hidden=hidden,
                editable=not isinstance(answers.get(path), list),
            )
        )
    return rows


@dataclass(frozen=True)
class RefusedFile:
    name: str
    size: int | None
    problem: str


def refused_files(submission: Submission) -> list[RefusedFile]:
    """The files the submission brought or named that were not kept (too big, not a photo, not downloadable),
    with the reason: the reviewer sees them and may apply the rest without them."""
    return [
        RefusedFile(name, size, problem)
        for name, size, problem in Attachment.objects.filter(submission=submission)
        .exclude(problem="")
        .order_by("name")
        .values_list("name", "size", "problem")
    ]


def general_reasons(submission: Submission) -> list[str]:
    """Reasons about the submission as a whole, or about a question the submission did not answer."""
    reasons = submission.reasons or {}
    known = set(submission.answers or {}) | {p.rpartition("/")[2] for p in submission.answers or {}}
    out = list(reasons.get("submission", []))
    for key, messages in reasons.items():
        if key != "submission" and key not in known:
            out.extend(f"{key} : {m}" for m in messages)
    return out


def duplicate_suggestions(actor: Actor, submission: Submission) -> list[matching.Suggestion]:
    """Children an identification may be about, as the registration screen shows them to this role."""
    if submission.form_id != "kinga_identification" or submission.state != State.QUARANTINED:
        return []
    if not actor.has("registry.match"):
        return []
    try:
        data = identification_kwargs(Answers(submission.answers, submission.corrections))
    except Exception:  # an unreadable answer: the reasons say which, there is nothing to match
        return []
    return matching.suggestions(actor, data)

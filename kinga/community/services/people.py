"""Writes of the people the plan counts: a training's attendance list and the parents who signed a commitment at
an awareness session. Each person is kept once (`Participant`, found again by a blind index of the name, sex and
phone or service number), so that the indicators count distinct people however many trainings they attended."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, crypto
from kinga.core.access import Actor

from ..models import AwarenessSession, ParentCommitment, Participant, Sex, Training, TrainingAttendance


def identity_digest(full_name: str, sex: str, identifier: str = "") -> str:
    """The same person whatever the accents, case or spacing of the name and the punctuation of the number."""
    digits = re.sub(r"\D", "", identifier or "")
    return crypto.value_digest("participant", f"{crypto.normalise(full_name)}|{sex}|{digits}")


def _participants(people: Iterable[dict]) -> list[Participant]:
    """Each person of the list, found or created; ValidationError on a nameless row or an unknown sex."""
    rows = []
    for n, person in enumerate(people, start=1):
        name = str(person.get("full_name") or "").strip()
        sex = str(person.get("sex") or "").strip().upper()
        if not crypto.normalise(name):
            raise ValidationError({"people": [_("Line %(n)s: give the person's name.") % {"n": n}]})
        if sex and sex not in Sex.values:
            raise ValidationError({"people": [_("Line %(n)s: sex is M or F.") % {"n": n}]})
        rows.append((identity_digest(name, sex, str(person.get("identifier") or "")), name, sex))
    known = {
        p.identity_digest: p for p in Participant.objects.filter(identity_digest__in=[r[0] for r in rows])
    }
    result = []
    for digest, name, sex in rows:
        if digest not in known:
            known[digest] = Participant.objects.create(full_name=name, sex=sex, identity_digest=digest)
        result.append(known[digest])
    return list({p.pk: p for p in result}.values())


@transaction.atomic
def record_attendance(*, actor: Actor, training: Training, people: list[dict]) -> int:
    """Adds people to a training's attendance list (a person already on it is not added twice); returns how many
    were added. The training's head counts by sex become those of its list."""
    access.require(actor, "community.record_awareness")
    training = access.get_object_or_404(actor, Training, pk=training.pk)
    before = audit.snapshot(training)
    participants = _participants(people)
    existing = set(training.attendances.values_list("participant_id", flat=True))
    new = [TrainingAttendance(training=training, participant=p) for p in participants if p.pk not in existing]
    TrainingAttendance.objects.bulk_create(new)
    counts = {
        sex: training.attendances.filter(participant__sex=sex).count() for sex in (Sex.FEMALE, Sex.MALE)
    }
    if counts[Sex.FEMALE] + counts[Sex.MALE]:
        training.trained_f, training.trained_m = counts[Sex.FEMALE], counts[Sex.MALE]
        training.save(update_fields=["trained_f", "trained_m"])
    audit.record_update(actor=actor, obj=training, before=before, note=f"attendance +{len(new)}")
    return len(new)


@transaction.atomic
def record_commitments(*, actor: Actor, session: AwarenessSession, people: list[dict]) -> int:
    """Adds parents who signed a commitment at a session; returns how many were added. The session's counts of
    mothers and fathers become those of its list."""
    access.require(actor, "community.record_awareness")
    session = access.get_object_or_404(actor, AwarenessSession, pk=session.pk)
    before = audit.snapshot(session)
    participants = _participants(people)
    existing = set(session.commitments.values_list("participant_id", flat=True))
    new = [ParentCommitment(session=session, participant=p) for p in participants if p.pk not in existing]
    ParentCommitment.objects.bulk_create(new)
    counts = {sex: session.commitments.filter(participant__sex=sex).count() for sex in (Sex.FEMALE, Sex.MALE)}
    if counts[Sex.FEMALE] + counts[Sex.MALE]:
        session.parents_committed_f, session.parents_committed_m = counts[Sex.FEMALE], counts[Sex.MALE]
        session.save(update_fields=["parents_committed_f", "parents_committed_m"])
    audit.record_update(actor=actor, obj=session, before=before, note=f"commitments +{len(new)}")
    return len(new)

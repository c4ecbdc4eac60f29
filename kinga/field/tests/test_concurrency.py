"""A retry storm: the same submission posted many times at once gives one stored submission and one record."""

import threading

import pytest
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from kinga.cases.models import FollowUp
from kinga.field import bulk
from kinga.field.models import State, Submission

from .test_push import kobo_follow_up, post_kobo

STORM = 50  # the retry storm


def _storm(key, payload) -> list[int]:
    barrier = threading.Barrier(STORM)
    codes: list[int] = []

    def post():
        try:
            barrier.wait()
            codes.append(post_kobo("kinga_follow_up", key, payload).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(STORM)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: concurrent connections"
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_same_submission_posted_concurrently_is_one_record(keys, followed_case):
    codes = _storm(keys["kinga_follow_up"], kobo_follow_up(followed_case))
    assert sorted(set(codes)) in ([200, 201], [201]) and codes.count(201) == 1
    assert Submission.objects.count() == 1 and Submission.objects.get().state == State.APPLIED
    assert FollowUp.objects.filter(case=followed_case, visit_date__isnull=False).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_retry_storm_with_processing_queued_stores_and_queues_once(keys, followed_case):
    """The production task backend: every post answers at once, one submission stored, one task queued."""
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        codes = _storm(keys["kinga_follow_up"], kobo_follow_up(followed_case))
    assert sorted(set(codes)) in ([200, 201], [201]) and codes.count(201) == 1
    submission = Submission.objects.get()
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["kwargs"] == {"submission_id": str(submission.pk)}
    task.task.call(**task.args_kwargs["kwargs"])
    assert FollowUp.objects.filter(case=followed_case, visit_date__isnull=False).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_page_copied_in_bulk_keeps_what_another_writer_stored(keys, followed_case, team):
    """The pull's COPY of a page fails whole on a submission a push stored meanwhile: the page then goes in
    row by row, that submission left to its first writer; the copied rows read back decrypted."""
    first = Submission.objects.create(
        source="kobo", channel="push", form_id="kinga_follow_up", instance_id="i2", root_id="i2", raw="{}"
    )
    rows = [
        Submission(
            source="kobo",
            channel="pull",
            form_id="kinga_follow_up",
            instance_id=f"i{n}",
            root_id=f"i{n}",
            raw=f'{{"n": {n}}}',
            answers={"visite/case": followed_case.number, "n": n},
            account=team.worker,
            organisation=team.worker.organisation,
        )
        for n in (1, 2, 3)
    ]
    stored = bulk.insert_rows(rows)
    assert [r.instance_id for r in stored] == ["i1", "i3"]
    assert Submission.objects.get(instance_id="i2").pk == first.pk
    again = bulk.insert_rows(
        [
            Submission(
                source="kobo",
                channel="pull",
                form_id="kinga_follow_up",
                instance_id="i4",
                root_id="i4",
                raw="gardé",
                answers={"a": "é"},
            )
        ]
    )
    assert len(again) == 1
    copied = Submission.objects.get(instance_id="i4")
    assert copied.raw == "gardé" and copied.answers == {"a": "é"} and copied.state == State.RECEIVED
    assert Submission.objects.get(instance_id="i3").answers["n"] == 3

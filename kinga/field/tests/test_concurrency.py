"""A retry storm: the same submission posted many times at once gives one stored submission and one record."""

import threading

import pytest
from django.db import connection

from kinga.cases.models import FollowUp
from kinga.field.models import State, Submission

from .test_push import kobo_follow_up, post_kobo

STORM = 50  # the retry storm


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: concurrent connections")
@pytest.mark.django_db(transaction=True)
def test_the_same_submission_posted_concurrently_is_one_record(keys, followed_case):
    payload = kobo_follow_up(followed_case)
    barrier = threading.Barrier(STORM)
    codes: list[int] = []

    def post():
        try:
            barrier.wait()
            codes.append(post_kobo("kinga_follow_up", keys["kinga_follow_up"], payload).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(STORM)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(codes)) in ([200, 201], [201]) and codes.count(201) == 1
    assert Submission.objects.count() == 1 and Submission.objects.get().state == State.APPLIED
    assert FollowUp.objects.filter(case=followed_case, visit_date__isnull=False).count() == 1

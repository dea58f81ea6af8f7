"""Fixes the benchmark's profiles led to, in app code."""

import json
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.generate import _answer_values, _current_versions
from groups.checkins import services
from groups.checkins.models import Answer, CheckinWindow, Response
from tests.factories import SessionFactory


def _canonical(values) -> str:
    """PostgreSQL's jsonb keeps keys in its own order; compare the content."""
    return json.dumps(values, sort_keys=True)


def _window_with_answers(group, count: int) -> tuple[CheckinWindow, Counter]:
    import random

    rng = random.Random(count)
    session = SessionFactory(group=group, starts_at=timezone.now() - timedelta(hours=3))
    now = timezone.now()
    window = CheckinWindow.objects.create(session=session, opened_at=now, closes_at=now + timedelta(hours=1))
    versions = _current_versions()
    given = Counter()
    for _n in range(count):
        response = Response.objects.create(session=session)
        answers = _answer_values(rng)
        for key, values in answers.items():
            Answer.objects.create(response=response, version=versions[key], values=values)
        given[tuple(sorted((versions[k].pk, _canonical(v)) for k, v in answers.items()))] += 1
    return window, given


def _stored(window: CheckinWindow) -> Counter:
    stored = Counter()
    for response in Response.objects.filter(session=window.session).prefetch_related("answers"):
        stored[tuple(sorted((a.version_id, _canonical(a.values)) for a in response.answers.all()))] += 1
    return stored


@pytest.mark.django_db
def test_closing_a_window_keeps_every_response_whole_under_new_keys(group):
    window, given = _window_with_answers(group, 6)
    old_ids = set(Response.objects.filter(session=window.session).values_list("pk", flat=True))

    services.window_close(window=window)

    assert _stored(window) == given
    new_ids = set(Response.objects.filter(session=window.session).values_list("pk", flat=True))
    assert len(new_ids) == 6
    assert not new_ids & old_ids


@pytest.mark.django_db
def test_closing_a_window_takes_as_many_queries_for_many_answers_as_for_few(group):
    few, _given = _window_with_answers(group, 2)
    many, _given = _window_with_answers(group, 12)

    with CaptureQueriesContext(connection) as closing_few:
        services.window_close(window=few)
    with CaptureQueriesContext(connection) as closing_many:
        services.window_close(window=many)

    assert len(closing_many) == len(closing_few)

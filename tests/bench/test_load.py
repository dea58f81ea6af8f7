import random
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bench.load import FormFields, _summary
from groups.checkins.models import Answer, CheckinWindow, Response
from tests.factories import SessionFactory


@pytest.fixture
def open_window(group):
    session = SessionFactory(group=group, starts_at=timezone.now() - timedelta(hours=1))
    now = timezone.now()
    return CheckinWindow.objects.create(session=session, opened_at=now, closes_at=now + timedelta(hours=2))


def test_load_generator_posts_the_whole_check_in_form_as_a_phone_would(client, open_window):
    page = client.get(f"/c/{open_window.code}")
    fields = FormFields()
    fields.feed(page.content.decode())
    assert {"who5__item1", "who5__item5", "program__pull", "program__safe"} <= set(fields.radios)

    body = fields.body(random.Random(1))
    answered = client.post(
        f"/c/{open_window.code}",
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_ORIGIN="null",
        HTTP_SEC_FETCH_SITE="same-origin",
    )

    assert answered.status_code == 200
    assert Response.objects.filter(session=open_window.session).count() == 1
    assert Answer.objects.filter(response__session=open_window.session).count() == 2


def test_each_generated_member_sends_their_own_copy_of_the_form(client, open_window):
    """The form is parsed once per code; a body reusing its key would be a resend,
    stored once, and the benchmark would time nothing."""
    fields = FormFields()
    fields.feed(client.get(f"/c/{open_window.code}").content.decode())
    rng = random.Random(2)
    for _ in range(3):
        client.post(
            f"/c/{open_window.code}",
            fields.body(rng),
            content_type="application/x-www-form-urlencoded",
            HTTP_SEC_FETCH_SITE="same-origin",
        )
        client.cookies.clear()  # a fresh member each time
    assert Response.objects.filter(session=open_window.session).count() == 3


def test_floor_view_is_not_in_the_site_urls():
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")


@pytest.mark.django_db
def test_floor_view_under_bench_urls_inserts_one_row(client, open_window):
    with override_settings(ROOT_URLCONF="bench.urls"):
        answered = client.post("/bench/floor", {"session": open_window.session_id})

    assert answered.status_code == 200
    assert Response.objects.filter(session=open_window.session).count() == 1


def test_summary_percentiles_and_throughput():
    latencies = [n / 1000 for n in range(1, 101)]

    summary = _summary(latencies, {200: 100}, elapsed=2.0, errors=0)

    assert summary["requests"] == 100
    assert summary["throughput_rps"] == 50
    assert summary["p50_ms"] == pytest.approx(51)
    assert summary["p99_ms"] == pytest.approx(99)
    assert summary["statuses"] == {"200": 100}

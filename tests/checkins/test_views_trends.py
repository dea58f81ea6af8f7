"""The trend pages, exports and the program view, as facilitators and admins use them."""

import csv
import io
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from facilitator.models import AuditEntry
from groups.checkins import services
from groups.checkins.models import ExportJob, RollupComment
from tests.checkins.helpers import open_window, released_session, submission, who5_all

pytestmark = pytest.mark.django_db


def _week(n: int) -> timedelta:
    return timedelta(days=7 * n)


def _trends(client, group):
    return client.get(reverse("checkins:trends_group", args=[group.pk]))


def test_the_trend_page_shows_released_points_and_the_status_of_the_rest(client, owner, group):
    released_session(group, [{"who5": who5_all(3)}] * 5, starts_in=_week(-3), attendance=10)
    released_session(group, [{}] * 2, starts_in=_week(-2))
    released_session(group, [], starts_in=_week(-1))
    window = open_window(group)
    services.checkin_submit(window=window, submission=submission())
    client.force_login(owner)
    page = _trends(client, group).content.decode()
    assert "<svg" in page and 'role="img"' in page
    assert "60.0" in page and "50%" in page  # mean and response rate 5 of 10
    assert "Fewer than 5 answers" in page
    assert "No answers" in page
    assert "Open: 1 answer so far" in page
    assert "WHO-5 v1" in page
    assert 'class="trend-table"' in page


def test_a_move_of_ten_points_is_marked(client, owner, group):
    released_session(group, [{"who5": who5_all(3)}] * 5, starts_in=_week(-2))
    released_session(group, [{"who5": who5_all(4)}] * 5, starts_in=_week(-1))
    client.force_login(owner)
    page = _trends(client, group).content.decode()
    assert "+20.0" in page and "dot line-who5 moved" in page


def test_the_trend_page_query_count_does_not_grow_with_history(client, owner, group):
    client.force_login(owner)
    released_session(group, [{}] * 5, starts_in=_week(-20))
    _trends(client, group)
    with CaptureQueriesContext(connection) as small:
        assert _trends(client, group).status_code == HTTPStatus.OK
    for week in range(-19, -1):
        released_session(
            group, [{"who5": who5_all(week % 5)}] * (2 if week % 3 else 7), starts_in=_week(week)
        )
    with CaptureQueriesContext(connection) as large:
        assert _trends(client, group).status_code == HTTPStatus.OK
    assert len(large) == len(small)
    assert len(large) <= 12


def test_an_outsider_sees_nothing_of_another_groups_results(client, outsider, group):
    session = released_session(group, [{"comment": "hello"}] * 5)
    client.force_login(outsider)
    assert _trends(client, group).status_code == HTTPStatus.NOT_FOUND
    assert (
        client.get(reverse("checkins:session_results", args=[session.pk])).status_code == HTTPStatus.NOT_FOUND
    )
    comment = RollupComment.objects.filter(text="hello", session_rollup__session=session).first()
    assert (
        client.post(reverse("checkins:comment_hide", args=[comment.pk])).status_code == HTTPStatus.NOT_FOUND
    )
    assert not RollupComment.objects.get(pk=comment.pk).hidden


def test_a_suppressed_session_page_says_fewer_than_k_and_shows_no_score(client, cofacilitator, group):
    session = released_session(group, [{"who5": who5_all(1), "comment": "secret"}] * 4)
    client.force_login(cofacilitator)
    page = client.get(reverse("checkins:session_results", args=[session.pk])).content.decode()
    assert "Fewer than 5 members answered" in page
    assert "secret" not in page and "20.0" not in page


def test_the_results_page_shows_comments_apart_and_a_facilitator_hides_one(client, owner, group):
    session = released_session(group, [{"comment": "Jo was unkind"}] + [{"comment": "Good week"}] * 4)
    client.force_login(owner)
    url = reverse("checkins:session_results", args=[session.pk])
    assert "Jo was unkind" in client.get(url).content.decode()
    comment = RollupComment.objects.get(text="Jo was unkind")
    response = client.post(reverse("checkins:comment_hide", args=[comment.pk]))
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == url
    assert "Jo was unkind" not in client.get(url).content.decode()
    assert AuditEntry.objects.filter(action="checkin.comment_hidden", actor_id=owner.pk).exists()


def test_the_unsafe_signal_reads_at_least_one_member(client, owner, group):
    session = released_session(group, [{"safe": "no"}] + [{}] * 4)
    client.force_login(owner)
    page = client.get(reverse("checkins:session_results", args=[session.pk])).content.decode()
    assert "At least one member who checked in at this session said they do not feel safe right now." in page


def test_the_pooled_block_page_lists_its_sessions_and_pooled_scores(client, owner, group):
    for week in range(4):
        released_session(group, [{"who5": who5_all(2)}] * 2, starts_in=_week(week - 5))
    client.force_login(owner)
    page = client.get(reverse("checkins:block_results", args=[group.pk, 1])).content.decode()
    assert "Pooled block 1" in page and "40.0" in page and page.count("pooled here") == 4


def test_the_csv_leaves_suppressed_cells_empty_and_is_audited(client, owner, group):
    released_session(group, [{"who5": who5_all(3)}] * 6, starts_in=_week(-2))
    released_session(group, [{}] * 3, starts_in=_week(-1))
    client.force_login(owner)
    response = client.get(reverse("checkins:trends_csv", args=[group.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["status"] == "released" and rows[0]["who5_mean"] == "60.0"
    assert rows[1]["status"] == "pooled" and rows[1]["note"] == "fewer than 5 answers: pooled in block 1"
    assert rows[1]["who5_mean"] == rows[1]["answers"] == ""
    assert AuditEntry.objects.filter(action="checkin.export_downloaded", actor_id=owner.pk).exists()


def test_the_printable_report_has_the_table_and_is_audited(client, owner, group):
    released_session(group, [{}] * 5)
    client.force_login(owner)
    page = client.get(reverse("checkins:trends_report", args=[group.pk])).content.decode()
    assert "Wellbeing report" in page and "trend-table" in page
    assert AuditEntry.objects.filter(action="checkin.export_downloaded").count() == 1


def test_the_program_view_shows_each_group_by_month_with_the_threshold(client, admin_user, group, outsider):
    released_session(group, [{"who5": who5_all(3)}] * 5)
    other = outsider.facilitated_groups.get()
    released_session(other, [{}] * 2)
    client.force_login(admin_user)
    page = client.get(reverse("checkins:trends_program")).content.decode()
    assert group.name in page and escape(other.name) in page
    assert "60.0" in page and "Suppressed: fewer than 5" in page


def test_the_program_export_runs_as_a_job_that_the_page_polls(
    client, admin_user, group, django_capture_on_commit_callbacks, monkeypatch
):
    released_session(group, [{}] * 5)
    client.force_login(admin_user)
    sent = []
    monkeypatch.setattr("groups.checkins.tasks.export_run.delay", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("checkins:export_start"))
    job = ExportJob.objects.get()
    assert sent == [str(job.pk)]
    assert response["Location"] == reverse("checkins:export_status", args=[job.pk])
    status = client.get(reverse("checkins:export_status_json", args=[job.pk])).json()
    assert status["status"] == "pending" and status["download"] == ""
    services.export_run(job_id=job.pk)
    assert services.export_run(job_id=job.pk) is None  # a repeated message does nothing
    status = client.get(reverse("checkins:export_status_json", args=[job.pk])).json()
    assert status["status"] == "done" and status["progress"] == 100
    download = client.get(status["download"])
    assert group.name in download.content.decode()
    assert AuditEntry.objects.filter(action="checkin.export_requested", actor_id=admin_user.pk).exists()


def test_a_lost_export_nudge_is_run_by_the_sweep(admin_user):
    job = services.export_request(actor=admin_user)
    ExportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - timedelta(minutes=5))
    assert services.exports_sweep() == 1
    assert ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.DONE


def test_the_closed_window_page_links_to_results_instead_of_a_count(client, owner, group):
    session = released_session(group, [{}] * 2)
    client.force_login(owner)
    page = client.get(reverse("checkins:window_manage", args=[session.pk])).content.decode()
    assert reverse("checkins:session_results", args=[session.pk]) in page
    assert "answers so far" not in page


def test_the_group_page_links_to_its_trends(client, owner, group):
    client.force_login(owner)
    page = client.get(reverse("groups:group_detail", args=[group.pk])).content.decode()
    assert reverse("checkins:trends_group", args=[group.pk]) in page

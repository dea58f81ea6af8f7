from http import HTTPStatus

import pytest
from django.urls import reverse

from content.models import Reading
from tests.factories import ReadingFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _form_data(reading: Reading, **changes) -> dict:
    data = {
        "title": reading.title,
        "slug": reading.slug,
        "source": reading.source_id,
        "position": reading.position,
        "is_published": "on" if reading.is_published else "",
        "content_note": reading.content_note,
        "passage": reading.passage,
        "reading_minutes": "",
        "summary": reading.summary,
        "themes": [t.pk for t in reading.themes.all()],
        "prompts": reading.prompts,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != "" or key in {"reading_minutes"}}


def test_admins_search_readings_and_filter_by_theme_and_status(admin_client):
    theme = ThemeFactory(name="Forgiveness")
    ReadingFactory(title="Forgiveness", passage="Let yourself forgive.", themes=[theme])
    ReadingFactory(title="Withdrawal", passage="memories", is_published=False)
    url = reverse("admin:content_reading_changelist")

    def listed(**params) -> list[str]:
        return [r.title for r in admin_client.get(url, params).context["cl"].result_list]

    assert listed(q="forgive") == ["Forgiveness"]
    assert listed(q="memories") == ["Withdrawal"]
    assert listed(themes__id__exact=theme.pk) == ["Forgiveness"]
    assert listed(is_published__exact="0") == ["Withdrawal"]
    assert listed(is_published__exact="1") == ["Forgiveness"]


def test_admins_publish_and_unpublish_with_actions(admin_client):
    draft = ReadingFactory(is_published=False)
    live = ReadingFactory(is_published=True)
    url = reverse("admin:content_reading_changelist")
    admin_client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    admin_client.post(url, {"action": "unpublish", "_selected_action": [live.pk]})
    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.is_published is True
    assert live.is_published is False


def test_admins_reorder_readings_with_actions(admin_client):
    first = ReadingFactory(title="First", position=0)
    second = ReadingFactory(title="Second", position=1, source=first.source)
    admin_client.post(
        reverse("admin:content_reading_changelist"), {"action": "move_up", "_selected_action": [second.pk]}
    )
    assert list(Reading.objects.filter(source=first.source).order_by("position")) == [second, first]


def test_an_admins_edit_is_kept_in_the_readings_history(admin_client, admin_user):
    reading = ReadingFactory(title="Before", summary="Old summary")
    url = reverse("admin:content_reading_change", args=[reading.pk])
    response = admin_client.post(url, _form_data(reading, title="After", summary="New summary"))
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    reading.refresh_from_db()
    assert reading.title == "After"
    latest = reading.history.first()
    assert latest.history_user == admin_user
    assert latest.prev_record.title == "Before"
    body = admin_client.get(reverse("admin:content_reading_history", args=[reading.pk])).content.decode()
    assert "After" in body and "Before" in body


def test_admins_preview_a_draft_as_members_will_see_it(admin_client):
    reading = ReadingFactory(is_published=False, content_note="Mentions ghosting.", passage="*Gently* now.")
    body = admin_client.get(reverse("admin:content_reading_preview", args=[reading.pk])).content.decode()
    assert "Mentions ghosting." in body
    assert "<em>Gently</em> now." in body
    assert "not published" in body
    assert body.index("Mentions ghosting.") < body.index("<details")
    assert "Leave this site" in body  # the member layout, quick exit and all


def test_the_preview_is_for_admins_only(client, owner):
    reading = ReadingFactory()
    client.force_login(owner)
    response = client.get(reverse("admin:content_reading_preview", args=[reading.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert "/admin/login/" in response["Location"]


def test_admin_pages_for_the_library_open(admin_client):
    reading = ReadingFactory()
    for url in (
        reverse("admin:content_reading_change", args=[reading.pk]),
        reverse("admin:content_reading_add"),
        reverse("admin:content_source_changelist"),
        reverse("admin:content_theme_changelist"),
        reverse("admin:content_readingplan_add"),
        reverse("admin:content_sessionreading_changelist"),
    ):
        assert admin_client.get(url).status_code == HTTPStatus.OK, url


def test_publishing_an_unready_reading_in_the_admin_is_refused_with_a_reason(admin_client):
    draft = ReadingFactory(is_published=False, content_note="", prompts="")
    url = reverse("admin:content_reading_change", args=[draft.pk])
    response = admin_client.post(url, _form_data(draft, is_published="on"))
    assert response.status_code == HTTPStatus.OK
    assert "A published reading needs a content note" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_published is False

    response = admin_client.post(
        reverse("admin:content_reading_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "not ready" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_published is False

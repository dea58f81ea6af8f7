"""The shipped library: faithful to the article, complete, and safe to load again and again."""

import re
import tomllib

import pytest
from django.core.management import call_command

from content.models import Reading, ReadingPlan, Source, Theme
from content.services import LIBRARY_FILE, library_load

pytestmark = pytest.mark.django_db

DATA = tomllib.loads(LIBRARY_FILE.read_text(encoding="utf-8"))
ARTICLE = (LIBRARY_FILE.parent / "article.txt").read_text(encoding="utf-8")
ARTICLE_LINES = [
    line.strip() for line in ARTICLE.splitlines() if line.strip() and line.strip() != "Leave a comment"
]


def _passage_lines(passage: str) -> list[str]:
    return [line.strip() for line in passage.splitlines() if line.strip()]


def test_the_library_has_eight_to_twelve_readings_with_everything_a_session_needs():
    readings = DATA["readings"]
    assert 8 <= len(readings) <= 12
    theme_slugs = {theme["slug"] for theme in DATA["themes"]}
    for reading in readings:
        assert reading["title"] and reading["summary"] and reading["content_note"], reading["slug"]
        assert 2 <= len(reading["prompts"]) <= 3, reading["slug"]
        assert reading["themes"] and set(reading["themes"]) <= theme_slugs, reading["slug"]
    assert len({r["slug"] for r in readings}) == len(readings)
    assert len({r["title"] for r in readings}) == len(readings)


def test_every_passage_is_quoted_word_for_word_from_the_article():
    for reading in DATA["readings"]:
        for line in _passage_lines(reading["passage"]):
            assert line in ARTICLE_LINES, (reading["slug"], line[:60])


def test_the_readings_cover_the_whole_article_once_and_in_order():
    quoted = [line for reading in DATA["readings"] for line in _passage_lines(reading["passage"])]
    assert quoted == ARTICLE_LINES


def test_the_credit_line_does_not_invent_an_author():
    credit = DATA["source"]["credit_line"]
    assert "unsigned" in credit
    # No "by <Name>" and no capitalised name apart from the sentence starts.
    assert not re.search(r"\bby [A-Z]", credit)


def test_loading_the_library_creates_published_readings_themes_and_plans():
    result = library_load()
    assert result.created == len(DATA["readings"])
    assert Reading.objects.filter(is_published=True).count() == len(DATA["readings"])
    assert Theme.objects.count() == len(DATA["themes"])
    source = Source.objects.get()
    assert source.text.startswith("Often in situations of trauma bonding")
    plan = ReadingPlan.objects.get(slug="twelve-weeks-through-the-article")
    assert [item.reading.slug for item in plan.items.order_by("position")] == [
        r["slug"] for r in DATA["readings"]
    ]
    assert list(Reading.objects.order_by("position").values_list("slug", flat=True)) == [
        r["slug"] for r in DATA["readings"]
    ]


def test_loading_twice_changes_nothing_and_adds_no_history():
    library_load()
    history = Reading.history.count()
    result = library_load()
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(DATA["readings"]))
    assert Reading.objects.count() == len(DATA["readings"])
    assert ReadingPlan.objects.count() == len(DATA["plans"])
    assert Reading.history.count() == history


def test_reloading_keeps_an_admins_unpublish_and_restores_edited_text(tmp_path):
    library_load()
    reading = Reading.objects.get(slug="withdrawal")
    reading.is_published = False
    reading.passage = "edited by mistake"
    reading.save()
    library_load()
    reading.refresh_from_db()
    assert reading.is_published is False
    assert reading.passage.startswith("The cycle of abuse does not end")


def test_the_load_library_command_reports_what_it_did():
    from io import StringIO

    out = StringIO()
    call_command("load_library", stdout=out)
    assert f"{len(DATA['readings'])} created" in out.getvalue()

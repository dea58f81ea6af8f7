"""Readings tied to outcomes: per reading, how many answers from the released units it
was assigned to said it resonated, worked out by hand, with nothing from a suppressed
session in any figure."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from groups.checkins import exports, selectors
from groups.checkins.models import BlockRollup, ReadingOutcome
from tests.checkins.helpers import released_session
from tests.factories import GroupFactory, ReadingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def readings(db):
    return [ReadingFactory(title=title, is_published=True) for title in ("Alpha", "Bravo", "Charlie")]


def _answers(size: int, picks: dict) -> list[dict]:
    """``size`` answers; ``picks`` maps a reading to how many of them chose it."""
    chosen = [[] for _ in range(size)]
    for reading, count in picks.items():
        for n in range(count):
            chosen[n].append(str(reading.pk))
    return [{"resonated": choice} for choice in chosen]


def _week(n: int) -> timedelta:
    return timedelta(days=7 * n - 70)


def _history(group, readings, *, s3=None, s4=None):
    """Block 1 of the group, by hand:

    - S1: 5 answers, Alpha and Bravo assigned; Alpha chosen 3 times, Bravo once. Released.
    - S2: 6 answers, Alpha assigned; chosen twice. Released.
    - S3: 2 answers, Bravo and Charlie assigned (suppressed, pooled).
    - S4: 3 answers, Charlie assigned (suppressed, pooled).

    The block pools S3 and S4 (5 answers, released). Charlie was assigned to both: 5
    answers, a figure. Bravo was assigned to S3 only: 2 answers, no figure."""
    alpha, bravo, charlie = readings
    released_session(group, _answers(5, {alpha: 3, bravo: 1}), readings=[alpha, bravo], starts_in=_week(0))
    released_session(group, _answers(6, {alpha: 2}), readings=[alpha], starts_in=_week(1))
    released_session(group, _answers(2, s3 or {charlie: 2}), readings=[bravo, charlie], starts_in=_week(2))
    released_session(group, _answers(3, s4 or {}), readings=[charlie], starts_in=_week(3))


def _figures(figures) -> list[tuple]:
    return [(f.title, f.units, f.resonated, f.answers, f.sessions, f.sessions_resonated) for f in figures]


def test_the_groups_figures_match_the_hand_worked_values(group, readings):
    _history(group, readings)
    assert BlockRollup.objects.get(group=group, number=1).answers == 5
    # Alpha: S1 3 of 5 + S2 2 of 6 = 5 of 11 (45%); Charlie: the block, 2 of 5 (40%);
    # Bravo: S1 only, 1 of 5 (20%). Sorted by share.
    assert _figures(selectors.group_reading_figures(group=group)) == [
        ("Alpha", 2, 5, 11, 2, 2),
        ("Charlie", 1, 2, 5, 0, 0),
        ("Bravo", 1, 1, 5, 1, 1),
    ]


def test_a_reading_assigned_to_too_few_answers_of_a_block_has_no_figure_there(group, readings):
    _history(group, readings)
    block = BlockRollup.objects.get(group=group, number=1)
    assert [(o.reading.title, o.resonated, o.answers) for o in block.reading_outcomes.all()] == [
        ("Charlie", 2, 5)
    ]


SAME = [
    # Bravo in S3 (2 answers): chosen by both, or by no one.
    pytest.param(
        {"bravo": 2, "charlie": 2}, {}, {"bravo": 0, "charlie": 2}, {}, id="bravo-in-a-small-session"
    ),
    # Charlie's two picks in S3 or in S4: the block cannot tell which.
    pytest.param({"charlie": 2}, {}, {}, {"charlie": 2}, id="which-small-session"),
]


@pytest.mark.parametrize(("s3_a", "s4_a", "s3_b", "s4_b"), SAME)
def test_no_suppressed_session_can_be_recovered_from_the_figures(owner, readings, s3_a, s4_a, s3_b, s4_b):
    by_name = dict(zip(("alpha", "bravo", "charlie"), readings, strict=True))

    def world(s3: dict, s4: dict) -> tuple:
        group = GroupFactory(name="World", owner=owner)
        _history(
            group,
            readings,
            s3={by_name[k]: v for k, v in s3.items()} or {by_name["alpha"]: 0},
            s4={by_name[k]: v for k, v in s4.items()} or {by_name["alpha"]: 0},
        )
        figures = _figures(selectors.group_reading_figures(group=group))
        rows = list(csv.reader(io.StringIO(exports.group_csv(group=group).lstrip(exports.BYTE_ORDER_MARK))))
        return figures, [row[1:] for row in rows]

    assert world(s3_a, s4_a) == world(s3_b, s4_b)


def test_every_total_is_the_sum_of_the_unit_figures_shown(group, readings):
    _history(group, readings)
    rows = list(csv.reader(io.StringIO(exports.group_csv(group=group).lstrip(exports.BYTE_ORDER_MARK))))
    column = exports.GROUP_COLUMNS.index("readings_resonated")
    shown: dict[str, list[int]] = {}
    for row in rows[1:]:
        if row[3] != "released":
            continue
        for part in row[column].split("; "):
            title, counts = part.split(": ")
            chose, _of, answers = counts.split(" ")
            shown.setdefault(title, [0, 0])
            shown[title][0] += int(chose)
            shown[title][1] += int(answers)
    totals = {f.title: [f.resonated, f.answers] for f in selectors.group_reading_figures(group=group)}
    assert shown == totals


def test_the_csv_gives_each_released_units_readings(group, readings):
    _history(group, readings)
    rows = list(csv.reader(io.StringIO(exports.group_csv(group=group).lstrip(exports.BYTE_ORDER_MARK))))
    column = exports.GROUP_COLUMNS.index("readings_resonated")
    assert [(row[1], row[column]) for row in rows[1:]] == [
        ("session", "Alpha: 3 of 5; Bravo: 1 of 5"),
        ("session", "Alpha: 2 of 6"),
        ("session", ""),
        ("session", ""),
        ("pooled block 1 (2 sessions)", "Charlie: 2 of 5"),
    ]


def test_the_trend_page_and_the_printed_report_show_the_readings_table(client, owner, group, readings):
    _history(group, readings)
    client.force_login(owner)
    for name in ("checkins:trends_group", "checkins:trends_report"):
        page = client.get(reverse(name, args=[group.pk])).content.decode()
        assert "Readings and what members said" in page
        assert "5 of 11" in page and "45%" in page and "2 of 5" in page, name


def test_the_session_results_page_gives_each_assigned_reading(client, owner, group, readings):
    _history(group, readings)
    client.force_login(owner)
    session = group.sessions.order_by("starts_at").first()
    page = client.get(reverse("checkins:session_results", args=[session.pk])).content.decode()
    assert "Alpha: 3 of 5 answers (60%)" in page and "Bravo: 1 of 5 answers (20%)" in page


def test_the_program_view_gives_the_figures_program_wide_to_admins(
    client, admin_user, owner, group, readings
):
    _history(group, readings)
    other = GroupFactory(name="Thursday group", owner=owner)
    released_session(other, _answers(5, {readings[0]: 5}), readings=[readings[0]], starts_in=_week(0))
    # Alpha: 5 of 11 in the first group and 5 of 5 in the other: 10 of 16, in 3 of 3 sessions.
    alpha = next(f for f in selectors.program_reading_figures(user=admin_user) if f.title == "Alpha")
    assert (alpha.resonated, alpha.answers, alpha.sessions_resonated, alpha.sessions) == (10, 16, 3, 3)
    client.force_login(admin_user)
    page = client.get(reverse("checkins:trends_program")).content.decode()
    assert "Readings across the program" in page and "10 of 16" in page and "3 of 3" in page


def test_the_library_says_how_a_reading_fared_once_enough_sessions_released_it(
    client, owner, group, readings
):
    alpha = readings[0]
    client.force_login(owner)
    url = reverse("content:reading_detail", args=[alpha.slug])
    _history(group, readings)  # Alpha: two released sessions
    assert "Not enough yet" in client.get(url).content.decode()
    released_session(group, _answers(5, {}), readings=[alpha], starts_in=_week(4))
    page = client.get(url).content.decode()
    assert "Members said this resonated in 2 of 3 sessions where it was assigned." in page
    assert "5 of 16 check-in answers chose it" in page


def test_outcomes_are_made_once_with_the_rollup(group, readings):
    from groups.checkins import rollups

    _history(group, readings)
    before = ReadingOutcome.objects.count()
    rollups.rollups_sweep()
    for session in group.sessions.all():
        rollups.session_rollup_compute(session_id=session.pk)
    assert ReadingOutcome.objects.count() == before == 4


def test_the_migration_gives_released_sessions_their_outcomes_from_the_stored_counts(group, readings):
    import importlib

    from django.apps import apps

    from groups.checkins.models import SessionRollup

    migration = importlib.import_module("groups.checkins.migrations.0010_reading_outcomes")
    alpha, bravo, _charlie = readings
    session = released_session(group, _answers(6, {alpha: 4}), readings=[alpha, bravo])
    # As a rollup made before outcomes existed: counts by title in its stats, no rows.
    ReadingOutcome.objects.all().delete()
    SessionRollup.objects.filter(session=session).update(
        stats={"resonated": [{"title": "Alpha", "count": 4}]}
    )
    migration.outcomes_of_released_sessions(apps, None)
    assert sorted((o.reading.title, o.resonated, o.answers) for o in ReadingOutcome.objects.all()) == [
        ("Alpha", 4, 6),
        ("Bravo", 0, 6),
    ]

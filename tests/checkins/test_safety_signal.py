"""The safety signal: one bit per unit ("at least one member who checked in said they
do not feel safe right now"), released from 3 answers whatever k is, pooled below
that, and shown where facilitators look until they mark it seen."""

import csv
import io
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from facilitator.models import AuditEntry
from groups.checkins import exports, selectors, services
from groups.checkins.models import BlockRollup, SessionRollup, Signal, SignalSeen
from groups.services import reminders_send_due
from tests.checkins.helpers import released_session, who5_all
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

RAISED_WORDS = "At least one member who checked in at this session said they do not feel safe right now."


def _week(n: int) -> timedelta:
    return timedelta(days=7 * n)


def _answers(size: int, *, unsafe: int = 0, score: int = 3) -> list[dict]:
    """``size`` answers, the first ``unsafe`` of them saying they do not feel safe."""
    return [{"safe": "no" if n < unsafe else "yes", "who5": who5_all(score)} for n in range(size)]


def _rollup(session) -> SessionRollup:
    return SessionRollup.objects.get(session=session)


# --- When the bit is released --------------------------------------------------------


@pytest.mark.parametrize(("unsafe", "signal"), [(1, Signal.RAISED), (0, Signal.CLEAR)])
def test_three_answers_release_the_signal_though_the_scores_stay_suppressed(group, unsafe, signal):
    rollup = _rollup(released_session(group, _answers(3, unsafe=unsafe)))
    assert (rollup.status, rollup.signal) == (SessionRollup.Status.SUPPRESSED, signal)
    assert rollup.stats == {} and rollup.answers is None


@pytest.mark.parametrize(("size", "signal"), [(0, Signal.NONE), (1, Signal.POOLED), (2, Signal.POOLED)])
def test_fewer_than_three_answers_keep_no_signal_of_their_own(group, size, signal):
    assert _rollup(released_session(group, _answers(size, unsafe=min(size, 1)))).signal == signal


def test_a_released_session_keeps_the_signal_apart_from_its_scores(group):
    rollup = _rollup(released_session(group, _answers(6, unsafe=2)))
    assert rollup.status == SessionRollup.Status.RELEASED and rollup.signal == Signal.RAISED
    assert "unsafe" not in rollup.stats and "safe" not in str(rollup.stats)


def test_small_sessions_pool_their_signal_with_the_block_and_only_they_do(group):
    # Block 1: 2 answers (one unsafe), 1 answer, 4 answers (own signal), no answers.
    sessions = [
        released_session(group, answers, starts_in=_week(week))
        for week, answers in enumerate([_answers(2, unsafe=1), _answers(1), _answers(4), []])
    ]
    assert [_rollup(s).signal for s in sessions] == [Signal.POOLED, Signal.POOLED, Signal.CLEAR, Signal.NONE]
    block = BlockRollup.objects.get(group=group, number=1)
    # The scores pool the three suppressed sessions (7 answers); the signal only the two
    # small ones (3 answers), so the 4-answer session's own bit cannot be subtracted.
    assert (block.status, block.sessions_pooled, block.answers) == ("released", 3, 7)
    assert (block.signal, block.signal_sessions) == (Signal.RAISED, 2)
    assert "unsafe" not in block.stats


def test_a_block_whose_small_sessions_never_reach_three_says_too_few(group):
    for week, answers in enumerate([_answers(1, unsafe=1), _answers(1), [], _answers(6)]):
        released_session(group, answers, starts_in=_week(week))
    block = BlockRollup.objects.get(group=group, number=1)
    assert (block.status, block.signal) == ("suppressed", Signal.TOO_FEW)
    rows = selectors.released_aggregates(group=group)
    # The block is dated by its last pooled session.
    assert [row.signal for row in rows] == ["pooled", "pooled", "too_few", "", "clear"]


# --- No release tells more than one bit per unit ----------------------------------


def _everything_released(group) -> tuple:
    """Every figure any page, export or notice can show of the group."""
    sessions = sorted(
        SessionRollup.objects.filter(group=group).values_list(
            "ordinal", "status", "answers", "stats", "signal"
        )
    )
    blocks = sorted(
        BlockRollup.objects.filter(group=group).values_list(
            "number", "status", "answers", "stats", "signal", "signal_sessions", "sessions_pooled"
        )
    )
    csv_rows = exports.group_csv(group=group).splitlines()
    return sessions, blocks, csv_rows


def _world(group, sizes_and_unsafe: list[tuple[int, int]]) -> tuple:
    for week, (size, unsafe) in enumerate(sizes_and_unsafe):
        released_session(group, _answers(size, unsafe=unsafe), starts_in=_week(week))
    return _everything_released(group)


# Pairs of worlds that differ in how many members said they do not feel safe, or in
# which unit of a pool said it: each must release exactly the same thing.
SAME_BIT = [
    pytest.param(
        [(3, 1), (6, 0), (0, 0), (0, 0)], [(3, 3), (6, 0), (0, 0), (0, 0)], id="one-or-all-of-three"
    ),
    pytest.param([(6, 1), (0, 0), (0, 0), (0, 0)], [(6, 5), (0, 0), (0, 0), (0, 0)], id="how-many-of-six"),
    pytest.param(
        [(2, 1), (1, 0), (5, 0), (0, 0)], [(2, 0), (1, 1), (5, 0), (0, 0)], id="which-small-session"
    ),
    pytest.param([(2, 2), (2, 0), (4, 0), (0, 0)], [(2, 1), (2, 1), (4, 0), (0, 0)], id="spread-in-the-pool"),
    # The scores of this block pool the 1-answer session with the 4-answer one and are
    # released (5 answers); the small session's signal is too few to report: whether
    # its one member felt safe must show nowhere, the pooled scores included.
    pytest.param([(1, 1), (4, 0), (6, 0), (0, 0)], [(1, 0), (4, 0), (6, 0), (0, 0)], id="lone-member"),
]


@pytest.mark.parametrize(("first", "second"), SAME_BIT)
def test_worlds_that_differ_below_the_bit_release_the_same(owner, first, second):
    from tests.factories import GroupFactory

    a = _world(GroupFactory(name="World", owner=owner), first)
    SessionRollup.objects.all().delete()
    BlockRollup.objects.all().delete()
    b = _world(GroupFactory(name="World", owner=owner), second)
    # Only ordinals, statuses and released figures: the groups' ids differ.
    assert a[0] == b[0] and a[1] == b[1]
    assert [row.split(",", 1)[1] for row in a[2]] == [row.split(",", 1)[1] for row in b[2]]


def test_the_lone_members_answer_is_kept_out_of_the_released_block(group):
    for week, (size, unsafe) in enumerate([(1, 1), (4, 0), (6, 0), (0, 0)]):
        released_session(group, _answers(size, unsafe=unsafe), starts_in=_week(week))
    block = BlockRollup.objects.get(group=group, number=1)
    assert block.is_released and block.answers == 5 and block.signal == Signal.TOO_FEW


def test_no_count_of_members_who_felt_unsafe_is_stored_anywhere(group):
    released_session(group, _answers(7, unsafe=3))
    rollup = SessionRollup.objects.get(group=group)
    assert {"unsafe", "safe", "not_safe"}.isdisjoint(rollup.stats) and rollup.signal == Signal.RAISED


# --- Where a facilitator sees it ---------------------------------------------------


def test_a_suppressed_session_shows_its_signal_on_its_results_page(client, owner, group):
    session = released_session(group, _answers(3, unsafe=1))
    client.force_login(owner)
    page = client.get(reverse("checkins:session_results", args=[session.pk])).content.decode()
    assert RAISED_WORDS in page
    assert "Fewer than 5 members answered" in page and ">3<" not in page


def test_the_csv_gives_the_signal_of_a_suppressed_session(group):
    released_session(group, _answers(3, unsafe=1))
    released_session(group, _answers(1), starts_in=_week(1))
    rows = list(csv.reader(io.StringIO(exports.group_csv(group=group).lstrip(exports.BYTE_ORDER_MARK))))
    column = exports.GROUP_COLUMNS.index("someone_felt_unsafe")
    cells = [row[column] for row in rows[1:]]
    assert cells == ["yes", ""]


def test_the_trend_table_says_it_for_every_unit(client, owner, group):
    released_session(group, _answers(3, unsafe=1))
    client.force_login(owner)
    page = client.get(reverse("checkins:trends_group", args=[group.pk])).content.decode()
    assert "Anyone not feeling safe" in page and "Yes: at least one member" in page


def _raise(group, *, weeks_ago: int = 1):
    return released_session(group, _answers(3, unsafe=1), starts_in=-_week(weeks_ago))


@pytest.mark.parametrize("role", ["owner", "cofacilitator"])
def test_the_groups_facilitators_see_the_notice_on_home_and_group_pages(client, group, role, request):
    _raise(group)
    client.force_login(request.getfixturevalue(role))
    for url in (reverse("home"), reverse("groups:group_detail", args=[group.pk])):
        page = client.get(url).content.decode()
        assert "A member may not feel safe" in page, url
        assert "at least one member who checked in said they do not feel safe right now" in page
        assert "Opening the next session" in page and "Safeguarding contact" in page


@pytest.mark.parametrize("role", ["outsider", "admin_user"])
def test_no_one_outside_the_group_gets_the_notice(client, group, role, request):
    _raise(group)
    client.force_login(request.getfixturevalue(role))
    assert "A member may not feel safe" not in client.get(reverse("home")).content.decode()


def test_marking_it_seen_is_audited_and_clears_it_for_that_facilitator_only(
    client, group, owner, cofacilitator
):
    session = _raise(group)
    rollup = _rollup(session)
    client.force_login(owner)
    url = reverse("checkins:signal_seen", args=["session", rollup.pk])
    group_page = reverse("groups:group_detail", args=[group.pk])
    response = client.post(url, {"next": group_page})
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == group_page
    assert "A member may not feel safe" not in client.get(group_page).content.decode()
    # Pressed twice (a double click): one mark, one audit entry.
    client.post(url, {"next": group_page})
    assert SignalSeen.objects.filter(user=owner).count() == 1
    entry = AuditEntry.objects.get(action="checkin.signal_seen")
    assert entry.actor_id == owner.pk and entry.target_id == str(rollup.pk)
    # Still on the results page, and still for the co-facilitator.
    assert RAISED_WORDS in client.get(reverse("checkins:session_results", args=[session.pk])).content.decode()
    client.force_login(cofacilitator)
    assert "A member may not feel safe" in client.get(group_page).content.decode()


def test_marking_seen_goes_back_only_to_this_site(client, group, owner):
    rollup = _rollup(_raise(group))
    client.force_login(owner)
    response = client.post(
        reverse("checkins:signal_seen", args=["session", rollup.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("role", ["outsider", "admin_user"])
def test_no_one_outside_the_group_can_mark_it_seen(client, group, role, request):
    rollup = _rollup(_raise(group))
    client.force_login(request.getfixturevalue(role))
    response = client.post(reverse("checkins:signal_seen", args=["session", rollup.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not SignalSeen.objects.exists()


def test_a_member_cannot_mark_it_seen(client, group):
    rollup = _rollup(_raise(group))
    response = client.post(reverse("checkins:signal_seen", args=["session", rollup.pk]))
    assert response.status_code == HTTPStatus.FOUND and "login" in response["Location"]
    assert not SignalSeen.objects.exists()


def test_a_kind_that_is_neither_session_nor_block_is_not_found(client, group, owner):
    rollup = _rollup(_raise(group))
    client.force_login(owner)
    assert client.post(f"/checkins/safety/other/{rollup.pk}/seen").status_code == HTTPStatus.NOT_FOUND


def test_a_pooled_blocks_signal_is_a_notice_too(client, group, owner):
    for week, answers in enumerate([_answers(2, unsafe=1), _answers(1), [], []]):
        released_session(group, answers, starts_in=-_week(4 - week))
    client.force_login(owner)
    page = client.get(reverse("home")).content.decode()
    assert "small sessions up to" in page
    assert reverse("checkins:block_results", args=[group.pk, 1]) in page


def test_an_old_signal_leaves_the_home_page_but_not_the_results(client, group, owner):
    session = _raise(group, weeks_ago=7)
    client.force_login(owner)
    assert "A member may not feel safe" not in client.get(reverse("home")).content.decode()
    assert RAISED_WORDS in client.get(reverse("checkins:session_results", args=[session.pk])).content.decode()


# --- The guidance beside it ----------------------------------------------------------


def test_the_admins_guidance_replaces_the_built_in_text_and_is_audited(client, group, owner, admin_user):
    _raise(group)
    services.safety_guidance_update(
        actor=admin_user, safeguarding_contact="Sam Patel, safeguarding lead: 020 7946 0000\r\nWeekdays 9-5"
    )
    guidance = selectors.safety_guidance()
    assert guidance.safeguarding_contact == "Sam Patel, safeguarding lead: 020 7946 0000\nWeekdays 9-5"
    assert guidance.what_to_say.startswith("Something like")  # blank: the built-in text
    assert AuditEntry.objects.filter(action="checkin.guidance_changed", actor_id=admin_user.pk).exists()
    client.force_login(owner)
    page = client.get(reverse("groups:group_detail", args=[group.pk])).content.decode()
    assert "Sam Patel, safeguarding lead: 020 7946 0000<br>Weekdays 9-5" in page


def test_saving_the_guidance_unchanged_changes_nothing(admin_user):
    services.safety_guidance_update(actor=admin_user, what_to_say="Say this.\r\nThen this.")
    before = AuditEntry.objects.filter(action="checkin.guidance_changed").count()
    services.safety_guidance_update(actor=admin_user, what_to_say="Say this.\r\nThen this.")
    assert AuditEntry.objects.filter(action="checkin.guidance_changed").count() == before


def test_the_admin_edits_the_guidance_on_one_page(client, admin_user):
    client.force_login(admin_user)
    listing = client.get(reverse("admin:checkins_safetyguidance_changelist"))
    assert listing.status_code == HTTPStatus.FOUND
    url = listing["Location"]
    page = client.get(url).content.decode()
    assert "Leave blank for the built-in text" in page
    response = client.post(
        url,
        {
            "next_session": "",
            "what_to_say": "",
            "where_to_refer": "",
            "safeguarding_contact": "Call Sam: 0100",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert selectors.safety_guidance().safeguarding_contact == "Call Sam: 0100"


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 200), ("cofacilitator", 200), ("outsider", 200), ("admin_user", 200), (None, 302)],
)
def test_the_guidance_page_is_for_signed_in_accounts(client, group, role, status, request):
    if role:
        client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("checkins:safety_guidance"))
    assert response.status_code == status
    if status == 200:
        assert "Where to refer" in response.content.decode()


# --- The reminder before the next session --------------------------------------------


def test_the_reminder_says_there_is_something_to_look_at_and_never_what(
    group, owner, cofacilitator, settings
):
    settings.SITE_URL = "https://groups.example"
    rollup = _rollup(_raise(group))
    services.signal_mark_seen(unit=rollup, user=cofacilitator)
    SessionFactory(group=group, starts_at=timezone.now() + timedelta(hours=20))
    reminders_send_due()
    by_address = {message.to[0]: message for message in mail.outbox}
    body = by_address[owner.email].body
    assert "Before this session, please sign in and read what is waiting for you" in body
    assert f"https://groups.example/groups/{group.pk}/" in body
    # Nothing of what it is, nothing about any member, no link but the usual pages.
    assert "safe" not in body.lower() and "member" not in body.lower()
    links = {word for word in body.split() if word.startswith("http")}
    assert all(
        link.startswith(
            (
                "https://groups.example/groups/",
                "https://groups.example/sessions/",
                "https://groups.example/settings/reminders",
            )
        )
        for link in links
    ), links
    # The co-facilitator has seen it: their reminder is the plain one.
    assert "waiting for you" not in by_address[cofacilitator.email].body


def test_the_groups_past_sessions_mark_the_one_with_a_raised_signal(client, group, owner):
    raised = _raise(group)
    quiet = released_session(group, _answers(3), starts_in=-_week(2))
    client.force_login(owner)
    page = client.get(reverse("groups:group_detail", args=[group.pk])).content.decode()
    assert page.count("A member said they did not feel safe") == 1
    assert reverse("checkins:session_results", args=[raised.pk]) in page
    assert reverse("checkins:session_results", args=[quiet.pk]) not in page


def test_the_migration_moves_a_stored_signal_to_its_field_unchanged(group):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("groups.checkins.migrations.0009_safety_signal")
    session = released_session(group, _answers(5, unsafe=1))
    SessionRollup.objects.filter(session=session).update(
        signal="", stats={"versions": [], "unsafe": True, "pull": {"n": 5, "sum": 20, "mean": 4}}
    )
    migration.signal_from_stats(apps, None)
    rollup = _rollup(session)
    assert rollup.signal == Signal.RAISED
    assert rollup.stats == {"versions": [], "pull": {"n": 5, "sum": 20, "mean": 4}}

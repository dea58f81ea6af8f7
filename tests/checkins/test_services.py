from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from facilitator.models import AuditEntry
from groups.checkins import instruments, selectors, services
from groups.checkins.models import (
    CODE_ALPHABET,
    Answer,
    CheckinWindow,
    InstrumentVersion,
    Item,
    Response,
    SentForm,
    SingleUseCode,
)
from groups.models import Session
from tests.checkins.helpers import GOOD_WHO5, open_window, session_for

pytestmark = pytest.mark.django_db


def _submission(*, who5=None, safe="yes", **program):
    versions = {version.instrument.key: version for version in instruments.current_versions()}
    return services.Submission(
        answers={
            versions["who5"]: dict(who5 or GOOD_WHO5),
            versions["program"]: {"pull": 4, "connection": 3, "safe": safe, **program},
        }
    )


def test_the_seeded_who5_has_the_published_wording_options_and_credit():
    who5 = next(v for v in instruments.current_versions() if v.instrument.key == "who5")
    assert [item.prompt for item in who5.items.all()] == [
        "I have felt cheerful and in good spirits",
        "I have felt calm and relaxed",
        "I have felt active and vigorous",
        "I woke up feeling fresh and rested",
        "My daily life has been filled with things that interest me",
    ]
    assert who5.items.first().options == [
        [5, "All of the time"],
        [4, "Most of the time"],
        [3, "More than half of the time"],
        [2, "Less than half of the time"],
        [1, "Some of the time"],
        [0, "At no time"],
    ]
    assert "last two weeks" in who5.intro
    assert "Psychiatric Research Unit, WHO Collaborating Centre in Mental Health" in who5.credit
    assert "Frederiksborg General Hospital" in who5.credit


def test_a_submission_stores_the_session_the_versions_and_the_values_only(group):
    window = open_window(group)
    signal = services.checkin_submit(window=window, submission=_submission(comment="Good week"))

    assert not signal.needs_help
    response = Response.objects.get()
    assert response.session == window.session
    stored = {answer.version.instrument.key: answer.values for answer in response.answers.all()}
    assert stored == {
        "who5": GOOD_WHO5,
        "program": {"pull": 4, "connection": 3, "safe": "yes", "comment": "Good week"},
    }
    assert selectors.answers_count(session=window.session) == 1


def test_answers_have_random_uuid_keys_and_no_time_or_person_fields():
    for model in (Response, Answer, SingleUseCode, SentForm):
        fields = {field.name: field for field in model._meta.concrete_fields}
        assert fields["id"].get_internal_type() == "UUIDField"
        assert not [f for f in fields.values() if f.get_internal_type() in {"DateTimeField", "DateField"}]
    assert {f.name for f in Response._meta.concrete_fields} == {"id", "session"}
    assert {f.name for f in Answer._meta.concrete_fields} == {"id", "response", "version", "values"}
    assert not Response._meta.ordering and not Answer._meta.ordering


def test_an_answer_keeps_its_version_when_an_admin_publishes_a_new_one(group):
    window = open_window(group)
    services.checkin_submit(window=window, submission=_submission())
    old = InstrumentVersion.objects.get(instrument__key="program", number=1)
    new = InstrumentVersion.objects.create(instrument=old.instrument, number=2, published_at=timezone.now())
    for item in old.items.all():
        Item.objects.create(
            version=new,
            key=item.key,
            position=item.position,
            kind=item.kind,
            prompt=item.prompt + "?",
            options=item.options,
            required=item.required,
        )

    assert Answer.objects.filter(version=old).count() == 1
    assert [v.number for v in instruments.current_versions() if v.instrument.key == "program"] == [2]


@pytest.mark.parametrize(
    ("who5", "safe", "needs_help"),
    [
        (GOOD_WHO5, "yes", False),
        (GOOD_WHO5, "not_sure", False),
        (GOOD_WHO5, "no", True),
        ({"item1": 3, "item2": 3, "item3": 3, "item4": 2, "item5": 2}, "yes", False),  # raw 13
        ({"item1": 3, "item2": 3, "item3": 2, "item4": 2, "item5": 2}, "yes", True),  # raw 12
        ({"item1": 5, "item2": 5, "item3": 5, "item4": 5, "item5": 0}, "yes", True),  # an item at 0
    ],
)
def test_the_safety_net_flags_feeling_unsafe_a_low_who5_or_any_item_at_zero(group, who5, safe, needs_help):
    window = open_window(group)
    signal = services.checkin_submit(window=window, submission=_submission(who5=who5, safe=safe))
    assert signal.needs_help is needs_help


def test_it_refuses_a_window_that_has_not_opened_and_stores_nothing(group):
    window = services.window_ensure(session=session_for(group))
    with pytest.raises(services.CheckinRefused) as refused:
        services.checkin_submit(window=window, submission=_submission())
    assert refused.value.reason == services.CheckinRefused.NOT_OPEN
    assert not Response.objects.exists()


def test_it_refuses_a_closed_window_and_one_past_its_closing_time(group):
    closed = open_window(group)
    services.window_close(window=closed)
    expired = open_window(group)
    CheckinWindow.objects.filter(pk=expired.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    for window in (closed, expired):
        with pytest.raises(services.CheckinRefused) as refused:
            services.checkin_submit(window=window, submission=_submission())
        assert refused.value.reason == services.CheckinRefused.CLOSED
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "program",
    [
        {"pull": 11, "connection": 3, "safe": "yes"},
        {"pull": "4", "connection": 3, "safe": "yes"},
        {"pull": True, "connection": 3, "safe": "yes"},
        {"pull": 4, "connection": 3, "safe": "maybe"},
        {"pull": 4, "connection": 3},
        {"pull": 4, "connection": 3, "safe": "yes", "ip": "203.0.113.9"},
        {"pull": 4, "connection": 3, "safe": "yes", "comment": "x" * 201},
        {"pull": 4, "connection": 3, "safe": "yes", "resonated": ["1; drop table"]},
    ],
)
def test_the_last_guard_refuses_values_the_form_could_not_have_produced(group, program):
    window = open_window(group)
    versions = {version.instrument.key: version for version in instruments.current_versions()}
    submission = services.Submission(answers={versions["who5"]: GOOD_WHO5, versions["program"]: program})
    with pytest.raises(ValueError):
        services.checkin_submit(window=window, submission=submission)
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_a_busy_window_is_asked_to_wait_and_nothing_is_stored(group, settings):
    settings.CHECKIN_RATE_PER_MINUTE = 2
    window = open_window(group)
    services.checkin_submit(window=window, submission=_submission())
    services.checkin_submit(window=window, submission=_submission())
    with pytest.raises(services.CheckinRefused) as refused:
        services.checkin_submit(window=window, submission=_submission())
    assert refused.value.reason == services.CheckinRefused.BUSY
    assert Response.objects.count() == 2


def test_the_rate_limit_counts_per_window_not_per_person(group, settings):
    settings.CHECKIN_RATE_PER_MINUTE = 1
    first, second = open_window(group), open_window(group)
    services.checkin_submit(window=first, submission=_submission())
    services.checkin_submit(window=second, submission=_submission())
    assert Response.objects.count() == 2


def test_a_full_window_takes_no_more_answers(group, settings):
    settings.CHECKIN_MAX_PER_WINDOW = 1
    window = open_window(group)
    services.checkin_submit(window=window, submission=_submission())
    with pytest.raises(services.CheckinRefused) as refused:
        services.checkin_submit(window=window, submission=_submission())
    assert refused.value.reason == services.CheckinRefused.FULL


def test_window_codes_are_nine_characters_without_look_alikes(group):
    codes = {open_window(group).code for _ in range(30)}
    assert len(codes) == 30
    for code in codes:
        assert len(code) == 9 and set(code) <= set(CODE_ALPHABET)
    assert not set("0O1IL2Z5S8B") & set(CODE_ALPHABET)


def test_each_single_use_code_is_accepted_once(group):
    window = open_window(group)
    codes = services.single_use_codes_issue(window=window, count=3)
    window.refresh_from_db()
    assert window.mode == CheckinWindow.Mode.SINGLE_USE

    services.checkin_submit(window=window, submission=_submission(), slip_code=codes[0].lower())
    with pytest.raises(services.CheckinRefused) as refused:
        services.checkin_submit(window=window, submission=_submission(), slip_code=codes[0])
    assert refused.value.reason == services.CheckinRefused.SLIP
    with pytest.raises(services.CheckinRefused):
        services.checkin_submit(window=window, submission=_submission(), slip_code="")
    services.checkin_submit(
        window=window, submission=_submission(), slip_code=f"{codes[1][:4]}-{codes[1][4:]}"
    )
    assert Response.objects.count() == 2


def test_single_use_codes_are_stored_only_as_digests_and_never_as_a_used_record(group):
    window = open_window(group)
    codes = services.single_use_codes_issue(window=window, count=2)
    stored = " ".join(SingleUseCode.objects.values_list("digest", flat=True))
    assert not any(code in stored for code in codes)

    services.checkin_submit(window=window, submission=_submission(), slip_code=codes[0])
    # The used code's row is gone, not marked: nothing remains to join to the answer.
    assert SingleUseCode.objects.count() == 1
    assert not any(f.is_relation and f.related_model is Response for f in SingleUseCode._meta.get_fields())


def test_a_code_for_one_window_does_not_work_in_another(group):
    first, second = open_window(group), open_window(group)
    codes = services.single_use_codes_issue(window=first, count=1)
    services.single_use_codes_issue(window=second, count=1)
    with pytest.raises(services.CheckinRefused):
        services.checkin_submit(window=second, submission=_submission(), slip_code=codes[0])


def test_closing_deletes_unused_codes_and_rewrites_rows_in_a_new_random_order(group):
    window = open_window(group)
    services.single_use_codes_issue(window=window, count=5)
    codes = services.single_use_codes_issue(window=window, count=5)
    for n, code in enumerate(codes):
        services.checkin_submit(window=window, submission=_submission(comment=f"answer {n}"), slip_code=code)
    before_ids = set(Response.objects.values_list("id", flat=True))
    before_values = sorted(str(v) for v in Answer.objects.values_list("values", flat=True))

    assert services.window_close(window=window) is True

    assert not SingleUseCode.objects.exists()
    assert not before_ids & set(Response.objects.values_list("id", flat=True))
    assert sorted(str(v) for v in Answer.objects.values_list("values", flat=True)) == before_values
    assert Response.objects.count() == 5
    assert services.window_close(window=window) is False


_PHYSICAL_ORDER_SQL = (
    'SELECT a."values" FROM checkins_answer a '
    "JOIN checkins_instrumentversion v ON a.version_id = v.id "
    "JOIN checkins_instrument i ON v.instrument_id = i.id "
    "WHERE i.key = 'program' ORDER BY "
)


def _program_values_in_physical_order() -> list[str]:
    # SQLite's hidden rowid and PostgreSQL's ctid follow insertion order.
    order = "a.rowid" if connection.vendor == "sqlite" else "a.ctid"
    with connection.cursor() as cursor:
        cursor.execute(_PHYSICAL_ORDER_SQL + order)
        return [str(row[0]) for row in cursor.fetchall()]


def test_closing_puts_physical_row_order_out_of_step_with_submission_order(group):
    window = open_window(group)
    for n in range(40):
        services.checkin_submit(window=window, submission=_submission(pull=n % 11, comment=f"{n:02d}"))
    before = _program_values_in_physical_order()

    services.window_close(window=window)

    after = _program_values_in_physical_order()
    assert sorted(before) == sorted(after)
    assert before != after  # the chance that a random order of 40 matches is 1 in 40!


def test_a_closed_window_cannot_open_again(group):
    window = open_window(group)
    services.window_close(window=window)
    with pytest.raises(services.WindowError):
        services.window_open(session=window.session)


def test_a_cancelled_session_cannot_open_its_check_in(group):
    session = session_for(group, status=Session.Status.CANCELLED)
    with pytest.raises(services.WindowError):
        services.window_open(session=session)


def test_window_settings_change_only_before_opening(group):
    session = session_for(group)
    window = services.window_ensure(session=session)
    services.window_settings_update(window=window, mode="single_use", open_automatically=False, hours_open=2)
    opened = services.window_open(session=session)
    assert opened.closes_at - opened.opened_at == timedelta(hours=2)
    with pytest.raises(services.WindowError):
        services.window_settings_update(window=window, mode="browser", open_automatically=True, hours_open=48)


def test_a_window_closes_after_48_hours_by_default(group):
    window = open_window(group)
    assert window.closes_at - window.opened_at == timedelta(hours=48)


def test_the_sweep_opens_sessions_that_have_started_and_only_those(group):
    started = session_for(group, starts_in=-timedelta(minutes=5))
    later = session_for(group, starts_in=timedelta(hours=1))
    over = session_for(group, starts_in=-timedelta(hours=3))
    cancelled = session_for(group, starts_in=-timedelta(minutes=5), status=Session.Status.CANCELLED)
    by_hand = session_for(group, starts_in=-timedelta(minutes=5))
    services.window_settings_update(
        window=services.window_ensure(session=by_hand),
        mode="browser",
        open_automatically=False,
        hours_open=48,
    )

    assert services.windows_sweep() == (1, 0)
    assert services.windows_sweep() == (0, 0)  # a repeated nudge changes nothing
    assert CheckinWindow.objects.get(session=started).is_open
    for session in (later, over, cancelled, by_hand):
        window = selectors.window_for_session(session=session)
        assert window is None or window.opened_at is None


def test_the_sweep_closes_windows_whose_time_is_up(group):
    due = open_window(group)
    not_due = open_window(group)
    CheckinWindow.objects.filter(pk=due.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert services.windows_sweep() == (0, 1)
    assert services.windows_sweep() == (0, 0)
    due.refresh_from_db()
    not_due.refresh_from_db()
    assert due.is_closed and not_due.is_open


def test_the_sweep_task_runs_the_sweep(group):
    from groups.checkins.tasks import windows_sweep

    session = session_for(group, starts_in=-timedelta(minutes=1))
    windows_sweep()
    assert CheckinWindow.objects.get(session=session).is_open


def test_the_sweep_is_declared_in_the_schedule():
    from facilitator.schedule import BEAT_SCHEDULE

    assert any(e["task"] == "groups.checkins.tasks.windows_sweep" for e in BEAT_SCHEDULE.values())


def test_facilitator_actions_on_a_window_are_audited_with_ids_only(group, owner):
    session = session_for(group)
    window = services.window_open(session=session, actor=owner)
    services.single_use_codes_issue(window=window, count=3, actor=owner)
    services.window_close(window=window, actor=owner)
    actions = list(AuditEntry.objects.filter(actor_id=owner.pk).values_list("action", flat=True))
    assert sorted(actions) == ["checkin.codes_issued", "checkin.window_closed", "checkin.window_opened"]

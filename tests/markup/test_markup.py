"""Every page we render passes the Nu Html Checker with no error.

The pages come from three walks and a table of variants:

- the authorization matrix (tests/authz/): every rule, for every role, whatever the
  page it answers with (200, and our 403, 404 and 405 pages), first on a bare group
  and then again on a group full of data (the demo group: sessions, readings,
  released trends, comments, an open check-in);
- every account and two-step page (tests/test_authz_exemptions.py), for each kind
  of account, as shown and as sent back empty (the form with its errors);
- the admin: every page without arguments, and the change and history pages of one
  row of every model it manages;
- ``VARIANTS`` below: the pages that only some data or some input shows (a form with
  errors, the members' help section, each refusal of a check-in, error pages).

The checker runs once over all of them. Warnings count as failures too, except the
few that Django admin's own templates produce on admin pages (``ADMIN_KNOWN``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import time, timedelta

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from content.demo import demo_readings_ensure
from content.services import library_load
from groups import services as group_services
from groups.checkins import services as checkin_services
from groups.checkins.demo import demo_checkin_ensure, demo_trends_ensure
from groups.checkins.models import CheckinWindow
from groups.demo import demo_group_ensure
from groups.models import Session
from groups.selectors import help_resources_forget
from groups.services import help_resources_add_defaults
from tests.authz import FORBIDDEN, NOT_ALLOWED, NOT_FOUND, OK, ROLES, World, all_rules
from tests.checkins.helpers import form_data, open_window, released_session, session_for, who5_all
from tests.factories import (
    TEST_PASSWORD,
    AdminFactory,
    GroupFactory,
    UserFactory,
    sign_in_to_set_up,
    totp_code,
)
from tests.markup.checker import Finding, check
from tests.test_authz_exemptions import (
    ACCOUNT_PAGES,
    ADMIN_WITHOUT_ARGUMENTS,
    _account_kwargs,
    _admin_url,
    _client_for,
)
from tests.test_authz_exemptions import ROLES as ACCOUNT_ROLES

pytestmark = pytest.mark.django_db

# What Django admin's own templates and widgets produce, allowed on admin pages only
# (page label prefix, kind, message). Nothing of ours may be listed here.
ADMIN_KNOWN = (
    # The sidebar's model list: a model without an "Add" link has a row of two cells
    # under a header of three (admin/app_list.html).
    (
        "admin:",
        "warning",
        re.compile(r"^A table row was 2 columns wide, which is less than the column count"),
    ),
    # django-celery-beat's task picker starts with an option of no words (TaskSelectWidget).
    (
        "admin:django_celery_beat_periodictask_",
        "error",
        re.compile(r"^Element “option” without attribute “label” must not be empty\.$"),
    ),
)

# Outcomes of the matrix that answer with a page of ours (redirects have no page).
PAGE_OUTCOMES = (OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED)


class Pages(dict):
    """label -> HTML of every HTML page seen, each distinct page once."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[str] = set()

    def add(self, label: str, response) -> None:
        content_type = response.headers.get("Content-Type", "")
        if not content_type.startswith("text/html") or response.status_code in (301, 302, 303):
            return
        html = response.content.decode()
        if not html.strip():
            return
        # The same page for another role or case says nothing new; the CSRF token and
        # the nonce differ from request to request.
        key = re.sub(r'(value|nonce)="[^"]*"', "", html)
        if key in self._seen:
            return
        self._seen.add(key)
        label = label if label not in self else f"{label} ({len(self)})"
        self[label] = html


@contextmanager
def rolled_back() -> Iterator[None]:
    """What a case creates is gone after it: each case sees only the shared world."""
    with transaction.atomic():
        cache.clear()
        yield
        transaction.set_rollback(True)
    help_resources_forget()


@dataclass
class People:
    owner: object
    cofacilitator: object
    outsider: object
    admin: object

    def by_role(self) -> dict[str, object]:
        return {
            "anonymous": None,
            "owner": self.owner,
            "cofacilitator": self.cofacilitator,
            "outsider": self.outsider,
            "admin": self.admin,
        }


def _client(user=None, **kwargs) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    if user is not None:
        client.force_login(user)
    return client


def walk_matrix(pages: Pages, people: People, group, *, roles=ROLES, tag: str = "") -> None:
    users = people.by_role()
    for rule in all_rules():
        for role in roles:
            if rule.expect[role] not in PAGE_OUTCOMES:
                continue
            with rolled_back():
                world = World(users=users, group=group)
                if rule.setup:
                    rule.setup(world)
                client = _client(users[role])
                url = reverse(rule.name, kwargs=rule.kwargs(world))
                response = getattr(client, rule.method)(url, rule.data(world))
                pages.add(f"{rule.name} {rule.method.upper()} as {role}{tag}", response)


def walk_accounts(pages: Pages) -> None:
    for role in ACCOUNT_ROLES:
        for name in ACCOUNT_PAGES:
            with rolled_back():
                client = _client_for(role)
                url = reverse(name, kwargs=_account_kwargs(name))
                pages.add(f"{name} GET as {role}", client.get(url))
                pages.add(f"{name} POST (empty) as {role}", client.post(url))


def walk_admin(pages: Pages, people: People) -> None:
    client = _client(people.admin)
    for name in ADMIN_WITHOUT_ARGUMENTS:
        pages.add(f"{name} GET as admin", client.get(_admin_url(name)))
    for model, model_admin in admin.site._registry.items():
        row = model_admin.get_queryset(_admin_request(people.admin)).first()
        if row is None:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        for view in ("change", "history"):
            url = reverse("admin:{}_{}_{}".format(*info, view), args=[row.pk])
            pages.add(f"admin:{info[0]}_{info[1]}_{view} GET as admin", client.get(url))


def _admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


# --- Variants: pages that only some data or input shows -------------------------


def _member_check_in(pages: Pages, people: People, group) -> None:
    window = open_window(group)
    link = reverse("checkins:checkin", args=[window.code])
    pages.add("check-in form", _client().get(link))
    pages.add("check-in sent empty (errors)", _client().post(link, {}))
    unsafe_missing = form_data(safe="no")
    unsafe_missing.pop("who5__item5")
    pages.add("check-in with errors and the help section", _client().post(link, unsafe_missing))
    pages.add("check-in thanks", _client().post(link, form_data()))
    pages.add("check-in thanks with the help section", _client().post(link, form_data(safe="no")))
    pages.add("check-in thanks, not sure", _client().post(link, form_data(safe="not_sure")))
    pages.add("check-in thanks, very low WHO-5", _client().post(link, form_data(who5=who5_all(0))))
    member = _client()
    member.post(link, form_data())
    pages.add("check-in already answered", member.get(link))
    pages.add(
        "check-in refused as cross-site",
        _client().post(link, form_data(safe="no"), HTTP_SEC_FETCH_SITE="cross-site"),
    )
    pages.add("check-in with a bad comment", _client().post(link, form_data(comment="x" * 5000)))
    enter = reverse("checkins:enter")
    pages.add("check-in code entry, bad code", _client().post(enter, {"code": "?!"}))
    pages.add("check-in unknown code", _client().get(reverse("checkins:checkin", args=["ZZZZZZ"])))


def _member_check_in_states(pages: Pages, people: People, group) -> None:
    closed = open_window(group)
    checkin_services.window_close(window=closed)
    link = reverse("checkins:checkin", args=[closed.code])
    pages.add("check-in closed", _client().get(link))
    pages.add("check-in closed, sent unsafe", _client().post(link, form_data(safe="no")))
    later = session_for(group, starts_in=timedelta(days=2))
    pending = checkin_services.window_ensure(session=later)
    pages.add("check-in not open yet", _client().get(reverse("checkins:checkin", args=[pending.code])))


def _member_check_in_slips(pages: Pages, people: People, group) -> None:
    window = open_window(group, mode=CheckinWindow.Mode.SINGLE_USE)
    link = reverse("checkins:checkin", args=[window.code])
    pages.add("check-in with single-use codes", _client().get(link))
    pages.add("check-in with a wrong single-use code", _client().post(link, form_data(slip="WRONG1")))


def _facilitator_forms_with_errors(pages: Pages, people: People, group) -> None:
    owner = _client(people.owner)
    pages.add("group create with errors", owner.post(reverse("groups:group_create"), {"name": ""}))
    pages.add(
        "group edit with errors",
        owner.post(reverse("groups:group_edit", args=[group.pk]), {"name": "", "meeting_mode": "online"}),
    )
    pages.add(
        "session create with errors",
        owner.post(reverse("groups:session_create", args=[group.pk]), {"first_day": "not a day"}),
    )
    session = Session.objects.create(
        group=group, starts_at=timezone.now() + timedelta(days=3), duration_minutes=90
    )
    pages.add(
        "session move with errors",
        owner.post(
            reverse("groups:session_move", args=[session.pk]), {"move-new_day": "", "move-new_time": "25:00"}
        ),
    )
    pages.add(
        "session cancel with errors",
        owner.post(reverse("groups:session_cancel", args=[session.pk]), {"cancel-scope": "nonsense"}),
    )
    first = (timezone.now() + timedelta(days=4)).astimezone(group.tzinfo).date()
    series = group_services.session_schedule(
        group=group, first_day=first, start_time=time(19, 0), duration_minutes=90, frequency="weekly", count=3
    )[0].series
    group_services.session_move(
        session=series.sessions.order_by("starts_at")[1],
        new_day=first + timedelta(days=8),
        new_time=time(18, 0),
        duration_minutes=90,
    )
    group_services.session_cancel(session=series.sessions.order_by("starts_at")[2])
    pages.add(
        "series page (moved and cancelled dates)",
        owner.get(reverse("groups:series_detail", args=[series.pk])),
    )
    pages.add(
        "series extend with errors",
        owner.post(reverse("groups:series_extend", args=[series.pk]), {"count": "0", "seen": series.count}),
    )
    pages.add(
        "skip a date of a series",
        owner.post(
            reverse("groups:session_cancel", args=[series.sessions.order_by("starts_at")[0].pk]),
            {"cancel-scope": "one", "next": "series"},
        ),
    )
    pages.add(
        "co-facilitator add with errors",
        owner.post(reverse("groups:cofacilitator_add", args=[group.pk]), {"email": "not an address"}),
    )
    pages.add(
        "reminder settings with errors",
        owner.post(reverse("groups:reminder_settings"), {"hours_before": "-5"}),
    )
    pages.add(
        "check-in settings with errors",
        owner.post(
            reverse("checkins:window_settings", args=[session.pk]),
            {"mode": "nonsense", "hours_open": "0"},
        ),
    )
    pages.add(
        "single-use codes with errors",
        owner.post(reverse("checkins:window_slips", args=[open_window(group).session.pk]), {"count": "0"}),
    )
    pages.add("reading plan create with errors", owner.post(reverse("content:plan_create"), {"title": ""}))
    pages.add("reading library search", owner.get(reverse("content:reading_list"), {"q": "withdrawal"}))
    pages.add(
        "reading library search, nothing found", owner.get(reverse("content:reading_list"), {"q": "zzz"})
    )


def _sessions_in_every_state(pages: Pages, people: People, group) -> None:
    owner = _client(people.owner)
    start = timezone.now() + timedelta(days=2)
    series = [
        Session.objects.create(group=group, starts_at=start + timedelta(days=7 * n), duration_minutes=90)
        for n in range(3)
    ]
    series[1].status = Session.Status.CANCELLED
    series[1].save()
    past = session_for(group, starts_in=timedelta(days=-2), attendance=6)
    for session in (*series, past):
        pages.add(
            f"session page ({session.status}, {'past' if session.starts_at < timezone.now() else 'future'})",
            owner.get(reverse("groups:session_detail", args=[session.pk])),
        )
        pages.add(
            f"check-in page ({session.status})",
            owner.get(reverse("checkins:window_manage", args=[session.pk])),
        )
    pages.add(
        "group page with cancelled sessions", owner.get(reverse("groups:group_detail", args=[group.pk]))
    )


def _results_below_and_above_k(pages: Pages, people: People, group) -> None:
    owner = _client(people.owner)
    few = released_session(group, [{"safe": "no"}, {}, {}])
    pages.add("results below k with a safety signal", owner.get(_results(few)))
    many = released_session(group, [{"comment": f"Comment {n}"} for n in range(6)] + [{"safe": "no"}])
    pages.add("results with comments and a safety signal", owner.get(_results(many)))
    pages.add("home with released results", owner.get(reverse("home")))
    pages.add("group page with a safety signal", owner.get(reverse("groups:group_detail", args=[group.pk])))
    pages.add("safety guidance with a signal", owner.get(reverse("checkins:safety_guidance")))


def _readings_and_outcomes(pages: Pages, people: People, group) -> None:
    from tests.factories import ReadingFactory

    owner = _client(people.owner)
    reading = ReadingFactory(title="The pull to go back", is_published=True)
    for week in range(3):
        released_session(
            group,
            [{"resonated": [str(reading.pk)]}] * 2 + [{}] * 4,
            readings=[reading],
            starts_in=timedelta(days=-7 * (week + 10)),
        )
    session = group.sessions.filter(reading_assignments__reading=reading).first()
    pages.add("results with readings", owner.get(_results(session)))
    pages.add("trends with readings", owner.get(reverse("checkins:trends_group", args=[group.pk])))
    pages.add("report with readings", owner.get(reverse("checkins:trends_report", args=[group.pk])))
    pages.add(
        "library reading with outcomes", owner.get(reverse("content:reading_detail", args=[reading.slug]))
    )
    pages.add("program view with readings", _client(people.admin).get(reverse("checkins:trends_program")))


def _flood_review(pages: Pages, people: People, group) -> None:
    from groups.checkins.models import CheckinWindow

    owner = _client(people.owner)
    window = open_window(group)
    checkin_services.window_close(window=window)
    CheckinWindow.objects.filter(pk=window.pk).update(review_reason=CheckinWindow.ReviewReason.RATE)
    pages.add(
        "check-in page held for review",
        owner.get(reverse("checkins:window_manage", args=[window.session_id])),
    )
    pages.add(
        "trends with a session held for review", owner.get(reverse("checkins:trends_group", args=[group.pk]))
    )
    window.refresh_from_db()
    checkin_services.window_review_decide(window=window, actor=people.owner, void=True)
    from groups.checkins import rollups

    rollups.rollups_sweep()
    pages.add("trends with a voided session", owner.get(reverse("checkins:trends_group", args=[group.pk])))


def _results(session) -> str:
    return reverse("checkins:session_results", args=[session.pk])


def _invitation_forms(pages: Pages, people: People, group) -> None:
    from facilitator.models import Invitation, invitation_token_hash

    now = timezone.now()
    Invitation.objects.create(
        email="new@example.org",
        invited_by=people.admin,
        token_hash=invitation_token_hash("markup-token"),
        sent_at=now,
        expires_at=now + timedelta(hours=1),
    )
    url = reverse("invitation_accept", args=["markup-token"])
    pages.add(
        "invitation accept with errors",
        _client().post(url, {"display_name": "", "password1": "short", "password2": "other"}),
    )
    pages.add("invitation unknown", _client().get(reverse("invitation_accept", args=["not-a-token"])))


def _error_pages(pages: Pages, people: People, group) -> None:
    from django.db import OperationalError

    from facilitator import errors
    from groups.views import member_error_page

    request = RequestFactory().get("/")
    pages.add("500 server error", errors.server_error(request))
    try:
        raise OperationalError("down")
    except OperationalError:
        pages.add("503 database down", errors.server_error(request))
    pages.add("400 bad request", errors.bad_request(request))
    pages.add("404 not found", _client().get("/no-such-page/"))
    pages.add("404 not found, signed in", _client(people.owner).get("/no-such-page/"))
    pages.add("member 404", _client().get("/c/ABCDEF/more"))
    pages.add("member 405", _client().put(reverse("checkins:checkin", args=["ABCDEF"])))
    unsafe = RequestFactory().post("/c/ABCDEF", {"program__safe": "no"})
    pages.add("member 503 with the help section", member_error_page(unsafe, 503))
    pages.add("member 500", member_error_page(RequestFactory().get("/g/x"), 500))
    csrf = Client(enforce_csrf_checks=True, raise_request_exception=False)
    csrf.force_login(people.owner)
    pages.add("403 CSRF failure", csrf.post(reverse("groups:group_create"), {"name": "x"}))
    client = _client()
    url = "/accounts/password/reset/key/1-not-a-key/"
    for _ in range(6):
        response = client.post(url, {"password1": "first passphrase 1", "password2": "first passphrase 1"})
    pages.add("429 too many attempts", response)


def _two_step_pages(pages: Pages, people: People, group) -> None:
    """The second step of signing in, and setting up an authenticator app with its
    recovery codes: pages the walks above reach only half-way."""
    signing_in = _client()
    signing_in.post(reverse("account_login"), {"login": people.owner.email, "password": TEST_PASSWORD})
    pages.add("mfa_authenticate GET while signing in", signing_in.get(reverse("mfa_authenticate")))
    pages.add(
        "mfa_authenticate with a wrong code", signing_in.post(reverse("mfa_authenticate"), {"code": "000000"})
    )

    newcomer = UserFactory(mfa=False)
    refused = _client().post(reverse("account_login"), {"login": newcomer.email, "password": TEST_PASSWORD})
    pages.add("sign-in refused: no second factor yet", refused)
    setting_up = _client()
    sign_in_to_set_up(setting_up, newcomer)
    activate = reverse("mfa_activate_totp")
    pages.add("mfa_activate_totp GET", setting_up.get(activate))
    pages.add("mfa_activate_totp with a wrong code", setting_up.post(activate, {"code": "12"}))
    secret = setting_up.session.get("mfa.totp.secret")
    assert secret, "the setup page gave no secret"
    response = setting_up.post(activate, {"code": totp_code(secret)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_view_recovery_codes")
    pages.add("mfa_view_recovery_codes GET after setting up the app", response)
    pages.add("mfa_generate_recovery_codes GET", setting_up.get(reverse("mfa_generate_recovery_codes")))
    pages.add("mfa_deactivate_totp GET", setting_up.get(reverse("mfa_deactivate_totp")))


def _setup_link_page(pages: Pages, people: People, group) -> None:
    from facilitator.models import Invitation, invitation_token_hash

    now = timezone.now()
    Invitation.objects.create(
        email=people.cofacilitator.email,
        for_account=people.cofacilitator,
        token_hash=invitation_token_hash("markup-setup"),
        sent_at=now,
        expires_at=now + timedelta(hours=1),
    )
    pages.add("second-factor setup link", _client().get(reverse("invitation_accept", args=["markup-setup"])))


def _empty_lists(pages: Pages, people: People, group) -> None:
    newcomer = _client(UserFactory(display_name="Dana"))
    for name in ("home", "groups:group_list", "content:session_list", "content:plan_list"):
        pages.add(f"{name} for a facilitator with no groups", newcomer.get(reverse(name)))


VARIANTS: list[Callable[[Pages, People, object], None]] = [
    _member_check_in,
    _member_check_in_states,
    _member_check_in_slips,
    _facilitator_forms_with_errors,
    _sessions_in_every_state,
    _results_below_and_above_k,
    _readings_and_outcomes,
    _flood_review,
    _invitation_forms,
    _error_pages,
    _two_step_pages,
    _setup_link_page,
    _empty_lists,
]


# --- The tests --------------------------------------------------------------------


def test_the_checker_names_the_page_and_the_message_of_an_error(java_and_vnu):
    java, jar = java_and_vnu
    good = "<!doctype html><html lang=en><title>Fine</title><p>Fine</p></html>"
    bad = (
        "<!doctype html><html lang=en><title>Two forms</title>"
        "<input type=radio id=id_scope_0 name=a><input type=radio id=id_scope_0 name=b>"
        '<input type="search" type="text"></html>'
    )

    findings = check({"a good page": good, "session page": bad}, java=java, jar=jar)

    assert {finding.page for finding in findings} == {"session page"}
    messages = " ".join(finding.message for finding in findings)
    assert "Duplicate ID" in messages
    assert "Duplicate attribute" in messages


def _is_known(finding: Finding) -> bool:
    return any(
        finding.page.startswith(prefix) and finding.kind == kind and pattern.search(finding.message)
        for prefix, kind, pattern in ADMIN_KNOWN
    )


def test_every_page_we_render_is_valid_markup(java_and_vnu, settings):
    java, jar = java_and_vnu
    library_load()
    help_resources_add_defaults()
    people = People(
        owner=UserFactory(email="alice@example.org", display_name="Alice"),
        cofacilitator=UserFactory(email="bob@example.org", display_name="Bob"),
        outsider=UserFactory(email="charlie@example.org", display_name="Charlie"),
        admin=AdminFactory(email="admin@example.org", display_name="Admin"),
    )
    GroupFactory(name="Charlie's group", owner=people.outsider)
    bare = GroupFactory(name="Tuesday group", owner=people.owner, co_facilitators=[people.cofacilitator])
    pages = Pages()

    walk_matrix(pages, people, bare)
    walk_accounts(pages)
    full = demo_group_ensure(owner=people.owner)
    demo_readings_ensure(group=full)
    demo_trends_ensure(group=full)
    demo_checkin_ensure(group=full)
    walk_matrix(pages, people, full, roles=("owner", "admin", "anonymous"), tag=", full group")
    walk_admin(pages, people)
    for variant in VARIANTS:
        with rolled_back():
            variant(pages, people, full)

    findings = [finding for finding in check(pages, java=java, jar=jar) if not _is_known(finding)]

    assert len(pages) > 250, sorted(pages)
    # Variants that a change of data or flow could quietly stop reaching.
    missing = {
        "mfa_authenticate GET while signing in",
        "mfa_activate_totp GET",
        "mfa_activate_totp with a wrong code",
        "mfa_view_recovery_codes GET after setting up the app",
        "check-in with errors and the help section",
        "check-in thanks with the help section",
        "check-in closed",
        "check-in not open yet",
        "check-in refused as cross-site",
        "session move with errors",
        "results with comments and a safety signal",
        "check-in page held for review",
        "account_change_password POST (empty) as facilitator",
        "500 server error",
        "503 database down",
        "sign-in refused: no second factor yet",
        "second-factor setup link",
        "member 404",
        "member 503 with the help section",
    } - set(pages)
    assert not missing, missing
    assert not findings, f"{len(findings)} markup problems:\n" + "\n".join(map(str, findings))

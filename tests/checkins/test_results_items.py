"""What a facilitator reads on a released session's results page and on the group's
trend page: the program's own items (pull to contact, connection, readings that
resonated), the WHO-5 shares at or below 50 and 28, and the chart's reference lines
and confidence band, each checked against values worked out by hand from known
answers. A session below k shows none of them."""

from __future__ import annotations

import math
import statistics
from datetime import timedelta
from html.parser import HTMLParser
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from content.models import Reading, SessionReading, Source
from groups.checkins import charts
from tests.checkins.helpers import form_data, open_window, released_session, who5_all

pytestmark = pytest.mark.django_db

# --- A small DOM, enough to read the pages back (no HTML library is installed) ----

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None = None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    @property
    def text(self) -> str:
        parts = [child if isinstance(child, str) else child.text for child in self.children]
        return " ".join(" ".join(parts).split())

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def find_all(self, tag: str, *, cls: str | None = None, **attrs: str) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (
                    child.tag == tag
                    and (cls is None or cls in child.classes)
                    and all(child.attrs.get(key) == value for key, value in attrs.items())
                ):
                    found.append(child)
                found += child.find_all(tag, cls=cls, **attrs)
        return found

    def find(self, tag: str, **kwargs) -> Node:
        found = self.find_all(tag, **kwargs)
        assert found, f"no <{tag}> {kwargs}"
        return found[0]


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#root", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {key: value or "" for key, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in _VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, {key: value or "" for key, value in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def dom(response) -> Node:
    assert response.status_code == HTTPStatus.OK, response.status_code
    builder = _Builder()
    builder.feed(response.content.decode())
    builder.close()
    return builder.root


def stats_list(page: Node) -> dict[str, str]:
    """The results page's <dl class="stats"> as {term: description}."""
    dl = page.find("dl", cls="stats")
    terms = [node for node in dl.children if isinstance(node, Node) and node.tag in ("dt", "dd")]
    pairs = {}
    for term, description in zip(terms[::2], terms[1::2], strict=True):
        assert (term.tag, description.tag) == ("dt", "dd")
        pairs[term.text] = description.text
    return pairs


def table_rows(page: Node, table_id: str) -> list[list[str]]:
    body = page.find("table", id=table_id).find("tbody")
    return [[cell.text for cell in row.children if isinstance(cell, Node)] for row in body.find_all("tr")]


def chart_svg(page: Node, chart_id: str) -> Node:
    title = page.find("title", id=f"{chart_id}-title")
    return title.parent


# --- Known answers ----------------------------------------------------------------


def _who5(*items: int) -> dict:
    return {f"item{n}": value for n, value in enumerate(items, start=1)}


# Six members. WHO-5 raw 7, 8, 12, 13, 20, 25: scores 28, 32, 48, 52, 80, 100 (each
# side of both cut-offs). At or below 50: 28, 32, 48 (3 of 6: 50%); at or below 28:
# 28 only (1 of 6: 17%). Mean 340 / 6 = 56.7. Pull 0+3+4+7+10+9 = 33, mean 5.5;
# connection 1+5+5+4+3+3 = 21, mean 3.5. Readings: the first chosen by four members,
# the second by two, the third by one, the fourth by none.
KNOWN = [
    {"who5": _who5(2, 2, 1, 1, 1), "pull": 0, "connection": 1, "safe": "yes", "resonated": [0]},
    {"who5": _who5(2, 2, 2, 1, 1), "pull": 3, "connection": 5, "safe": "yes", "resonated": [0, 1]},
    {"who5": _who5(3, 3, 2, 2, 2), "pull": 4, "connection": 5, "safe": "yes", "resonated": [0, 1]},
    {"who5": _who5(3, 3, 3, 2, 2), "pull": 7, "connection": 4, "safe": "not_sure", "resonated": [0, 2]},
    {"who5": _who5(4, 4, 4, 4, 4), "pull": 10, "connection": 3, "safe": "yes", "resonated": []},
    {"who5": _who5(5, 5, 5, 5, 5), "pull": 9, "connection": 3, "safe": "yes", "resonated": []},
]
KNOWN_SCORES = [28, 32, 48, 52, 80, 100]
TITLES = ["Why they leave first", "The push and pull", "Hard yet healing facts", "Forgiveness"]


def _ci(scores: list[int], t: float) -> tuple[float, float]:
    mean = statistics.fmean(scores)
    half = t * statistics.stdev(scores) / math.sqrt(len(scores))
    return max(0.0, mean - half), min(100.0, mean + half)


# t(0.975, 5) = 2.571: 56.67 +- 29.50, so 27.2 to 86.2.
KNOWN_LOW, KNOWN_HIGH = _ci(KNOWN_SCORES, 2.571)


@pytest.fixture
def readings(db) -> list[Reading]:
    source = Source.objects.create(title="The article", slug="the-article", credit_line="An article")
    return [
        Reading.objects.create(
            source=source, title=title, slug=f"reading-{n}", passage="Text", is_published=True, position=n
        )
        for n, title in enumerate(TITLES)
    ]


def _known_answers(readings: list[Reading]) -> list[dict]:
    return [{**answer, "resonated": [str(readings[i].pk) for i in answer["resonated"]]} for answer in KNOWN]


def _results(client, session) -> Node:
    return dom(client.get(reverse("checkins:session_results", args=[session.pk])))


def _trends(client, group) -> Node:
    return dom(client.get(reverse("checkins:trends_group", args=[group.pk])))


def _one(value: float) -> str:
    return f"{value:.1f}"


# --- The results page -------------------------------------------------------------


def test_the_results_page_shows_the_means_shares_and_interval_worked_out_by_hand(
    client, owner, group, readings
):
    session = released_session(group, _known_answers(readings))
    client.force_login(owner)

    shown = stats_list(_results(client, session))

    assert shown["Answers"] == "6"
    assert shown["WHO-5 mean (0-100)"] == (
        f"56.7 (95% confidence interval {_one(KNOWN_LOW)} to {_one(KNOWN_HIGH)})"
    )
    assert (_one(KNOWN_LOW), _one(KNOWN_HIGH)) == ("27.2", "86.2")
    assert shown["At or below 50 (poor wellbeing)"] == "50%"
    assert shown["At or below 28 (likely depression)"] == "17%"
    assert shown["Pull to contact (0-10)"] == "5.5"
    assert shown["Connection to the group (1-5)"] == "3.5"
    # Item means: cheerful (2+2+3+3+4+5)/6 = 3.2, rested (1+1+2+2+4+5)/6 = 2.5.
    assert shown["WHO-5 item means (0-5)"] == (
        "cheerful 3.2 · calm 3.2 · active 2.8 · rested 2.5 · interested 2.5"
    )


def test_the_results_page_counts_each_reading_that_resonated_most_first(
    client, cofacilitator, group, readings
):
    # The first three readings are assigned; "Forgiveness" is not.
    session = released_session(group, _known_answers(readings), readings=readings[:3])
    client.force_login(cofacilitator)

    page = _results(client, session)
    section = page.find("h2", id="readings-heading").parent

    # Of the six answers: 4 chose the first (4/6 = 67%), 2 the second, 1 the third.
    assert [item.text for item in section.find_all("li")] == [
        "Why they leave first: 4 of 6 answers (67%)",
        "The push and pull: 2 of 6 answers (33%)",
        "Hard yet healing facts: 1 of 6 answers (17%)",
    ]
    assert "Forgiveness" not in section.text


def test_the_results_page_counts_a_reading_no_one_chose_as_none_of_them(client, owner, group, readings):
    answers = [{**answer, "resonated": []} for answer in _known_answers(readings)]
    session = released_session(group, answers, readings=readings[:2])
    client.force_login(owner)

    section = _results(client, session).find("h2", id="readings-heading").parent

    assert [item.text for item in section.find_all("li")] == [
        "The push and pull: 0 of 6 answers (0%)",
        "Why they leave first: 0 of 6 answers (0%)",
    ]


def test_the_results_page_says_so_when_no_reading_was_assigned(client, owner, group, readings):
    session = released_session(group, _known_answers(readings))
    client.force_login(owner)

    section = _results(client, session).find("h2", id="readings-heading").parent

    assert section.find_all("li") == []
    assert "No reading was assigned" in section.text


def test_answers_sent_through_the_members_form_give_the_same_results(client, owner, group, readings):
    """The whole way: members post the check-in form on their phones (a browser each),
    the window closes, the rollup is made, and the facilitator reads the page."""
    from groups.checkins import rollups, services

    window = open_window(group)
    for reading in readings:
        SessionReading.objects.create(session=window.session, reading=reading, position=reading.position)
    for answer in _known_answers(readings):
        extra = {"program__resonated": answer["resonated"]} if answer["resonated"] else {}
        phone = Client()
        response = phone.post(
            reverse("checkins:checkin", kwargs={"code": window.code}),
            form_data(
                who5=answer["who5"],
                pull=answer["pull"],
                connection=answer["connection"],
                safe=answer["safe"],
                **extra,
            ),
        )
        assert response.status_code == HTTPStatus.OK
    services.window_close(window=window)
    rollups.session_rollup_compute(session_id=window.session_id)
    client.force_login(owner)

    page = _results(client, window.session)
    shown = stats_list(page)

    assert shown["Answers"] == "6"
    assert shown["WHO-5 mean (0-100)"].startswith("56.7 ")
    assert shown["At or below 50 (poor wellbeing)"] == "50%"
    assert shown["At or below 28 (likely depression)"] == "17%"
    assert shown["Pull to contact (0-10)"] == "5.5"
    assert shown["Connection to the group (1-5)"] == "3.5"
    assert [item.text for item in page.find("h2", id="readings-heading").parent.find_all("li")] == [
        "Why they leave first: 4 of 6 answers (67%)",
        "The push and pull: 2 of 6 answers (33%)",
        "Hard yet healing facts: 1 of 6 answers (17%)",
        "Forgiveness: 0 of 6 answers (0%)",
    ]


def test_a_suppressed_sessions_results_page_shows_no_statistic_and_no_reading(client, owner, group, readings):
    # Four answers, below the default k of 5: distinctive values that must not show.
    answers = _known_answers(readings)[:4]
    session = released_session(group, answers)
    client.force_login(owner)

    page = _results(client, session)
    text = page.text

    assert "Fewer than 5 members answered" in text
    assert page.find_all("dl", cls="stats") == []
    for absent in (
        "Pull to contact",
        "Connection to the group",
        "At or below 50",
        "At or below 28",
        "confidence interval",
        "Readings that resonated",
        *TITLES,
        "%",
    ):
        assert absent not in text, absent
    # Their means (WHO-5 40.0, pull 3.5, connection 3.8) appear nowhere.
    for number in ("40.0", "3.5", "3.8"):
        assert number not in text, number


# --- The trend page ---------------------------------------------------------------

# A second released session: scores 20, 40, 60, 80, 100; mean 60, at or below 50: 2
# of 5 (40%), at or below 28: 1 of 5 (20%); s = sqrt(4000 / 4) = 31.6, t(0.975, 4) = 2.776:
# 60 +- 39.3, so 20.7 to 99.3.
# Pull and connection are the helper's defaults (4 and 3).
SECOND = [{"who5": who5_all(v)} for v in (1, 2, 3, 4, 5)]
SECOND_LOW, SECOND_HIGH = _ci([20, 40, 60, 80, 100], 2.776)
# A suppressed session in between, whose values would stand out if they leaked.
SUPPRESSED = [{"who5": who5_all(0), "pull": 10, "connection": 1}] * 3


EN_DASH = "\u2013"  # between an interval's bounds in the table


def _week(n: int) -> timedelta:
    return timedelta(days=7 * n)


@pytest.fixture
def history(group, readings):
    return [
        released_session(group, _known_answers(readings), starts_in=_week(-3)),
        released_session(group, SUPPRESSED, starts_in=_week(-2)),
        released_session(group, SECOND, starts_in=_week(-1)),
    ]


def _y(value: float, *, hi: float) -> str:
    """Where the chart draws ``value`` on a 0-``hi`` scale (charts.py's geometry)."""
    plot = charts.HEIGHT - charts.TOP - charts.BOTTOM
    return f"{charts.TOP + (hi - value) / hi * plot:.1f}"


def test_the_trend_table_has_each_released_sessions_mean_interval_and_shares(client, owner, group, history):
    client.force_login(owner)

    rows = table_rows(_trends(client, group), "who5-table")

    # Session, status, anyone not feeling safe, answers, response rate, mean, interval,
    # <=50, <=28, change, versions.
    first, suppressed, second = rows
    assert first[2] == second[2] == "No"
    first, suppressed, second = ([row[0], row[1], *row[3:]] for row in rows)
    assert first[1:8] == [
        "Released",
        "6",
        "no headcount",
        "56.7",
        f"{_one(KNOWN_LOW)}{EN_DASH}{_one(KNOWN_HIGH)}",
        "50%",
        "17%",
    ]
    assert second[1:8] == [
        "Released",
        "5",
        "no headcount",
        "60.0",
        f"{_one(SECOND_LOW)}{EN_DASH}{_one(SECOND_HIGH)}",
        "40%",
        "20%",
    ]
    assert (_one(SECOND_LOW), _one(SECOND_HIGH)) == ("20.7", "99.3")
    assert suppressed[2:] == ["Suppressed: fewer than 5 answers"]
    assert "0.0" not in " ".join(suppressed)


def test_the_items_table_has_each_released_sessions_pull_and_connection_means(client, owner, group, history):
    client.force_login(owner)

    rows = table_rows(_trends(client, group), "items-table")

    # Only released sessions have a row: the suppressed one is not a point.
    assert [row[1:3] for row in rows] == [["5.5", "3.5"], ["4.0", "3.0"]]
    assert rows[0][3] == "No one said they do not feel safe"


def test_the_wellbeing_chart_draws_reference_lines_at_50_and_28(client, owner, group, history):
    client.force_login(owner)

    svg = chart_svg(_trends(client, group), "who5-chart")
    references = {
        line.attrs["class"]: (line.attrs["y1"], line.attrs["y2"]) for line in svg.find_all("line", cls="ref")
    }
    labels = {text.text for text in svg.find_all("text", cls="ref-label")}

    assert references == {
        "ref ref-50": (_y(50, hi=100),) * 2,
        "ref ref-28": (_y(28, hi=100),) * 2,
    }
    assert references["ref ref-50"][0] == "119.0" and references["ref ref-28"][0] == "165.2"
    assert labels == {"50: poor wellbeing", "28: likely depression"}


def test_the_wellbeing_chart_has_a_point_per_released_session_inside_its_confidence_band(
    client, owner, group, history
):
    client.force_login(owner)

    page = _trends(client, group)
    svg = chart_svg(page, "who5-chart")
    dots = svg.find_all("circle", cls="line-who5")
    band = svg.find("polygon", cls="band").attrs["points"].split()

    # Two released sessions, two points; the suppressed session is not drawn.
    assert [dot.attrs["cy"] for dot in dots] == [_y(340 / 6, hi=100), _y(60, hi=100)]
    xs = [dot.attrs["cx"] for dot in dots]
    # The band runs along the upper bounds, then back along the lower ones.
    assert band == [
        f"{xs[0]},{_y(KNOWN_HIGH, hi=100)}",
        f"{xs[1]},{_y(SECOND_HIGH, hi=100)}",
        f"{xs[1]},{_y(SECOND_LOW, hi=100)}",
        f"{xs[0]},{_y(KNOWN_LOW, hi=100)}",
    ]
    assert "95% confidence interval" in page.find("ul", cls="legend").text


def test_the_items_chart_draws_the_pull_and_connection_means(client, owner, group, history):
    client.force_login(owner)

    svg = chart_svg(_trends(client, group), "items-chart")

    assert [dot.attrs["cy"] for dot in svg.find_all("circle", cls="line-pull")] == [
        _y(5.5, hi=10),
        _y(4, hi=10),
    ]
    assert [dot.attrs["cy"] for dot in svg.find_all("circle", cls="line-connection")] == [
        _y(3.5, hi=10),
        _y(3, hi=10),
    ]
    # The items chart has no WHO-5 reference lines and no band.
    assert svg.find_all("line", cls="ref") == [] and svg.find_all("polygon") == []


def test_a_single_released_session_is_drawn_without_a_band(client, owner, group, readings):
    released_session(group, _known_answers(readings))
    client.force_login(owner)

    svg = chart_svg(_trends(client, group), "who5-chart")

    # One interval cannot make an area; the point and reference lines are still drawn.
    assert svg.find_all("polygon") == []
    assert len(svg.find_all("circle", cls="line-who5")) == 1
    assert len(svg.find_all("line", cls="ref")) == 2


def test_a_trend_of_only_a_suppressed_session_draws_no_chart_and_no_statistic(client, owner, group, readings):
    released_session(group, SUPPRESSED)
    client.force_login(owner)

    page = _trends(client, group)
    text = page.text

    assert page.find_all("svg") == []
    assert "No results have been released yet, so there is no chart." in text
    # Its scores are suppressed; whether anyone felt unsafe is released from 3 answers.
    assert table_rows(page, "who5-table")[0][2:] == ["No", "Suppressed: fewer than 5 answers"]
    assert table_rows(page, "items-table") == [["Nothing has been released yet."]]
    assert "%" not in " ".join(table_rows(page, "who5-table")[0])

"""The check-in as a person on a phone lives it: taps on an option's words, its box and
its circle; a whole check-in by taps only; mouse clicks on the words; the length of the
form on a 360 px screen."""

import re

import pytest
from playwright.sync_api import expect

from content.models import Reading, SessionReading
from content.services import library_load
from groups.checkins.models import Response
from groups.services import help_resources_add_defaults
from tests.checkins.helpers import open_window
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def check_in_url(live_server):
    """A check-in with every default question: one reading is assigned, so "which
    reading resonated" is asked too."""
    help_resources_add_defaults()
    library_load()
    group = GroupFactory(name="Recovery circle", member_label="Tuesday group", owner=UserFactory())
    window = open_window(group)
    reading = Reading.objects.filter(is_published=True).order_by("position").first()
    SessionReading.objects.create(session=window.session, reading=reading, position=0)
    return f"{live_server.url}/c/{window.code}"


def _options(page):
    """Every option of every choice question, in page order."""
    return page.locator(".checkin-form .option")


def _scroll_y(page) -> float:
    return page.evaluate("window.scrollY")


def _hit(page, option, part: str, how: str) -> None:
    """Tap or click one part of an option: its words, its circle, or the edge of its
    box (inside the box, outside the words and the circle)."""
    if part == "words":
        target, position = option.locator(".option-text, label").first, None
    elif part == "circle":
        target, position = option.locator("input"), None
    else:
        box = option.bounding_box()
        target, position = option, {"x": box["width"] - 3, "y": 3}
    getattr(target, how)(position=position) if position else getattr(target, how)()


@pytest.mark.parametrize("part", ["words", "box", "circle"])
def test_every_tap_on_an_options_part_selects_it_once_and_the_page_stays(check_in_url, phone, part):
    phone.goto(check_in_url)
    options = _options(phone)
    count = options.count()
    assert count >= 30

    for index in range(count):
        option = options.nth(index)
        option.scroll_into_view_if_needed()
        before = _scroll_y(phone)
        _hit(phone, option, part, "tap")
        expect(option.locator("input")).to_be_checked()
        assert _scroll_y(phone) == before, (index, option.inner_text())
        if option.locator("input").get_attribute("type") == "checkbox":
            _hit(phone, option, part, "tap")  # a second tap takes a reading back off
            expect(option.locator("input")).not_to_be_checked()
            assert _scroll_y(phone) == before


def test_every_option_is_a_whole_target_of_at_least_44_px(check_in_url, phone):
    phone.goto(check_in_url)
    sizes = _options(phone).evaluate_all(
        "els => els.map((el) => { const r = el.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert sizes and all(width >= 44 and height >= 44 for width, height in sizes), sizes


def test_a_mouse_click_on_the_words_selects_the_answer_and_the_page_stays(check_in_url, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(check_in_url)
    options = _options(page)
    for index in range(options.count()):
        option = options.nth(index)
        option.scroll_into_view_if_needed()
        before = _scroll_y(page)
        option.locator(".option-text, label").first.click()
        expect(option.locator("input")).to_be_checked()
        assert _scroll_y(page) == before, (index, option.inner_text())


def test_a_whole_check_in_by_taps_only_one_per_answer(check_in_url, phone):
    phone.goto(check_in_url)
    taps = 0
    for question in phone.locator(".checkin-form fieldset.question").all():
        options = question.locator(".option")
        if options.first.locator("input").get_attribute("type") == "checkbox":
            continue  # "which reading resonated" is optional
        # The second answer of each: "Most of the time" on the WHO-5, "Not sure" for feeling safe.
        _hit(phone, options.nth(1), "words", "tap")
        taps += 1
    phone.get_by_role("button", name="Send my answers").tap()

    expect(phone.get_by_role("heading", level=1)).to_contain_text("Thank you")
    # "Not sure" about feeling safe: the gentler help, at once, with the helplines.
    expect(phone.locator(".help-now")).to_be_visible()
    expect(phone.get_by_text("not sure you feel safe")).to_be_visible()
    expect(phone.get_by_text("It sounds like things are really hard right now")).to_be_hidden()
    assert taps == 8
    assert Response.objects.count() == 1


def test_the_form_is_at_most_3300_px_tall_on_a_360_px_phone(check_in_url, phone):
    phone.goto(check_in_url)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Check-in")
    height = phone.evaluate("document.documentElement.scrollHeight")
    assert height <= 3300, height
    # The WHO-5 wording is unaltered and credited.
    expect(phone.get_by_text("More than half of the time").first).to_be_visible()
    expect(phone.locator(".credit").first).to_contain_text(re.compile("WHO", re.IGNORECASE))

"""Markdown in readings is rendered safely: no script ever reaches a page."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from content.markdown import render_markdown
from tests.content.support import weekly_sessions
from tests.factories import ReadingFactory

pytestmark = pytest.mark.django_db

HOSTILE = (
    "Hello <script>alert('x')</script>\n\n"
    '<img src=x onerror="alert(1)">\n\n'
    "[click](javascript:alert(1))\n\n"
    '<a href="#" style="color:red" onclick="alert(2)">styled</a>\n\n'
    "**bold** and a [safe link](https://example.org)"
)


class _Elements(HTMLParser):
    """Every real element of a page, with its attributes (escaped text is not an element)."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_no_active_content(html: str) -> None:
    for tag, attrs in _Elements(html).found:
        if tag == "script":
            # Only our own static files, never inline code.
            assert (attrs.get("src") or "").startswith("/static/"), attrs
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert "style" not in attrs, (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript"), (tag, attrs)
        assert tag not in {"img", "iframe", "object", "embed"}, tag


def test_markdown_keeps_formatting_and_safe_links():
    html = render_markdown("**bold**, *soft*\n\n- one\n- two\n\n[a link](https://example.org)")
    assert "<strong>bold</strong>" in html
    assert "<em>soft</em>" in html
    assert "<li>one</li>" in html
    assert 'href="https://example.org"' in html
    assert "noopener" in html


def test_markdown_drops_scripts_handlers_styles_and_javascript_links():
    html = render_markdown(HOSTILE)
    assert_no_active_content(html)
    assert "<script" not in html
    assert "&lt;script&gt;" in html  # shown as harmless text
    assert "<strong>bold</strong>" in html


def test_nh3_removes_what_the_parser_might_let_through(monkeypatch):
    # Even if the Markdown parser passed raw HTML through, the cleaner removes it.
    from content import markdown

    monkeypatch.setattr(markdown, "_parser", markdown.MarkdownIt("commonmark", {"html": True}))
    html = markdown.render_markdown(HOSTILE)
    assert "<script" not in html
    assert_no_active_content(html)


def _hostile_reading():
    return ReadingFactory(
        slug="hostile",
        title="<script>alert('title')</script>",
        passage=HOSTILE,
        content_note="<script>alert('note')</script>",
        prompts="<script>alert('prompt')</script>\nSecond",
    )


def test_a_script_in_a_reading_never_reaches_the_facilitator_pages(client, owner, group):
    reading = _hostile_reading()
    session = weekly_sessions(group, 1)[0]
    session.reading_assignments.create(reading=reading, position=0)
    client.force_login(owner)
    for url in (
        reverse("content:reading_detail", kwargs={"slug": reading.slug}),
        reverse("content:reading_list"),
        reverse("content:session_readings", kwargs={"session_id": session.pk}),
        reverse("content:session_list"),
    ):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert_no_active_content(body)


def test_a_script_in_a_reading_never_reaches_the_member_view(client, admin_user):
    reading = _hostile_reading()
    client.force_login(admin_user)
    body = client.get(reverse("admin:content_reading_preview", args=[reading.pk])).content.decode()
    assert "<script>alert" not in body
    assert_no_active_content(body)
    assert "&lt;script&gt;alert(&#x27;note&#x27;)" in body  # shown as text, escaped


def test_a_script_in_a_reading_never_reaches_the_groups_member_page(client, group):
    session = weekly_sessions(group, 1)[0]
    session.reading_assignments.create(reading=_hostile_reading(), position=0)
    body = client.get(reverse("groups:member_group", args=[group.member_token])).content.decode()
    assert "&lt;script&gt;alert(&#x27;title&#x27;)" in body  # the reading is there, as text
    assert "<script>alert" not in body
    assert_no_active_content(body)

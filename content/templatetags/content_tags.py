from django import template
from django.utils.safestring import SafeString

from content.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.filter(name="as_readings")
def as_readings(items) -> list:
    """Session assignments or readings, as readings (the member include takes either)."""
    return [getattr(item, "reading", item) for item in items or ()]


@register.filter(name="for_session")
def for_session(readings_by_session: dict, session) -> list:
    """``readings_by_session|for_session:session``: one session's list from readings_for_sessions."""
    if not readings_by_session:
        return []
    return readings_by_session.get(getattr(session, "pk", session), [])

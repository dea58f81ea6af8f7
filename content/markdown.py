"""Markdown for readings, rendered safely.

markdown-it-py's "js-default" preset is the CommonMark-safe one: raw HTML is
escaped, not passed through, and dangerous link schemes are refused. nh3 then
cleans the output against a short allow-list, so even a mistake in the parser's
configuration cannot let a script, an inline style or an event handler through.
"""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_parser = MarkdownIt("js-default", {"typographer": False})

ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "hr",
    "a",
    "code",
    "pre",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


def render_markdown(text: str) -> SafeString:
    html = _parser.render(text or "")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 just above

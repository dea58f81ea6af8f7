"""Member pages rendered once and served again as text.

A page in the member layout depends on what its view passes in, the language, the
help resources and the settings, and never on the request: members have no session,
account or token, and these templates read none. So a page made from a few plain
values (a group's label, a help state, the readings) is rendered once per process for
each set of values and served again. The values are the key, with the language and
what the page shows of the help resources: a new label, an edited reading or
instrument, a changed helpline is another key, so no page is ever out of date and
nothing needs invalidating. A change of settings (tests) forgets every page. The
least recently served of more than KEEP pages is dropped.

Never a value that belongs to one member or one copy of a form: the check-in form's
send key is a placeholder in the kept text, replaced in each response (views).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import translation

from groups.selectors import help_resources_shown

KEEP = 256

_pages: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()


def page_text(template: str, values: dict[str, Hashable], build: Callable[[], dict] | None = None) -> str:
    """``template`` rendered with ``values``, plus what ``build()`` adds: objects the
    template needs that the values alone decide (the unbound check-in form). Rendered
    once per set of values, language and help resources, then served from memory."""
    key = (template, translation.get_language(), help_resources_shown(), tuple(sorted(values.items())))
    with _lock:
        text = _pages.get(key)
        if text is not None:
            _pages.move_to_end(key)
            return text
    text = render_to_string(template, {**values, **(build() if build else {})})
    with _lock:
        _pages[key] = text
        while len(_pages) > KEEP:
            _pages.popitem(last=False)
    return text


@receiver(setting_changed, dispatch_uid="member_pages_forget")
def pages_forget(**_signal_kwargs) -> None:
    """Forget every kept page (the settings a page is made with changed)."""
    with _lock:
        _pages.clear()

"""Member pages rendered once and served again as text.

A page in the member layout depends on what its view passes in, the language, the
help resources and the settings, and never on the request: members have no session,
account or token, and these templates read none. So a page made from a few plain
values (a help state, the readings, the instruments) is rendered once per process for
each set of values and served again. The values are the key, with the language and
what the page shows of the help resources: an edited reading or instrument, a changed
helpline is another key, so no page is ever out of date and nothing needs
invalidating. A change of settings (tests) forgets every page. The least recently
served of more than KEEP pages is dropped.

What differs between responses of one page (a group's label, the check-in form's send
key) is not part of the key: it is rendered as a slot and filled into the kept text,
escaped as the template would, in each response. So one page serves every group.
Never a value that belongs to a member: only what the view passes in.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from groups.selectors import help_resources_shown

KEEP = 256

_pages: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()

# A slot in a kept page: a name between two NUL characters, which no template writes
# and escaping leaves alone.
_SLOT = re.compile("\x00([a-z_]+)\x00")


def page_text(
    template: str,
    values: dict[str, Hashable],
    build: Callable[[], dict] | None = None,
    *,
    fill: dict[str, str] | None = None,
) -> str:
    """``template`` rendered with ``values``, plus what ``build()`` adds (objects the
    template needs that the values alone decide: the unbound check-in form), and with
    ``fill`` (name to text) filled in. Rendered once per set of values, language and
    help resources, then served from memory; only the filling is done each time."""
    fill = fill or {}
    key = (template, translation.get_language(), help_resources_shown(), tuple(sorted(values.items())), *fill)
    with _lock:
        text = _pages.get(key)
        if text is not None:
            _pages.move_to_end(key)
    if text is None:
        slots = {name: f"\x00{name}\x00" for name in fill}
        text = render_to_string(template, {**values, **(build() if build else {}), **slots})
        missing = [name for name, slot in slots.items() if slot not in text]
        if missing:
            raise ValueError(f"{template} does not write {missing} as given, so they cannot be filled in")
        with _lock:
            _pages[key] = text
            while len(_pages) > KEEP:
                _pages.popitem(last=False)
    if not fill:
        return text
    filled = {name: escape(value) for name, value in fill.items()}
    return _SLOT.sub(lambda slot: filled.get(slot.group(1), slot.group(0)), text)


@receiver(setting_changed, dispatch_uid="member_pages_forget")
def pages_forget(**_signal_kwargs) -> None:
    """Forget every kept page (the settings a page is made with changed)."""
    with _lock:
        _pages.clear()

"""Every write to the reading library and to session assignments."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from content.models import Reading, ReadingPlan, ReadingPlanItem, SessionNote, SessionReading, Source, Theme
from groups.models import Session

LIBRARY_FILE = Path(__file__).resolve().parent / "data" / "library.toml"

# Trailing lines a web page leaves behind when its text is copied out.
_BOILERPLATE = re.compile(r"^(leave a comment|share this|related posts?)$", re.IGNORECASE)


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _apply(obj, values: dict) -> bool:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return bool(changed)


def source_upsert(
    *, slug: str, title: str, credit_line: str, content_note: str = "", text: str = "", url: str = ""
) -> Source:
    source, created = Source.objects.get_or_create(
        slug=slug,
        defaults={
            "title": title,
            "credit_line": credit_line,
            "content_note": content_note,
            "text": text,
            "url": url,
        },
    )
    if not created and _apply(
        source,
        {"title": title, "credit_line": credit_line, "content_note": content_note, "text": text, "url": url},
    ):
        source.save()
    return source


def theme_upsert(*, slug: str, name: str, description: str = "") -> Theme:
    theme, created = Theme.objects.get_or_create(
        slug=slug, defaults={"name": name, "description": description}
    )
    if not created and _apply(theme, {"name": name, "description": description}):
        theme.save()
    return theme


def reading_upsert(
    *,
    source: Source,
    slug: str,
    title: str,
    passage: str,
    position: int,
    summary: str = "",
    content_note: str = "",
    prompts: Sequence[str] = (),
    themes: Iterable[Theme] = (),
    reading_minutes: int | None = None,
    is_published: bool = False,
) -> tuple[Reading, str]:
    """Create or update a reading by slug. Returns it with "created", "updated" or "unchanged".

    ``is_published`` only applies to a new reading: re-loading never publishes
    something an admin withdrew, nor hides what they published."""
    values = {
        "source": source,
        "title": title,
        "passage": passage.strip(),
        "position": position,
        "summary": summary,
        "content_note": content_note,
        "prompts": "\n".join(p.strip() for p in prompts if p.strip()),
        "reading_minutes": reading_minutes,
    }
    reading = Reading.objects.filter(slug=slug).first()
    if reading is None:
        reading = Reading.objects.create(slug=slug, is_published=is_published, **values)
        reading.themes.set(list(themes))
        return reading, "created"
    changed = _apply(reading, values)
    if changed:
        reading.save()
    wanted = {theme.pk for theme in themes}
    if wanted and set(reading.themes.values_list("pk", flat=True)) != wanted:
        reading.themes.set(list(wanted))
        changed = True
    return reading, "updated" if changed else "unchanged"


@transaction.atomic
def library_load(*, path: Path = LIBRARY_FILE) -> LoadResult:
    """Load the curated library (source, themes, readings, plans) from a TOML file.

    Idempotent: rows are matched by slug and only changed fields are written, so
    running it on every start adds no history noise."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    result = LoadResult()
    themes = {item["slug"]: theme_upsert(**item) for item in data.get("themes", [])}
    source_data = dict(data["source"])
    text_file = source_data.pop("text_file", None)
    if text_file:
        source_data["text"] = (path.parent / text_file).read_text(encoding="utf-8").strip()
    source = source_upsert(**source_data)
    for position, item in enumerate(data.get("readings", [])):
        unknown = set(item.get("themes", [])) - set(themes)
        if unknown:
            raise ValidationError(f"Reading {item['slug']} names unknown themes {sorted(unknown)}")
        _, outcome = reading_upsert(
            source=source,
            slug=item["slug"],
            title=item["title"],
            passage=item["passage"],
            position=position,
            summary=item.get("summary", ""),
            content_note=item.get("content_note", ""),
            prompts=item.get("prompts", []),
            themes=[themes[slug] for slug in item.get("themes", [])],
            reading_minutes=item.get("reading_minutes"),
            is_published=item.get("published", True),
        )
        setattr(result, outcome, getattr(result, outcome) + 1)
    for plan in data.get("plans", []):
        readings = list(Reading.objects.filter(slug__in=plan["readings"]))
        by_slug = {reading.slug: reading for reading in readings}
        missing = [slug for slug in plan["readings"] if slug not in by_slug]
        if missing:
            raise ValidationError(f"Plan {plan['slug']} names unknown readings {missing}")
        # A shipped plan is created once; after that it is the admins' to change.
        if not ReadingPlan.objects.filter(slug=plan["slug"]).exists():
            reading_plan_save(
                plan=None,
                title=plan["title"],
                description=plan.get("description", ""),
                readings=[by_slug[slug] for slug in plan["readings"]],
                user=None,
                slug=plan["slug"],
            )
    return result


# --- Importing a plain-text article ------------------------------------------------


def _paragraphs(text: str) -> list[str]:
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    paragraphs: list[str] = []
    for line in lines:
        if not line or _BOILERPLATE.match(line):
            continue
        # A list item joins the paragraph that introduces it.
        if line.startswith(("- ", "* ", "• ")) and paragraphs:
            paragraphs[-1] += "\n- " + line[2:].strip()
        else:
            paragraphs.append(line)
    return paragraphs


def article_split(*, text: str, target_words: int = 250) -> list[str]:
    """Split an article into passages of whole paragraphs, about ``target_words`` long.

    A paragraph is never cut, and a passage ending on a line that introduces a list
    ("Some hard facts:") keeps its list."""
    passages: list[list[str]] = [[]]
    words = 0
    for paragraph in _paragraphs(text):
        size = len(paragraph.split())
        if passages[-1] and words + size > target_words and words >= target_words // 2:
            passages.append([])
            words = 0
        passages[-1].append(paragraph)
        words += size
    return ["\n\n".join(passage) for passage in passages if passage]


def _draft_title(passage: str, limit: int = 8) -> str:
    first = re.split(r"(?<=[.?!])\s", passage.strip(), maxsplit=1)[0]
    words = first.split()
    return " ".join(words[:limit]).rstrip(",;:—-") + ("…" if len(words) > limit else "")


@transaction.atomic
def readings_import(*, text: str, source_title: str, credit_line: str, source_slug: str = "") -> LoadResult:
    """Load a plain-text article as draft readings, one per passage.

    Readings are keyed ``<source>-part-<n>``: re-importing the same (or a corrected)
    article updates those drafts in place rather than adding copies. Titles, prompts
    and the published flag an admin has set since are left alone."""
    slug = source_slug or slugify(source_title)[:80]
    if not slug:
        raise ValidationError(_("The source needs a title."))
    passages = article_split(text=text)
    if not passages:
        raise ValidationError(_("The file has no text to import."))
    source = Source.objects.filter(slug=slug).first()
    if source is None:
        source = Source.objects.create(
            slug=slug, title=source_title, credit_line=credit_line, text=text.strip()
        )
    elif _apply(source, {"text": text.strip()}):
        source.save()
    result = LoadResult()
    for index, passage in enumerate(passages):
        reading_slug = f"{slug}-part-{index + 1}"[:100]
        reading = Reading.objects.filter(slug=reading_slug).first()
        if reading is None:
            Reading.objects.create(
                source=source,
                slug=reading_slug,
                title=_draft_title(passage),
                passage=passage,
                position=index,
                is_published=False,
            )
            result.created += 1
        elif _apply(reading, {"passage": passage, "position": index}):
            reading.save()
            result.updated += 1
        else:
            result.unchanged += 1
    return result


# --- Publishing and ordering -------------------------------------------------------


def reading_publish_problems(*, content_note: str, prompts: str, summary: str) -> list[str]:
    """What a reading still lacks before members may see it (empty when it is ready).

    Members must be able to decide before reading (the content note), and the group
    needs something to talk about (two or three prompts)."""
    problems = []
    if not content_note.strip():
        problems.append(_("a content note"))
    if not summary.strip():
        problems.append(_("a one-line summary"))
    count = len([line for line in prompts.splitlines() if line.strip()])
    if not 2 <= count <= 3:
        problems.append(_("two or three reflection prompts (it has %(count)s)") % {"count": count})
    return problems


def readings_publish(*, readings: Iterable[Reading], published: bool) -> tuple[int, list[Reading]]:
    """Publish or withdraw readings; saved one by one so each change is in the history.

    Returns how many changed, and the readings left unpublished because they are
    not ready (see ``reading_publish_problems``)."""
    count, not_ready = 0, []
    for reading in readings:
        if published and reading_publish_problems(
            content_note=reading.content_note, prompts=reading.prompts, summary=reading.summary
        ):
            not_ready.append(reading)
            continue
        if reading.is_published != published:
            reading.is_published = published
            reading.save(update_fields=["is_published", "updated_at"])
            count += 1
    return count, not_ready


def reading_move(*, reading: Reading, offset: int) -> None:
    """Move a reading up (-1) or down (+1) within its source, renumbering the source."""
    siblings = list(Reading.objects.filter(source=reading.source_id).order_by("position", "id"))
    index = next(i for i, item in enumerate(siblings) if item.pk == reading.pk)
    target = max(0, min(len(siblings) - 1, index + offset))
    siblings.insert(target, siblings.pop(index))
    for position, item in enumerate(siblings):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position", "updated_at"])


# --- Session assignments -------------------------------------------------------------


def _session_changed(session_id: int) -> None:
    """The facilitator feed lists a session's readings in its entry: a new SEQUENCE
    (and LAST-MODIFIED) makes subscribed calendars take the new text."""
    Session.objects.filter(pk=session_id).update(sequence=F("sequence") + 1, updated_at=timezone.now())


def _renumber(session_id: int) -> None:
    for position, item in enumerate(
        SessionReading.objects.filter(session_id=session_id).order_by("position", "id")
    ):
        if item.position != position:
            SessionReading.objects.filter(pk=item.pk).update(position=position)


@transaction.atomic
def session_reading_assign(*, session, reading: Reading, note: str = "") -> SessionReading:
    if not reading.is_published:
        raise ValidationError(_("Only published readings can be assigned."))
    if SessionReading.objects.filter(session=session, reading=reading).exists():
        raise ValidationError(
            _("“%(title)s” is already assigned to this session.") % {"title": reading.title}
        )
    last = SessionReading.objects.filter(session=session).aggregate(last=Max("position"))["last"]
    assignment = SessionReading.objects.create(
        session=session, reading=reading, note=note.strip(), position=0 if last is None else last + 1
    )
    _session_changed(session.pk)
    return assignment


def session_reading_note_update(*, assignment: SessionReading, note: str) -> SessionReading:
    assignment.note = note.strip()
    assignment.save(update_fields=["note"])
    return assignment


def session_note_save(*, session, text: str) -> SessionNote:
    note, _created = SessionNote.objects.update_or_create(session=session, defaults={"text": text.strip()})
    return note


@transaction.atomic
def session_reading_remove(*, assignment: SessionReading) -> None:
    session_id = assignment.session_id
    assignment.delete()
    _renumber(session_id)
    _session_changed(session_id)


@transaction.atomic
def session_reading_move(*, assignment: SessionReading, offset: int) -> None:
    items = list(SessionReading.objects.select_for_update().filter(session_id=assignment.session_id))
    items.sort(key=lambda item: (item.position, item.pk))
    index = next(i for i, item in enumerate(items) if item.pk == assignment.pk)
    target = max(0, min(len(items) - 1, index + offset))
    items.insert(target, items.pop(index))
    moved = False
    for position, item in enumerate(items):
        if item.position != position:
            SessionReading.objects.filter(pk=item.pk).update(position=position)
            moved = True
    if moved:
        _session_changed(assignment.session_id)


# --- Reading plans -----------------------------------------------------------------


def _unique_plan_slug(title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:90] or "plan"
    slug, n = base, 2
    others = (
        ReadingPlan.objects.exclude(pk=exclude_pk) if exclude_pk is not None else ReadingPlan.objects.all()
    )
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def reading_plan_save(
    *,
    plan: ReadingPlan | None,
    title: str,
    description: str,
    readings: Sequence[Reading],
    user,
    slug: str = "",
) -> ReadingPlan:
    """Create a plan (``plan=None``) or replace an existing plan's title and sequence."""
    if not readings:
        raise ValidationError(_("A plan needs at least one reading."))
    if plan is None:
        plan = ReadingPlan.objects.create(
            title=title.strip(),
            description=description.strip(),
            slug=slug or _unique_plan_slug(title),
            created_by=user if user is not None and user.is_authenticated else None,
        )
    else:
        plan.title, plan.description = title.strip(), description.strip()
        plan.save()
        plan.items.all().delete()
    ReadingPlanItem.objects.bulk_create(
        ReadingPlanItem(plan=plan, reading=reading, position=position)
        for position, reading in enumerate(readings)
    )
    return plan


def reading_plan_delete(*, plan: ReadingPlan) -> None:
    plan.delete()


@dataclass
class PlanApplied:
    assigned: list[tuple[object, Reading]]
    skipped_sessions: int
    unused_readings: int


@transaction.atomic
def reading_plan_apply(*, plan: ReadingPlan, sessions: Sequence, replace: bool = False) -> PlanApplied:
    """Give each session, in the order given, the next reading of the plan.

    ``sessions`` is any ordered list or queryset (a group's sessions from a chosen
    one onward, or a series). Cancelled sessions are passed over. With ``replace``
    a session's earlier readings are removed first; without it the plan's reading
    is added after them (and skipped where it is already assigned)."""
    items = list(plan.items.select_related("reading").order_by("position", "id"))
    usable = [s for s in sessions if getattr(s, "status", "scheduled") != "cancelled"]
    readings = [item.reading for item in items if item.reading.is_published]
    pairs = list(zip(usable, readings, strict=False))
    assigned = []
    for session, reading in pairs:
        if replace and SessionReading.objects.filter(session=session).delete()[0]:
            _session_changed(session.pk)
        if SessionReading.objects.filter(session=session, reading=reading).exists():
            continue
        session_reading_assign(session=session, reading=reading)
        assigned.append((session, reading))
    return PlanApplied(
        assigned=assigned,
        skipped_sessions=max(0, len(usable) - len(readings)),
        unused_readings=max(0, len(readings) - len(usable)),
    )

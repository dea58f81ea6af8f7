"""The first published versions of the two instruments every check-in uses.

WHO-5: the published English wording, unaltered, with the credit its authors ask
for (Psychiatric Research Unit, WHO Collaborating Centre in Mental Health,
Frederiksborg General Hospital). The program's own items were written for these
groups. Admins change either by publishing a new version; this migration never runs
again over their changes.
"""

from django.db import migrations
from django.utils import timezone

WHO5_OPTIONS = [
    [5, "All of the time"],
    [4, "Most of the time"],
    [3, "More than half of the time"],
    [2, "Less than half of the time"],
    [1, "Some of the time"],
    [0, "At no time"],
]
WHO5_ITEMS = [
    "I have felt cheerful and in good spirits",
    "I have felt calm and relaxed",
    "I have felt active and vigorous",
    "I woke up feeling fresh and rested",
    "My daily life has been filled with things that interest me",
]
# The anchors ("0 means no pull at all…") are in the item's hint, which screen
# readers announce with the group; the buttons themselves stay short.
PULL_OPTIONS = [[n, str(n)] for n in range(11)]
CONNECTION_OPTIONS = [
    [1, "1 – not connected"],
    [2, "2"],
    [3, "3"],
    [4, "4"],
    [5, "5 – very connected"],
]
SAFE_OPTIONS = [["yes", "Yes"], ["not_sure", "Not sure"], ["no", "No"]]


def load(apps, schema_editor):
    Instrument = apps.get_model("checkins", "Instrument")
    InstrumentVersion = apps.get_model("checkins", "InstrumentVersion")
    Item = apps.get_model("checkins", "Item")
    now = timezone.now()

    who5, _ = Instrument.objects.get_or_create(
        key="who5", defaults={"name": "WHO-5 Well-Being Index", "position": 1}
    )
    if not who5.versions.exists():
        version = InstrumentVersion.objects.create(
            instrument=who5,
            number=1,
            intro=(
                "Please indicate for each of the five statements which is closest to how you have been "
                "feeling over the last two weeks. Over the last two weeks:"
            ),
            credit=(
                "WHO-5 Well-Being Index © Psychiatric Research Unit, WHO Collaborating Centre in Mental "
                "Health, Frederiksborg General Hospital, DK-3400 Hillerød."
            ),
            published_at=now,
        )
        for n, prompt in enumerate(WHO5_ITEMS, start=1):
            Item.objects.create(
                version=version, key=f"item{n}", position=n, kind="scale", prompt=prompt, options=WHO5_OPTIONS
            )

    program, _ = Instrument.objects.get_or_create(
        key="program", defaults={"name": "This group's own questions", "position": 2}
    )
    if not program.versions.exists():
        version = InstrumentVersion.objects.create(
            instrument=program,
            number=1,
            intro="A few questions of our own, about this week.",
            published_at=now,
        )
        items = [
            dict(
                key="pull",
                kind="scale",
                prompt="This week, how strong was the pull to contact the person who hurt you?",
                help_text="0 means no pull at all, 10 the strongest pull you can imagine.",
                options=PULL_OPTIONS,
            ),
            dict(
                key="connection",
                kind="scale",
                prompt="How connected do you feel to this group?",
                options=CONNECTION_OPTIONS,
            ),
            dict(key="safe", kind="choice", prompt="Do you feel safe right now?", options=SAFE_OPTIONS),
            dict(
                key="resonated",
                kind="readings",
                prompt="Which of this session's readings resonated with you?",
                help_text="Choose any, or none.",
                required=False,
            ),
            dict(
                key="comment",
                kind="text",
                prompt="Anything you would like the facilitators to know? (optional)",
                help_text="One line. No names, please: not yours, and not anyone else's.",
                required=False,
                max_length=200,
            ),
        ]
        for position, item in enumerate(items, start=1):
            Item.objects.create(version=version, position=position, **item)


class Migration(migrations.Migration):
    dependencies = [("checkins", "0001_instruments_windows_answers")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

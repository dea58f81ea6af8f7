from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from content.models import Reading, Source
from content.services import LIBRARY_FILE, article_split, readings_import

pytestmark = pytest.mark.django_db

ARTICLE = (LIBRARY_FILE.parent / "article.txt").read_text(encoding="utf-8")


def test_the_article_splits_into_whole_paragraph_passages_that_cover_it_all():
    passages = article_split(text=ARTICLE)
    assert 5 <= len(passages) <= 12
    joined = "\n\n".join(passages)
    assert "Leave a comment" not in joined
    for line in ARTICLE.splitlines():
        line = line.strip()
        if line and line != "Leave a comment":
            assert line.lstrip("- ") in joined
    # The list of hard facts stays with the sentence that introduces it.
    facts = next(p for p in passages if "Some hard (yet healing) facts:" in p)
    assert "- You did not actually love them." in facts


def test_importing_creates_draft_readings_and_reimporting_updates_them():
    first = readings_import(text=ARTICLE, source_title="An essay", credit_line="From an unsigned essay.")
    assert first.created == Reading.objects.count() > 0
    assert not Reading.objects.filter(is_published=True).exists()
    reading = Reading.objects.order_by("position").first()
    reading.title = "A title an admin chose"
    reading.save()

    corrected = ARTICLE.replace("Why is this?", "Why does this happen?")
    second = readings_import(text=corrected, source_title="An essay", credit_line="From an unsigned essay.")
    assert second.created == 0
    assert second.updated == 1
    assert Reading.objects.count() == first.created
    reading.refresh_from_db()
    assert reading.title == "A title an admin chose"
    assert "Why does this happen?" in reading.passage
    assert Source.objects.count() == 1


def test_the_import_command_loads_a_file_and_can_be_run_again(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    out = StringIO()
    call_command("import_readings", str(path), "--title", "An essay", stdout=out)
    count = Reading.objects.count()
    assert f"{count} created" in out.getvalue()
    call_command("import_readings", str(path), "--title", "An essay", stdout=out)
    assert Reading.objects.count() == count
    assert f"{count} unchanged" in out.getvalue()
    assert Source.objects.get().credit_line == "From an unsigned article."


def test_the_import_command_explains_an_unreadable_or_empty_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_readings", str(tmp_path / "missing.txt"))
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_readings", str(empty), "--title", "Empty")

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from content.services import readings_import

DEFAULT_CREDIT = "From an unsigned article."


class Command(BaseCommand):
    help = (
        "Split a plain-text article into draft readings (whole paragraphs, about --words long). "
        "Re-running it on the same source updates those drafts instead of adding copies."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A UTF-8 plain-text file.")
        parser.add_argument("--title", help="The source's title (default: the file's first line).")
        parser.add_argument("--slug", default="", help="The source's slug (default: from the title).")
        parser.add_argument(
            "--credit",
            default=DEFAULT_CREDIT,
            help="How the source is credited. Name an author only if the text names one.",
        )

    def handle(self, *args, file: str, title: str | None, slug: str, credit: str, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
        try:
            result = readings_import(
                text=text, source_title=(title or first_line)[:200], credit_line=credit, source_slug=slug
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"Draft readings: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged. "
            "Review and publish them in the admin."
        )

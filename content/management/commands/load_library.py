from pathlib import Path

from django.core.management.base import BaseCommand

from content.services import LIBRARY_FILE, library_load


class Command(BaseCommand):
    help = "Load the shipped reading library (source, themes, readings, plans). Safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(LIBRARY_FILE), help="A library TOML file.")

    def handle(self, *args, path: str, **options):
        result = library_load(path=Path(path))
        self.stdout.write(
            f"Reading library: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )

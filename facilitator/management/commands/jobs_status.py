"""Show the last run of each periodic task and any work that is overdue.

With --check, exit with status 1 when something is overdue (for a monitoring probe).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from facilitator import health


def _ago(moment, now) -> str:
    if moment is None:
        return "never"
    seconds = int((now - moment).total_seconds())
    if seconds < 120:
        return f"{seconds}s ago"
    if seconds < 7200:
        return f"{seconds // 60}m ago"
    return f"{seconds // 3600}h ago"


class Command(BaseCommand):
    help = "The last run of each periodic task, and any overdue background work."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Exit with status 1 if work is overdue.")

    def handle(self, *args, check: bool = False, **options):
        now = timezone.now()
        self.stdout.write("Periodic tasks")
        for row in health.periodic_tasks_status():
            if not row["in_beat_schedule"]:
                beat = "not yet in beat's schedule (start beat once)"
            elif not row["enabled"]:
                beat = "DISABLED in the admin"
            else:
                beat = f"sent {_ago(row['last_sent_by_beat'], now)} ({row['sent_count']} times)"
            completed = (
                f", completed {_ago(row['last_completed'], now)}" if row["last_completed"] is not None else ""
            )
            self.stdout.write(f"  {row['name']:<32} every {row['every_seconds']}s, {beat}{completed}")
        self.stdout.write("Overdue work")
        overdue = health.overdue_work(now=now)
        for kind, count in overdue.items():
            self.stdout.write(f"  {kind.replace('_', ' '):<32} {count}")
        total = sum(overdue.values())
        self.stdout.write("Nothing is overdue." if not total else f"{total} item(s) overdue.")
        if check and total:
            raise CommandError("Background work is overdue: is a worker and beat running?")

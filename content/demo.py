"""Demo readings for ``make run``: the shipped twelve-week plan applied to the demo
group's series, leaving its last two sessions unplanned so the home page shows
what still needs preparing. Idempotent: a group that has any reading is left alone."""

from content.models import ReadingPlan, SessionReading
from content.services import PlanApplied, reading_plan_apply

DEMO_PLAN_SLUG = "twelve-weeks-through-the-article"
LEFT_TO_PREPARE = 2


def demo_readings_ensure(*, group) -> PlanApplied | None:
    if SessionReading.objects.filter(session__group=group).exists():
        return None
    plan = ReadingPlan.objects.filter(slug=DEMO_PLAN_SLUG).first()
    if plan is None:  # the library has not been loaded (make run loads it first)
        return None
    sessions = list(group.sessions.order_by("starts_at", "id"))
    return reading_plan_apply(plan=plan, sessions=sessions[: len(sessions) - LEFT_TO_PREPARE])

"""Template tags for the member layout, so any app's member page gets the same
help resources and quick-exit target without its view passing them in."""

from django import template
from django.conf import settings

from groups.models import HelpResource
from groups.selectors import help_resources

register = template.Library()


@register.simple_tag
def member_help_resources() -> list[HelpResource]:
    """The helplines to list (the emergency number is named apart)."""
    return [resource for resource in help_resources() if not resource.emergency]


@register.simple_tag
def member_emergency_number() -> HelpResource | None:
    """The deployment's emergency number (999, 911), or None."""
    return next((resource for resource in help_resources() if resource.emergency and resource.phone), None)


@register.simple_tag
def quick_exit_url() -> str:
    return settings.QUICK_EXIT_URL

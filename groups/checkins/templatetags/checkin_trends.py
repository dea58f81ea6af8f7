from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """A share (0-1) as a whole percentage."""
    return "" if value is None else f"{value * 100:.0f}%"


@register.filter
def one(value) -> str:
    """A mean to one decimal place."""
    return "" if value is None else f"{value:.1f}"


@register.filter
def signed(value) -> str:
    return "" if value is None else f"{value:+.1f}"

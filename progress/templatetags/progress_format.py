"""Filters for the progress and statistics pages: shares as percentages, seconds as durations."""

from django import template

register = template.Library()

NONE = "—"


@register.filter
def percent(share) -> str:
    """0.625 -> "63%"; None (undefined) -> "—"."""
    return NONE if share is None else f"{round(100 * share)}%"


@register.filter
def decimal2(value) -> str:
    """0.6123 -> "0.61", -0.5 -> "−0.50" (a real minus sign); None -> "—"."""
    return NONE if value is None else f"{value:.2f}".replace("-", "−")


@register.filter
def duration(seconds) -> str:
    """Seconds as "45 s", "3 min 05 s", "25 min", "2 h 10 min"; None -> "—"."""
    if seconds is None:
        return NONE
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 10:
        return f"{minutes} min {seconds:02d} s"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@register.filter
def get_item(mapping, key):
    """``mapping[key]``, or None when missing (for dicts keyed by id)."""
    return mapping.get(key) if mapping else None

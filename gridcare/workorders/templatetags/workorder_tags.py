"""Template helpers of the work-order pages: remaining time and deadline badges."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def _span(seconds: int) -> str:
    seconds = abs(int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(days)d天%(hours)d小时") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d小时%(minutes)d分") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d分钟") % {"minutes": minutes}


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@register.simple_tag
def due_badge(due_at, met_at=None, paused=False):
    """A coloured badge: red when overdue, amber within two hours, green otherwise."""
    if met_at is not None:
        late = due_at is not None and met_at > due_at
        return format_html(
            '<span class="badge {}">{}</span>',
            "red" if late else "green",
            _("超时完成") if late else _("按时完成"),
        )
    if paused:
        return format_html('<span class="badge">{}</span>', _("已暂停计时"))
    if due_at is None:
        return ""
    left = (due_at - timezone.now()).total_seconds()
    if left < 0:
        return format_html(
            '<span class="badge red" title="{}">{}</span>',
            _local(due_at),
            _("超时 %(span)s") % {"span": _span(left)},
        )
    colour = "amber" if left < 7200 else "green"
    return format_html(
        '<span class="badge {}" title="{}">{}</span>',
        colour,
        _local(due_at),
        _("剩余 %(span)s") % {"span": _span(left)},
    )

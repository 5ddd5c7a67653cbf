"""Home-page widgets contributed by apps: fn(request) -> dict(title, template, context) or None."""

from collections.abc import Callable

HOME_WIDGETS: list[Callable] = []


def register_home_widget(fn: Callable) -> Callable:
    HOME_WIDGETS.append(fn)
    return fn


def widgets_for(request) -> list[dict]:
    out = []
    for fn in HOME_WIDGETS:
        w = fn(request)
        if w:
            out.append(w)
    return out


@register_home_widget
def calendar_warning_widget(request):
    """Admins (``core.configure``): next year's holidays are due from 1 October, and every
    deadline counted into a year nobody entered is provisional until they are."""
    from .authz import has_perm
    from .calendar import calendar_warning

    user = request.user
    if not user.is_authenticated or not has_perm(user, "core.configure"):
        return None
    year = calendar_warning()
    if year is None:
        return None
    from django.utils.translation import gettext as _

    return {
        "title": _("工作日历：%(year)s 年节假日尚未录入") % {"year": year},
        "template": "core/_home_calendar.html",
        "context": {"year": year},
    }

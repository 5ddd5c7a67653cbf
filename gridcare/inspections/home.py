"""The supervisor's home widget: sites not yet inspected this quarter (the quarter rule
shows up by itself, without anyone opening the coverage page)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridcare.core.authz import has_perm
from gridcare.core.home import register_home_widget

SHOWN = 8


@register_home_widget
def missing_inspections_widget(request):
    user = request.user
    if not user.is_authenticated or not has_perm(user, "inspections.view"):
        return None
    from . import selectors

    quarter = selectors.current_quarter()
    missing = selectors.sites_missing(user, quarter)
    if not missing:
        return None
    return {
        "title": _("本季度未检查的对象"),
        "template": "inspections/_home_missing.html",
        "context": {
            "quarter": quarter,
            "count": len(missing),
            "sites": missing[:SHOWN],
            "more": max(0, len(missing) - SHOWN),
        },
    }

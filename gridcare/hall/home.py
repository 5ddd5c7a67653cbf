"""The clerk's home widget: my counter (the one last opened on the counter page) and how
many it may call now."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridcare.core.authz import has_perm
from gridcare.core.home import register_home_widget


@register_home_widget
def my_counter_widget(request):
    user = request.user
    if not user.is_authenticated or not has_perm(user, "hall.serve"):
        return None
    from . import selectors
    from .views import SESSION_COUNTER

    # The counter the clerk chose last (on the counter page); none chosen: no widget, no query.
    pk = request.session.get(SESSION_COUNTER)
    counter = selectors.counter_get(user, pk) if isinstance(pk, int) else None
    if counter is None:
        return None
    from django.utils import timezone

    # How many this counter may call now (the filter does not depend on the ordering's
    # longest-wait rule: no settings read). Two queries in all.
    waiting = selectors.next_candidates(counter, now=timezone.now(), max_wait_minutes=0).order_by().count()
    return {
        "title": _("我的窗口"),
        "template": "hall/_home_counter.html",
        "context": {"counter": counter, "waiting": waiting},
    }

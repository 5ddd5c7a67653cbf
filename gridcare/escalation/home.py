"""Home-page widget: the user's unread notifications and, for supervisors, open escalations."""

from gridcare.core.home import register_home_widget


@register_home_widget
def escalation_widget(request):
    user = request.user
    if not user.is_authenticated:
        return None
    from . import selectors

    items = list(selectors.notifications_for(user, unread_only=True)[:5])
    return {
        "title": "通知",
        "template": "escalation/_home_widget.html",
        "context": {"items": items, "unread": selectors.unread_count(user)},
    }

from django.conf import settings

from gridcare.org.selectors import staff_of, user_can_administer, user_role

from .navigation import nav_for


def gridcare(request):
    user = getattr(request, "user", None)
    role = user_role(user)
    return {
        "nav_items": nav_for(role) if user is not None and user.is_authenticated else [],
        "DEMO_MODE": settings.DEMO_MODE,
        "staff": staff_of(user),
        "user_role": role,
        "can_administer": user_can_administer(user) if user is not None else False,
    }

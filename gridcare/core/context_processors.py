from django.conf import settings

from gridcare.org.selectors import staff_of, user_can_administer, user_role


def gridcare(request):
    user = getattr(request, "user", None)
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "staff": staff_of(user),
        "user_role": user_role(user),
        "can_administer": user_can_administer(user) if user is not None else False,
    }

from django.conf import settings

from .authz import PermissionLookup, has_perm, role_of
from .navigation import nav_for, nav_menu


def gridcare(request):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    items = nav_for(user) if signed_in else []
    return {
        "nav_items": items,
        "nav_menu": nav_menu(user, items) if signed_in else [],
        "DEMO_MODE": settings.DEMO_MODE,
        "staff": getattr(user, "staff", None) if signed_in and hasattr(user, "staff") else None,
        "user_role": role_of(user) if signed_in else None,
        # {% if can.customers.update %}: the one permission table, in templates.
        "can": PermissionLookup(user if signed_in else None),
        "can_administer": signed_in and has_perm(user, "core.configure"),
    }

"""The API's one permission class: each view names the permission of each of its actions.

::

    class CustomerViewSet(...):
        permissions_by_action = {
            "list": "customers.view",
            "retrieve": "customers.view",
            "partial_update": "customers.update",
            ...
        }

An action without a declared permission is refused (and the permission-matrix test
fails), so a new endpoint cannot be open by accident. Which *objects* a user may touch is
the querysets' business (``visible_to``): an object out of scope answers 404.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission

from gridcare.core.authz import has_perm


def action_permission(view) -> str | None:
    """The permission ``view``'s current action needs (None: not declared)."""
    mapping = getattr(view, "permissions_by_action", None) or {}
    action = getattr(view, "action", None)
    if action is None:  # a plain APIView: by HTTP method, or one permission for all
        action = view.request.method.lower() if getattr(view, "request", None) else None
    return mapping.get(action) or mapping.get("*")


class ActionPermission(BasePermission):
    message = gettext_lazy("无权执行此操作")

    def has_permission(self, request, view) -> bool:
        perm = action_permission(view)
        if perm is None:
            return False
        return has_perm(request.user, perm)

"""Authorization: one permission table, one check.

``can(user, perm, obj=None)`` is the only question anybody asks — services (which stay the
authority), views, API permission classes, the navigation and the templates' buttons.
A permission is granted to roles (and, for a few, only at certain levels of the
organisation); ``obj`` adds the object's scope (``gridcare.core.scoping``): a user may act
on an object only when it is visible to them.

Core does not know what roles or units are. The organisation app registers the permission
table and how to read a user's role and unit (``configure``) when Django starts; every
other app only names permissions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404

from .errors import PermissionDeniedError


@dataclass(frozen=True)
class Permission:
    """One thing a user may do or see, and who may.

    ``unit_kinds``: when set, the user's own unit must be of one of these kinds (figures
    that only make sense for the whole company, such as the hotline's staffing plan).
    """

    name: str
    roles: frozenset[str]
    label: object = ""  # a lazy translation: "查看工单"
    unit_kinds: frozenset[str] | None = None


@dataclass
class _Registry:
    permissions: dict[str, Permission] = field(default_factory=dict)
    role_of: Callable | None = None
    unit_kind_of: Callable | None = None


_registry = _Registry()


def configure(*, permissions: Iterable[Permission], role_of: Callable, unit_kind_of: Callable) -> None:
    """Called once by the organisation app: the table, and how to read a user's role and unit kind."""
    _registry.permissions = {p.name: p for p in permissions}
    _registry.role_of = role_of
    _registry.unit_kind_of = unit_kind_of


def permissions() -> dict[str, Permission]:
    return dict(_registry.permissions)


def permission(name: str) -> Permission:
    try:
        return _registry.permissions[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"unknown permission {name!r}: add it to gridcare/org/permissions.py"
        ) from None


def is_permission(name: str) -> bool:
    return name in _registry.permissions


def role_of(user) -> str | None:
    if _registry.role_of is None:  # pragma: no cover - configured at start-up
        raise ImproperlyConfigured("authorization is not configured")
    return _registry.role_of(user)


def user_permissions(user) -> frozenset[str]:
    """Every permission ``user`` holds (by role and unit level), cached on the user object."""
    cached = getattr(user, "_gridcare_perms", None)
    if cached is not None:
        return cached
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        result: frozenset[str] = frozenset()
    else:
        role = role_of(user)
        kind = _registry.unit_kind_of(user) if role else None
        result = frozenset(
            p.name
            for p in _registry.permissions.values()
            if role in p.roles and (p.unit_kinds is None or kind in p.unit_kinds)
        )
    try:
        user._gridcare_perms = result
    except AttributeError:  # AnonymousUser and the like
        pass
    return result


def has_perm(user, name: str) -> bool:
    permission(name)  # an unknown name is a programming error, never a silent "no"
    return name in user_permissions(user)


def can(user, name: str, obj=None) -> bool:
    """May ``user`` do ``name`` (to ``obj``, which must then be within their scope)?"""
    if not has_perm(user, name):
        return False
    if obj is None:
        return True
    from .scoping import is_visible

    return is_visible(user, obj)


def require(user, name: str, obj=None) -> None:
    """``can`` or a ``PermissionDeniedError`` (403) naming what was refused."""
    if not can(user, name, obj):
        from django.utils.translation import gettext

        label = permission(name).label or name
        raise PermissionDeniedError(gettext("无权%(what)s") % {"what": label}, details={"permission": name})


def roles_with(name: str) -> frozenset[str]:
    return permission(name).roles


# ------------------------------------------------------------------------------ views


def requires(perm: str):
    """Decorate a page: sign-in required, then ``perm`` (403 otherwise).

    ``perm`` may name URL arguments (``"workorders.{action}"``); a name that is then not a
    permission is a page that does not exist (404). The declared permission is kept on
    the view (``gridcare_permission``) so the navigation shows only entries the user can
    open and the permission-matrix test finds every page.
    """

    def deco(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            name = perm.format(**kwargs) if "{" in perm else perm
            if not is_permission(name):
                raise Http404
            if not has_perm(user, name):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        wrapped.gridcare_permission = perm
        return wrapped

    return deco


def public(view):
    """Mark a page that needs no sign-in (login, health check): declared, so the
    permission-matrix test knows it is meant to be open."""
    view.gridcare_public = True
    return view


def view_permission(view) -> str | None:
    """The permission a resolved view function declares (None if none)."""
    return getattr(view, "gridcare_permission", None)


def usable_url(user, url: str | None) -> str | None:
    """``url`` when the user may open the page it leads to, else None: a role never sees a
    link it cannot use (the page's declared permission, read from the view it resolves to)."""
    if not url:
        return None
    from django.urls import Resolver404, resolve

    try:
        perm = view_permission(resolve(url.split("?")[0]).func)
    except Resolver404:
        return None
    if perm and "{" not in perm and not has_perm(user, perm):
        return None
    return url


# -------------------------------------------------------------------------- templates


class PermissionLookup:
    """``{% if can.customers.update %}`` in templates: the user's permissions by app and name."""

    def __init__(self, user, prefix: str = ""):
        self._user = user
        self._prefix = prefix

    def __getitem__(self, key: str):
        name = f"{self._prefix}.{key}" if self._prefix else key
        if is_permission(name):
            return has_perm(self._user, name)
        if any(p.startswith(name + ".") for p in _registry.permissions):
            return PermissionLookup(self._user, name)
        raise KeyError(name)

    def __contains__(self, name: str) -> bool:
        return is_permission(name) and has_perm(self._user, name)

    def __iter__(self):  # templates must not iterate it by accident
        raise TypeError("PermissionLookup is not iterable")

    def __bool__(self) -> bool:
        return bool(user_permissions(self._user))

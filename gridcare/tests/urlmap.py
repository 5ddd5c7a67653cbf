"""Every page and API endpoint, enumerated from the URL configuration, with the permission
each declares — so a new endpoint without a declared permission cannot go unnoticed."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Not GridCare's pages, or public by design (declared with ``public`` where we own them).
FOREIGN_PREFIXES = ("admin/", "i18n/")


@dataclass(frozen=True)
class Endpoint:
    route: str
    name: str
    callback: object
    api: bool

    @property
    def view_class(self):
        return getattr(self.callback, "cls", None)

    @property
    def public(self) -> bool:
        return bool(getattr(self.callback, "gridcare_public", False))

    def methods(self) -> dict[str, str | None]:
        """HTTP method -> the DRF action it runs (API), or {"get": None} for a page."""
        if not self.api:
            return {"get": None}
        actions = getattr(self.callback, "actions", None)
        if actions:
            return dict(actions)
        cls = self.view_class
        return {m: m for m in ("get", "post", "put", "patch", "delete") if hasattr(cls, m)}

    def permission(self, method: str = "get") -> str | None:
        if not self.api:
            return getattr(self.callback, "gridcare_permission", None)
        action = self.methods().get(method)
        mapping = getattr(self.view_class, "permissions_by_action", None) or {}
        return mapping.get(action) or mapping.get("*")


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), full)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield prefix + str(p.pattern), name or "", p.callback


def endpoints() -> list[Endpoint]:
    out = []
    for route, name, callback in _walk(get_resolver().url_patterns):
        if route.startswith(FOREIGN_PREFIXES):
            continue
        out.append(Endpoint(route=route, name=name, callback=callback, api=route.startswith("api/")))
    return out

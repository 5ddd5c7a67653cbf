"""A small crawler over Django's test client: pages, their links and forms, and what each
link needs (the permission its view declares)."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

from gridcare.core.authz import has_perm, is_permission, view_permission

# Not pages of GridCare's own: the Django admin, the language switch, the API's docs,
# static files, signing out (the crawl would end its own session).
SKIP_PREFIXES = ("/admin/", "/i18n/", "/static/", "/api/docs", "/api/schema", "/api/redoc", "/logout/")


@dataclass(frozen=True)
class Link:
    url: str  # path with query string
    kind: str  # "a", "hx-get", "hx-post", "form-get", "form-post"
    source: str  # the page it was found on


class _LinkParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[Link] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self._add(a["href"], "a")
        if tag == "form":
            method = (a.get("method") or "get").lower()
            self._add(a.get("action") or self.page, f"form-{method}")
        for attr in ("hx-get", "hx-post"):
            if a.get(attr):
                self._add(a[attr], attr)

    def _add(self, url: str, kind: str):
        url = url.strip()
        if not url or url.startswith(("#", "mailto:", "javascript:", "tel:")):
            return
        if url.startswith("?"):
            url = urlsplit(self.page).path + url
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            return  # another site
        if not parts.path.startswith("/"):
            return
        self.links.append(Link(url=url, kind=kind, source=self.page))


def links_of(page: str, html: str) -> list[Link]:
    parser = _LinkParser(page)
    parser.feed(html)
    return [link for link in parser.links if not link.url.startswith(SKIP_PREFIXES)]


def required_permission(url: str) -> str | None:
    """The permission the view behind ``url`` declares (URL arguments filled in); None for
    a public page or one that is not GridCare's."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        raise AssertionError(f"link to a page that does not exist: {url}") from None
    perm = view_permission(match.func)
    if perm and "{" in perm:
        perm = perm.format(**match.kwargs)
    return perm


def assert_link_usable(user, link: Link) -> None:
    """A role never sees a link, button or form it cannot use."""
    perm = required_permission(link.url)
    if perm is None:
        return
    assert is_permission(perm), f"{link.url} (on {link.source}) needs unknown permission {perm}"
    assert has_perm(user, perm), (
        f"{user.username} is offered {link.kind} {link.url} on {link.source}, which needs {perm} they do not hold"
    )

"""Article bodies are rich text: what an editor (or an import) wrote is cleaned with nh3 to a
small set of tags before it is stored, so a ``<script>``, an event handler or a
``javascript:`` link never reaches an agent's screen. Plain text (no tags) becomes
paragraphs."""

from __future__ import annotations

import html
import re

import nh3

TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "span",
}
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
_TAG_RE = re.compile(r"<[a-zA-Z/!]")


def clean_body(body: str | None) -> str:
    """Safe HTML for an article body."""
    body = (body or "").strip()
    if not body:
        return ""
    if not _TAG_RE.search(body):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\r\n\s*\r\n|\n", body) if p.strip()]
        return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return nh3.clean(
        body,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    ).strip()


def plain_text(body: str | None) -> str:
    """The text of a (clean) body, for the index and for SMS."""
    text = nh3.clean(re.sub(r"</(p|li|h3|h4|tr|blockquote)>|<br\s*/?>", "\n", body or ""), tags=set())
    text = html.unescape(text)
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n", text)).strip()

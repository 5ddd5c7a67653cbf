"""Where rectification items come from (整改来源): each app that turns a found problem into
an item registers its source kind once, at start-up, with its label and — where there is
one — a link to the problem's own page:

    register_source_kind("inspection_finding", _("安全检查发现问题"), link=finding_url)

``link(source_ref) -> str | None`` is called when an item's page is shown. A source kind
nobody registered reads as its code (an app that was removed leaves readable items).
``verified_only=True``: an item of this source closes only by a verified fix — it cannot be
cancelled (a failed inspection item is not withdrawn, it is put right).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class SourceKind:
    code: str
    label: object
    link: Callable[[str], str | None] | None = None
    verified_only: bool = False


_KINDS: dict[str, SourceKind] = {}

MANUAL = "manual"


def register_source_kind(
    code: str, label, *, link: Callable[[str], str | None] | None = None, verified_only: bool = False
) -> SourceKind:
    if not code or len(code) > 40:
        raise ValueError("a source kind is a code of 1-40 characters")
    kind = SourceKind(code, label, link, verified_only)
    _KINDS[code] = kind
    return kind


def source_kinds() -> list[SourceKind]:
    return sorted(_KINDS.values(), key=lambda k: k.code)


def is_source_kind(code: str) -> bool:
    return code in _KINDS


def closes_only_verified(code: str) -> bool:
    """Whether items of source ``code`` may close only by a verified fix (no cancelling)."""
    kind = _KINDS.get(code)
    return kind is not None and kind.verified_only


def source_label(code: str) -> str:
    kind = _KINDS.get(code)
    return str(kind.label) if kind is not None else code


def source_link(code: str, ref: str) -> str | None:
    kind = _KINDS.get(code)
    if kind is None or kind.link is None or not ref:
        return None
    try:
        return kind.link(ref)
    except Exception:  # a source's page that cannot be linked must not break the item's page
        return None


# Problems found by people and entered by hand (a supervisor's own finding).
register_source_kind(MANUAL, _("人工登记"))

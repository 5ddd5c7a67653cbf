"""Sections of a customer manager's worklist (客户经理工作台) contributed by the apps that
own the work, filled at start-up like the detail panels (``core.panels``):

    register_worklist_section("inspections", fn, order=40)

``fn(viewer, manager, customers) -> dict | None``: ``viewer`` is the signed-in user,
``manager`` the customer manager (a user) whose worklist is shown, ``customers`` a
queryset of the customers that manager is responsible for (already scoped for the viewer).
The section answers ``title``, ``count`` (how many items need the manager), ``template``
(included with ``ctx`` = ``context``) and ``context``; or nothing (the app checks its own
permission). Each section must cost a bounded number of queries whatever the number of
customers (a subquery on ``customers``, never a Python loop over them) and show at most
``WORKLIST_ROWS`` rows, with a link to the full list where there is one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

WORKLIST_ROWS = 20

WorklistSection = Callable[[object, object, object], "dict | None"]


@dataclass(frozen=True)
class _Entry:
    key: str
    order: int
    fn: WorklistSection


_SECTIONS: dict[str, _Entry] = {}


def register_worklist_section(key: str, fn: WorklistSection, *, order: int = 100) -> WorklistSection:
    _SECTIONS[key] = _Entry(key=key, order=order, fn=fn)
    return fn


def worklist_sections(viewer, manager, customers) -> list[dict]:
    """Every registered section for ``manager``'s worklist as ``viewer`` sees it, by order."""
    out = []
    for entry in sorted(_SECTIONS.values(), key=lambda e: (e.order, e.key)):
        section = entry.fn(viewer, manager, customers)
        if section:
            out.append({"key": entry.key, **section})
    return out

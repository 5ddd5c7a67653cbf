"""Panels on detail pages contributed by higher apps (the customer page, the transformer-area
page), filled at start-up like the home widgets (``core.home``):

    register_detail_panel("customer", fn)

Kind ``work_order``: a card on the work-order page (``obj`` is the order) — what another
app made of it (the staged application a hotline request was continued as).

Kind ``intake``: a short block inside each caller found at the intake desk (``obj`` is the
customer): what the agent must know at first contact.

Kind ``intake_form``: a block beside the request being recorded at the intake desk (``obj``
is None); its template may observe the form's fields with htmx (``from:#id_description``)
and add inputs of its own to the form.

``fn(user, obj) -> dict(title, template, context) | None``: a panel the page shows in a
card (``template`` is included with ``ctx`` = ``context``), or nothing for this user and
object (the app checks its own permission and scope). The pages render them with
``{% detail_panels "customer" obj %}`` (``core/templatetags/gridcare.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

KINDS = ("customer", "transformer_area", "intake", "intake_form", "work_order")

DetailPanel = Callable[[object, object], "dict | None"]

_PANELS: dict[str, list[DetailPanel]] = {kind: [] for kind in KINDS}


def register_detail_panel(kind: str, fn: DetailPanel) -> DetailPanel:
    if kind not in _PANELS:
        raise ValueError(_("未知的详情面板类型：%(kind)s") % {"kind": kind})
    if fn not in _PANELS[kind]:
        _PANELS[kind].append(fn)
    return fn


def panels_for(kind: str, user, obj) -> list[dict]:
    """Every registered panel of ``kind`` for ``obj`` as ``user`` sees it, in registration order."""
    if kind not in _PANELS:
        raise ValueError(_("未知的详情面板类型：%(kind)s") % {"kind": kind})
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    out = []
    for fn in _PANELS[kind]:
        panel = fn(user, obj)
        if panel:
            out.append(panel)
    return out


# What an ``intake_form`` block added to the form, handed back after intake created the order
# (inside the same transaction): ``hook(actor, order, data)``, ``data`` the posted form.
IntakeFormHook = Callable[[object, object, object], None]
_INTAKE_FORM_HOOKS: list[IntakeFormHook] = []


def register_intake_form_hook(fn: IntakeFormHook) -> IntakeFormHook:
    if fn not in _INTAKE_FORM_HOOKS:
        _INTAKE_FORM_HOOKS.append(fn)
    return fn


def intake_form_saved(actor, order, data) -> None:
    """Intake created ``order`` from a form the ``intake_form`` blocks may have added to."""
    for hook in _INTAKE_FORM_HOOKS:
        hook(actor, order, data)

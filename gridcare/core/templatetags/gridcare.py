from django import template

from gridcare.core.textutil import mask_id_number, mask_phone

register = template.Library()
register.filter("mask_phone", mask_phone)
register.filter("mask_id", mask_id_number)


@register.filter
def get_item(d, key):
    return d.get(key) if hasattr(d, "get") else None


@register.filter
def staff_name(user) -> str:
    """A person's display name (their staff profile's), else their username; '' for nobody."""
    if user is None:
        return ""
    staff = getattr(user, "staff", None) if hasattr(user, "staff") else None
    return (getattr(staff, "display_name", "") or "") or getattr(user, "username", "")


@register.filter
def audit_action(event) -> str:
    """An audit event's action in words (``gridcare.core.audit.audit_action_label``)."""
    from gridcare.core.audit import audit_action_label

    return audit_action_label(event.action, event.object_type)


@register.filter
def audit_changes(event) -> list:
    """An audit event's changes as rows, each shape rendered properly (``audit_change_rows``)."""
    from gridcare.core.audit import audit_change_rows

    return audit_change_rows(event.action, event.changes)


@register.simple_tag
def calendar_warning_text() -> str:
    """The admin's warning while a year's holidays are due, '' otherwise."""
    from gridcare.core.admin import calendar_warning_text as text

    return text() or ""


@register.inclusion_tag("core/_detail_panels.html", takes_context=True)
def detail_panels(context, kind: str, obj):
    """The panels higher apps registered for this kind of object (``core.panels``)."""
    from gridcare.core.panels import panels_for

    request = context.get("request")
    user = getattr(request, "user", None)
    return {"panels": panels_for(kind, user, obj) if user is not None else []}


@register.inclusion_tag("core/_inline_panels.html", takes_context=True)
def panels_inline(context, kind: str, obj):
    """Registered panels shown inside another block, without a card each (the intake desk)."""
    from gridcare.core.panels import panels_for

    request = context.get("request")
    user = getattr(request, "user", None)
    return {"panels": panels_for(kind, user, obj) if user is not None else []}

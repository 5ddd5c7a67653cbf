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

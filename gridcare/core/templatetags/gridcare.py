from django import template

from gridcare.core.textutil import mask_id_number, mask_phone

register = template.Library()
register.filter("mask_phone", mask_phone)
register.filter("mask_id", mask_id_number)


@register.filter
def get_item(d, key):
    return d.get(key) if hasattr(d, "get") else None

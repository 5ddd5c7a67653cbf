"""Core's configuration pages: the working-day calendar (holidays and make-up working days)."""

from django.utils.translation import gettext_lazy as _

from .configuration import ConfigSection, register_config
from .models import CalendarDay

register_config(
    ConfigSection(
        key="calendar",
        model=CalendarDay,
        fields=("date", "is_working", "name"),
        label=_("工作日历"),
        help=_("法定节假日（不上班）与调休上班日；这里的记录优先于内置日历。次年节假日公布后请及时录入。"),
        order=10,
    )
)

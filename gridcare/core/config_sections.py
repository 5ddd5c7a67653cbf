"""Core's configuration pages: the working-day calendar (holidays and make-up working days)."""

from django.utils.translation import gettext_lazy as _

from .configuration import ConfigSection, register_config
from .models import CalendarDay, CalendarYear

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
register_config(
    ConfigSection(
        key="calendar-years",
        model=CalendarYear,
        fields=("year",),
        label=_("已确认的日历年份"),
        help=_(
            "某年的节假日与调休上班日全部录入后，在此确认该年份（或用 gridcare import holidays 导入整年）。"
            "确认前，落在该年的期限标为“暂定”；确认后，该年的所有期限按日历重算。"
        ),
        order=11,
    )
)

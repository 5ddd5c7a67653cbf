"""Home-page widget of managers and supervisors: the figures they are judged on.

Time-limit compliance, callback satisfaction, repeated requests and escalations for this
month so far in the user's scope, each against the same days of last month. Every figure
comes from the function that defines it for the published reports and the dashboards
(``selectors.manager_kpis``), so the home page and the monthly report cannot disagree.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.authz import has_perm
from gridcare.core.home import register_home_widget


def kpi_labels() -> dict[str, str]:
    return {
        "compliance": _("时限达标率"),
        "satisfaction": _("回访满意率"),
        "repeats": _("重复诉求客户"),
        "escalations": _("升级督办"),
    }


@register_home_widget
def kpi_widget(request, today=None):
    user = request.user
    if not user.is_authenticated or not has_perm(user, "analytics.view_kpis"):
        return None
    from .selectors import kpi_periods, manager_kpis

    current, previous = kpi_periods(today or timezone.localdate())
    kpis = manager_kpis(user, current, previous)
    if kpis is None:
        return None
    labels = kpi_labels()
    for k in kpis:
        k["label"] = labels[k["key"]]
    return {
        "title": _("关键指标（本月至今）"),
        "template": "analytics/_home_kpis.html",
        "context": {"kpis": kpis, "current": current, "previous": previous},
    }

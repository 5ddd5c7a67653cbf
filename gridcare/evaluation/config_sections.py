"""Configuration pages of the three-party evaluation: the scorecard's weights and the
expert checklist."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.configuration import ConfigSection, register_config

from .models import EvaluationSetting, ExpertChecklistItem

register_config(
    ConfigSection(
        key="evaluation-weights",
        model=EvaluationSetting,
        fields=("value",),
        columns=("key", "value"),
        label=_("三方评价权重"),
        help=_(
            "记分卡的权重（0～100）：客户评价、专家评价、内部评价三部分，以及客户评价内、内部评价内各指标。"
            "同组权重按占比计算，不必合计为 100；缺数据的部分不计，其余按比例折算并标注。"
        ),
        order=88,
        can_add=False,
        can_delete=False,
    )
)
register_config(
    ConfigSection(
        key="evaluation-checklist",
        model=ExpertChecklistItem,
        fields=("code", "name", "description", "weight", "order", "active"),
        columns=("code", "name", "weight", "order", "active"),
        label=_("专家评价细则"),
        help=_("专家逐项评分（0～100）的项目及权重（1～100）；总分为加权平均，保存评价时记录所用权重。"),
        order=89,
        can_delete=False,
    )
)

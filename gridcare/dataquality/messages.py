"""What a finding says (stored on it as a code and parameters, rendered in the reader's
language; ``core.messages``)."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.messages import register

register("dq.no_phone", _("联系电话（%(phone)s）和备用电话（%(phone2)s）都不是有效的手机或固定电话号码"))
register("dq.duplicate_id", _("与户号 %(others)s 的证件号码相同（共 %(n)s 户）"))
register("dq.duplicate_phone", _("与户号 %(others)s 的联系电话相同（共 %(n)s 户）"))
register("dq.duplicate_address", _("与户号 %(others)s 的户名和用电地址相同（共 %(n)s 户）"))
register("dq.address_area", _("用电地址未包含所属台区“%(area)s”的地名（%(places)s）"))
register(
    "dq.over_capacity",
    _("合同容量 %(capacity)s kVA 超过所在台区“%(area)s”的配变容量 %(area_capacity)s kVA"),
)
register("dq.empty_area", _("台区“%(area)s”（%(area_code)s）没有挂接任何客户"))

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerCategory(models.TextChoices):
    RESIDENTIAL = "residential", _("居民")
    LV_NON_RESIDENTIAL = "lv_non_residential", _("低压非居民")
    HV_SINGLE = "hv_single", _("高压单电源")
    HV_DUAL = "hv_dual", _("高压双电源")

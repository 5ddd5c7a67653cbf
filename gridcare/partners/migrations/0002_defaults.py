from django.db import migrations

# service_code, name, description, request_type, dimension, subtype, keywords, group
SERVICES = [
    ("outage", "停电报修", "家中或片区停电，需要抢修恢复供电", "fault_repair", "supply_reliability", "", "停电,没电,跳闸", "故障报修"),
    ("low-voltage", "电压异常报修", "电压低、忽高忽低，电器无法正常使用", "fault_repair", "supply_reliability", "", "电压低,电压不稳", "故障报修"),
    ("safety-hazard", "电力安全隐患", "电线断落、冒火花、电杆倾斜、树木碰线等危险情况", "fault_repair", "supply_safety", "", "断线,冒火,倒杆,树障", "故障报修"),
    ("meter-fault", "电能表故障", "电能表不走、乱走、显示异常（仍有电）", "fault_repair", "billing_payment", "", "电表,表计", "故障报修"),
    ("outage-info", "停电信息咨询", "停电时间、范围、原因和恢复供电时间", "consultation", "information_communication", "", "停电通知,何时来电", "咨询"),
    ("billing-question", "电费缴费咨询", "电费、电价、缴费方式和账单问题", "consultation", "billing_payment", "", "电费,电价,缴费", "咨询"),
    ("business-question", "业务办理咨询", "报装、增容、过户等业务如何办理", "consultation", "business_handling", "", "报装,过户,办理", "咨询"),
    ("complaint-outage", "停电抢修投诉", "频繁停电、停电时间长、抢修不及时", "complaint", "supply_reliability", "", "频繁停电,抢修慢", "投诉"),
    ("complaint-notice", "停电通知投诉", "停电未通知、通知不及时或时间不符", "complaint", "information_communication", "", "未通知,通知", "投诉"),
    ("complaint-billing", "电费缴费投诉", "多扣费、缴费未到账、欠费停电争议", "complaint", "billing_payment", "", "多扣,未到账,退费", "投诉"),
    ("complaint-business", "业务办理投诉", "业务办理拖延、预约未上门", "complaint", "business_handling", "", "拖延,未上门", "投诉"),
    ("complaint-attitude", "服务态度投诉", "工作人员态度差、推诿、承诺未兑现", "complaint", "service_attitude", "", "态度,推诿", "投诉"),
    ("report-theft", "窃电举报", "发现窃电、私拉乱接", "report", "billing_payment", "", "窃电,私拉乱接", "举报"),
    ("report-facility", "危害电力设施举报", "线下施工、钓鱼、盗割电缆等危害电力设施的行为", "report", "supply_safety", "", "施工,钓鱼,盗割", "举报"),
    ("suggestion", "意见建议", "对供电服务的意见和建议", "suggestion", "service_channel", "", "建议", "意见建议"),
    ("praise", "表扬", "对供电服务人员的表扬", "praise", "service_attitude", "", "表扬,感谢", "表扬"),
    ("new-connection", "新装用电申请", "居民或企业新装用电", "service_application", "business_handling", "new_connection", "新装,报装", "业务申请"),
    ("meter-test", "电能表校验申请", "申请校验电能表是否准确", "service_application", "billing_payment", "meter_test", "校表,校验", "业务申请"),
    ("ev-charger", "充电桩报装", "居民小区充电桩用电报装", "service_application", "business_handling", "ev_charger", "充电桩", "业务申请"),
]


def seed(apps, schema_editor):
    ServiceMapping = apps.get_model("partners", "ServiceMapping")
    for order, (code, name, description, rtype, dim, subtype, keywords, group) in enumerate(SERVICES, start=1):
        ServiceMapping.objects.get_or_create(
            service_code=code,
            defaults={
                "name": name,
                "description": description,
                "request_type": rtype,
                "dimension": dim,
                "subtype": subtype,
                "keywords": keywords,
                "group": group,
                "order": order * 10,
            },
        )
    Open311Config = apps.get_model("partners", "Open311Config")
    if not Open311Config.objects.exists():
        Open311Config.objects.create(jurisdiction_id="gridcare.example", channel="web")
    PartnerSetting = apps.get_model("partners", "PartnerSetting")
    for key, default in (("rate_per_minute", 60), ("max_results", 200), ("call_retention_days", 365)):
        PartnerSetting.objects.get_or_create(key=key, defaults={"value": default})


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

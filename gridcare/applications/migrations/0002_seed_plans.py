"""The default stage plans (the commitments' overall limits for new connections:
residential ≤ 5, low-voltage non-residential ≤ 6, high-voltage single ≤ 22, dual ≤ 32
working days; 易通电 one-visit variants for residential and small low-voltage customers)
and the process settings. Kinds without a plan here (meter tests, pause/resume, other)
are refused until an admin adds one."""

from django.db import migrations

CLERK, MANAGER, CREW, DISPATCHER = "counter_clerk", "customer_manager", "repair_crew", "dispatcher"
ID_DOCS = "申请人有效身份证明\n用电地址物业权属证明"
COMPANY_DOCS = "营业执照或组织机构代码证\n法定代表人身份证明\n用电地址物业权属证明"

# (code, name, limit, owner role, owner unit kind, documents, optional)
LV_RES = [
    ("accept", "受理", 1, CLERK, "", ID_DOCS, False),
    ("survey", "现场勘查", 1, MANAGER, "station", "", False),
    ("connect", "装表接电", 3, CREW, "station", "", False),
]
LV_NONRES = [
    ("accept", "受理", 1, CLERK, "", COMPANY_DOCS, False),
    ("survey", "现场勘查", 1, MANAGER, "station", "", False),
    ("scheme", "供电方案答复", 1, MANAGER, "station", "", False),
    ("inspect", "竣工检验", 1, MANAGER, "station", "竣工报告", False),
    ("connect", "装表接电", 2, CREW, "station", "", False),
]
HV = lambda scheme, design, mid, inspect, connect: [  # noqa: E731
    ("accept", "受理", 1, CLERK, "", COMPANY_DOCS + "\n用电设备清单", False),
    ("survey", "现场勘查", 2, MANAGER, "county", "", False),
    ("scheme", "供电方案答复", scheme, MANAGER, "county", "", False),
    ("design", "设计审查", design, MANAGER, "county", "受电工程设计文件", False),
    ("midcheck", "中间检查", mid, MANAGER, "county", "隐蔽工程施工记录", True),
    ("inspect", "竣工检验", inspect, MANAGER, "county", "竣工报告\n电气试验报告", False),
    ("connect", "装表接电", connect, CREW, "station", "供用电合同", False),
]
ONE_VISIT_RES = [
    ("accept", "受理", 1, CLERK, "", "申请人有效身份证明", False),
    ("connect", "上门勘查并装表接电", 2, CREW, "station", "", False),
]
ONE_VISIT_LV = [
    ("accept", "受理", 1, CLERK, "", "营业执照或组织机构代码证", False),
    ("survey", "现场勘查与方案答复", 1, MANAGER, "station", "", False),
    ("connect", "装表接电", 2, CREW, "station", "", False),
]
CHANGE_SIMPLE = [
    ("accept", "受理", 1, CLERK, "", ID_DOCS, False),
    ("handle", "业务办理", 2, CLERK, "", "", False),
]
CAPACITY_LV = [
    ("accept", "受理", 1, CLERK, "", COMPANY_DOCS, False),
    ("survey", "现场勘查", 1, MANAGER, "station", "", False),
    ("connect", "换表接电", 3, CREW, "station", "", False),
]
EV_RES = [
    ("accept", "受理", 1, CLERK, "", "申请人有效身份证明\n车位产权或使用证明\n物业同意安装证明", False),
    ("survey", "现场勘查", 1, MANAGER, "station", "", False),
    ("connect", "装表接电", 3, CREW, "station", "", False),
]
PV = [
    ("accept", "受理", 1, CLERK, "", "申请人有效身份证明\n房屋产权证明", False),
    ("survey", "现场勘查与接入方案", 2, MANAGER, "station", "", False),
    ("inspect", "并网验收", 5, MANAGER, "station", "竣工报告", False),
    ("connect", "装表并网", 2, CREW, "station", "购售电合同", False),
]

PLANS = [
    # kind, category, variant, name, overall, steps
    ("new_connection", "residential", "standard", "居民新装", 5, LV_RES),
    ("new_connection", "lv_non_residential", "standard", "低压非居民新装", 6, LV_NONRES),
    ("new_connection", "hv_single", "standard", "高压单电源新装", 22, HV(3, 3, 2, 3, 3)),
    ("new_connection", "hv_dual", "standard", "高压双电源新装", 32, HV(6, 5, 3, 5, 5)),
    ("new_connection", "residential", "one_visit", "居民新装（易通电）", 3, ONE_VISIT_RES),
    ("new_connection", "lv_non_residential", "one_visit", "低压小微企业新装（易通电）", 4, ONE_VISIT_LV),
    ("capacity_change", "lv_non_residential", "standard", "低压增减容", 6, CAPACITY_LV),
    ("capacity_change", "hv_single", "standard", "高压增减容", 22, HV(3, 3, 2, 3, 3)),
    ("capacity_change", "hv_dual", "standard", "高压双电源增减容", 32, HV(6, 5, 3, 5, 5)),
    ("name_change", "residential", "standard", "居民更名过户", 3, CHANGE_SIMPLE),
    ("name_change", "lv_non_residential", "standard", "低压非居民更名过户", 3, CHANGE_SIMPLE),
    ("tou_tariff", "residential", "standard", "居民峰谷电申请", 3, CHANGE_SIMPLE),
    ("ev_charger", "residential", "standard", "居民充电桩报装", 5, EV_RES),
    ("pv_connection", "residential", "standard", "居民分布式光伏并网", 12, PV),
    ("pv_connection", "lv_non_residential", "standard", "低压分布式光伏并网", 12, PV),
]


def seed(apps, schema_editor):
    StagePlan = apps.get_model("applications", "StagePlan")
    StagePlanStep = apps.get_model("applications", "StagePlanStep")
    ApplicationSetting = apps.get_model("applications", "ApplicationSetting")
    for kind, category, variant, name, overall, steps in PLANS:
        plan, created = StagePlan.objects.get_or_create(
            kind=kind, category=category, variant=variant, defaults={"name": name, "overall_limit_days": overall}
        )
        if not created:
            continue
        StagePlanStep.objects.bulk_create(
            [
                StagePlanStep(
                    plan=plan,
                    seq=i,
                    code=code,
                    name=step_name,
                    limit_days=limit,
                    owner_role=role,
                    owner_unit_kind=unit_kind,
                    documents=docs,
                    optional=optional,
                )
                for i, (code, step_name, limit, role, unit_kind, docs, optional) in enumerate(steps, start=1)
            ]
        )
    for key, default in (("stall_working_days", 3), ("home_visit_working_days", 1)):
        ApplicationSetting.objects.get_or_create(key=key, defaults={"value": default})


class Migration(migrations.Migration):
    dependencies = [("applications", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

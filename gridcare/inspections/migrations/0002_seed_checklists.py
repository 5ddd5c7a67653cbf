"""Seeded checklists (检查表) for halls, stations and the hotline, and the settings rows —
defaults an administrator edits on the settings pages."""

from django.db import migrations

CHECKLISTS = {
    ("营业厅服务检查表", "hall"): [
        ("营业时间、服务项目、收费标准、服务承诺公示齐全", 10, False),
        ("厅内整洁，引导标识清楚，便民设施（座椅、饮水、老花镜、轮椅）可用", 10, False),
        ("员工着装统一、佩戴工号牌，仪容仪表规范", 10, False),
        ("使用规范服务用语，首问负责，一次性告知办理资料", 15, False),
        ("叫号有序，等候不超过 15 分钟，老弱病残孕优先", 15, False),
        ("业务办理准确、按时限受理，资料审核无遗漏", 15, False),
        ("客户隐私与资料保管规范，不随意放置", 10, False),
        ("评价器正常使用，不诱导、不干预客户评价", 15, False),
        ("服务中与客户争吵、推诿搪塞或吃拿卡要", 20, True),
    ],
    ("供电所服务检查表", "station"): [
        ("抢修值班表、联系电话公示，值班人员在岗", 15, False),
        ("故障报修到达现场时限符合承诺（城区 45 分钟、农村 90 分钟）", 20, False),
        ("停电信息按规定提前公告并告知客户", 15, False),
        ("抢修车辆、工器具、备品备件齐备", 10, False),
        ("现场作业着装规范，亮明身份，文明施工", 10, False),
        ("工单回单内容真实、完整，与现场一致", 15, False),
        ("向客户收取规定以外的费用或要求吃请", 20, True),
    ],
    ("95598 测试电话检查表", "hotline"): [
        ("接通及时，20 秒内应答", 15, False),
        ("开头语、结束语规范，报工号", 10, False),
        ("准确记录诉求，复述确认客户信息", 15, False),
        ("业务解答准确，一次性告知", 20, False),
        ("语气亲切，不打断客户，耐心解释", 15, False),
        ("工单分类正确，按时限派发", 15, False),
        ("泄露客户信息或与客户发生争执", 20, True),
    ],
}


def seed(apps, schema_editor):
    Checklist = apps.get_model("inspections", "Checklist")
    ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    Setting = apps.get_model("inspections", "InspectionSetting")
    for (name, kind), items in CHECKLISTS.items():
        checklist, made = Checklist.objects.get_or_create(name=name, defaults={"site_kind": kind})
        if made:
            for position, (text, weight, veto) in enumerate(items, start=1):
                ChecklistItem.objects.create(
                    checklist=checklist, position=position, text=text, weight=weight, veto=veto
                )
    for key, value in (("pass_mark", 85), ("rectify_working_days", 10)):
        Setting.objects.get_or_create(key=key, defaults={"value": value})


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

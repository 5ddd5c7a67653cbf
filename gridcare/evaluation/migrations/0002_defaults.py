from django.db import migrations

WEIGHTS = {
    "w_customer": 50,
    "w_expert": 30,
    "w_internal": 20,
    "c_ratings": 40,
    "c_callbacks": 40,
    "c_surveys": 20,
    "i_wait": 25,
    "i_stages": 25,
    "i_orders_on_time": 25,
    "i_rework": 25,
}

CHECKLIST = [
    ("environment", "营业环境", "厅堂整洁、标识清晰、功能分区合理", 15),
    ("conduct", "服务规范", "着装、用语、首问负责、一次性告知", 15),
    ("business", "业务办理规范", "资料审核、流程执行、收费标准", 15),
    ("disclosure", "信息公开", "收费标准、办电流程、服务承诺公示", 10),
    ("facilities", "便民设施", "自助终端、爱心座椅、老花镜等便民用品", 10),
    ("complaints", "投诉处理", "意见簿、投诉受理及回复时效", 10),
    ("efficiency", "服务效率", "等候时间、办理时长、引导分流", 15),
    ("integrity", "廉洁自律", "无吃拿卡要、无违规收费", 10),
]


def seed(apps, schema_editor):
    Setting = apps.get_model("evaluation", "EvaluationSetting")
    Item = apps.get_model("evaluation", "ExpertChecklistItem")
    for key, value in WEIGHTS.items():
        Setting.objects.get_or_create(key=key, defaults={"value": value})
    for i, (code, name, description, weight) in enumerate(CHECKLIST, start=1):
        Item.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "weight": weight, "order": i * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
